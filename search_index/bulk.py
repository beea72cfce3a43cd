"""Writing a whole segment at once, for full rebuilds, and the spelling dictionary beside it.

Whoosh's ``SegmentWriter`` sends every posting through an external-sort pool: a tuple per
posting, sorted, spilled to disk in runs whenever the pool passes ``limitmb`` and merged back
with a heap in Python, then written one ``add_posting`` call at a time. At 100,000 services a
build process holds about 14 million postings: the pool spilled a dozen runs and the build
took minutes. A full build only ever adds documents, numbered in order, so each term's
postings arrive already sorted by document. ``BulkWriter`` keeps, per field and term, arrays
of document numbers, weights and values, and at commit writes each term through Whoosh's own
codec a block at a time (the same files, read by the same readers; the tests check a
``BulkWriter`` index against one written by Whoosh's writer posting for posting).

The positional text field (``WeightedText``) takes most of a build's postings and time. For
it the writer keeps no dictionary per term at all: each document adds its sections' stem
numbers (``analysis.analyse_numbered``, cached per text) to one flat array, a few C-level
appends per section, and every few thousand documents ``_TextPostings.collect`` groups that
batch's words into postings with numpy (a stable sort by stem, then per stem and document:
the summed section weights, the count and the positions). At commit the batches are put in
term order once, and each term's encoded positions are made only as it is written; the
arrays file is written straight from the sorted arrays.

It also counts the unstemmed words of the fields that can give them (``WeightedText``) for
the spelling dictionary: which words exist and in how many documents. The index holds stems
only, and "Did you mean" must offer a real word ("lonely", not "loneli"), so the rebuild
writes the counts to a ``SPELLING`` file in the index's storage; the engine reads it with
``read_spelling``. Edits made after the rebuild do not add to it: their words are still
found (the engine checks the index before calling a word unknown), but only become
corrections for other words' typos at the next rebuild.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping
from operator import sub
from pickle import dumps
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.index import Index
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from search_index.analysis import analyse_numbered
from search_index.arrays import MAX_POSITION, ArraysWriter, filename
from search_index.bulk_columns import BulkColumns
from search_index.bulk_postings import _position_values, _TextPostings
from search_index.fields import (
    SECTION_GAP,
    Keyword,
    WeightedText,
)

SPELLING_FILE = "SPELLING"
#: Postings per block, as Whoosh's codec writes them.
BLOCK = 128
#: zlib level (Whoosh uses 3: as small, slower) and the smallest pickled block worth compressing.
COMPRESSION = 1
COMPRESS_FROM = 256
#: Distinct values of one keyword field whose terms ``BulkWriter`` keeps at hand.
KEYWORD_VALUES = 4096
#: Words of text (after stop words) a ``_TextPostings`` holds before grouping them.
TEXT_BATCH = 1 << 18
#: Postings whose encoded positions ``BulkWriter`` makes at once while writing.
VALUES_AT_ONCE = 1 << 17


class BulkWriter(SegmentWriter):
    """A ``SegmentWriter`` for adding many documents to a new segment (see the module
    docstring). Deleting, updating, field boosts and term vectors are not supported: a full
    build has none. Memory is about 12 bytes per keyword posting, and 14 per text posting
    plus 2 per word position (about 90 postings per document, 70 of them text)."""

    def __init__(self, ix: Index, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        #: field name -> term (string or UTF-8 bytes) -> (document numbers, weights, values)
        self._postings: dict[str, dict[str | bytes, tuple[array, array, list[bytes]]]] = {}
        #: scorable field name -> its length in each document of this segment
        self._lengths: dict[str, array] = {}
        self._order = list(self.schema.names())
        self._names = frozenset(self._order)
        #: keyword field name -> value -> the posting lists of its terms: a directory repeats
        #: the same need, area, mode and flag strings thousands of times, so each distinct
        #: value is split and its terms looked up once (cleared at ``KEYWORD_VALUES``).
        self._keyword_values: dict[str, dict[str, list[tuple[array, array, list]]]] = {}
        #: per field, in schema order: name, field, indexed, scorable, stored, column type,
        #: and for a plain ``Keyword`` field (indexed only) its cache of values, else None
        self._fields = [
            (
                name,
                field,
                field.indexed,
                field.scorable,
                field.stored,
                field.column_type,
                self._keyword_values.setdefault(name, {})
                if type(field) is Keyword
                and field.indexed
                and not (field.scorable or field.stored or field.column_type)
                else None,
            )
            for name, field in ((name, self.schema[name]) for name in self._order)
        ]
        #: ``WeightedText`` field name -> its postings (see the module docstring)
        self._text_fields: dict[str, _TextPostings] = {}
        self.spelling: Counter[str] = Counter()
        #: stored fields, field lengths and columns, written at the end (``bulk_columns``)
        self._columns = BulkColumns(self.perdocwriter)
        self._column_lists = {
            name: self._columns.column(name, field.column_type)
            for name, field in ((name, self.schema[name]) for name in self._order)
            if field.column_type is not None
        }

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        if not self._names.issuperset(fields):
            unknown = set(fields) - self._names
            raise ValueError(f"BulkWriter: unknown or unsupported fields {sorted(unknown)}")
        docnum = self.docnum
        local = docnum - self.docbase
        stored_fields: dict[str, Any] = {}
        column_lists = self._column_lists
        get = fields.get
        for name, field, indexed, scorable, stored, column_type, keywords in self._fields:
            value = get(name)
            if keywords is not None:  # a plain keyword field: postings only, no length
                if value is not None:
                    entries = keywords.get(value)
                    if entries is None:
                        entries = self._keyword_entries(name, field, value)
                    for ids, weights, _values in entries:
                        ids.append(docnum)
                        weights.append(1.0)
                continue
            length = 0
            if value is not None and indexed:
                length = self._index(name, field, value, docnum)
            if scorable:
                lengths = self._lengths.setdefault(name, array("I"))
                lengths.extend([0] * (local - len(lengths)))
                lengths.append(length)
            if value is None:
                continue
            if stored:
                stored_fields[name] = value
            if column_type is not None:
                docs, values = column_lists[name]
                docs.append(local)
                values.append(field.to_column_value(value))
        self._columns.add_stored(stored_fields)
        self._added = True
        self.docnum += 1

    def _index(self, name: str, field: Any, value: Any, docnum: int) -> int:
        """Add one field's postings; returns the field length (words) for scoring. Fields
        with a ``postings()`` method give their terms as strings: those of the analysis
        cache hash once, and each distinct term is encoded once, at the end."""
        if type(field) is WeightedText:
            return self._text(name, value, docnum)
        if type(field) is Keyword:
            return self._keywords(name, field, value, docnum)
        terms = self._postings.setdefault(name, {})
        fast = getattr(field, "postings", None)
        length = 0
        for text, freq, weight, encoded in fast(value) if fast else field.index(value):
            found = terms.get(text)
            if found is None:
                found = terms[text] = (array("I"), array("f"), [])
            found[0].append(docnum)
            found[1].append(weight)
            if encoded:
                found[2].append(encoded)
            length += freq
        words = getattr(field, "spelling_words", None)
        if words is not None:
            self.spelling.update(words(value))
        return length if field.scorable else 0

    def _text(self, name: str, value: Any, docnum: int) -> int:
        """``_index`` for a ``WeightedText`` field: each section's stem numbers go on the
        field's ``_TextPostings`` with the section's document, first position and weight (the
        positions and weights ``fields.text_terms`` gives); its spelling words are counted."""
        text = self._text_fields.get(name)
        if text is None:
            text = self._text_fields[name] = _TextPostings()
        sections = [(1.0, value)] if isinstance(value, str) else value
        tokens, add_section = text.tokens, text.add_section
        position = length = 0
        words: set[str] = set()
        for weight, section in sections:
            numbers, spelled = analyse_numbered(section)
            if numbers:
                count = len(numbers)
                tokens.extend(numbers)
                add_section((docnum, count, position, weight))
                position += count + SECTION_GAP
                length += count
                words |= spelled
        self.spelling.update(words)
        if len(tokens) >= TEXT_BATCH:
            text.collect()
        return length

    def _keywords(self, name: str, field: Keyword, value: str, docnum: int) -> int:
        """``_index`` for a ``Keyword`` field: its terms (each once per document, weight 1,
        no value) come from the cache of distinct values."""
        cache = self._keyword_values.setdefault(name, {})
        entries = cache.get(value)
        if entries is None:
            entries = self._keyword_entries(name, field, value)
        for ids, weights, _values in entries:
            ids.append(docnum)
            weights.append(1.0)
        return len(entries) if field.scorable else 0

    def _keyword_entries(self, name: str, field: Keyword, value: str) -> list[Any]:
        """The posting lists of a keyword value's terms, kept in the field's cache of values
        (emptied when it reaches ``KEYWORD_VALUES``)."""
        terms = self._postings.setdefault(name, {})
        entries = []
        for text, _freq, _weight, _value in field.postings(value):
            found = terms.get(text)
            if found is None:
                found = terms[text] = (array("I"), array("f"), [])
            entries.append(found)
        cache = self._keyword_values.setdefault(name, {})
        if len(cache) >= KEYWORD_VALUES:
            cache.clear()
        cache[value] = entries
        return entries

    def _merge_segments(self, mergetype: Any, optimize: Any, merge: Any) -> list[Any]:
        """Never merge other segments in: their postings would go through the pool, which
        this writer does not read."""
        return list(self.segments)

    def _flush_segment(self) -> None:
        """Write every term's postings in (field, term) order, letting go of each term's
        arrays once written, so the arrays file's copy of the text field does not come on top
        of all of them (a worker's peak memory)."""
        self._columns.finish(self.docnum - self.docbase, self._lengths)
        self.perdocwriter.close()
        for cache in self._keyword_values.values():
            cache.clear()
        writer = self.fieldwriter
        for name in sorted({*self._postings, *self._text_fields}):
            field = self.schema[name]
            lengths = self._lengths.get(name) if field.scorable else None
            if name in self._text_fields:
                self._write_text(name, field, self._text_fields.pop(name), lengths)
                continue
            terms = self._postings[name]
            size = field.format.fixed_value_size()
            arrays = ArraysWriter() if field.format.supports("positions") else None
            decoded: dict[bytes, list[int]] = {}
            writer.start_field(name, field)
            prefix = pack_ushort(writer._fieldid)
            for text in sorted(terms):  # code point order is UTF-8 byte order
                postings = terms.pop(text)
                info = _write_term(writer._postfile, *postings, lengths, self.docbase, size)
                key = text if isinstance(text, bytes) else text.encode("utf-8")
                writer._tindex.add(prefix + key, info.to_bytes())
                if arrays is not None:
                    ids, weights, values = postings
                    places = [
                        decoded.get(v) or decoded.setdefault(v, field.format.decode_positions(v))
                        for v in values
                    ]
                    arrays.add(key.decode("utf-8"), ids, weights, places)
            writer.finish_field()
            if arrays is not None:
                arrays.write(self.storage, filename(self.newsegment, name))
            del arrays, decoded
        writer.close()

    def _write_text(
        self, name: str, field: Any, text: _TextPostings, lengths: array | None
    ) -> None:
        """Write a ``WeightedText`` field's terms in order, and its arrays file, from the
        field's sorted postings; each term's encoded positions are made as it is written."""
        writer = self.fieldwriter
        texts, starts, docs, weights, counts, positions, firsts = text.sorted()
        field_lengths = None if lengths is None else np.frombuffer(lengths, np.uint32)
        writer.start_field(name, field)
        prefix = pack_ushort(writer._fieldid)
        size = field.format.fixed_value_size()
        postfile, tindex, docbase = writer._postfile, writer._tindex, self.docbase
        bounds = starts.tolist()
        window: list[bytes] = []
        window_first = window_last = 0
        for number, term in enumerate(texts):
            first, last = bounds[number], bounds[number + 1]
            if last > window_last:  # the encoded positions of the next terms, in one go
                ahead = bisect_left(bounds, first + VALUES_AT_ONCE, number + 1)
                window_first, window_last = first, max(last, bounds[min(ahead, len(texts))])
                window = _position_values(
                    counts[window_first:window_last], firsts[window_first:window_last], positions
                )
            ids = docs[first:last]
            sizes = None
            if field_lengths is not None:
                sizes = field_lengths[ids - docbase if docbase else ids].tolist()
            info = _write_term(
                postfile,
                ids.tolist(),
                weights[first:last].tolist(),
                window[first - window_first : last - window_first],
                lengths,
                docbase,
                size,
                sizes,
            )
            tindex.add(prefix + term.encode("utf-8"), info.to_bytes())
        writer.finish_field()
        arrays = ArraysWriter()
        if len(counts) and int(counts.max()) > MAX_POSITION:  # a text of 65,536 words or more
            for number, term in enumerate(texts):  # let ArraysWriter clamp them, term by term
                first, last = bounds[number], bounds[number + 1]
                places = [
                    positions[int(firsts[i]) : int(firsts[i]) + int(counts[i])].tolist()
                    for i in range(first, last)
                ]
                arrays.add(term, docs[first:last], weights[first:last], places)
        else:
            arrays.texts = [term.encode("utf-8") for term in texts]
            arrays.starts = starts.astype(np.uint64)  # type: ignore[assignment]
            ends = np.append(firsts[starts[:-1]], len(positions))
            arrays.position_starts = ends.astype(np.uint64)  # type: ignore[assignment]
            arrays.ids, arrays.weights = docs, weights  # type: ignore[assignment]
            arrays.counts = counts.astype(np.uint16, copy=False)  # type: ignore[assignment]
            if positions.dtype != np.uint16:
                positions = np.minimum(positions, MAX_POSITION).astype(np.uint16)
            arrays.positions = positions  # type: ignore[assignment]
        arrays.write(self.storage, filename(self.newsegment, name))


def _write_term(
    postfile: Any,
    ids: array,
    weights: array,
    values: list[bytes],
    lengths: array | None,
    docbase: int,
    value_size: int | None,
    sizes_: list[int] | None = None,
) -> W3TermInfo:
    """One term's posting list in Whoosh's W3 format: a header, then blocks of up to
    ``BLOCK`` postings, each a pickled ``(id deltas, weights, values)`` tuple after a small
    pickled info tuple (count, last id, top weight, compression, shortest and longest field
    length). What ``W3PostingsWriter`` writes posting by posting, except that blocks too
    small to gain from it are not compressed (the reader checks the flag). ``sizes_``, when
    given, is each posting's document field length (else read from ``lengths``)."""
    info = W3TermInfo()
    start = postfile.tell()
    postfile.write(WHOOSH3_HEADER_MAGIC)
    written = len(WHOOSH3_HEADER_MAGIC)
    total = len(ids)
    info._df = total
    info._minid, info._maxid = ids[0], ids[-1]
    info._weight = sum(weights)
    info._maxweight = max(weights)
    for first in range(0, total, BLOCK):
        last = min(total, first + BLOCK)
        block = ids[first:last]
        scale = weights[first:last]
        deltas = tuple(map(sub, block, (0, *block[:-1])))  # each block starts from 0
        if all(w == 1.0 for w in scale):
            packed_weights: Any = None
        elif all(w == scale[0] for w in scale):
            packed_weights = scale[0]
        else:
            packed_weights = tuple(scale)
        if value_size == 0:
            packed_values: Any = None
        elif value_size is None or value_size < 0:
            packed_values = tuple(values[first:last])
        else:
            packed_values = b"".join(values[first:last])
        data = dumps((deltas, packed_weights, packed_values), 2)
        compression = COMPRESSION if len(data) >= COMPRESS_FROM else 0
        if compression:
            data = zlib.compress(data, compression)
        shortest = longest = None
        if lengths is not None:
            if sizes_ is None:
                sizes = [lengths[docnum - docbase] for docnum in block]
            else:
                sizes = sizes_[first:last]
            shortest, longest = min(sizes), max(sizes)
            info._minlength = (
                shortest if info._minlength is None else min(info._minlength, shortest)
            )
            info._maxlength = max(info._maxlength, longest)
        header = dumps(
            (len(block), block[-1], max(scale), compression,
             length_to_byte(shortest), length_to_byte(longest or 0)),
            2,
        )  # fmt: skip
        length = len(header) + len(data)
        postfile.write_int(-length if last == total else length)
        postfile.write(header)
        postfile.write(data)
        written += 4 + length
    info.set_extent(start, written)
    return info


def write_spelling(storage: Any, counts: Mapping[str, int]) -> None:
    """Save the spelling dictionary (word and document count per line) in ``storage``."""
    text = "".join(f"{word}\t{count}\n" for word, count in sorted(counts.items()))
    handle = storage.create_file(SPELLING_FILE)
    try:
        handle.write(text.encode("utf-8"))
    finally:
        handle.close()


def read_spelling(storage: Any) -> dict[str, int]:
    """The spelling dictionary saved in ``storage``; empty when there is none (an index
    written by Whoosh's own writer, or an older one)."""
    if storage is None or not storage.file_exists(SPELLING_FILE):
        return {}
    handle = storage.open_file(SPELLING_FILE)
    try:
        data = handle.read().decode("utf-8")
    finally:
        handle.close()
    out = {}
    for line in data.splitlines():
        word, _, count = line.partition("\t")
        if word and count.isdigit():
            out[word] = int(count)
    return out
