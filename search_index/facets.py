"""Filters and facet counts, from the bitsets of ``search_index.view.IndexView``.

Each filter value's documents are a cached bitset, so a filter is a few ``&`` and ``|`` in C,
and a facet with a few dozen values costs as many ``&`` plus ``bit_count()`` calls; a facet
with hundreds of values (local authorities) is counted in one numpy pass instead
(``IndexView.value_counts``).

Facet counts follow the usual faceted-search rule: the counts of one facet apply every active
filter except that facet's own, so choosing "Debt" still shows how many "Benefits" results
there would be instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from search_index.api import FacetValue, SearchRequest
from search_index.schema import AGE_BANDS, NATIONAL
from search_index.view import MANY_VALUES, IndexView

if TYPE_CHECKING:
    from directory.places.gazetteer import Gazetteer
    from search_index.vocabulary import Vocabulary

__all__ = ["AGE_BANDS", "DELIVERY_LABELS", "IndexView", "build_facets", "filter_bits"]

DELIVERY_LABELS = {"in_person": "In person", "phone": "By phone", "online": "Online"}


def counts(view: IndexView, scope: int, field: str, values: Sequence[str]) -> dict[str, int]:
    """How many documents of ``scope`` hold each value (values with none are left out)."""
    if len(values) > MANY_VALUES:
        found = view.value_counts(field, scope)
        return {value: found[value] for value in values if found.get(value)}
    result = {}
    for value in values:
        n = (scope & view.term_bits(field, value)).bit_count()
        if n:
            result[value] = n
    return result


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


def _values(
    view: IndexView, scope: int, field: str, keys: Iterable[str], labels, selected: set[str]
) -> list[FacetValue]:
    found = counts(view, scope, field, list(keys))
    out = [
        FacetValue(key, labels(key), found.get(key, 0), key in selected)
        for key in keys
        if found.get(key) or key in selected
    ]
    return sorted(out, key=lambda v: (-v.count, v.label))


def _need_tree(
    view: IndexView, scope: int, field: str, vocab: Vocabulary, selected: set[str]
) -> list[FacetValue]:
    found = counts(view, scope, field, view.field_values(field))
    shown = set(found) | (selected & set(vocab.terms))
    out: list[FacetValue] = []

    def add(key: str, depth: int, parent: str | None) -> None:
        out.append(
            FacetValue(key, vocab.label(key), found.get(key, 0), key in selected, depth, parent)
        )
        for child in vocab.children.get(key, ()):
            if child in shown:
                add(child, depth + 1, key)

    roots = [k for k in shown if not (vocab.terms.get(k) and vocab.terms[k].parent_id in shown)]
    for key in sorted(roots, key=vocab.label):
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

    def scope(name: str) -> int:
        return others.get(name, everything)

    def area_label(code: str) -> str:
        authority = gazetteer.local_authority(code) if gazetteer else None
        return authority.name if authority else vocab.area_names.get(code, code)

    age = request.age if isinstance(request.age, int) else None
    open_now = view.open_at(now.weekday() * 1440 + now.hour * 60 + now.minute)
    return {
        "need": _need_tree(view, scope("need"), "need", vocab, set(_strings(request.need_ids))),
        "client_group": _need_tree(
            view, scope("client_group"), "group", vocab, set(_strings(request.client_group_ids))
        ),
        "area": _values(
            view,
            scope("area"),
            "area",
            [v for v in view.field_values("area") if v != NATIONAL],
            area_label,
            {a.upper() for a in _strings(request.area_codes)},
        ),
        "age": [
            FacetValue(
                key,
                label,
                (scope("age") & view.term_bits("age_band", key)).bit_count(),
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
