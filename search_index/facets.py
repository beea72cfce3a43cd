"""Filters and facet counts, from the bitsets of ``search_index.view.IndexView``.

Each filter value's documents are a cached bitset, so a filter is a few ``&`` and ``|`` in C.
The facets with many values (needs, client groups, local authorities) are counted in one
numpy pass over each field's (document, value) pairs, with labels made once per searcher
and vocabulary (``search_index.facet_counts``); the few others are a popcount each.

Facet counts follow the usual faceted-search rule: the counts of one facet apply every active
filter except that facet's own, so choosing "Debt" still shows how many "Benefits" results
there would be instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import numpy as np

from search_index.api import FacetValue, SearchRequest
from search_index.facet_counts import Scope, area_labels, facet_table, term_labels, value_counts
from search_index.schema import AGE_BANDS, NATIONAL
from search_index.view import IndexView

if TYPE_CHECKING:
    from directory.places.gazetteer import Gazetteer
    from search_index.vocabulary import Vocabulary

__all__ = ["AGE_BANDS", "DELIVERY_LABELS", "IndexView", "build_facets", "filter_bits"]

DELIVERY_LABELS = {"in_person": "In person", "phone": "By phone", "online": "Online"}


def scopes_without_each(base: int, filters: dict[str, int]) -> dict[str, int]:
    """For each active filter, ``base`` with every *other* filter applied."""
    out = {}
    for name in filters:
        bits = base
        for other, other_bits in filters.items():
            if other != name:
                bits &= other_bits
        out[name] = bits
    return out


def _strings(values: object, limit: int = 50) -> list[str]:
    """Only short strings from a request tuple: anything else a caller sends is ignored."""
    if not isinstance(values, list | tuple):
        return []
    return [v.strip() for v in values[:limit] if isinstance(v, str) and 0 < len(v.strip()) < 80]


def open_filter_bits(view: IndexView, request: SearchRequest, now: datetime) -> int | None:
    """Documents open at the asked day/time (or now), or None when nothing was asked."""
    day = request.open_day if isinstance(request.open_day, int) else None
    day = day if day is not None and 0 <= day <= 6 else None
    at = request.open_time if isinstance(request.open_time, time) else None
    if request.open_now is True:
        bits = view.open_at(now.weekday() * 1440 + now.hour * 60 + now.minute)
        if is_bank_holiday(now.date()):
            bits &= ~view.term_bits("flag", "bank_holiday_closed")
        return bits
    if day is not None and at is not None:
        return view.open_at(day * 1440 + at.hour * 60 + at.minute)
    if day is not None:
        return view.term_bits("day", str(day))
    if at is not None:
        bits = 0
        for d in range(7):
            bits |= view.open_at(d * 1440 + at.hour * 60 + at.minute)
        return bits
    return None


def is_bank_holiday(day: date) -> bool:
    from directory.listings.opening import bank_holidays

    return day in bank_holidays([day.year])


def filter_bits(view: IndexView, request: SearchRequest, now: datetime) -> dict[str, int]:
    """One bitset per active filter; values are OR-ed within a filter, filters AND-ed."""
    filters: dict[str, int] = {}
    if needs := _strings(request.need_ids):
        filters["need"] = view.any_bits("need", needs)
    if groups := _strings(request.client_group_ids):
        filters["client_group"] = view.any_bits("group", groups)
    if areas := _strings(request.area_codes):
        filters["area"] = view.any_bits("area", [a.upper() for a in areas])
    if (
        isinstance(request.age, int)
        and not isinstance(request.age, bool)
        and 0 <= request.age <= 130
    ):
        filters["age"] = view.age_bits(request.age)
    if request.free_only is True:
        filters["free"] = view.term_bits("flag", "free")
    if modes := _strings(request.delivery_modes):
        filters["delivery"] = view.any_bits("mode", modes)
    opened = open_filter_bits(view, request, now)
    if opened is not None:
        filters["open"] = opened
    return filters


def _area_facet(
    view: IndexView,
    scope: Scope,
    vocab: Vocabulary,
    gazetteer: Gazetteer | None,
    selected: set[str],
) -> list[FacetValue]:
    """Areas with results (or chosen), most results first, then by label."""
    table = facet_table(view, "area")
    areas = area_labels(view, table, vocab, gazetteer, NATIONAL)
    found = value_counts(table, scope)[areas.codes]
    shown = found > 0
    if selected:
        shown |= np.fromiter((v in selected for v in areas.values), bool, len(areas.values))
    chosen = np.flatnonzero(shown)
    chosen = chosen[np.lexsort((areas.label_rank[chosen], -found[chosen]))].tolist()
    values, labels, numbers = areas.values, areas.labels, found.tolist()
    return [FacetValue(values[n], labels[n], numbers[n], values[n] in selected) for n in chosen]


def _need_tree(
    view: IndexView, scope: Scope, field: str, vocab: Vocabulary, selected: set[str]
) -> list[FacetValue]:
    table = facet_table(view, field)
    numbers = value_counts(table, scope)
    values = table.values
    found = {values[n]: int(numbers[n]) for n in np.flatnonzero(numbers).tolist()}
    return term_tree(found, selected, vocab, term_labels(view, vocab))


def term_tree(
    found: dict[str, int], selected: set[str], vocab: Vocabulary, label: Callable[[str], str]
) -> list[FacetValue]:
    """The terms with results (and the chosen ones) as a tree: each shown term under its
    parent when that is shown too, else a root; roots and children in label order. Also
    used by the benchmark's FTS5 side, so both draw the facet the same way."""
    shown = set(found)
    if selected:
        shown |= selected & vocab.terms.keys()
    children, terms = vocab.children, vocab.terms
    out: list[FacetValue] = []
    append = out.append

    def add(key: str, depth: int, parent: str | None) -> None:
        append(FacetValue(key, label(key), found.get(key, 0), key in selected, depth, parent))
        for child in children.get(key, ()):
            if child in shown:
                add(child, depth + 1, key)

    roots = []
    for key in shown:
        term = terms.get(key)
        if term is None or term.parent_id not in shown:
            roots.append(key)
    for key in sorted(roots, key=label):
        add(key, 0, None)
    return out


