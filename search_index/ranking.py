"""How text relevance, distance and freshness are blended into one ranking score.

    final = relevance * (NEAR_FLOOR + (1 - NEAR_FLOOR) * proximity) * freshness

* ``relevance`` is the text score divided by the best text score among the results (1.0 for
  every result of a search with no words), so it is in 0..1 whatever the query.
* ``proximity`` is ``1 / (1 + distance_km / HALF_DISTANCE_KM)``: 1 at the door, 0.5 at
  ``HALF_DISTANCE_KM``. A service found because its area covers the place (a helpline, online
  or outreach service) has no distance and gets ``AREA_PROXIMITY``, as if it were
  ``HALF_DISTANCE_KM`` away. With no place, proximity is 1 for everything.
* ``NEAR_FLOOR`` keeps distance from swamping relevance: the best text match 8 km away still
  keeps 0.6 of its score, so it beats a weak match next door.
* ``freshness`` is 1 for a listing checked within the last year, ``STALE_FACTOR`` for one not
  checked for over a year, ``VERY_STALE_FACTOR`` for over two years.

When neighbouring query words appear next to each other (stop words aside) in the name, the
need labels or the summary of one of the best results, its score is multiplied by
``TOGETHER_FACTOR``: "food bank" ranks the Food Bank above a bank that mentions food.

Sorting by distance puts venues nearest first, then area-covering services by score.

Only a few dozen documents get exact BM25 scores (``text_scores``): a cheap score from bitsets
picks them; the others rank after them. Counts and facets are always exact.
"""

from __future__ import annotations

import heapq
import math
import re
from array import array
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from whoosh.query import And

from search_index.analysis import fold_text
from search_index.schema import DocSetQuery

if TYPE_CHECKING:
    from whoosh.searching import Searcher

    from search_index.facets import IndexView
    from search_index.geo import GeoScope
    from search_index.query import TextPlan

HALF_DISTANCE_KM = 2.0
NEAR_FLOOR = 0.5
AREA_PROXIMITY = 0.5
STALE_AFTER_DAYS = 365
VERY_STALE_AFTER_DAYS = 730
STALE_FACTOR = 0.85
VERY_STALE_FACTOR = 0.7
UNKNOWN_FRESHNESS = 0.85
TOGETHER_FACTOR = 1.2


def proximity(distance_km: float | None, covers_area: bool) -> float:
    if distance_km is None:
        return AREA_PROXIMITY if covers_area else 1.0
    return 1.0 / (1.0 + max(distance_km, 0.0) / HALF_DISTANCE_KM)


def freshness(checked_ordinal: int, today: date) -> float:
    """``checked_ordinal`` is ``date.toordinal()`` of the last check, 0 when unknown."""
    if checked_ordinal <= 0:
        return UNKNOWN_FRESHNESS
    age = today.toordinal() - checked_ordinal
    if age > VERY_STALE_AFTER_DAYS:
        return VERY_STALE_FACTOR
    if age > STALE_AFTER_DAYS:
        return STALE_FACTOR
    return 1.0


def blend(
    relevance: float,
    distance_km: float | None,
    covers_area: bool,
    checked_ordinal: int,
    today: date,
    has_place: bool,
) -> float:
    """The final ranking score (see the module docstring)."""
    near = proximity(distance_km, covers_area) if has_place else 1.0
    return relevance * (NEAR_FLOOR + (1.0 - NEAR_FLOOR) * near) * freshness(checked_ordinal, today)


def together_pattern(pairs: list[tuple[str, str]]) -> re.Pattern[str]:
    """A pattern finding any pair of neighbouring query stems written next to each other
    (at most one short word between, for stop words): "food bank" in "Food Bank" or "food
    banks", "debt advice" in "debt and money advice" (not: "and money" is two words)."""
    choices = "|".join(
        rf"\b{_prefix(a)}\w*\W+(?:\w{{1,4}}\W+)?{_prefix(b)}" for a, b in dict.fromkeys(pairs)
    )
    return re.compile(choices, re.IGNORECASE)


