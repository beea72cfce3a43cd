"""Posting lists as flat arrays beside a bulk-written segment, for numpy.

Whoosh keeps a term's postings in pickled, compressed blocks of 128, values included, so
reading one common word's documents and word positions costs a Python step per posting:
about 25 ms for a word in 50,000 documents, and a quoted phrase of two such words took 600
ms at 100,000 services. ``BulkWriter`` also writes, for its positional field, one
``<segment>-<field>.arrays`` file: every term's document numbers, posting weights, how many
positions each has, and the positions, as little-endian arrays. ``numpy.frombuffer`` over the
memory-mapped file reads a term in microseconds, so a phrase becomes a few array operations
(``phrase_docs``) and every matching document can be scored exactly (``ranking``).

The file is only ever an accelerator. Segments written by Whoosh's own writer (the
same-request updates) have none, and a merge that rewrites a segment drops it (Whoosh deletes
files of segments no longer in the index): the engine then reads those segments' postings
the ordinary way. Positions above 65,535 are stored as 65,535 (a listing would need a text of
that many words), so a phrase that far into a text is not found.

Layout (after an 8-byte magic): ``uint64`` term count, document count, position count; the
terms, UTF-8, separated by newlines (``uint64`` byte length first); then ``uint64``
``starts[n + 1]`` and ``position_starts[n + 1]``, ``uint32`` document numbers, ``float32``
weights, ``uint16`` position counts and ``uint16`` positions, each section padded to 8 bytes.
"""

from __future__ import annotations

import mmap
from array import array
from collections.abc import Iterable
from itertools import chain
from typing import Any

import numpy as np

from search_index.lru import LRU

MAGIC = b"SIARR2\n\0"
MAX_POSITION = 65535
#: Documents per position code: a document's occurrence of a word at position p is coded
#: ``docnum * CODE + p``, so one sorted array holds every occurrence of a word.
CODE = 1 << 16
_PAD = b"\0" * 8


def filename(segment: Any, field: str) -> str:
    """``MAIN_<segment id>-<field>.arrays``: not ``MAIN_<id>.<ext>``, so Whoosh neither packs
    it into the segment's compound file (it stays memory-mappable) nor deletes it (a segment
    merged away leaves it behind until its generation is deleted)."""
    return segment.make_filename(f"-{field}.arrays")


class ArraysWriter:
    """Collects terms in order (``add``), then writes the file (``write``)."""

    def __init__(self) -> None:
        self.texts: list[bytes] = []
        self.starts, self.position_starts = array("Q", [0]), array("Q", [0])
        self.ids, self.weights = array("I"), array("f")
        self.counts, self.positions = array("H"), array("H")

    def add(self, text: str, docs: array, weights: array, places: Iterable[list[int]]) -> None:
        """One term: its document numbers, posting weights and, for each, its positions."""
        self.texts.append(text.encode("utf-8"))
        self.ids.extend(docs)
        self.weights.extend(weights)
        counts, positions = self.counts, self.positions
        places = places if isinstance(places, list) else list(places)
        had_counts, had_positions = len(counts), len(positions)
        try:  # in C: the arrays refuse a count or position above MAX_POSITION
            counts.extend(map(len, places))
            positions.extend(chain.from_iterable(places))
        except OverflowError:  # a text of more than 65,535 words: clamp, one by one
            del counts[had_counts:], positions[had_positions:]
            for where in places:
                if where[-1] > MAX_POSITION or len(where) > MAX_POSITION:
                    where = [min(p, MAX_POSITION) for p in where[:MAX_POSITION]]
                counts.append(len(where))
                positions.extend(where)
        self.starts.append(len(self.ids))
        self.position_starts.append(len(positions))

    def write(self, storage: Any, name: str) -> None:
        blob = b"\n".join(self.texts)
        head = array("Q", [len(self.texts), len(self.ids), len(self.positions), len(blob)])
        parts = (MAGIC, head, blob, self.starts, self.position_starts, self.ids, self.weights)
        handle = storage.create_file(name)
        try:
            for part in (*parts, self.counts, self.positions):
                data = part if isinstance(part, bytes) else part.tobytes()
                handle.write(data)
                handle.write(_PAD[: -len(data) % 8])
        finally:
            handle.close()


