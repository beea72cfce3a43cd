"""The Whoosh schema (which fields a search document has and why) and the few Whoosh-level
pieces the engine reads it with: a constant-score document-set query, matching on bitsets,
a flat scoring query, and faster posting readers.

Text is indexed once, in ``all``: one catch-all field with per-section weights (name and need
labels count for more than the description) and word positions for quoted phrases. An earlier
schema also kept positional copies of the name, organisation, description and need labels and
a separate spelling field: 220 postings per document instead of about 90, which made a full
rebuild slower for no measured gain (phrases search ``all``; "Did you mean" reads the
spelling dictionary the rebuild writes; see ``search_index.bulk``).

Filters and facets are keyword fields whose posting lists the engine turns into bitsets once
per searcher. Numbers the engine reads for every candidate (coordinates, ages, the last-checked
day) are columns only, never indexed, so reading them costs an array look-up. Field types are
in ``search_index.fields``.
"""

from __future__ import annotations

import itertools
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from whoosh import columns
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import COLUMN, STORED, Schema
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile
from whoosh.matching import ListMatcher, ReadTooFar
from whoosh.query import And, AndMaybe, NullQuery, Or, Phrase, Query, Term

from search_index.arrays import phrase_bits
from search_index.fields import Identifier, Keyword, WeightedText

if TYPE_CHECKING:
    from search_index.view import IndexView

#: Column value meaning "no coordinates" (an area document, or a venue not yet geocoded).
NO_COORD = -(2**31)
#: Coordinates are stored as integer microdegrees.
COORD_SCALE = 1_000_000
#: Column values when a service sets no age limits.
AGE_MIN_DEFAULT = 0
AGE_MAX_DEFAULT = 255
#: Area code carried by services that cover the whole country, matched by every place.
NATIONAL = "national"
#: Age bands offered as a facet: key -> (label, lowest age, highest age).
AGE_BANDS: dict[str, tuple[str, int, int]] = {
    "children": ("Children (0 to 12)", 0, 12),
    "young_people": ("Young people (13 to 17)", 13, 17),
    "adults": ("Adults (18 to 64)", 18, 64),
    "older_people": ("Older people (65 and over)", 65, 255),
}
MINUTES_PER_WEEK = 7 * 24 * 60
#: Per-section weights in the catch-all ``all`` field (term weight = sum of these).
SECTION_WEIGHTS = {
    "name": 4.0,
    "need": 3.0,
    "synonym": 2.0,
    "alternate_name": 2.0,
    "parent_need": 1.5,
    "organisation": 1.5,
    "description": 1.0,
    "eligibility": 0.5,
    "place": 0.5,
    "inferred_need": 1.5,
}


def build_schema() -> Schema:
    """The schema every search index is created with (see the module docstring)."""
    return Schema(
        doc_id=STORED(),
        service_id=Identifier(stored=True),
        service_key=COLUMN(columns.VarBytesColumn()),
        sal_key=COLUMN(columns.VarBytesColumn()),
        kind=Keyword(),
        name=Keyword(),
        name_core=Keyword(),
        all=WeightedText(),
        need=Keyword(),
        group=Keyword(),
        cneed=Keyword(),
        cgroup=Keyword(),
        area=Keyword(),
        cell=Keyword(),
        mode=Keyword(),
        flag=Keyword(),
        day=Keyword(),
        age_band=Keyword(),
        lat=COLUMN(columns.NumericColumn("i", default=NO_COORD)),
        lon=COLUMN(columns.NumericColumn("i", default=NO_COORD)),
        age_min=COLUMN(columns.NumericColumn("B", default=AGE_MIN_DEFAULT)),
        age_max=COLUMN(columns.NumericColumn("B", default=AGE_MAX_DEFAULT)),
        checked=COLUMN(columns.NumericColumn("i", default=0)),
        hours=COLUMN(columns.VarBytesColumn()),
        row=STORED(),
    )


def encode_hours(intervals: Iterable[tuple[int, int]]) -> bytes:
    """Weekly sessions as minute-of-week intervals (Monday 00:00 = 0) for the hours column.
    A session running past midnight on Sunday may end after ``MINUTES_PER_WEEK``."""
    return ",".join(f"{start}-{end}" for start, end in sorted(set(intervals))).encode()