def _prefix(stem: str) -> str:
    """The start every word with this stem shares: Snowball turns a final "y" into "i"
    ("loneli" for "lonely") and may drop an "e"."""
    if len(stem) > 3 and stem[-1] in "ie":
        stem = stem[:-1]
    return re.escape(stem)


def together(row: dict[str, Any], pattern: re.Pattern[str]) -> bool:
    """Whether the result's name, need labels or the start of its summary has two
    neighbouring query words together (see ``together_pattern``)."""
    text = " | ".join([row.get("name", ""), *row.get("needs", ()), row.get("summary", "")[:300]])
    return pattern.search(fold_text(text)) is not None


#: Most documents whose text score is computed exactly (BM25) for one search, and most
#: given a cheap score to choose them (see ``text_scores``).
EXACT_LIMIT = 40
POOL_LIMIT = 2000
#: Results beyond the page re-ranked by the words-together factor.
RERANK_EXTRA = 30
#: Above this many results, only the likeliest are put through the blended ranking.
RANK_ALL_LIMIT = 2000


def score_all(searcher: Searcher, query: Any, within: DocSetQuery | None) -> dict[int, float]:
    """Whoosh's score of every document ``query`` matches (within ``within`` if given)."""
    if within is not None:
        query = And([within, query])
    matcher = query.matcher(searcher, searcher.context(needs_current=True))
    scores: dict[int, float] = {}
    while matcher.is_active():
        scores[matcher.id()] = matcher.score()
        matcher.next()
    return scores


def text_scores(
    searcher: Searcher,
    view: IndexView,
    plan: TextPlan,
    strict: int,
    final: int,
    scope: GeoScope,
    now: datetime,
) -> tuple[dict[int, float], float]:
    """Exact text scores for the documents worth scoring, and the score assumed for the rest.

    Scoring runs Whoosh's matchers document by document, so at most ``EXACT_LIMIT`` are
    scored: all of them when there are that few, else the likeliest best (see
    ``_candidates``); the others rank after them at half the lowest score. Documents matching
    every clause are lifted above those only the wider query found.
    """
    total = final.bit_count()
    if not total:
        return {}, 0.0
    few = total <= EXACT_LIMIT
    ids = view.to_ids(final) if few else _candidates(view, plan, final, scope, now)
    widened = final & ~strict
    if widened and not few:  # the (at most two) documents matching everything always count
        ids = sorted(set(ids) | set(view.to_ids(final & strict)))
    within = DocSetQuery(array("I", ids), 0.0, "results")
    scores = score_all(searcher, plan.score_query, within)
    if widened:
        lift = max(scores.values(), default=0.0)
        for docnum in view.to_ids(view.from_ids(scores) & strict):
            scores[docnum] += lift
    floor = min(scores.values(), default=0.0) / 2 if total > len(scores) else 0.0
    return scores, floor


def _candidates(
    view: IndexView, plan: TextPlan, final: int, scope: GeoScope, now: datetime
) -> list[int]:
    """The ``EXACT_LIMIT`` documents of a large result set most likely to rank first.

    A pool of at most ``POOL_LIMIT`` (all of them, or, for huge sets, those with every
    required word in their name or need labels or with the need itself, then those with some,
    then the rest; nearest first when there is a place) is ranked with the cheap text score
    (``TextPlan.quick_scores``) blended with distance and freshness like the real
    """
    if final.bit_count() <= POOL_LIMIT:
        pool_ids = view.to_ids(final)
    else:
        strong = plan.strong_bits(view)
        every, some = final, 0
        for bits in strong:
            every &= bits
            some |= bits
        pool_ids, taken = [], 0
        for tier in (every, final & some, final):
            room = POOL_LIMIT - len(pool_ids)
            if scope.place is None:
                ids = view.to_ids(tier & ~taken, room)
            else:
                ids = view.to_ids(tier & ~taken)
                if len(ids) > room:
                    far = scope.radius_km or 0.0
                    ids = heapq.nsmallest(room, ids, key=lambda d: scope.distances.get(d, far))
            pool_ids.extend(ids)
            if len(pool_ids) >= POOL_LIMIT:
                break
            taken |= view.from_ids(ids)
    quick = plan.quick_scores(view, view.from_ids(pool_ids))
    top = max(quick.values(), default=0.0) or 1.0
    checked, today = view.column("checked"), now.date()
    if scope.place is None:

        def estimate(docnum: int) -> float:
            return quick.get(docnum, 0.0) * freshness(checked[docnum] or 0, today)

    else:

        def estimate(docnum: int) -> float:
            distance = scope.distances.get(docnum)
            covers = docnum in scope.area_ids
            relevance = quick.get(docnum, 0.0) / top
            return blend(relevance, distance, covers, checked[docnum] or 0, today, True)

    return sorted(heapq.nlargest(EXACT_LIMIT, pool_ids, key=estimate))


