"""One searcher's documents as cached bitsets, arrays and columns (``IndexView``).

Whoosh intersects posting lists in Python, one document at a time. Matching, filters and
facets do not need scores, so the engine turns each term's posting list into a Python integer
used as a bitset (bit n set = document n matches), with ``search_index.bitsets``.
Intersections, unions and counts are then single C-level operations over 16 KB at 130,000
documents. Columns (coordinates, ages, last-checked days, opening hours, service keys) are
read whole. Each segment's sets and columns are worked out once per process
(``search_index.segments``); a view only shifts them into place and masks deleted documents,
so a new searcher after an edit costs milliseconds, not a rebuild of every cache.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from search_index import bitsets
from search_index.lru import LRU
from search_index.segments import SegmentData, data_for

#: Entries each searcher's view keeps (least recently used dropped first): keyword sets
#: (needs, areas, geo cells...) and their id arrays, text words' sets, scoring postings
#: (large: a common word's), and derived values (columns, tables, per-day factors).
_MAX_CACHED_TERMS = 4000
_MAX_CACHED_WORDS = 2000
_MAX_CACHED_POSTINGS = 32
_MAX_DERIVED = 512
#: Above this many values, a facet is counted with one numpy pass over (document, value)
#: pairs instead of one bitset intersection per value.
MANY_VALUES = 100


class IndexView:
    """Caches over one searcher's reader: bitsets per term, whole columns, derived tables.
    Made per searcher from the segments' shared data (``segments.data_for``), so it always
    matches the documents the searcher sees. Safe to share between threads."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.size = self.reader.doc_count_all()
        self.nbytes = max(1, (self.size + 7) // 8)
        # An index with no documents yet (a new site) has one empty reader and no segment.
        self.leaves = [
            (leaf, offset, data_for(leaf))
            for leaf, offset in self.reader.leaf_readers()
            if leaf.doc_count_all() and getattr(leaf, "segment", lambda: None)() is not None
        ]
        self._bits: LRU[tuple[str, str], int] = LRU(_MAX_CACHED_TERMS)
        self._ids: LRU[tuple[str, str], array] = LRU(_MAX_CACHED_TERMS)
        self._text: LRU[object, int] = LRU(_MAX_CACHED_WORDS)
        self._postings: LRU[object, tuple[np.ndarray, np.ndarray]] = LRU(_MAX_CACHED_POSTINGS)
        self._derived: LRU[object, object] = LRU(_MAX_DERIVED)
        deleted = [
            docnum + offset
            for leaf, offset, _data in self.leaves
            if leaf.has_deletions()
            for docnum in leaf.segment().deleted_docs()
        ]
        self.live = ((1 << self.size) - 1) & ~self.from_ids(deleted)

    # -- bitset helpers ---------------------------------------------------------------------

    def from_ids(self, ids: Iterable[int]) -> int:
        """A bitset of these document numbers (``bitsets.from_ids``)."""
        return bitsets.from_ids(ids, self.size)

    def to_ids(self, bits: int, limit: int | None = None) -> list[int]:
        """Document numbers of the set bits, ascending (the first ``limit`` of them)."""
        if bits < 0:
            bits &= self.live
        return bitsets.ids_of(bits, self.size, limit).tolist()

    def _combined(self, part: Callable[[Any, SegmentData], int]) -> int:
        """The segments' local bitsets shifted to their document offsets, live ones only."""
        bits = 0
        for leaf, offset, data in self.leaves:
            found = part(leaf, data)
            if found:
                bits |= found << offset
        return bits & self.live

    def _joined(self, part: Callable[[Any, SegmentData], np.ndarray]) -> np.ndarray:
        """The segments' local arrays, one after the other (so indexed by document)."""
        parts = [part(leaf, data) for leaf, _offset, data in self.leaves]
        return np.concatenate(parts) if parts else np.zeros(0)

    # -- terms ------------------------------------------------------------------------------

    def term_ids(self, field: str, value: str) -> array:
        """Sorted live document numbers holding ``value`` in ``field`` (cached)."""

        def build() -> array:
            ids = bitsets.ids_of(self.term_bits(field, value), self.size)
            return array("I", ids.astype(np.uint32).tobytes())

        return self._ids.get_or_make((field, value), build)

    def term_bits(self, field: str, value: str) -> int:
        words = field == "cell"
        return self._bits.get_or_make(
            (field, value),
            lambda: self._combined(lambda leaf, data: data.term_bits(leaf, field, value, words)),
        )

    def cached_bits(self, key: tuple[str, str], make: Callable[[], int]) -> int:
        """``term_bits``'s cache entry for ``key`` = (field, value), made by ``make`` when
        missing (``facet_counts.value_bits`` makes it from a facet table)."""
        return self._bits.get_or_make(key, make)

    def text_bits(self, field: str, value: str) -> int:
        """Like ``term_bits`` for words of the text fields, in a cache of bounded size."""
        return self._text.get_or_make(
            ("bits", field, value),
            lambda: self._combined(lambda leaf, data: data.term_bits(leaf, field, value, True)),
        )

    def term_postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (deleted ones included) and posting weights of a word, for
        scoring (the last ``_MAX_CACHED_POSTINGS`` asked for are kept: they are large)."""

        def build() -> tuple[np.ndarray, np.ndarray]:
            ids, weights = [], []
            for leaf, offset, data in self.leaves:
                docs, scale = data.term_postings(leaf, field, text)
                ids.append(docs.astype(np.int64) + offset)
                weights.append(scale.astype(np.float64))
            if ids:
                return np.concatenate(ids), np.concatenate(weights)
            return np.zeros(0, np.int64), np.zeros(0, np.float64)

        return self._postings.get_or_make(("postings", field, text), build)

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

    def value_counts(self, field: str, scope: int) -> dict[str, int]:
        """How many documents of ``scope`` hold each value of ``field``, in one pass over
        every (document, value) pair of the field (``SegmentData.pairs``)."""

        def build() -> tuple[np.ndarray, np.ndarray]:
            codes = {value: n for n, value in enumerate(self.field_values(field))}
            docs, found = [], []
            for leaf, offset, data in self.leaves:
                values, local_docs, local_codes = data.pairs(leaf, field)
                mapping = np.array([codes[v] for v in values], dtype=np.int32)
                docs.append(local_docs + offset)
                found.append(mapping[local_codes] if len(values) else local_codes)
            if not docs:
                return np.zeros(0, np.int64), np.zeros(0, np.int32)
            return np.concatenate(docs), np.concatenate(found)

        docs, codes = self.derived(("pairs", field), build)  # type: ignore[misc]
        inside = bitsets.flags(scope & self.live, self.size).view(bool)
        found = np.bincount(codes[inside[docs]], minlength=len(self.field_values(field)))
        return dict(zip(self.field_values(field), found.tolist(), strict=True))

    def field_values(self, field: str) -> list[str]:
        """Every value of a keyword field (cached)."""
        return self.derived(  # type: ignore[return-value]
            ("values", field), lambda: [v.decode("utf-8") for v in self.reader.lexicon(field)]
        )

    # -- columns ----------------------------------------------------------------------------

    def column(self, name: str) -> list:
        """A whole column as a list indexed by document number (cached)."""

        def build() -> list:
            out: list = []
            for leaf, _offset, data in self.leaves:
                out.extend(data.column(leaf, name))
            return out

        return self.derived(("column", name), build)  # type: ignore[return-value]

    def keys(self, name: str) -> np.ndarray:
        """A key column as a numpy array of ``bytes`` indexed by document number (b"" where
        a document has none), made from the segments' own arrays (cached)."""

        def build() -> np.ndarray:
            parts = [data.keys(leaf, name) for leaf, _offset, data in self.leaves]
            return np.concatenate(parts) if parts else np.empty(0, dtype=object)

        return self.derived(("keys", name), build)  # type: ignore[return-value]

    def derived(self, key: object, build: Callable[[], object]) -> object:
        """A value computed once per searcher (e.g. "aged 70" bits)."""
        return self._derived.get_or_make(key, build)

    def ids_of(self, key: object, bits: int) -> array:
        """``bits`` as a sorted id array, cached under ``key`` (for constant-score queries
        over need sets, which are the same for every search until the index changes)."""
        return self.derived(("ids", key), lambda: array("I", self.to_ids(bits)))  # type: ignore[return-value]

    def numbers(self, name: str) -> np.ndarray:
        """A numeric column (coordinates, ages, last-checked day) as an int64 array indexed
        by document number (cached)."""
        return self.derived(  # type: ignore[return-value]
            ("numbers", name), lambda: self._joined(lambda leaf, data: data.numbers(leaf, name))
        )

    def lengths(self, field: str) -> np.ndarray:
        """Each document's length in a scorable field, as Whoosh's scorers see it."""
        return self.derived(  # type: ignore[return-value]
            ("lengths", field), lambda: self._joined(lambda leaf, data: data.lengths(leaf, field))
        )

    def freshness(self, today: date) -> np.ndarray:
        """Each document's freshness factor (``ranking.freshness``) on ``today`` (cached)."""
        from search_index import ranking

        stale = ranking.stale_factor()

        def build() -> np.ndarray:
            checked = self.numbers("checked")
            age = today.toordinal() - checked
            out = np.ones(self.size, dtype=np.float64)
            out[age > ranking.STALE_AFTER_DAYS] = stale
            out[age > ranking.VERY_STALE_AFTER_DAYS] = min(stale, ranking.VERY_STALE_FACTOR)
            out[checked <= 0] = ranking.UNKNOWN_FRESHNESS
            return out

        return self.derived(("fresh", today, stale), build)  # type: ignore[return-value]

    def age_bits(self, age: int) -> int:
        def build() -> int:
            lows, highs = self.numbers("age_min"), self.numbers("age_max")
            return self.from_ids(np.flatnonzero((lows <= age) & (age <= highs)))

        return self.derived(("age", age), build)  # type: ignore[return-value]

    def area_siblings(self) -> tuple[dict[int, int], dict[int, int]]:
        """Area documents whose service also has venue documents, for dropping duplicates.

        Every writer adds a service's documents together, venues first, so an area document
        with ``k`` venues nearly always comes straight after them: those are returned as
        ``{k: bitset of such area documents}``, and the engine tests all of them at once
        with ``k`` shifts of the result set (``geo.drop_duplicate_area_docs``). Any other
        area document (its venues elsewhere) is returned with the bitset of its venues.
        """

        def build() -> tuple[dict[int, int], dict[int, int]]:
            regular: dict[int, int] = {}
            irregular: dict[int, int] = {}
            for leaf, offset, data in self.leaves:
                shifted, others = data.area_siblings(leaf)
                for count, bits in shifted.items():
                    regular[count] = regular.get(count, 0) | bits << offset
                for docnum, bits in others.items():
                    irregular[docnum + offset] = bits << offset
            return regular, irregular

        return self.derived("area_siblings", build)  # type: ignore[return-value]

    def open_at(self, minute_of_week: int) -> int:
        """Documents with a weekly session running at this minute (0 = Monday 00:00)."""
        return self.open_during(minute_of_week, minute_of_week + 1)

    def open_during(self, start: int, end: int) -> int:
        """Documents with a weekly session running at some minute of ``[start, end)``."""
        return self.derived(  # type: ignore[return-value]
            ("open", start, end),
            lambda: self._combined(lambda leaf, data: data.open_during(leaf, start, end)),
        )