def parse_hours(value: bytes) -> tuple[tuple[int, int], ...]:
    out = []
    for part in value.decode("ascii", "ignore").split(","):
        start, _, end = part.partition("-")
        if start.isdigit() and end.isdigit():
            out.append((int(start), int(end)))
    return tuple(out)


def age_bands_for(age_min: int | None, age_max: int | None) -> list[str]:
    """The bands a service's age range overlaps (all of them when it sets no limits)."""
    low = AGE_MIN_DEFAULT if age_min is None else age_min
    high = AGE_MAX_DEFAULT if age_max is None else age_max
    return [key for key, (_, lo, hi) in AGE_BANDS.items() if low <= hi and high >= lo]


def weighted(texts: Mapping[str, str]) -> list[tuple[float, str]]:
    """``{"name": "Chester Food Bank", ...}`` -> the ``all`` field's value: every section of
    ``SECTION_WEIGHTS``, in its order (empty when not given), with its weight. So the n-th
    section of any document is always the same kind of text."""
    return [(weight, texts.get(kind, "")) for kind, weight in SECTION_WEIGHTS.items()]


class DocSetQuery(Query):
    """Matches a fixed, sorted list of documents with a constant score.

    Lets cached document sets (a need and its children, the documents near a place) take part
    in a Whoosh query tree, so intersections skip straight to candidates.
    """

    def __init__(
        self, ids: array, score: float = 0.0, name: str = "docs", bits: int | None = None
    ) -> None:
        self.ids = ids
        self.score = score
        self.name = name
        self.bits = bits
        self.boost = 1.0

    def __repr__(self) -> str:
        return f"DocSetQuery({self.name}, {len(self.ids)} docs, score={self.score})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DocSetQuery) and other.ids is self.ids and other.score == self.score
        )

    def __hash__(self) -> int:
        return hash((id(self.ids), self.score))

    def estimate_size(self, ixreader) -> int:
        return len(self.ids)

    def matcher(self, searcher, context=None):
        return _DocSetMatcher(self.ids, self.score)


class _DocSetMatcher(ListMatcher):
    def __init__(self, ids: array, score: float, position: int = 0) -> None:
        super().__init__(ids, position=position)
        self._fixed = score

    def skip_to(self, id: int) -> None:
        if self._i < len(self._ids) and self._ids[self._i] < id:
            self._i = bisect_left(self._ids, id, self._i)

    def copy(self):
        return _DocSetMatcher(self._ids, self._fixed, self._i)

    def weight(self) -> float:
        return self._fixed

    def score(self) -> float:
        return self._fixed

    def max_quality(self) -> float:
        return self._fixed

    def supports_block_quality(self) -> bool:
        return False


def _bisect_skip_to(self, targetid: int) -> None:
    """``W3LeafMatcher.skip_to`` with a binary search inside the block.

    Whoosh 2.7 steps through a block one posting at a time (three method calls each) to
    reach a target; scoring a few hundred scattered candidates against common words spent
    most of its time there. Same result, same state afterwards: the first posting whose id
    is at least ``targetid``.
    """
    if not self.is_active():
        raise ReadTooFar
    if targetid <= self.id():
        return
    if targetid > self._maxid:
        self._skip_to_block(lambda: targetid > self._maxid)
    if self.is_active():
        if self._ids is None:
            self._read_ids()
        self._i = bisect_left(self._ids, targetid, self._i)
        if self._i >= self._blocklength:
            self._next_block()


def _accumulate_read_ids(self) -> None:
    """``W3LeafMatcher._read_ids`` decoding a block's delta-coded ids with
    ``itertools.accumulate`` (in C) instead of a Python generator: the same tuple."""
    if self._data is None:
        self._read_data()
    ids = self._data[0]
    self._ids = ids if self._byteids else tuple(itertools.accumulate(ids))


