"""The per-document part of a bulk-written segment: stored fields, field lengths and columns,
kept in arrays as documents arrive and written in Whoosh's own column formats at the end.

Whoosh's per-document writer takes every value through ``add_column_value`` to a column writer
that checks for gaps, packs the value and writes it to a buffered sub-stream: about eight
calls deep per value, half a million values per build worker at 100,000 services, and a
sub-stream write per value. A full build knows every document in order, so ``BulkColumns``
keeps each column's values in a list (documents without one are simply not in it) and packs
a whole column at once when the segment is written: numbers with numpy, byte strings joined,
lengths and offsets as Whoosh's ``GrowableArray`` would have typed them. The stored fields
(a pickled, zlib-compressed dictionary per document, as ``STORED_COLUMN`` reads them) go to
the column's file in chunks of about a megabyte rather than one write per document.

What a reader gets is what Whoosh's writer writes (``tests/search_index/test_bulk.py`` and
``test_bulk_columns.py`` compare them); a column type this module does not know is written
through Whoosh's own column writer at the end, one value at a time, so it is still right.
"""

from __future__ import annotations

import zlib
from array import array
from pickle import dumps
from typing import Any

import numpy as np
from whoosh import columns
from whoosh.codec.whoosh3 import W3PerDocWriter, _lenfield
from whoosh.util.numeric import length_to_byte

#: zlib level of the stored fields (Whoosh's ``STORED_COLUMN`` uses 3; at about 1 KB per
#: document the cost is nearly all the call, whatever the level, and readers accept any).
STORED_LEVEL = 3
#: Bytes of stored fields gathered before they are written to the column's file.
STORED_CHUNK = 1 << 20
#: Numeric column type codes and the numpy types they are written as (big-endian, as
#: ``struct`` packs them with "!").
#: ("l" and "L" are left to Whoosh's writer: 4 bytes to ``struct``, 8 to ``array``.)
_NUMPY_TYPES = {
    "b": ">i1", "B": ">u1", "h": ">i2", "H": ">u2", "i": ">i4", "I": ">u4",
    "q": ">i8", "Q": ">u8", "f": ">f4", "d": ">f8",
}  # fmt: skip


class BulkColumns:
    """Collects one segment's per-document values; ``finish(doccount)`` writes them into
    ``perdoc`` (a ``W3PerDocWriter`` that has had no document) before it is closed."""

    def __init__(self, perdoc: W3PerDocWriter) -> None:
        if not isinstance(perdoc, W3PerDocWriter) or perdoc._doccount:
            raise TypeError("BulkColumns needs a fresh W3PerDocWriter")
        self._perdoc = perdoc
        #: column name -> (column type, local document numbers, values)
        self._columns: dict[str, tuple[columns.Column, array, list[Any]]] = {}
        self._stored = _StoredWriter(perdoc._colwriters["_stored"])
        perdoc._colwriters["_stored"] = self._stored

    def column(self, name: str, column: columns.Column) -> tuple[array, Any]:
        """The document numbers and the values of column ``name`` (append to both): an
        ``array`` of the column's type for numbers (it refuses a value the column could not
        hold, as Whoosh's ``struct`` packing does), else a list."""
        found = self._columns.get(name)
        if found is None:
            values: Any = []
            if type(column) is columns.NumericColumn and column._typecode in _NUMPY_TYPES:
                values = array(column._typecode)
            found = self._columns[name] = (column, array("I"), values)
        return found[1], found[2]

    def add_stored(self, fields: dict[str, Any]) -> None:
        """The next document's stored fields (empty when it has none)."""
        self._stored.add(fields)

    def finish(self, doccount: int, lengths: dict[str, array]) -> None:
        """Write every column, the field lengths (``lengths``: field name -> each document's
        length in words) and the stored fields, and leave ``perdoc`` ready to close."""
        perdoc = self._perdoc
        for name, field_lengths in lengths.items():
            total = sum(field_lengths)
            if total:  # Whoosh makes the column at the first document with a length
                perdoc._fieldlengths[name] += total
                codes = np.zeros(doccount, dtype=np.uint8)
                codes[: len(field_lengths)] = _length_bytes(field_lengths)
                handle = self._create(_lenfield(name))
                differ = np.flatnonzero(codes)
                if len(differ):
                    handle.write(codes[: int(differ[-1]) + 1].tobytes())
        for name, (column, docs, values) in self._columns.items():
            if values:  # Whoosh makes a column at its first value
                _write_column(self._create(name), column, docs, values, doccount)
        self._columns.clear()
        perdoc._doccount = doccount
        perdoc._indoc = False

    def _create(self, name: str) -> Any:
        """A new column file in the segment, whose writer (for Whoosh's ``close``) has
        nothing left to do."""
        if name in self._perdoc._colwriters:
            raise ValueError(f"column {name!r} written twice")
        self._perdoc._colwriters[name] = _Written(None)
        return self._perdoc._cols.create_file(name)


