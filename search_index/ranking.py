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
* ``freshness`` is 1 for a listing checked within the last year, :func:`stale_factor` (the
  app's ``STALE_RANK_FACTOR``, default ``STALE_FACTOR``) for one not checked for over a year
  (``directory.listings.visibility.STALE_AFTER_DAYS``, the line at which pages mark it), and
  at most ``VERY_STALE_FACTOR`` for over two years.

The text score is Whoosh's BM25F (B 0.75, K1 1.2, the same formula, statistics and field
lengths as its scorer) summed over the query's words, plus the constant scores of the need
sets the query means. Every matching document is scored, with numpy over the words' posting
arrays (``IndexView.term_postings``): at 100,000 services a word in 50,000 listings is
scored in about a millisecond, where Whoosh's matchers could only afford a few dozen
documents per search.

A listing whose service or venue name holds every real word of the query is what a resident
naming it asks for ("let's talk", "the bluecoat"): such listings all get the same text score,
above the rest, so distance and freshness alone order them (the nearest "Let's Talk" first).

When neighbouring query words appear next to each other (stop words aside) in the name, the
need labels or the summary of one of the best results, its score is multiplied by
``TOGETHER_FACTOR``: "food bank" ranks the Food Bank above a bank that mentions food.

Sorting by distance puts venues nearest first, then area-covering services by score.
"""

from __future__ import annotations

import re
import threading
from array import array
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import numpy as np
from whoosh.query import And, NullQuery, Or, Phrase, Query, Term

from directory.listings import visibility
from search_index import bitsets
from search_index.analysis import fold_text
from search_index.lru import LRU
from search_index.schema import DocSetQuery, match_bits

if TYPE_CHECKING:
    from whoosh.searching import Searcher

    from search_index.geo import GeoScope
    from search_index.query import TextPlan
    from search_index.view import IndexView

HALF_DISTANCE_KM = 2.0
NEAR_FLOOR = 0.5
AREA_PROXIMITY = 0.5
STALE_AFTER_DAYS = visibility.STALE_AFTER_DAYS
VERY_STALE_AFTER_DAYS = 730
STALE_FACTOR = 0.7
VERY_STALE_FACTOR = 0.7
UNKNOWN_FRESHNESS = 0.85
TOGETHER_FACTOR = 1.2
#: With no place given, help outside the home area (``HOME_AREA_CODE``) ranks this much lower.
AWAY_FACTOR = 0.75
#: Whoosh's BM25F parameters (its defaults, which the index was tuned with).
B, K1 = 0.75, 1.2
#: Results beyond the page re-ranked by the words-together factor.
RERANK_EXTRA = 30


def stale_factor() -> float:
    """The factor for a listing not checked for over a year: ``STALE_RANK_FACTOR`` from the
    running app's config (docs/freshness.md), else ``STALE_FACTOR``."""
    from flask import current_app, has_app_context

    value = current_app.config.get("STALE_RANK_FACTOR") if has_app_context() else None
    return STALE_FACTOR if value in (None, "") else float(value)


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
    return pattern.search(_folded(text)) is not None


#: Folding a result's text took most of ``together``'s time; the best results of one search
#: are often the best of the next.
_folded = lru_cache(maxsize=8192)(fold_text)


def _leaves(query: Query | None) -> list[Query]:
    if query is None or query is NullQuery:
        return []
    return list(query.subqueries) if isinstance(query, Or) else [query]


def _term_scores(view: IndexView, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """The documents with the word and their BM25F score for it (Whoosh's ``bm25``)."""
    ids, weights = view.term_postings(field, text)
    if not len(ids):
        return ids, weights
    average = (view.reader.field_length(field) / (view.size or 1)) or 1.0
    lengths = view.lengths(field)[ids]
    idf = view.idf(field, text)
    return ids, idf * (weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average))


def text_scores(
    searcher: Searcher, view: IndexView, plan: TextPlan, strict: int, final: int
) -> np.ndarray:
    """The text score of every document (an array by document number; only those of
    ``final`` mean anything): the sum of the scoring query's parts each document has.
    Documents matching every clause are lifted above those only the wider query found."""
    scores = np.zeros(view.size, dtype=np.float64)
    for leaf in _leaves(plan.score_query):
        if isinstance(leaf, Term):
            ids, found = _term_scores(view, leaf.fieldname, leaf.text)
            scores[ids] += found * leaf.boost
        elif isinstance(leaf, DocSetQuery):
            scores[np.frombuffer(leaf.ids, dtype=np.uint32)] += leaf.score
        elif isinstance(leaf, Phrase):
            inside = bitsets.flags(match_bits(leaf, view) & final, view.size).view(bool)
            for word in leaf.words:
                ids, found = _term_scores(view, leaf.fieldname, word)
                keep = inside[ids]
                scores[ids[keep]] += found[keep] * leaf.boost
        else:
            _score_with_whoosh(searcher, view, leaf, final, scores)
    ids = _ids_of_final(final, view.size)
    widened = final & ~strict
    if widened and final & strict:
        scores[bitsets.ids_of(final & strict, view.size)] += scores[ids].max()
    named = plan.named & final
    if named:
        # Every listing the query names scores the same, above all the rest, so distance
        # and freshness alone order them: the nearest "Let's Talk" site comes first.
        scores[bitsets.ids_of(named, view.size)] = 2 * (scores[ids].max() or 1.0)
    return scores


