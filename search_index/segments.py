"""What never changes in one index segment, worked out once per process and shared by every
searcher that reads the segment.

An edit deletes a listing's documents (a flag on its old segment) and writes them again in a
small new segment; everything else stays where it was. The engine's caches used to belong to
a searcher, so the first search after every edit rebuilt them all from the postings and
columns: at 100,000 services about 400 ms. Here each segment keeps its own document sets
(segment-local bitsets, deleted documents included), columns and derived tables, keyed by its
storage and segment id (a segment's files never change), and ``IndexView`` combines them
with each segment's document offset and the searcher's own set of live documents.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh import columns
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.util.numeric import byte_to_length

from search_index import bitsets
from search_index.arrays import arrays_for
from search_index.lru import LRU
from search_index.schema import MINUTES_PER_WEEK, parse_hours

#: Segments whose data is kept (least recently used dropped first).
MAX_SEGMENTS = 64
#: Words of the text field (and opening-time windows) whose document sets a segment keeps.
MAX_WORDS = 2000
#: Everything else a segment keeps: keyword sets (needs, areas, cells...), columns, tables.
MAX_ENTRIES = 8000
_NO_WEIGHTS = np.zeros(0, np.float32)
_LENGTH_TABLE = np.array([byte_to_length(n) for n in range(256)], dtype=np.float64)


class SegmentData:
    """One segment's document sets, columns and tables (document numbers are local)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._cache: LRU[object, Any] = LRU(MAX_ENTRIES)
        self._words: LRU[object, Any] = LRU(MAX_WORDS)

    def _get(self, key: object, build: Callable[[], Any], words: bool = False) -> Any:
        return (self._words if words else self._cache).get_or_make(key, build)

    def term_bits(self, leaf: Any, field: str, text: str, words: bool = False) -> int:
        """The segment's documents with ``text`` in ``field`` (``words``: in the bounded
        cache for text-field words)."""

        def build() -> int:
            return bitsets.from_ids(bitsets.posting_ids(leaf, field, text), self.size)

        return self._get(("bits", field, text), build, words)

    def term_postings(self, leaf: Any, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers and posting weights of a word, for scoring: views of the arrays
        file when the segment has one (nothing to keep), else read once and kept."""
        found = arrays_for(leaf, field)
        if found is not None:
            postings = found.postings(text)
            return postings if postings is not None else (np.zeros(0, np.uint32), _NO_WEIGHTS)
        return self._get(
            ("postings", field, text), lambda: bitsets.posting_weights(leaf, field, text), True
        )

    def numbers(self, leaf: Any, name: str) -> np.ndarray:
        """A numeric column as an int64 array, its bytes read in one piece."""

        def build() -> np.ndarray:
            default = leaf.schema[name].column_type.default_value()
            if not leaf.has_column(name):
                return np.full(self.size, default, np.int64)
            return _fixed_column(leaf.column_reader(name, translate=False), default, self.size)

        return self._get(("numbers", name), build)

    def lengths(self, leaf: Any, field: str) -> np.ndarray:
        """Each document's length in a scorable field, as Whoosh's scorers see it (the
        length byte decoded)."""

        def build() -> np.ndarray:
            perdoc, name = getattr(leaf, "_perdoc", None), f"_{field}_len"
            if perdoc is None or not perdoc.has_column(name):
                return np.zeros(self.size, np.float64)
            found = perdoc.column_reader(name, LENGTHS_COLUMN)
            return _LENGTH_TABLE[_fixed_column(found, 0, self.size)]

        return self._get(("lengths", field), build)

    def column(self, leaf: Any, name: str) -> list:
        """Any column as a list, the column type's default (``b""`` for keys) where a
        document has no value: past its end, or for the whole segment when no document of
        it has one. A segment holding only area documents (an edit to a phone- or
        online-only service) has no ``sal_key`` column at all, and reading None there as a
        key made every API search including that service answer 500."""

        def build() -> list:
            default = leaf.schema[name].column_type.default_value()
            found = list(leaf.column_reader(name)) if leaf.has_column(name) else []
            return found + [default] * (self.size - len(found))

        return self._get(("column", name), build)

    def keys(self, leaf: Any, name: str) -> np.ndarray:
        """A key column (``service_key``, ``sal_key``) as a numpy array of ``bytes``
        objects, so a ranked list of documents picks its keys in one indexing step."""

        def build() -> np.ndarray:
            out = np.empty(self.size, dtype=object)
            out[:] = self.column(leaf, name)
            return out

        return self._get(("keys", name), build)

    def open_at(self, leaf: Any, minute_of_week: int) -> int:
        """Documents with a weekly session running at this minute (0 = Monday 00:00)."""
        return self.open_during(leaf, minute_of_week, minute_of_week + 1)

    def open_during(self, leaf: Any, start: int, end: int) -> int:
        """Documents with a weekly session running at some minute of ``[start, end)``
        (minutes of the week; Monday 00:00 = 0). A session past Sunday midnight is matched
        by the next week's Monday too."""

        def groups() -> list[tuple[tuple[tuple[int, int], ...], list[int]]]:
            by_value: dict[bytes, list[int]] = {}
            for docnum, value in enumerate(self.column(leaf, "hours")):
                if value:
                    by_value.setdefault(value, []).append(docnum)
            return [(parse_hours(value), docnums) for value, docnums in by_value.items()]

        def build() -> int:
            found: list[int] = []
            for intervals, docnums in self._get("hours", groups):
                if any(
                    opens < close_at and begin < closes
                    for opens, closes in intervals
                    for begin, close_at in (
                        (start, end),
                        (start + MINUTES_PER_WEEK, end + MINUTES_PER_WEEK),
                    )
                ):
                    found.extend(docnums)
            return bitsets.from_ids(found, self.size)

        return self._get(("open", start, end), build, words=True)

    def area_siblings(self, leaf: Any) -> tuple[dict[int, int], dict[int, int]]:
        """See ``IndexView.area_siblings`` (a service's documents are always written
        together, so they are all in one segment; copies deleted elsewhere never count)."""

        def build() -> tuple[dict[int, int], dict[int, int]]:
            keys = self.column(leaf, "service_key")
            venues: dict[bytes, list[int]] = {}
            for docnum in bitsets.ids_of(self.term_bits(leaf, "kind", "venue"), self.size):
                venues.setdefault(keys[docnum], []).append(int(docnum))
            regular: dict[int, list[int]] = {}
            irregular: dict[int, int] = {}
            for docnum in bitsets.ids_of(self.term_bits(leaf, "kind", "area"), self.size):
                own = venues.get(keys[docnum])
                if not own:
                    continue
                if own == list(range(docnum - len(own), docnum)):
                    regular.setdefault(len(own), []).append(int(docnum))
                else:
                    irregular[int(docnum)] = bitsets.from_ids(own, self.size)
            shifted = {k: bitsets.from_ids(ids, self.size) for k, ids in regular.items()}
            return shifted, irregular

        return self._get("area_siblings", build)

    def pairs(self, leaf: Any, field: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Every (document, value) pair of a keyword field: the values, then the documents
        and each one's value index, as arrays (for counting facets in one pass)."""

        def build() -> tuple[list[str], np.ndarray, np.ndarray]:
            values = [v.decode("utf-8") for v in leaf.lexicon(field)]
            docs, codes = [], []
            for code, value in enumerate(values):
                ids = bitsets.posting_ids(leaf, field, value)
                docs.append(ids)
                codes.append(np.full(len(ids), code, dtype=np.int32))
            if not docs:
                return values, np.zeros(0, np.int64), np.zeros(0, np.int32)
            return values, np.concatenate(docs), np.concatenate(codes)

        return self._get(("pairs", field), build)


_segments: OrderedDict[tuple[str, str], SegmentData] = OrderedDict()
_lock = threading.Lock()


def data_for(leaf: Any) -> SegmentData:
    """The shared data of a segment reader's segment."""
    storage = leaf.storage()
    storage = getattr(storage, "b", storage)  # past a compound file's overlay
    key = (str(getattr(storage, "folder", id(storage))), leaf.segment().segment_id())
    with _lock:
        found = _segments.get(key)
        if found is None:
            found = _segments[key] = SegmentData(leaf.doc_count_all())
            while len(_segments) > MAX_SEGMENTS:
                _segments.popitem(last=False)
        else:
            _segments.move_to_end(key)
    return found


def _fixed_column(reader: Any, default: int, count: int) -> np.ndarray:
    """A numeric column of one segment as an int64 array: its bytes read in one piece (Whoosh
    reads them a document at a time), the column's default past its end."""
    if isinstance(reader, columns.NumericColumn.Reader):
        data = reader._dbfile.get(reader._basepos, reader._count * reader._fixedlen)
        values = np.frombuffer(data, dtype=np.dtype(reader._typecode).newbyteorder(">"))
    else:
        values = np.array(list(reader), dtype=np.int64)
    out = np.full(count, default, dtype=np.int64)
    out[: len(values)] = values[:count]
    return out
