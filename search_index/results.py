"""Running one search on an open index: place, text, filters, facets, ranking, one page.

Everything that decides *which* documents match is done on cached bitsets
(``search_index.selection``): the place (cells, then an exact radius test on the coordinate
columns), the words and needs of the query, the filters and the facet counts. Every match is
then scored and ranked with numpy (``ranking.text_scores``, ``ranking.rank``), and stored
fields are read for the page shown (``search_index.hits``). At 100,000 services a search takes
5 to 15 ms (docs/index-operations.md, "Benchmark").

``run_search`` gives one page of results with facets, ``match_documents`` every match, ranked,
without facets or stored fields. The entry points that find the searcher and context for them
are ``search_index.engine``'s, which names everything here too.
"""

from __future__ import annotations

import math
import time as clock

import numpy as np
from whoosh.searching import Searcher

from search_index import ranking
from search_index.api import (
    MAX_PER_PAGE,
    MAX_RADIUS_KM,
    Match,
    Matches,
    SearchRequest,
    SearchResults,
)
from search_index.context import Context, home_bits
from search_index.facets import build_facets
from search_index.hits import cached_parts, make_hit
from search_index.selection import select_documents


def _clamp(request: SearchRequest) -> tuple[int, int]:
    per_page = request.per_page if isinstance(request.per_page, int) else 20
    page = request.page if isinstance(request.page, int) else 1
    return max(1, page), min(max(1, per_page), MAX_PER_PAGE)


def run_search(searcher: Searcher, request: SearchRequest, context: Context) -> SearchResults:
    """Run ``request`` on ``searcher`` (see the module docstring for the steps)."""
    started = clock.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        timings[name] = round((clock.perf_counter() - started) * 1000 - sum(timings.values()), 3)

    page, per_page = _clamp(request)
    chosen = select_documents(searcher, request, context, lap)
    view, plan, scope, now, final = chosen.view, chosen.plan, chosen.scope, chosen.now, chosen.final
    facets = build_facets(
        view, context.vocabulary, chosen.base, chosen.filters, request, now, context.gazetteer
    )
    lap("facets")

    scores = None
    if plan.has_text:
        scores = ranking.text_scores(searcher, view, plan, chosen.strict, final)
    total = final.bit_count()
    pages = max(1, math.ceil(total / per_page)) if total else 0
    page = min(page, max(pages, 1))
    wanted_top = page * per_page
    extra = ranking.RERANK_EXTRA if plan.pairs and request.sort != "distance" else 0
    home = home_bits(view, context)
    ranked = ranking.rank(view, final, scores, scope, request.sort, now, wanted_top + extra, home)
    rows: dict[int, dict] = {}
    if extra:
        ranked = ranking.rerank_together(searcher, ranked, plan.pairs, rows)
    shown = ranked[(page - 1) * per_page : wanted_top]
    lap("rank")

    shown_ids = np.array(sorted(d for d, _s in shown), dtype=np.int64)
    near = dict(
        zip(shown_ids.tolist(), (~np.isnan(scope.distances(shown_ids))).tolist(), strict=True)
    )
    stems = frozenset(plan.highlight)
    results = []
    for d, s in shown:
        parts = cached_parts(searcher, d, rows)
        results.append(make_hit(None, d, s, scope, plan, now, near[d], parts=parts, stems=stems))
    lap("hits")
    timings["total"] = round((clock.perf_counter() - started) * 1000, 3)
    answer = chosen.answer
    return SearchResults(
        request=request,
        total=total,
        hits=results,
        facets=facets,
        suggestion=plan.suggestion,
        place=scope.place,
        place_message=answer.message if answer else None,
        place_alternatives=list(answer.alternatives) if answer else [],
        page=page,
        pages=pages,
        messages=chosen.messages,
        timings=timings,
    )


def match_documents(
    searcher: Searcher,
    request: SearchRequest,
    context: Context,
    max_radius_km: float = MAX_RADIUS_KM,
    widen: bool = True,
    time_words: bool = False,
) -> Matches:
    """Every document ``request`` selects, best first (or nearest first with
    ``sort="distance"``), without facets or stored fields: for callers that page or filter
    the results themselves, such as the ORUK API (whose ``search`` is plain text, so time
    words stay words unless ``time_words``). Keys come from the index's columns."""
    chosen = select_documents(
        searcher,
        request,
        context,
        max_radius_km=max_radius_km,
        widen=widen,
        time_words=time_words,
    )
    view, plan, scope, now, final = chosen.view, chosen.plan, chosen.scope, chosen.now, chosen.final
    scores = None
    if plan.has_text:
        scores = ranking.text_scores(searcher, view, plan, chosen.strict, final)
    ranked = ranking.rank(
        view, final, scores, scope, request.sort, now, final.bit_count(), home_bits(view, context)
    )
    # A segment whose documents are all area documents (services with no venue) has no
    # ``sal_key`` column at all, so its values read as None, not b"".
    service_keys, sal_keys = view.column("service_key"), view.column("sal_key")
    docnums = np.array([docnum for docnum, _score in ranked], dtype=np.int64)
    order = np.argsort(docnums)
    distances = np.empty(len(docnums))
    distances[order] = scope.distances(docnums[order])
    matches = [
        Match(
            service_id=(service_keys[docnum] or b"").decode("utf-8"),
            service_at_location_id=(sal_keys[docnum] or b"").decode("utf-8") or None,
            distance_km=None if math.isnan(km) else km,
            covers_area=scope.covers(docnum),
            score=score,
        )
        for (docnum, score), km in zip(ranked, distances.tolist(), strict=True)
    ]
    answer = chosen.answer
    return Matches(
        matches=matches,
        place=scope.place,
        place_message=answer.message if answer else None,
        suggestion=plan.suggestion,
    )
