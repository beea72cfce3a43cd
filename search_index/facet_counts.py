"""Facet counts and labels without a bitset per value and a label per search.

``search_index.facets`` used to count each need and client group with one bitset
intersection and popcount (about 100 of each, every search), and to make a label for every
local authority on every search (a gazetteer look-up each). Measured on the benchmark's
queries that was most of a search's remaining cost at 10,000 services.

Here each keyword field's (document, value) pairs are kept per searcher, sorted by document
with an offset per document (``FacetTable``), and a set of documents is counted in one numpy
pass whichever way is cheaper for its size:

* few documents (a postcode search, a narrow filter): their own values, gathered from the
  table by their offsets, then ``bincount`` (cost grows with the matches, not the index);
* many documents: a flag per document and ``bincount`` of the pairs whose document is
  flagged (one pass over the pairs, whatever the number of values);
* most documents (a search for a common word): the counts over every live document (kept)
  less those of the documents not in the set, which are few.

Both give exactly what a popcount of ``scope & term_bits(field, value)`` gives (a test
compares them over random searches). Labels are worked out once per searcher and vocabulary
(and gazetteer) and kept in the view's bounded cache (``IndexView.derived``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from search_index import bitsets
from search_index.view import IndexView

if TYPE_CHECKING:
    from directory.places.gazetteer import Gazetteer
    from search_index.vocabulary import Vocabulary

#: Gather the matched documents' own values when the pairs they hold (estimated from the
#: average per document) are under this share of all the field's pairs (measured at 10,000
#: and 100,000 services: gathering wins up to about half, flagging goes through every pair;
#: over half the documents are counted as the rest's complement).
GATHER_SHARE = 0.4


@dataclass(frozen=True, slots=True)
class FacetTable:
    """Every (live or deleted) document's values of one keyword field, grouped by document:
    document ``d``'s value codes are ``codes[starts[d]:starts[d + 1]]``."""

    values: list[str]
    codes: np.ndarray
    #: The document of each pair (same order as ``codes``).
    docs: np.ndarray
    starts: np.ndarray

    @property
    def per_document(self) -> float:
        return len(self.codes) / max(1, len(self.starts) - 1)


def facet_table(view: IndexView, field: str) -> FacetTable:
    """The field's table for this searcher (built once, kept in the view's cache)."""

    def build() -> FacetTable:
        values = view.field_values(field)
        index = {value: n for n, value in enumerate(values)}
        docs, codes = [], []
        for leaf, offset, data in view.leaves:
            local_values, local_docs, local_codes = data.pairs(leaf, field)
            if not len(local_values):
                continue
            mapping = np.array([index[v] for v in local_values], dtype=np.int32)
            docs.append(local_docs.astype(np.int64) + offset)
            codes.append(mapping[local_codes])
        all_docs = np.concatenate(docs) if docs else np.zeros(0, np.int64)
        all_codes = np.concatenate(codes) if codes else np.zeros(0, np.int32)
        order = np.argsort(all_docs, kind="stable")
        all_docs, all_codes = all_docs[order], all_codes[order]
        starts = np.zeros(view.size + 1, dtype=np.int64)
        np.cumsum(np.bincount(all_docs, minlength=view.size), out=starts[1:])
        return FacetTable(values, all_codes, all_docs, starts)

    return view.derived(("facet_table", field), build)  # type: ignore[return-value]


def value_ids(view: IndexView, field: str, value: str) -> np.ndarray:
    """The documents (deleted ones included) holding ``value`` in ``field``, from the
    field's table, sorted: no posting list read. Reading an area code's postings took about
    1 ms the first time a place in it was searched; the table is built once per searcher."""
    table = facet_table(view, field)

    def build() -> tuple[dict[str, int], np.ndarray, np.ndarray]:
        order = np.argsort(table.codes, kind="stable")
        bounds = np.searchsorted(table.codes[order], np.arange(len(table.values) + 1))
        return {v: n for n, v in enumerate(table.values)}, table.docs[order], bounds

    index, docs, bounds = view.derived(("facet_by_value", field), build)  # type: ignore[misc]
    code = index.get(value)
    if code is None:
        return np.zeros(0, dtype=np.int64)
    return docs[bounds[code] : bounds[code + 1]]


def value_bits(view: IndexView, field: str, value: str) -> int:
    """``view.term_bits(field, value)`` (live documents holding the value) from the field's
    facet table, kept in the same cache as ``term_bits``."""
    return view.cached_bits(
        (field, value), lambda: view.from_ids(value_ids(view, field, value)) & view.live
    )