def _preselect(
    view: IndexView,
    final: int,
    scores: dict[int, float],
    scope: GeoScope,
    now: datetime,
    limit: int,
) -> list[int]:
    """The documents that can make the first ``limit`` places: all of them when there are
    up to ``RANK_ALL_LIMIT``; otherwise the scored ones and, of the rest (which share one
    assumed text score), the nearest venues, then the freshest others."""
    if final.bit_count() <= RANK_ALL_LIMIT:
        return view.to_ids(final)
    chosen = list(scores)  # always a subset of ``final``
    rest = final & ~view.from_ids(chosen)
    if scope.place is not None:
        venues = rest & view.term_bits("kind", "venue")
        nearest = heapq.nsmallest(
            limit, view.to_ids(venues), key=lambda d: scope.distances.get(d, math.inf)
        )
        chosen += nearest
        rest &= ~venues
    for tier in view.fresh_tiers(now.date()):
        chosen += view.to_ids(rest & tier, limit)
    return chosen


def stored_row(searcher: Searcher, docnum: int) -> dict:
    return searcher.stored_fields(docnum).get("row") or {}


def rerank_together(
    searcher: Searcher,
    ranked: list[tuple[int, float]],
    pairs: list[tuple[str, str]],
    rows: dict[int, dict],
) -> list[tuple[int, float]]:
    """Re-rank the best results with the words-together factor (see ``ranking``); the rows
    read are kept in ``rows`` for building the hits."""
    pattern = together_pattern(pairs)
    out = []
    for docnum, score in ranked:
        rows[docnum] = row = stored_row(searcher, docnum)
        boosted = together(row, pattern)
        out.append((docnum, score * TOGETHER_FACTOR if boosted else score))
    return sorted(out, key=lambda item: (-item[1], item[0]))


def rank(
    view: IndexView,
    final: int,
    scores: dict[int, float],
    floor: float,
    scope: GeoScope,
    sort: str,
    now: datetime,
    limit: int,
) -> list[tuple[int, float]]:
    """The best ``limit`` documents of ``final`` with their blended scores, best first."""
    checked = view.column("checked")
    today = now.date()
    top = max(scores.values(), default=0.0) or 1.0
    has_place = scope.place is not None
    area = scope.area_ids
    blended = []
    for docnum in _preselect(view, final, scores, scope, now, limit):
        relevance = scores.get(docnum, floor) / top if scores else 1.0
        distance = scope.distances.get(docnum)
        covers = docnum in area
        score = blend(relevance, distance, covers, checked[docnum] or 0, today, has_place)
        blended.append((docnum, score, distance, covers))
    if sort == "distance" and has_place:
        best = heapq.nsmallest(
            limit,
            blended,
            key=lambda item: (item[3], item[2] if item[2] is not None else math.inf, -item[1]),
        )
    else:
        best = heapq.nlargest(limit, blended, key=lambda item: (item[1], -item[0]))
    return [(docnum, score) for docnum, score, _, _ in best]