class TermArrays:
    """One arrays file, read through a memory map (or from memory for in-memory storage)."""

    def __init__(self, buffer: Any) -> None:
        self._buffer = buffer
        if bytes(buffer[:8]) != MAGIC:
            raise ValueError("not a search index arrays file")
        count, nids, npositions, blob = np.frombuffer(buffer, np.uint64, 4, 8).tolist()
        offset = 40
        words = bytes(buffer[offset : offset + blob]).split(b"\n") if count else []
        self.terms = {word.decode("utf-8"): n for n, word in enumerate(words)}
        offset += blob + (-blob % 8)
        self._starts = np.frombuffer(buffer, np.uint64, count + 1, offset)
        offset += 8 * (count + 1)
        self._position_starts = np.frombuffer(buffer, np.uint64, count + 1, offset)
        offset += 8 * (count + 1)
        self._ids = np.frombuffer(buffer, np.uint32, nids, offset)
        offset += 4 * nids + (-4 * nids % 8)
        self._weights = np.frombuffer(buffer, np.float32, nids, offset)
        offset += 4 * nids + (-4 * nids % 8)
        self._counts = np.frombuffer(buffer, np.uint16, nids, offset)
        offset += 2 * nids + (-2 * nids % 8)
        self._positions = np.frombuffer(buffer, np.uint16, npositions, offset)

    def ids(self, term: str) -> np.ndarray | None:
        """The term's document numbers (segment-local, deleted ones included), or None."""
        n = self.terms.get(term)
        if n is None:
            return None
        return self._ids[int(self._starts[n]) : int(self._starts[n + 1])]

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The term's document numbers and posting weights, or None."""
        n = self.terms.get(term)
        if n is None:
            return None
        first, last = int(self._starts[n]), int(self._starts[n + 1])
        return self._ids[first:last], self._weights[first:last]

    def codes(self, term: str) -> np.ndarray | None:
        """Every occurrence of the term as ``docnum * CODE + position``, ascending."""
        n = self.terms.get(term)
        if n is None:
            return None
        first, last = int(self._starts[n]), int(self._starts[n + 1])
        docs = np.repeat(self._ids[first:last].astype(np.int64), self._counts[first:last])
        lo, hi = int(self._position_starts[n]), int(self._position_starts[n + 1])
        return docs * CODE + self._positions[lo:hi]


def phrase_docs(codes: list[np.ndarray], slop: int) -> np.ndarray:
    """Documents where the words occur in order, each within ``slop`` positions after the
    one before (Whoosh's ``Phrase`` with ``slop``), from each word's ``TermArrays.codes``."""
    current = codes[0]
    for following in codes[1:]:
        if not len(current) or not len(following):
            return np.zeros(0, dtype=np.int64)
        before = np.searchsorted(current, following, side="left") - 1
        gap = following - current[np.maximum(before, 0)]
        current = following[(before >= 0) & (gap >= 1) & (gap <= slop)]
    return np.unique(current // CODE)


#: Arrays files kept open (memory-mapped) per process, least recently used dropped.
_cache: LRU[tuple[str, str], TermArrays | None] = LRU(64)
_NOT_CACHED = object()


def arrays_for(leaf: Any, field: str) -> TermArrays | None:
    """The arrays file of a segment reader's field, if it has one (kept per process:
    a segment's postings never change)."""
    storage = leaf.storage()
    name = filename(leaf.segment(), field)
    key = (str(getattr(getattr(storage, "b", storage), "folder", id(storage))), name)
    cached = _cache.get(key, _NOT_CACHED)  # type: ignore[arg-type]
    if cached is not _NOT_CACHED:
        return cached  # type: ignore[return-value]
    found = None
    if storage.file_exists(name):
        handle = storage.open_file(name)
        try:
            try:
                buffer: Any = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except (AttributeError, OSError, ValueError):
                buffer = handle.read()
        finally:
            handle.close()
        found = TermArrays(buffer)
    _cache.put(key, found)
    return found


def phrase_bits(view: Any, field: str, words: list[str], slop: int, candidates: int) -> int:
    """The documents of ``candidates`` (which all have every word) with the words as a
    phrase: array operations in segments with an arrays file, Whoosh's phrase matcher over
    the candidates of any other segment."""
    from whoosh.query import And, Phrase

    from search_index.schema import DocSetQuery

    found = 0
    slow: list[int] = []
    for leaf, offset in view.reader.leaf_readers():
        size = leaf.doc_count_all()
        mine = candidates >> offset & ((1 << size) - 1)
        if not mine:
            continue
        arrays = arrays_for(leaf, field)
        if arrays is None:
            slow.extend(n + offset for n in view.to_ids(mine))
            continue
        codes = [arrays.codes(word) for word in words]
        if any(c is None for c in codes):
            continue
        docs = phrase_docs(codes, slop)  # type: ignore[arg-type]
        found |= view.from_ids(docs + offset) if offset else view.from_ids(docs)
    if slow:
        query = And([DocSetQuery(array("I", slow)), Phrase(field, words, slop=slop)])
        found |= view.from_ids(
            query.matcher(view.searcher, view.searcher.boolean_context()).all_ids()
        )
    return found & candidates
