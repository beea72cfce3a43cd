"""The Whoosh schema (which fields a search document has and why) and the few Whoosh-level
pieces the engine reads it with: a constant-score document-set query, matching on bitsets,
a flat scoring query, and faster posting readers.

Text is indexed twice on purpose. ``all`` is one catch-all field with per-section weights
(name and need labels count for more than the description), no positions: bag-of-words
queries run against it, which measured about twice as fast as a multi-field query. The
per-section fields keep positions so quoted phrases and the "words together" boost work.

Filters and facets are KEYWORD fields whose posting lists the engine turns into bitsets once
per searcher. Numbers the engine reads for every candidate (coordinates, ages, the last-checked
day) are columns only, never indexed, so reading them costs an array look-up.
"""

from __future__ import annotations

import itertools
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from whoosh import columns, formats
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.matching import ListMatcher, ReadTooFar
from whoosh.query import And, AndMaybe, NullQuery, Or, Phrase, Query, Term

from search_index.analysis import text_analyzer, word_analyzer

if TYPE_CHECKING:
    from search_index.facets import IndexView

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
}


class WeightedText(TEXT):
    """A text field whose value is a list of ``(weight, text)`` sections.

    Each token's posting weight is the sum of its sections' weights, so BM25 sees a word in
    the name as several occurrences and a word in the eligibility text as half of one, while
    the field length still counts real tokens. A plain string is one section of weight 1.
    """

    def __init__(self, analyzer=None) -> None:
        super().__init__(analyzer=analyzer or text_analyzer(), phrase=False, stored=False)
        self.format = formats.Frequency()

    def index(self, value, **kwargs):
        sections = [(1.0, value)] if isinstance(value, str) else value
        freqs: dict[str, int] = defaultdict(int)
        weights: dict[str, float] = defaultdict(float)
        for weight, text in sections:
            for token in self.analyzer(text, mode="index"):
                freqs[token.text] += 1
                weights[token.text] += float(weight)
        for word, freq in freqs.items():
            yield (word.encode("utf-8"), freq, weights[word], formats.pack_uint(freq))

    def spellable_words(self, value):
        sections = [(1.0, value)] if isinstance(value, str) else value
        for _weight, text in sections:
            yield from super().spellable_words(text)


def _keyword() -> KEYWORD:
    """Space-separated exact values (ids, codes): case kept, never scored by length."""
    return KEYWORD(lowercase=False, commas=False, scorable=False)


def _positional(analyzer) -> TEXT:
    """Word positions for phrases only: scoring is the ``all`` field's job, so no lengths."""
    field = TEXT(analyzer=analyzer, phrase=True)
    field.scorable = False
    return field


def _spelling_field() -> TEXT:
    """Whole folded words for "Did you mean" and typo tolerance: presence only, no scores."""
    field = TEXT(analyzer=word_analyzer(), phrase=False)
    field.format = formats.Existence()
    field.scorable = False
    return field


def build_schema() -> Schema:
    """The schema every search index is created with (see the module docstring)."""
    text = text_analyzer()
    return Schema(
        doc_id=ID(unique=True, stored=True),
        service_id=ID(stored=True),
        service_key=COLUMN(columns.VarBytesColumn()),
        sal_key=COLUMN(columns.VarBytesColumn()),
        kind=ID(),
        name=_positional(text),
        organisation=_positional(text),
        description=_positional(text),
        needs_text=_positional(text),
        all=WeightedText(text),
        spell=_spelling_field(),
        need=_keyword(),
        group=_keyword(),
        area=_keyword(),
        cell=_keyword(),
        mode=_keyword(),
        flag=_keyword(),
        day=_keyword(),
        age_band=_keyword(),
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


def weighted(sections: Iterable[tuple[str, str]]) -> list[tuple[float, str]]:
    """``[("name", "Chester Food Bank"), ...]`` -> ``all`` field sections with their weights."""
    return [(SECTION_WEIGHTS[kind], text) for kind, text in sections if text]


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
    document sets come from cached bitsets; only a phrase asks Whoosh, for word positions,
    and only about documents in ``within`` that have all its words."""
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
        candidates = view.live if within is None else within
        for word in query.words:
            candidates &= view.text_bits("all", word)
        if not candidates:
            return 0
        query = And([DocSetQuery(array("I", view.to_ids(candidates))), query])
    elif query is NullQuery:
        return 0
    searcher = view.searcher
    return view.from_ids(query.matcher(searcher, searcher.boolean_context()).all_ids())