class Scope:
    """One set of documents to count facets in, with its ids or flags worked out at most
    once however many fields are counted in it."""

    __slots__ = ("_flags", "_ids", "_rest", "bits", "raw", "size", "view")

    def __init__(self, view: IndexView, bits: int) -> None:
        self.view = view
        #: The set as asked for; ``bits`` is it without deleted documents.
        self.raw = bits
        self.bits = bits & view.live if bits else 0
        self.size = self.bits.bit_count()
        self._ids: np.ndarray | None = None
        self._flags: np.ndarray | None = None
        self._rest: Scope | None = None

    def rest(self) -> Scope:
        """The live documents not in this set."""
        if self._rest is None:
            self._rest = Scope(self.view, self.view.live & ~self.bits)
        return self._rest

    def most(self) -> bool:
        """Whether this set holds over half the live documents."""
        return self.size * 2 > _live_count(self.view)

    def ids(self) -> np.ndarray:
        """The documents' numbers: from the bytes that have a bit for a few documents,
        from the flags for more (``ids_of``'s two-dimensional ``nonzero`` is then slower)."""
        if self._ids is None:
            if self.size * 64 < self.view.size:
                self._ids = bitsets.ids_of(self.bits, self.view.size)
            else:
                self._ids = np.flatnonzero(self.flags())
        return self._ids

    def flags(self) -> np.ndarray:
        if self._flags is None:
            self._flags = bitsets.flags(self.bits, self.view.size).view(bool)
        return self._flags


def value_counts(table: FacetTable, scope: Scope, gather: bool | None = None) -> np.ndarray:
    """How many documents of ``scope`` hold each of ``table.values`` (an int64 array).
    ``gather`` forces one way of counting (for tests); by default the cheaper is chosen."""
    n = len(table.values)
    if not scope.size or not len(table.codes):
        return np.zeros(n, dtype=np.int64)
    if gather is None and scope.most():
        return _all_counts(table, scope.view) - value_counts(table, scope.rest())
    if gather is None:
        gather = scope.size * table.per_document < GATHER_SHARE * len(table.codes)
    if gather:
        ids = scope.ids()
        starts, ends = table.starts[ids], table.starts[ids + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if not total:
            return np.zeros(n, dtype=np.int64)
        # Positions of every pair of the chosen documents: each document's run of pairs.
        before = np.cumsum(lengths) - lengths
        positions = np.arange(total, dtype=np.int64) + np.repeat(starts - before, lengths)
        found = table.codes[positions]
    else:
        found = table.codes[scope.flags()[table.docs]]
    return np.bincount(found, minlength=n).astype(np.int64, copy=False)


def _live_count(view: IndexView) -> int:
    return view.derived("live_count", view.live.bit_count)  # type: ignore[return-value]


def _all_counts(table: FacetTable, view: IndexView) -> np.ndarray:
    """Each value's live documents (kept per searcher and table)."""
    return view.derived(  # type: ignore[return-value]
        ("facet_totals", id(table)),
        lambda: (table, value_counts(table, Scope(view, view.live), gather=False)),
    )[1]


def term_labels(view: IndexView, vocab: Vocabulary) -> Callable[[str], str]:
    """``vocab.label`` from one dict made once per searcher and vocabulary."""

    def build() -> tuple[Vocabulary, dict[str, str]]:
        return vocab, {key: term.label for key, term in vocab.terms.items()}

    key = ("term_labels", id(vocab), vocab.generation)
    held, labels = view.derived(key, build)  # type: ignore[misc]
    if held is not vocab:  # another vocabulary with a reused id: never kept, so never stale
        labels = build()[1]
    return lambda term_id: labels.get(term_id, term_id)


@dataclass(frozen=True, slots=True)
class AreaLabels:
    """The area facet's values (every area but the national marker), their labels, and
    their order by label (ties in the index's order) for sorting by count then label."""

    codes: np.ndarray
    values: list[str]
    labels: list[str]
    label_rank: np.ndarray


def area_labels(
    view: IndexView,
    table: FacetTable,
    vocab: Vocabulary,
    gazetteer: Gazetteer | None,
    national: str,
) -> AreaLabels:
    """The areas' labels: the gazetteer's authority name, else the taxonomy's area name,
    else the code; made once per searcher, vocabulary (and its area names) and gazetteer."""
    names = vocab.area_names

    def build() -> tuple[object, ...]:
        codes = [n for n, value in enumerate(table.values) if value != national]
        values = [table.values[n] for n in codes]
        labels = []
        for code in values:
            authority = gazetteer.local_authority(code) if gazetteer else None
            labels.append(authority.name if authority else names.get(code, code))
        by_label = sorted(range(len(values)), key=labels.__getitem__)
        rank = np.empty(len(values), dtype=np.int64)
        rank[by_label] = np.arange(len(values))
        found = AreaLabels(np.array(codes, dtype=np.int64), values, labels, rank)
        return (vocab, names, gazetteer, found)

    key = ("area_labels", id(vocab), id(names), id(gazetteer), national)
    entry = view.derived(key, build)
    held_vocab, held_names, held_gazetteer, found = entry  # type: ignore[misc]
    if held_vocab is not vocab or held_names is not names or held_gazetteer is not gazetteer:
        found = build()[3]
    return found  # type: ignore[no-any-return]
