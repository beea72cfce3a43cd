"""What residents' words mean: need and client-group terms with their synonyms and phrases.

The seed taxonomy gives each term the words people actually type ("skint", "lonley") and
whole intent phrases ("nobody ever visits me"). Each label, synonym and phrase becomes a
*concept*: the set of its meaningful stems. A query matches a concept when it contains all of
the concept's stems in any order, so "nobody visits me ever" still means befriending, and the
query is then expanded with the term's documents (which include every child term's, because
documents index all ancestors of their needs).

Loaded from the database and reloaded only when the taxonomy or the listings' area names
change (``search_index.vocabulary_cache``: by generation, not by clock); ``invalidate()``
drops it at once.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from search_index.analysis import SOFT_WORDS, fold_word, query_words, words_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class TermInfo:
    id: str
    label: str
    parent_id: str | None
    taxonomy_id: str | None
    synonyms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Concept:
    """One way of saying a term: its stems, the term, and how it was said."""

    stems: frozenset[str]
    term_id: str
    kind: str  # "label", "synonym" or "phrase"
    text: str


@dataclass(frozen=True, slots=True)
class ConceptMatch:
    concept: Concept
    positions: frozenset[int]


@dataclass(slots=True)
class Vocabulary:
    terms: dict[str, TermInfo]
    concepts: list[Concept] = field(default_factory=list)
    by_stem: dict[str, list[Concept]] = field(default_factory=dict)
    words: frozenset[str] = frozenset()
    children: dict[str, list[str]] = field(default_factory=dict)
    area_names: dict[str, str] = field(default_factory=dict)
    #: Which load of the taxonomy this is (``vocabulary_cache``); 0 when built by hand.
    generation: int = 0

    @classmethod
    def build(cls, terms: Iterable[TermInfo]) -> Vocabulary:
        vocab = cls(terms={t.id: t for t in terms})
        by_stem: dict[str, list[Concept]] = defaultdict(list)
        words: set[str] = set()
        children: dict[str, list[str]] = defaultdict(list)
        for term in vocab.terms.values():
            if term.parent_id:
                children[term.parent_id].append(term.id)
            sayings = [("label", term.label)]
            sayings += [("synonym", s) for s in term.synonyms]
            sayings += [("phrase", p) for p in term.phrases]
            for kind, text in sayings:
                words.update(w.folded for w in words_of(text) if not w.stop)
                stems = frozenset(w.stem for w in query_words(text))
                hard = frozenset(w.stem for w in query_words(text) if not w.soft)
                # Without its filler words a two-word label still means the term ("Debt
                # advice" -> "debt"), and a longer saying while two real words are left;
                # "kids who care" -> "care" alone would catch every sentence about care.
                variants = {stems}
                if len(hard) >= 2 or (kind == "label" and len(hard) == 1 and len(stems) == 2):
                    variants.add(hard)
                for chosen in variants:
                    if not chosen:
                        continue
                    concept = Concept(chosen, term.id, kind, text)
                    vocab.concepts.append(concept)
                    for stem in chosen:
                        by_stem[stem].append(concept)
        vocab.by_stem = dict(by_stem)
        vocab.words = frozenset(words)
        vocab.children = {
            k: sorted(v, key=lambda i: vocab.terms[i].label) for k, v in children.items()
        }
        return vocab

    def label(self, term_id: str) -> str:
        term = self.terms.get(term_id)
        return term.label if term else term_id

    def ancestors(self, term_id: str) -> list[str]:
        """``term_id`` and its parents up to the root (guarded against cycles)."""
        chain: list[str] = []
        current: str | None = term_id
        while current and current not in chain and len(chain) < 20:
            chain.append(current)
            term = self.terms.get(current)
            current = term.parent_id if term else None
        return chain

    def parent(self, term_id: str) -> str | None:
        term = self.terms.get(term_id)
        return term.parent_id if term else None

    def depth(self, term_id: str) -> int:
        return len(self.ancestors(term_id)) - 1

    def match(self, stems_at: Sequence[Iterable[str]]) -> list[ConceptMatch]:
        """Concepts whose stems all occur in the query, with the word positions they cover.

        ``stems_at[i]`` holds the stems word ``i`` may stand for (itself and close spellings).
        """
        positions: dict[str, set[int]] = defaultdict(set)
        for i, stems in enumerate(stems_at):
            for stem in stems:
                positions[stem].add(i)
        seen: set[Concept] = set()
        found = []
        for stem in positions:
            for concept in self.by_stem.get(stem, ()):
                if concept in seen:
                    continue
                seen.add(concept)
                if all(s in positions for s in concept.stems):
                    covered = frozenset(p for s in concept.stems for p in positions[s])
                    found.append(ConceptMatch(concept, covered))
        return found


def terms_from_rows(rows: Iterable[object]) -> list[TermInfo]:
    return [
        TermInfo(
            id=row.id,
            label=row.name,
            parent_id=row.parent_id,
            taxonomy_id=row.taxonomy_id,
            synonyms=tuple(row.synonyms or ()),
            phrases=tuple(row.phrases or ()),
        )
        for row in rows
    ]


def terms_from_oruk(items: Iterable[dict]) -> list[TermInfo]:
    """Terms from ORUK JSON (``x_synonyms``/``x_phrases``), e.g. ``seeds/taxonomy.json``."""
    return [
        TermInfo(
            id=item["id"],
            label=item.get("name") or "",
            parent_id=item.get("parent_id"),
            taxonomy_id=item.get("taxonomy_id"),
            synonyms=tuple(item.get("x_synonyms") or ()),
            phrases=tuple(item.get("x_phrases") or ()),
        )
        for item in items
    ]


def load_vocabulary(session: Session) -> Vocabulary:
    """The vocabulary of the database ``session`` is bound to, reloaded only when it changed
    (``search_index.vocabulary_cache``)."""
    from search_index.vocabulary_cache import load_vocabulary as load

    return load(session)


def search_terms() -> Any:
    """Which taxonomy terms are the search vocabulary: not the mirror taxonomy that shows
    inferred terms on the API, nor the feeds' own vocabularies (terms linked to listings as
    ``source_term``), which only reach search once inference maps them to our needs."""
    from sqlalchemy import or_, select

    from directory.inference import INFERRED_TAXONOMY_ID
    from directory.taxonomy.models import Attribute, TaxonomyTerm

    sources = (
        select(TaxonomyTerm.taxonomy_id)
        .join(Attribute, Attribute.taxonomy_term_id == TaxonomyTerm.id)
        .where(Attribute.link_type == "source_term", TaxonomyTerm.taxonomy_id.is_not(None))
        .distinct()
    )
    return or_(
        TaxonomyTerm.taxonomy_id.is_(None),
        ~TaxonomyTerm.taxonomy_id.in_(sources) & (TaxonomyTerm.taxonomy_id != INFERRED_TAXONOMY_ID),
    )


def invalidate() -> None:
    """Forget every loaded vocabulary (the next search reloads it whole)."""
    from search_index.vocabulary_cache import invalidate as forget

    forget()


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal-string-alignment distance (a swap of neighbours is one edit), or ``limit + 1``
    as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class Speller:
    """Known words and their close spellings, from the index's spelling dictionary plus the
    taxonomy's words.

    Candidates come from a symmetric-delete map (every word with one letter removed), which
    finds one-letter slips and swapped neighbours with a few dictionary look-ups instead of
    scanning the vocabulary; longer words also try two deletions. Candidates are checked with
    a real edit distance and ranked by distance, then by how many listings use the word.
    """

    MIN_FREQUENCY = 2  # words used by one listing only are often its own typos

    def __init__(self, frequencies: dict[str, int], taxonomy_words: Iterable[str]) -> None:
        self.frequencies = dict(frequencies)
        for word in taxonomy_words:
            self.frequencies[word] = max(self.frequencies.get(word, 0), self.MIN_FREQUENCY)
        self.taxonomy_words = frozenset(taxonomy_words)
        self._deletes: dict[str, list[str]] | None = None
        self._lock = threading.Lock()

    def known(self, word: str) -> bool:
        return word in self.frequencies or word in SOFT_WORDS

    def _delete_map(self) -> dict[str, list[str]]:
        with self._lock:
            if self._deletes is None:
                deletes: dict[str, list[str]] = defaultdict(list)
                for word, freq in self.frequencies.items():
                    if freq >= self.MIN_FREQUENCY and len(word) >= 3 and word.isalpha():
                        deletes[word].append(word)
                        for variant in _deletes(word):
                            deletes[variant].append(word)
                self._deletes = dict(deletes)
            return self._deletes

    def corrections(self, word: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` known words close to ``word``, best first."""
        word = fold_word(word)
        deletes = self._delete_map()
        keys = {word} | _deletes(word)
        maxdist = 1 if len(word) < 7 else 2
        if maxdist == 2:
            keys |= {d2 for d1 in _deletes(word) for d2 in _deletes(d1)}
        candidates = {c for key in keys for c in deletes.get(key, ())}
        scored = []
        for candidate in candidates:
            if candidate == word:
                continue
            dist = edit_distance(word, candidate, maxdist)
            if dist <= maxdist:
                scored.append((dist, -self.frequencies.get(candidate, 0), candidate))
        scored.sort()
        return [c for _, _, c in scored[:limit]]