class _Written(columns.ColumnWriter):
    """A column already written: Whoosh's ``close`` calls ``finish`` on every column writer."""

    def finish(self, doccount: int) -> None:
        """Nothing is left to write: ``BulkColumns.finish`` wrote the whole column."""


class _StoredWriter(columns.ColumnWriter):
    """``STORED_COLUMN`` (a pickled dictionary per document, zlib-compressed, as variable
    bytes) written in chunks; replaces the per-document writer's own writer of it."""

    def __init__(self, original: Any) -> None:
        self._file = original._child._dbfile
        self._lengths = array("I")
        self._pending: list[bytes] = []
        self._size = 0

    def add(self, fields: dict[str, Any]) -> None:  # type: ignore[override]
        if not fields:
            self._lengths.append(0)
            return
        data = zlib.compress(dumps(fields, 2), STORED_LEVEL)
        self._lengths.append(len(data))
        self._pending.append(data)
        self._size += len(data)
        if self._size >= STORED_CHUNK:
            self._flush()

    def _flush(self) -> None:
        self._file.write(b"".join(self._pending))
        self._pending.clear()
        self._size = 0

    def finish(self, doccount: int) -> None:
        self._flush()
        lengths = self._lengths
        lengths.extend([0] * (doccount - len(lengths)))
        _write_varbytes_tail(self._file, lengths, allow_offsets=True, cutoff=2**15)


def _length_bytes(lengths: array) -> np.ndarray:
    """``length_to_byte`` of every length (one call per distinct length)."""
    distinct, where = np.unique(np.asarray(lengths, dtype=np.int64), return_inverse=True)
    codes = np.array([length_to_byte(int(n)) for n in distinct], dtype=np.uint8)
    return codes[where]


def _write_column(
    handle: Any, column: columns.Column, docs: array, values: list[Any], doccount: int
) -> None:
    """Write one whole column to ``handle`` as Whoosh's writer for ``column`` would."""
    kind = type(column)
    if kind is columns.NumericColumn and column._typecode in _NUMPY_TYPES:
        _write_numeric(handle, column, docs, values, doccount)
    elif kind is columns.VarBytesColumn:
        lengths = array("I", bytes(4 * doccount))
        sizes = [len(v) for v in values]
        for doc, size in zip(docs, sizes, strict=True):
            lengths[doc] = size
        handle.write(b"".join(values))
        _write_varbytes_tail(handle, lengths, column.allow_offsets, column.write_offsets_cutoff)
    else:  # any other type: Whoosh's own writer, value by value
        writer = column.writer(handle)
        for doc, value in zip(docs, values, strict=True):
            writer.add(doc, value)
        writer.finish(doccount)


def _write_numeric(
    handle: Any, column: columns.NumericColumn, docs: array, values: array, doccount: int
) -> None:
    """A ``NumericColumn``: each document's value, or the default, packed big-endian, up to
    the last document whose value is not the default (Whoosh's writer writes no more: its
    reader gives the default past the end)."""
    default = column._default
    kind = np.dtype(_NUMPY_TYPES[column._typecode])
    full = np.full(doccount, default, dtype=kind.newbyteorder("="))
    full[np.frombuffer(docs, dtype=np.uint32)] = np.frombuffer(values, dtype=full.dtype)
    differ = np.flatnonzero(full != default)
    if len(differ):
        handle.write(full[: int(differ[-1]) + 1].astype(kind).tobytes())


def _write_varbytes_tail(handle: Any, lengths: array, allow_offsets: bool, cutoff: int) -> None:
    """What ``VarBytesColumn.Writer.finish`` writes after the data: each document's length,
    and when there are more documents than the column's cut-off each one's offset, as arrays
    of the smallest type Whoosh's ``GrowableArray`` would have grown to, then type codes."""
    doccount = len(lengths)
    sizes = np.frombuffer(lengths, dtype=np.uint32)
    lengths_array = array(_grown_type(int(sizes.max()) if doccount else 0), sizes.tolist())
    handle.write_array(lengths_array)
    write_offsets = allow_offsets and doccount > cutoff
    if write_offsets:
        offsets = np.zeros(doccount, dtype=np.uint64)
        np.cumsum(sizes[:-1], out=offsets[1:])
        offsets_array = array(_grown_type(int(offsets[-1]) if doccount else 0), offsets.tolist())
        handle.write_array(offsets_array)
    handle.write(lengths_array.typecode.encode("ascii"))
    if write_offsets:
        handle.write(offsets_array.typecode.encode("ascii"))
        handle.write(b"X")


def _grown_type(largest: int) -> str:
    """The type code a ``GrowableArray(allow_longs=False)`` ends with after holding numbers
    up to ``largest`` (it starts as "B" and is retyped by the number that overflowed it)."""
    if largest < 2**8:
        return "B"
    if largest < 2**16:
        return "H"
    if largest < 2**31:
        return "i"
    if largest < 2**32:
        return "I"
    raise OverflowError(f"{largest} is too big for a column's lengths or offsets")
