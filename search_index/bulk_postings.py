"""The positional text field's postings for a full rebuild (``search_index.bulk``), in numpy.

Each document adds its sections' stem numbers (``analysis.analyse_numbered``) to one flat
array; ``_TextPostings.collect`` groups a batch of words into postings (a stable sort by
stem, then per stem and document: the summed section weights, the count and the positions),
``sorted`` puts the batches in term order once at commit, and ``_position_values`` /
``_encode_positions`` make the terms' encoded positions in bulk as they are written, the
same bytes as ``fields.encode_positions`` (``tests/search_index/test_bulk.py`` checks).
Kept apart from the writer so each module stays readable.
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np

from search_index.analysis import STEMS
from search_index.fields import ONE_POSITION, encode_positions

#: ``ONE_POSITION`` as a numpy object array, for taking many at once.
_ONE_POSITION = np.empty(len(ONE_POSITION), dtype=object)
_ONE_POSITION[:] = ONE_POSITION


class _TextPostings:
    """A ``WeightedText`` field's postings in a bulk-written segment, as numpy arrays.

    ``BulkWriter._text`` appends each document's stem numbers to ``tokens`` and, per section,
    (document number, word count, first position, weight) to ``sections``. ``collect`` turns
    those into a batch of postings: per stem and document, in that order, the summed weight,
    the number of positions and the positions. ``sorted`` puts every batch's postings in term
    order. Memory: 14 bytes per posting and 2 per position (counts and positions take 4 bytes
    in a batch that has one above 65,535)."""

    def __init__(self) -> None:
        self.tokens = array("I")
        self.sections: list[tuple[int, int, int, float]] = []
        self.add_section = self.sections.append
        #: Per batch, per posting: its stem number, document, weight and position count;
        #: and the batch's positions, posting after posting.
        self.numbers: list[np.ndarray] = []
        self.docs: list[np.ndarray] = []
        self.weights: list[np.ndarray] = []
        self.counts: list[np.ndarray] = []
        self.positions: list[np.ndarray] = []

    def collect(self) -> None:
        """Group the pending words into postings (a batch) and empty them."""
        if not self.tokens:
            return
        numbers = np.frombuffer(self.tokens, np.uint32)
        docs, counts, starts, weights = (
            np.array(column) for column in zip(*self.sections, strict=True)
        )
        total = len(numbers)
        # Each word's document, section weight and position (the section's first position
        # plus its place in the section), in the order the words came: by document, then
        # position.
        begins = np.cumsum(counts) - counts
        docs = np.repeat(docs.astype(np.uint32), counts)
        weights = np.repeat(weights.astype(np.float64), counts)
        positions = np.arange(total, dtype=np.int64) + np.repeat(starts - begins, counts)
        order = np.argsort(numbers, kind="stable")  # by stem, keeping document and position
        numbers, docs, weights, positions = (
            numbers[order],
            docs[order],
            weights[order],
            positions[order],
        )
        del order
        new = np.empty(total, dtype=bool)
        new[0] = True
        np.not_equal(numbers[1:], numbers[:-1], out=new[1:])
        new[1:] |= docs[1:] != docs[:-1]
        heads = np.flatnonzero(new)
        counts = np.diff(heads, append=total)
        self.numbers.append(numbers[heads])
        self.docs.append(docs[heads])
        # summed in order as float64, then float32 like array("f") (exact anyway: the section
        # weights are halves and small whole numbers)
        self.weights.append(np.add.reduceat(weights, heads).astype(np.float32))
        self.counts.append(counts.astype(_small(counts)))
        self.positions.append(positions.astype(_small(positions)))
        self.tokens = array("I")
        self.sections.clear()

    def sorted(self) -> tuple[list[str], *tuple[np.ndarray, ...]]:
        """Every posting in (term, document) order: the terms (sorted); where each term's
        postings start, and the end; per posting its document, weight, position count and
        where its positions start; and the positions. The batches are let go of one
        column at a time (a worker's peak memory is here)."""
        self.collect()
        numbers = _joined(self.numbers, np.uint32)
        used = np.unique(numbers)
        texts = [STEMS[n] for n in used.tolist()]
        by_text = np.array(sorted(range(len(texts)), key=texts.__getitem__), dtype=np.int64)
        texts = [texts[i] for i in by_text.tolist()]
        rank = np.zeros(int(used[-1]) + 1 if len(used) else 1, dtype=np.uint32)
        rank[used[by_text]] = np.arange(len(used), dtype=np.uint32)
        keys = rank[numbers]
        del numbers, rank, used, by_text
        # batches are in document order, so a stable sort keeps each term's documents in order
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        heads = np.ones(len(keys), dtype=bool)
        np.not_equal(keys[1:], keys[:-1], out=heads[1:])
        starts = np.append(np.flatnonzero(heads), len(keys))
        del keys, heads
        docs = _joined(self.docs, np.uint32)[order]
        weights = _joined(self.weights, np.float32)[order]
        counts = _joined(self.counts, np.uint16)
        if int(counts.sum(dtype=np.uint64)) >= 2**32:
            raise ValueError("BulkWriter: more than 4,294,967,295 word positions in one field")
        # Where each posting's positions are in the batches (one after the other), and where
        # they go once the postings are in term order.
        old_firsts = np.cumsum(counts, dtype=np.uint32)
        old_firsts -= counts
        counts, old_firsts = counts[order], old_firsts[order]
        del order
        firsts = np.cumsum(counts, dtype=np.uint32)
        firsts -= counts
        flat = _joined(self.positions, np.uint16)
        positions = np.empty_like(flat)
        step = 1 << 18
        for first in range(0, len(counts), step):  # a piece at a time, to bound the memory
            last = min(len(counts), first + step)
            source = np.repeat(
                old_firsts[first:last].astype(np.int64) - firsts[first:last], counts[first:last]
            )
            target = int(firsts[first])
            source += np.arange(target, target + len(source), dtype=np.int64)
            positions[target : target + len(source)] = flat[source]
        return texts, starts, docs, weights, counts, positions, firsts


def _small(values: np.ndarray) -> type:
    """uint16 when every value fits, else uint32."""
    return np.uint16 if not len(values) or int(values.max()) <= 0xFFFF else np.uint32


def _joined(batches: list[np.ndarray], dtype: Any) -> np.ndarray:
    """The batches as one array (of at least ``dtype``), letting go of them."""
    joined = np.concatenate(batches) if batches else np.zeros(0, dtype)
    batches.clear()
    return joined.astype(np.promote_types(joined.dtype, dtype), copy=False)


def _position_values(counts: np.ndarray, firsts: np.ndarray, positions: np.ndarray) -> list[bytes]:
    """Each posting's encoded positions (``fields.encode_positions``): one position below
    1,024 from the table, the others encoded together (``_encode_positions``)."""
    heads = positions[firsts]
    single = (counts == 1) & (heads < len(ONE_POSITION))
    values = _ONE_POSITION[np.where(single, heads, 0)].tolist()
    others = np.flatnonzero(~single)
    if len(others):
        encoded = _encode_positions(counts[others], firsts[others], positions)
        for i, value in zip(others.tolist(), encoded, strict=True):
            values[i] = value
    return values


#: ``pickle.dumps(list, 2)`` of a list of small whole numbers: the protocol and an empty list
#: put in the memo; then each number as BININT1 (``K``, one byte), BININT2 (``M``, two) or
#: BININT (``J``, four, signed), little-endian; one number is followed by APPEND (``a``),
#: several are between MARK (``(``) and APPENDS (``e``), in batches of 1,000; then STOP.
_PICKLE_LIST = b"\x80\x02]q\x00"
_PICKLE_BATCH = 1000


def _encode_positions(counts: np.ndarray, firsts: np.ndarray, positions: np.ndarray) -> list[bytes]:
    """``fields.encode_positions`` of many postings at once: for each, its position count
    (4 bytes, big-endian) and the pickled list of its position deltas, written with numpy
    into one buffer and cut (lists of more than 1,000 positions, which pickle in several
    batches, go through ``encode_positions``)."""
    count = counts.astype(np.int64)
    starts = np.cumsum(count) - count
    total = int(count.sum())
    where = np.repeat(firsts.astype(np.int64) - starts, count)
    where += np.arange(total, dtype=np.int64)
    place = positions[where].astype(np.int64)
    del where
    deltas = place.copy()
    deltas[1:] -= place[:-1]
    deltas[starts] = place[starts]  # each list starts from 0
    del place
    if total and int(deltas.max()) >= 2**31:
        raise ValueError("BulkWriter: a word position of 2**31 or more")
    size = np.where(deltas < 0x100, 2, np.where(deltas < 0x10000, 3, 5))
    multi = (count > 1).astype(np.int64)
    inner = np.cumsum(size) - size  # each number's offset after the first of its posting
    inner -= np.repeat(inner[starts], count)
    head = 4 + len(_PICKLE_LIST)
    length = head + multi + np.add.reduceat(size, starts) + 2 if total else count
    ends = np.cumsum(length)
    begins = ends - length
    out = np.zeros(int(ends[-1]) if len(ends) else 0, dtype=np.uint8)
    for byte in range(4):
        out[begins + byte] = (count >> (8 * (3 - byte))) & 0xFF
    for byte, code in enumerate(_PICKLE_LIST):
        out[begins + 4 + byte] = code
    out[begins[multi == 1] + head] = ord("(")
    at = np.repeat(begins + head + multi, count) + inner
    out[at] = np.where(size == 2, ord("K"), np.where(size == 3, ord("M"), ord("J")))
    out[at + 1] = deltas & 0xFF
    wide = size > 2
    out[at[wide] + 2] = (deltas[wide] >> 8) & 0xFF
    wide = size > 3
    out[at[wide] + 3] = (deltas[wide] >> 16) & 0xFF
    out[at[wide] + 4] = (deltas[wide] >> 24) & 0xFF
    out[ends - 2] = np.where(multi == 1, ord("e"), ord("a"))
    out[ends - 1] = ord(".")
    blob = out.tobytes()
    # Equal values as one object, as ``encode_positions``'s cache gives them: pickle writes
    # an object it has already written in a block as a two-byte reference.
    same: dict[bytes, bytes] = {}
    values = [
        same.setdefault(value, value)
        for value in [blob[a:b] for a, b in zip(begins.tolist(), ends.tolist(), strict=True)]
    ]
    for i in np.flatnonzero(count > _PICKLE_BATCH).tolist():
        first = int(firsts[i])
        values[i] = encode_positions(positions[first : first + int(count[i])].tolist())
    return values
