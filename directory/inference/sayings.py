"""The curated sayings as inference uses them: which count, for which term, and how much.

Every label, synonym and intent phrase of a curated term is a *concept* (the set of its stems,
built by :class:`search_index.vocabulary.Vocabulary`, the same matcher the search engine uses
for queries). Finding one in a listing is worth, by how specific the saying is: a whole label of
two or more words 1.0 ("Debt advice", filler word and all), another saying of two or more real
words 0.95, an intent phrase 0.85, a one-word label 0.9, any other one-word saying 0.6.

Filler words ("help", "support", "advice") and light verbs ("let", "make", "keep") are not real
words, so "support group" and "let's talk" are one-word sayings. Sayings left with one word only
because the rest were stop words ("call me", "day off") are not used, nor phrases with fewer
than two real words.

A saying several terms share counts for one of them where it can: shared by a need and one of
its children, for the child; by several children, for the parent ("autistic" is autism, not an
autism social group); by unrelated terms, for the most specific (deepest) of them ("social
club" is a social group, not day activities), its weight divided by the square root of how many
it still counts for when they are equally deep ("choir": arts and social groups).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from directory.inference.terms import CuratedTerms
from search_index.analysis import SOFT_WORDS, words_of
from search_index.vocabulary import Concept, Vocabulary

LABEL = 1.0
ONE_WORD_LABEL = 0.9
MULTI_WORD = 0.95
PHRASE = 0.85
ONE_WORD = 0.6
#: People words are filler in a query ("my mum") but name a client group in a listing.
PEOPLE_WORDS = frozenset(
    {"mum", "mom", "mam", "mummy", "mother", "dad", "daddy", "father", "husband", "wife",
     "partner", "son", "daughter", "child", "children", "kid", "kids", "nan", "nana", "gran",
     "granny", "grandma", "grandad", "grandpa", "grandmother", "grandfather", "grandchildren",
     "brother", "sister", "friend", "neighbour", "boyfriend", "girlfriend", "relative",
     "parent", "parents", "family", "someones"}
)  # fmt: skip
#: Verbs that carry no meaning of their own in a saying ("let's talk" says "talk").
LIGHT_VERBS = frozenset({"let", "lets", "make", "keep"})
_FILLER_STEMS = frozenset(
    w.stem for s in (SOFT_WORDS - PEOPLE_WORDS) | LIGHT_VERBS for w in words_of(s) if w.stem
)


@dataclass(frozen=True, slots=True)
class Saying:
    """A concept as inference counts it: its weight, and its own words (folded)."""

    concept: Concept
    weight: float
    words: frozenset[str]

    @property
    def term_id(self) -> str:
        return self.concept.term_id


def build_sayings(vocab: Vocabulary, curated: CuratedTerms) -> dict[Concept, Saying]:
    """Every concept that may be used on listings, with the weight it is worth there."""
    owners: dict[tuple[frozenset[str], str], set[str]] = defaultdict(set)
    for concept in vocab.concepts:
        owners[(concept.stems, curated.kind[concept.term_id])].add(concept.term_id)
    sayings: dict[Concept, Saying] = {}
    for concept in vocab.concepts:
        weight = saying_weight(concept)
        if not weight:
            continue
        kept = attribute(owners[(concept.stems, curated.kind[concept.term_id])], curated)
        if concept.term_id in kept:
            own = frozenset(w.folded for w in words_of(concept.text))
            sayings[concept] = Saying(concept, weight / math.sqrt(len(kept)), own)
    return sayings


def saying_weight(concept: Concept) -> float:
    """How much finding this saying is worth (0 when it must not be used on listings)."""
    words = words_of(concept.text)
    real = [w for w in words if not w.stop]
    hard = [s for s in concept.stems if s not in _FILLER_STEMS]
    if not hard:
        return 0.0
    if concept.kind == "phrase" and len(hard) < 2:
        return 0.0
    if len(concept.stems) == 1 and len(words) > 1 and len(real) == 1:
        return 0.0  # "call me", "day off": the other words were stop words
    whole_label = concept.kind == "label" and concept.stems == frozenset(w.stem for w in real)
    if whole_label and len(real) >= 2:
        return LABEL  # "Debt advice" said in full, filler word and all
    if len(hard) >= 2:
        return PHRASE if concept.kind == "phrase" else MULTI_WORD
    if whole_label:
        return ONE_WORD_LABEL
    return ONE_WORD


def attribute(owners: set[str], curated: CuratedTerms) -> set[str]:
    """Which of the terms sharing a saying it counts for (see the module docstring)."""
    top = {t for t in owners if not any(a in owners for a in curated.ancestors(t)[1:])}
    chosen: set[str] = set()
    for term_id in top:
        below = [t for t in owners if t != term_id and term_id in curated.ancestors(t)]
        chosen |= set(below) if len(below) == 1 else {term_id}
    if len(chosen) > 1:
        deepest = max(len(curated.ancestors(t)) for t in chosen)
        chosen = {t for t in chosen if len(curated.ancestors(t)) == deepest}
    return chosen
