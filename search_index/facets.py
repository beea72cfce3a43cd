"""Document sets as bitsets, cached once per searcher, and the facet counts made from them.

Whoosh intersects posting lists in Python, one document at a time. Filters and facets do not
need scores, so the engine turns each filter value's posting list into a Python integer used
as a bitset (bit n set = document n matches), once per searcher generation. Intersections,
unions and counts are then single C-level operations over 12.5 KB at 100,000 documents, and
a facet with 100 values costs 100 ``&`` plus ``bit_count()`` calls.

Facet counts follow the usual faceted-search rule: the counts of one facet apply every active
filter except that facet's own, so choosing "Debt" still shows how many "Benefits" results
there would be instead.
"""

from __future__ import annotations

import math
import re
import threading
from array import array
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from itertools import islice
from typing import TYPE_CHECKING

from whoosh.searching import Searcher

from search_index.api import FacetValue, SearchRequest
from search_index.schema import AGE_BANDS, MINUTES_PER_WEEK, NATIONAL, NO_COORD, parse_hours

if TYPE_CHECKING:
    from directory.places.gazetteer import Gazetteer
    from search_index.vocabulary import Vocabulary


DELIVERY_LABELS = {"in_person": "In person", "phone": "By phone", "online": "Online"}
_ONE = re.compile("1")
_MAX_CACHED_CELLS = 4000
_MAX_CACHED_WORDS = 2000