def build_facets(
    view: IndexView,
    vocab: Vocabulary,
    base: int,
    filters: dict[str, int],
    request: SearchRequest,
    now: datetime,
    gazetteer: Gazetteer | None,
) -> dict[str, list[FacetValue]]:
    """Every facet's values with counts under the other active filters."""
    everything = base
    for bits in filters.values():
        everything &= bits
    others = scopes_without_each(base, filters)
    scopes: list[Scope] = []

    def scope_of(name: str) -> Scope:
        """The documents facet ``name`` counts in (shared by facets with the same set)."""
        bits = others.get(name, everything)
        for known in scopes:
            if known.raw is bits or known.raw == bits:
                return known
        scopes.append(Scope(view, bits))
        return scopes[-1]

    def scope(name: str) -> int:
        return scope_of(name).bits

    in_ages = scope("age")
    age = request.age if isinstance(request.age, int) else None
    open_now = view.open_at(now.weekday() * 1440 + now.hour * 60 + now.minute)
    return {
        "need": _need_tree(view, scope_of("need"), "need", vocab, set(_strings(request.need_ids))),
        "client_group": _need_tree(
            view, scope_of("client_group"), "group", vocab, set(_strings(request.client_group_ids))
        ),
        "area": _area_facet(
            view,
            scope_of("area"),
            vocab,
            gazetteer,
            {a.upper() for a in _strings(request.area_codes)},
        ),
        "age": [
            FacetValue(
                key,
                label,
                (in_ages & view.term_bits("age_band", key)).bit_count(),
                age is not None and lo <= age <= hi,
            )
            for key, (label, lo, hi) in AGE_BANDS.items()
        ],
        "free": [
            FacetValue(
                "free",
                "Free",
                (scope("free") & view.term_bits("flag", "free")).bit_count(),
                request.free_only is True,
            )
        ],
        "delivery": [
            FacetValue(
                key,
                label,
                (scope("delivery") & view.term_bits("mode", key)).bit_count(),
                key in _strings(request.delivery_modes),
            )
            for key, label in DELIVERY_LABELS.items()
        ],
        "open": [
            FacetValue(
                "open_now",
                "Open now",
                (scope("open") & open_now).bit_count(),
                request.open_now is True,
            )
        ],
    }
