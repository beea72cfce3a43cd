"""The matcher: for one help request, the offers and directory listings most likely to help,
best first, each with the reasons in plain words.

A plain function on the search engine, callable without a request and tested on its own with
known right answers (tests/matching/test_matcher.py). Offers are the ACTIVE ones with a place
free that reach the person (:mod:`directory.matching.where`); listings come from
``search_index.match_all`` with each of the request's needs and its postcode, so they are
exactly the public listings a resident would find, services whose service area covers the
postcode (phone, online, outreach) included. Both are scored by the same five parts
(:mod:`directory.matching.weights`): need, place, capacity, availability and freshness.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from directory.help_requests.models import HelpRequest
from directory.matching.candidate import Candidate, Ranking
from directory.matching.listing_candidates import listing_candidates
from directory.matching.offer_candidates import offer_candidates
from directory.matching.where import gazetteer_or_none, request_spot
from directory.public.search_params import load_terms

__all__ = ["Candidate", "Ranking", "candidates", "rank"]
#: Needs of one request looked for at most (each is one index query).
MAX_NEEDS = 10


def candidates(
    session: Session, request: HelpRequest, *, limit: int = 10, today: date | None = None
) -> list[Candidate]:
    """The best ``limit`` candidates for ``request``, best first (see the module docstring)."""
    return rank(session, request, limit=limit, today=today).candidates


def rank(
    session: Session,
    request: HelpRequest,
    *,
    limit: int = 10,
    today: date | None = None,
    gazetteer: Any = None,
    index: Any = None,
) -> Ranking:
    """:func:`candidates` with the messages a page shows beside them ("the postcode could not
    be found", "the directory cannot be searched just now"). ``gazetteer`` and ``index`` are
    for tests; by default the app's."""
    today = today or datetime.now(UTC).date()
    gazetteer = gazetteer if gazetteer is not None else gazetteer_or_none()
    terms = load_terms(session)
    needs = [n for n in dict.fromkeys(request.needs or []) if isinstance(n, str)][:MAX_NEEDS]
    spot = request_spot(request, gazetteer)
    ranking = Ranking()
    if spot is None:
        ranking.messages.append(
            "The request has no postcode we can find, so distance and area are not checked."
        )
    if not needs:
        ranking.messages.append(
            "No needs are recorded for this request, so no directory listings are suggested."
        )
    found = offer_candidates(session, request, needs, spot, gazetteer, terms, today)
    found += listing_candidates(session, request, needs, spot, terms, today, limit, ranking, index)
    found.sort(
        key=lambda c: (-c.score, c.distance_km if c.distance_km is not None else 1e9, c.name)
    )
    ranking.candidates = found[: max(0, limit)]
    return ranking