class IndexView:
    """Caches over one searcher's reader: bitsets per term, whole columns, the spelling
    lexicon. Built lazily and thrown away with the searcher, so it is always consistent with
    the documents the searcher sees. Safe to share between threads."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.size = self.reader.doc_count_all()
        self.nbytes = max(1, (self.size + 7) // 8)
        self._lock = threading.RLock()
        self._bits: dict[tuple[str, str], int] = {}
        self._ids: dict[tuple[str, str], array] = {}
        self._text: dict[tuple[str, str], int] = {}
        self._columns: dict[str, list] = {}
        self._derived: dict[object, object] = {}
        self.live = self.from_ids(self.reader.all_doc_ids())

    # -- bitset helpers ---------------------------------------------------------------------

    def from_ids(self, ids: Iterable[int]) -> int:
        """A bitset of these document numbers. Setting bytes of a "0"/"1" string and parsing
        it is about three times faster than OR-ing bits once more than ~3% are set."""
        if not isinstance(ids, list | tuple | array | dict | set):
            ids = list(ids)
        if len(ids) * 30 > self.size:
            digits = bytearray(b"0") * self.size
            for docnum in ids:
                digits[docnum] = 49  # "1"
            digits.reverse()
            return int(digits, 2) if digits else 0
        buffer = bytearray(self.nbytes)
        for docnum in ids:
            buffer[docnum >> 3] |= 1 << (docnum & 7)
        return int.from_bytes(buffer, "little")

    def to_ids(self, bits: int, limit: int | None = None) -> list[int]:
        """Document numbers of the set bits, ascending (the first ``limit`` of them).

        Reading the reversed binary string with a regular expression is the fastest way
        found in CPython: about 0.6 ms for 1,000 of 100,000 documents, 8 ms for 30,000.
        """
        if bits < 0:
            bits &= self.live
        if not bits:
            return []
        found = _ONE.finditer(bin(bits)[:1:-1])
        if limit is not None:
            found = islice(found, limit)
        return [match.start() for match in found]

    # -- terms ------------------------------------------------------------------------------

    def term_ids(self, field: str, value: str) -> array:
        """Sorted live document numbers holding ``value`` in ``field`` (cached)."""
        key = (field, value)
        found = self._ids.get(key)
        if found is None:
            if (field, value) in self.reader:
                found = array("I", self.reader.postings(field, value).all_ids())
            else:
                found = array("I")
            with self._lock:
                if field == "cell" and len(self._ids) > _MAX_CACHED_CELLS:
                    self._ids.clear()
                self._ids[key] = found
        return found

    def term_bits(self, field: str, value: str) -> int:
        key = (field, value)
        found = self._bits.get(key)
        if found is None:
            found = self.from_ids(self.term_ids(field, value))
            with self._lock:
                self._bits[key] = found
        return found

    def text_bits(self, field: str, value: str) -> int:
        """Like ``term_bits`` for words of the text fields, in a cache of bounded size."""
        key = (field, value)
        found = self._text.get(key)
        if found is None:
            found = 0
            if key in self.reader:
                found = self.from_ids(self.reader.postings(field, value).all_ids())
            with self._lock:
                if len(self._text) > _MAX_CACHED_WORDS:
                    self._text.clear()
                self._text[key] = found
        return found

    def idf(self, field: str, value: str) -> float:
        """Whoosh's inverse document frequency of a word (cached)."""

        def build() -> float:
            frequency = self.reader.doc_frequency(field, value)
            return math.log(self.size / (frequency + 1)) + 1

        return self.derived(("idf", field, value), build)  # type: ignore[return-value]

    def any_bits(self, field: str, values: Iterable[str]) -> int:
        bits = 0
        for value in values:
            bits |= self.term_bits(field, value)
        return bits

    def field_values(self, field: str) -> list[str]:
        """Every value of a keyword field (cached)."""
        key = ("values", field)
        found = self._derived.get(key)
        if found is None:
            found = [v.decode("utf-8") for v in self.reader.lexicon(field)]
            self._derived[key] = found
        return found  # type: ignore[return-value]

    # -- columns ----------------------------------------------------------------------------

    def column(self, name: str) -> list:
        """A whole column as a list indexed by document number (cached)."""
        found = self._columns.get(name)
        if found is None:
            found = list(self.reader.column_reader(name)) if self.reader.has_column(name) else []
            if len(found) < self.size:
                default = NO_COORD if name in ("lat", "lon") else None
                found.extend([default] * (self.size - len(found)))
            with self._lock:
                self._columns[name] = found
        return found

    def derived(self, key: object, build) -> object:
        """A value computed once per searcher from the columns (e.g. "aged 70" bits)."""
        found = self._derived.get(key)
        if found is None:
            found = build()
            with self._lock:
                if len(self._derived) > 512:
                    self._derived.clear()
                self._derived[key] = found
        return found

    def ids_of(self, key: object, bits: int) -> array:
        """``bits`` as a sorted id array, cached under ``key`` (for constant-score queries
        over need sets, which are the same for every search until the index changes)."""
        return self.derived(("ids", key), lambda: array("I", self.to_ids(bits)))  # type: ignore[return-value]

    def fresh_tiers(self, today: date) -> list[int]:
        """Documents checked within a year, then unknown or within two years, then older:
        the freshness factor's three levels, for ranking huge result sets cheaply."""

        def build() -> list[int]:
            checked = self.column("checked")
            year, two = today.toordinal() - 365, today.toordinal() - 730
            fresh = [n for n in range(self.size) if (checked[n] or 0) >= year]
            old = [n for n in range(self.size) if 0 < (checked[n] or 0) < two]
            fresh_bits, old_bits = self.from_ids(fresh), self.from_ids(old)
            return [fresh_bits, self.live & ~fresh_bits & ~old_bits, old_bits]

        return self.derived(("fresh", today), build)  # type: ignore[return-value]

    def age_bits(self, age: int) -> int:
        def build() -> int:
            lows, highs = self.column("age_min"), self.column("age_max")
            return self.from_ids(
                n for n in range(self.size) if (lows[n] or 0) <= age <= (highs[n] or 255)
            )

        return self.derived(("age", age), build)  # type: ignore[return-value]

    def venues_of_area_docs(self) -> tuple[int, dict[int, int]]:
        """Area documents whose service also has venue documents (as a bitset), and for each
        of them its service's venue documents (as a bitset): for dropping duplicates."""

        def build() -> tuple[int, dict[int, int]]:
            keys = self.column("service_key")
            venues: dict[bytes, list[int]] = {}
            for docnum in self.term_ids("kind", "venue"):
                venues.setdefault(keys[docnum], []).append(docnum)
            out = {
                docnum: self.from_ids(venues[keys[docnum]])
                for docnum in self.term_ids("kind", "area")
                if keys[docnum] in venues
            }
            return self.from_ids(out), out

        return self.derived("venues_of_area_docs", build)  # type: ignore[return-value]

    def open_at(self, minute_of_week: int) -> int:
        """Documents with a weekly session running at this minute (0 = Monday 00:00)."""

        def build() -> int:
            groups = self.derived("hours_groups", self._hours_groups)
            found: list[int] = []
            for intervals, docnums in groups:  # type: ignore[attr-defined]
                if any(
                    start <= m < end
                    for start, end in intervals
                    for m in (minute_of_week, minute_of_week + MINUTES_PER_WEEK)
                ):
                    found.extend(docnums)
            return self.from_ids(found)

        return self.derived(("open", minute_of_week), build)  # type: ignore[return-value]

    def _hours_groups(self) -> list[tuple[tuple[tuple[int, int], ...], list[int]]]:
        by_value: dict[bytes, list[int]] = {}
        for docnum, value in enumerate(self.column("hours")):
            if value:
                by_value.setdefault(value, []).append(docnum)
        return [(parse_hours(value), docnums) for value, docnums in by_value.items()]


def counts(view: IndexView, scope: int, field: str, values: Sequence[str]) -> dict[str, int]:
    """How many documents of ``scope`` hold each value (values with none are left out)."""
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
