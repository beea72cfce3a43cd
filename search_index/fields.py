"""The Whoosh field types of the search schema, each with a fast ``index()``.

Whoosh turns a field value into postings with ``field.index(value)``, which runs the analyzer
chain and makes a token object per word. Every writer calls it: the full rebuild
(``search_index.bulk``) and the same-request updates (Whoosh's own writer). These fields give
exactly what the Whoosh chain would give for our analyzers, from ``analysis.analyse``
(each distinct raw word folded and stemmed once) and plain string splits: a full rebuild spent
more time in analysis than anywhere else.

* ``WeightedText``: the one text field. Its value is a list of ``(weight, text)`` sections;
  a word's posting weight is the sum of its sections' weights (so BM25 sees a word in the name
  as four occurrences), the field length counts real words, and word positions are kept for
  phrases, with a gap between sections so a phrase never spans two of them.
* ``Keyword`` and ``Identifier``: exact values (ids, codes, flags), only whether they occur.
"""

from __future__ import annotations

from pickle import dumps
from typing import Any

from whoosh import formats
from whoosh.fields import ID, KEYWORD, TEXT

from search_index.analysis import analyse, text_analyzer
from search_index.lru import put_bounded

#: Positions skipped between two sections of a ``WeightedText`` value: more than any
#: phrase slop, so a quoted phrase never matches the end of one section and the start of the
#: next.
SECTION_GAP = 100

#: ``(term, frequency, weight, encoded value)``; Whoosh's ``index()`` gives the term as UTF-8
#: bytes, ``postings()`` as a string (the bulk writer encodes each distinct term once).
Posting = tuple[Any, int, float, bytes]
_encoded: dict[tuple[int, ...], bytes] = {}
#: The encoded value of a single position below 1,024 (``encode_positions([n])``).
ONE_POSITION = [formats.Positions().encode([n]) for n in range(1024)]


def encode_positions(positions: list[int]) -> bytes:
    """``formats.Positions().encode``: the count, then the pickled deltas. Kept per distinct
    list; most words of most listings occur once, at one of a few hundred positions."""
    if len(positions) == 1 and positions[0] < len(ONE_POSITION):
        return ONE_POSITION[positions[0]]
    key = tuple(positions)
    found = _encoded.get(key)
    if found is None:
        deltas = [b - a for a, b in zip((0, *key), key, strict=False)]
        found = formats.pack_uint(len(deltas)) + dumps(deltas, 2)
        put_bounded(_encoded, key, found, 200_000)
    return found


def _sections(value: Any) -> list[tuple[float, str]]:
    return [(1.0, value)] if isinstance(value, str) else value


def _as_bytes(postings: list[Posting]) -> list[Posting]:
    return [(term.encode("utf-8"), freq, weight, value) for term, freq, weight, value in postings]


def text_terms(value: Any) -> tuple[dict[str, list[int]], dict[str, float], set[str]]:
    """Each stem of a ``WeightedText`` value with its positions and summed section weights,
    and the value's spelling words: what ``WeightedText.postings`` and ``spelling_words``
    give, in one pass. Whoosh's writer (same-request updates) indexes through it; the
    rebuild's bulk writer collects the same postings its own way, with numpy
    (``bulk._TextPostings``), and its tests check the two agree."""
    positions: dict[str, list[int]] = {}
    weights: dict[str, float] = {}
    words: set[str] = set()
    position = 0
    for weight, text in _sections(value):
        stems, spelled = analyse(text)
        for stem in stems:
            found = positions.get(stem)
            if found is None:
                positions[stem] = [position]
                weights[stem] = weight
            else:
                found.append(position)
                weights[stem] += weight
            position += 1
        if stems:
            words |= spelled
            position += SECTION_GAP
    return positions, weights, words


class WeightedText(TEXT):
    """Weighted sections with positions (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(analyzer=text_analyzer(), phrase=True, stored=False)
        self.format = formats.Positions()

    def postings(self, value: Any) -> list[Posting]:
        positions, weights, _words = text_terms(value)
        return [
            (stem, len(where), float(weights[stem]), encode_positions(where))
            for stem, where in positions.items()
        ]

    def index(self, value: Any, **kwargs: Any) -> list[Posting]:
        return _as_bytes(self.postings(value))

    def spelling_words(self, value: Any) -> set[str]:
        """The unstemmed words of the value, for the spelling dictionary."""
        words: set[str] = set()
        for _weight, text in _sections(value):
            words.update(analyse(text)[1])
        return words


class Keyword(KEYWORD):
    """Space-separated exact values (ids, codes): case kept, presence only."""

    def __init__(self) -> None:
        super().__init__(lowercase=False, commas=False, scorable=False)
        self.format = formats.Existence()

    def postings(self, value: Any) -> list[Posting]:
        return [(word, 1, 1.0, b"") for word in set(value.split())]

    def index(self, value: Any, **kwargs: Any) -> list[Posting]:
        return _as_bytes(self.postings(value))


class Identifier(ID):
    """One exact value per document (a service id), presence only."""

    def postings(self, value: Any) -> list[Posting]:
        return [(value, 1, 1.0, b"")] if value else []

    def index(self, value: Any, **kwargs: Any) -> list[Posting]:
        return _as_bytes(self.postings(value))
