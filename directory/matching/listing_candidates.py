"""Directory listings as candidates, found by the search engine exactly as a resident would
find them: ``search_index.match_all`` once per need of the request, round its postcode,
services whose area covers the postcode (phone, online, outreach) included. Only public
listings are in the index; each is checked again against the one visibility rule."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory.help_requests.models import HelpRequest
from directory.listings.models import Service
from directory.listings.visibility import is_public, is_stale, last_checked
from directory.matching import weights, wording
from directory.matching.candidate import Candidate, Ranking, freshness_part, place_part, score
from directory.matching.where import Spot
from directory.public.search_params import TermIndex

log = logging.getLogger(__name__)


@dataclass
class _Hit:
    needs: list[str] = field(default_factory=list)
    distance_km: float | None = None
    covers_area: bool = False


def _index_hits(
    request: HelpRequest, needs: list[str], spot: Spot | None, session: Session, index: Any
) -> dict[str, _Hit]:
    """Every public listing matching each need near the person, by service id."""
    from search_index import SearchRequest, match_all

    place = spot.search_place if spot is not None else ""
    hits: dict[str, _Hit] = {}
    for need in needs:
        query = SearchRequest(
            need_ids=(need,),
            place=place,
            radius_km=weights.LISTING_RADIUS_KM if place else None,
            include_covering=True,
        )
        for match in match_all(query, session=session, index=index, widen=False).matches:
            hit = hits.setdefault(match.service_id, _Hit())
            if need not in hit.needs:
                hit.needs.append(need)
            if match.distance_km is not None and (
                hit.distance_km is None or match.distance_km < hit.distance_km
            ):
                hit.distance_km = match.distance_km
            hit.covers_area = hit.covers_area or match.covers_area
    return hits


def listing_candidates(
    session: Session,
    request: HelpRequest,
    needs: list[str],
    spot: Spot | None,
    terms: TermIndex,
    today: date,
    limit: int,
    ranking: Ranking,
    index: Any,
) -> list[Candidate]:
    if not needs:
        return []
    from search_index.store import IndexUnavailable

    if spot is not None and not spot.search_place:
        spot = None  # placed by stored coordinates only: the index cannot search round them

    try:
        hits = _index_hits(request, needs, spot, session, index)
    except (IndexUnavailable, OSError) as exc:
        log.warning(
            "matching: the search index is unavailable (%s); offers only", type(exc).__name__
        )
        ranking.messages.append(
            "The directory cannot be searched just now, so only offers are shown. "
            "Try again in a minute."
        )
        return []

    def rough(item: tuple[str, _Hit]) -> float:
        hit = item[1]
        place = place_part(hit.distance_km, hit.covers_area, spot)
        return weights.WEIGHTS["need"] * len(hit.needs) + weights.WEIGHTS["place"] * place

    kept = sorted(hits.items(), key=rough, reverse=True)[: max(1, limit) * weights.LISTING_PRECUT]
    services = {
        s.id: s
        for s in session.scalars(
            select(Service)
            .where(Service.id.in_([service_id for service_id, _ in kept]))
            .options(selectinload(Service.organization), selectinload(Service.service_areas))
        )
    }
    found = []
    for service_id, hit in kept:
        service = services.get(service_id)
        if service is None or not is_public(service, today):
            continue
        found.append(_listing(service, hit, needs, spot, terms, today))
    return found


def _listing(
    service: Service,
    hit: _Hit,
    needs: list[str],
    spot: Spot | None,
    terms: TermIndex,
    today: date,
) -> Candidate:
    covered = [terms.label(n) for n in needs if n in hit.needs]
    missing = [terms.label(n) for n in needs if n not in hit.needs]
    reasons = [wording.needs_reason("Helps with", covered, missing, [])]
    if hit.distance_km is not None:
        reasons.append(wording.distance_text(hit.distance_km))
    elif hit.covers_area:
        areas = wording.join_words([a.name for a in service.service_areas if a.name][:3])
        reasons.append(f"By phone, online or visits across {areas or 'the area'}")
    checked = last_checked(service)
    if is_stale(service, today):
        reasons.append(f"Not checked for over a year (last {wording.month_year(checked)})")
    else:
        reasons.append(f"Checked {wording.ago(checked, today)}")
    parts = {
        "need": len(covered) / len(needs),
        "place": place_part(hit.distance_km, hit.covers_area, spot),
        "capacity": weights.UNKNOWN_CAPACITY,
        "availability": weights.LISTING_AVAILABILITY,
        "freshness": freshness_part(checked, today),
    }
    organisation = service.organization.name if service.organization else ""
    return Candidate(
        "listing", service.id, service.name, organisation, score(parts), parts,
        tuple(reasons), hit.distance_km,
    )  # fmt: skip