def _blockwise_all_ids(self) -> Iterator[int]:
    """``W3LeafMatcher.all_ids`` a block at a time instead of three calls per posting;
    the cached document sets of common words are built from it."""
    while self.is_active():
        if self._ids is None:
            self._read_ids()
        yield from self._ids[self._i : self._blocklength]
        self._i = self._blocklength - 1
        self.next()


class _MemoryReader:
    """A read-only file over a memoryview: reads copy only the bytes asked for."""

    def __init__(self, buf: Any) -> None:
        self._buf = buf
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._pos + size)
        data = bytes(self._buf[self._pos : end])
        self._pos = end
        return data

    def readline(self, size: int = -1) -> bytes:
        rest = bytes(self._buf[self._pos : self._pos + (size if size >= 0 else len(self._buf))])
        cut = rest.find(b"\n")
        return self.read(len(rest) if cut < 0 else cut + 1)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._buf))[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = b""


class _MappedBufferFile(BufferFile):
    """Whoosh's ``BufferFile`` (a part of a memory-mapped compound segment file) without the
    copy. Whoosh wraps each part it opens in a ``BytesIO``, which copies it: every reader
    opened on a 100,000-service segment copied its 100 MB of postings first (70 ms; each edit
    opens one to delete the old documents, and each copy stays in memory while the reader
    is open). Here reads come straight from the map."""

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = _MemoryReader(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False


compound.BufferFile = _MappedBufferFile
W3LeafMatcher.skip_to = _bisect_skip_to
W3LeafMatcher._read_ids = _accumulate_read_ids
W3LeafMatcher.all_ids = _blockwise_all_ids


def scoring_query(*queries: Query | None) -> Query:
    """One flat OR of every scoring part of ``queries``, each word once.

    Matching is done on bitsets (``match_bits``), so scoring need not enforce the query's
    structure: each document to rank is scored by the sum of the parts it has. Each word
    then reads its posting blocks once, not once per place it appears in the tree.
    """
    leaves: dict[object, Query] = {}

    def walk(query: Query | None, boost: float) -> None:
        if query is None or query is NullQuery:
            return
        if isinstance(query, Term):
            key = ("term", query.fieldname, query.text)
            weight = query.boost * boost
            if key not in leaves or leaves[key].boost < weight:
                leaves[key] = Term(query.fieldname, query.text, boost=weight)
        elif isinstance(query, AndMaybe):
            walk(query.a, boost * query.boost)
            walk(query.b, boost * query.boost)
        elif isinstance(query, And | Or):
            for sub in query.subqueries:
                walk(sub, boost * query.boost)
        elif isinstance(query, DocSetQuery):
            leaves[("docs", id(query.ids), query.score)] = query
        else:
            leaves[("other", repr(query))] = query

    for query in queries:
        walk(query, 1.0)
    return Or(list(leaves.values())) if len(leaves) != 1 else next(iter(leaves.values()))


def match_bits(query: Query, view: IndexView, within: int | None = None) -> int:
    """The documents ``query`` matches, as a bitset, without scoring anything. Words and
    document sets come from cached bitsets; a phrase needs word positions, for documents
    that have all its words (``arrays.phrase_bits``; cached per searcher, since scoring asks
    again)."""
    if isinstance(query, DocSetQuery):
        return query.bits if query.bits is not None else view.from_ids(query.ids)
    if isinstance(query, Term):
        return view.text_bits(query.fieldname, query.text)
    if isinstance(query, AndMaybe):
        return match_bits(query.a, view, within)
    if isinstance(query, And | Or):
        parts = [match_bits(q, view, within) for q in query.subqueries]
        out = parts[0] if parts else 0
        for part in parts[1:]:
            out = out & part if isinstance(query, And) else out | part
        return out
    if isinstance(query, Phrase):
        field, words, slop = query.fieldname, list(query.words), query.slop

        def every() -> int:
            candidates = view.live
            for word in words:
                candidates &= view.text_bits(field, word)
            return phrase_bits(view, field, words, slop, candidates) if candidates else 0

        found = view.derived(("phrase", field, tuple(words), slop), every)
        return found if within is None else found & within  # type: ignore[operator]
    if query is NullQuery:
        return 0
    searcher = view.searcher
    return view.from_ids(query.matcher(searcher, searcher.boolean_context()).all_ids())