def _score_with_whoosh(
    searcher: Searcher, view: IndexView, query: Query, final: int, scores: np.ndarray
) -> None:
    """Add Whoosh's own score of a query part this module does not compute itself."""
    ids = array("I", bitsets.ids_of(final, view.size).astype(np.uint32).tobytes())
    within = DocSetQuery(ids, 0.0, "results")
    matcher = And([within, query]).matcher(searcher, searcher.context(needs_current=True))
    while matcher.is_active():
        scores[matcher.id()] += matcher.score()
        matcher.next()


_last_final = threading.local()


def _ids_of_final(final: int, size: int) -> np.ndarray:
    """``bitsets.ids_of(final)``, worked out once when ``text_scores`` and ``rank_arrays``
    are given the same result set in turn (0.3-0.5 ms at 100,000 services). Keyed by the
    object itself, which the cache keeps alive, so a later set cannot be mistaken for it."""
    kept = getattr(_last_final, "kept", None)
    if kept is not None and kept[0] is final and kept[1] == size:
        return kept[2]
    ids = bitsets.ids_of(final, size)
    ids.flags.writeable = False
    _last_final.kept = (final, size, ids)
    return ids


def rank(
    view: IndexView,
    final: int,
    scores: np.ndarray | None,
    scope: GeoScope,
    sort: str,
    now: datetime,
    limit: int,
    home: int | None = None,
) -> list[tuple[int, float]]:
    """``rank_arrays`` as a list of (document, blended score) pairs."""
    ids, blended = rank_arrays(view, final, scores, scope, sort, now, limit, home)
    return list(zip(ids.tolist(), blended.tolist(), strict=True))


def rank_arrays(
    view: IndexView,
    final: int,
    scores: np.ndarray | None,
    scope: GeoScope,
    sort: str,
    now: datetime,
    limit: int,
    home: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The best ``limit`` documents of ``final`` with their blended scores, best first
    (ties: lower document number first), or nearest first with ``sort="distance"``.

    ``home``: the documents in or covering the directory's home area. When the search has
    no place, the others are multiplied by ``AWAY_FACTOR``, so a resident who gives no
    postcode sees their own council's help before a neighbouring county's."""
    ids = _ids_of_final(final, view.size)
    if not len(ids) or limit <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    relevance = np.ones(len(ids))
    if scores is not None:
        found = scores[ids]
        relevance = found / (found.max() or 1.0)
    blended = relevance * view.freshness(now.date())[ids]
    if scope.place is None and home is not None:
        blended *= np.where(bitsets.flags(home, view.size)[ids].astype(bool), 1.0, AWAY_FACTOR)
    distance = None
    if scope.place is not None:
        distance = scope.distances(ids)
        covers = bitsets.flags(scope.area, view.size)[ids].astype(bool)
        near = 1.0 / (1.0 + np.maximum(np.nan_to_num(distance), 0.0) / HALF_DISTANCE_KM)
        near = np.where(np.isnan(distance), np.where(covers, AREA_PROXIMITY, 1.0), near)
        blended *= NEAR_FLOOR + (1.0 - NEAR_FLOOR) * near
    if sort == "distance" and distance is not None:
        order = np.lexsort((-blended, np.nan_to_num(distance, nan=np.inf), covers))[:limit]
    else:
        if limit < len(ids):
            cut = np.partition(blended, len(ids) - limit)[len(ids) - limit]
            keep = np.flatnonzero(blended >= cut)
            order = keep[np.lexsort((ids[keep], -blended[keep]))][:limit]
        else:
            order = np.lexsort((ids, -blended))
    return ids[order].astype(np.int64), blended[order]


#: Stored rows kept per searcher: reading one (decompress, unpickle) cost 0.03-0.08 ms, and
#: a search shows 20; popular listings are shown again and again. A searcher's documents
#: never change (an edit makes a new searcher), so the rows cannot go stale.
ROWS_PER_SEARCHER = 8192
_rows: WeakKeyDictionary[Searcher, LRU[int, dict]] = WeakKeyDictionary()
_rows_lock = threading.Lock()


def stored_row(searcher: Searcher, docnum: int) -> dict:
    """A document's stored ``row`` (what a hit shows), cached per searcher. Callers only
    read it."""
    try:
        cache = _rows.get(searcher)
    except TypeError:  # a searcher that cannot be weakly referenced: no cache
        return searcher.stored_fields(docnum).get("row") or {}
    if cache is None:
        with _rows_lock:
            cache = _rows.setdefault(searcher, LRU(ROWS_PER_SEARCHER))
    return cache.get_or_make(docnum, lambda: searcher.stored_fields(docnum).get("row") or {})


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
