"""Method one: the curated vocabulary found in a listing's own words.

Every label, synonym and intent phrase of a curated term is a *concept* (the set of its stems,
built by :class:`search_index.vocabulary.Vocabulary`, the same matcher the search engine uses
for queries). A listing is not a query, though: it is long, says where and how as well as
what, and repeats its venue's name. So a concept counts only where its words stand together
(adjacent, in any order, stop words aside) within one clause (no saying spans a comma), and
its weight says how much it is worth:

* where it was found: the name (1.0) says what a listing is; the alternate name (0.9); the
  feed's own term labels (0.9); the first sentence of the description (0.75), later ones less
  (0.56); the eligibility text (0.8) speaks only of who a listing is for, so only client
  groups are taken from it; client groups named in the description count 0.7 of that, or as
  much as the eligibility text when the sentence says the listing is *for* them;
* how specific the saying is: a whole label of two or more words (1.0, "Debt advice" too),
  another saying of two or more real words (0.95), an intent phrase (0.85), a one-word label
  (0.9), any other one-word saying (0.6). Filler words ("help", "support", "advice") are not
  real words, so "support group" is a one-word saying ("group"). Sayings left with one word
  only because the rest were stop words ("call me", "day off") are not used, nor phrases with
  fewer than two real words;
* a longer concept wins over a shorter one inside it ("hearing loss" is not "loss");
* a saying shared by a need and one of its children counts for that child, shared by several
  children for the parent ("autistic" is autism, not an autism social group); shared across
  the tree, its weight is divided by the square root of the number of terms;
* words about how a service is delivered or by whom ("online", "phone", "volunteers") are
  not evidence of a need on their own;
* a concept right after a negation ("no", "not", "without", "don't"; not "not just") is
  ignored.

The evidences of a term (each different saying once per sentence) combine as independent
chances (1 - product of (1 - weight)). The figures were tuned on one half of the seed listings
and checked on the other half and on the hand-labelled dev set (``docs/inference.md``).
"""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from directory.inference import CLIENT_GROUP, VOCABULARY
from directory.inference.candidates import Candidate
from directory.inference.terms import CuratedTerms
from directory.inference.text import ListingText, sentences
from search_index.analysis import SOFT_WORDS, Word, words_of
from search_index.vocabulary import Concept, Vocabulary

#: Where words were found, and what each place is worth.
FIELD_WEIGHTS = {
    "name": 1.0,
    "alternate_name": 0.9,
    "source_term": 0.9,
    "description": 0.75,
    "eligibility": 0.8,
}
LATER_SENTENCE = 0.75
CLIENT_GROUP_IN_DESCRIPTION = 0.7
LABEL = 1.0
ONE_WORD_LABEL = 0.9
MULTI_WORD = 0.95
PHRASE = 0.85
ONE_WORD = 0.6
#: Words before a concept that negate it, looked for this many words back.
NEGATIONS = frozenset(
    {"no", "not", "non", "never", "without", "cannot", "cant", "dont", "doesnt", "isnt",
     "arent", "wont", "nor"}
)  # fmt: skip
NEGATION_REACH = 3
#: "not just carers", "not only for older people": not a negation.
_NOT_NEGATING = frozenset({"just", "only", "matter", "necessarily"})
#: Words saying who a listing is for, looked for this many words before a client group.
FOR_WORDS = frozenset({"for", "aimed", "open", "suitable", "welcomes"})
FOR_REACH = 4
#: Words about how a service is delivered or by whom: never a need on their own.
HOW_WORDS = frozenset(
    {"online", "phone", "phones", "telephone", "email", "emails", "video", "zoom", "call",
     "calls", "text", "texts", "volunteer", "volunteers"}
)  # fmt: skip
#: People words are filler in a query ("my mum") but name a client group in a listing.
_PEOPLE = frozenset(
    {"mum", "mom", "mam", "mummy", "mother", "dad", "daddy", "father", "husband", "wife",
     "partner", "son", "daughter", "child", "children", "kid", "kids", "nan", "nana", "gran",
     "granny", "grandma", "grandad", "grandpa", "grandmother", "grandfather", "grandchildren",
     "brother", "sister", "friend", "neighbour", "boyfriend", "girlfriend", "relative",
     "parent", "parents", "family", "someones"}
)  # fmt: skip
#: Punctuation inside a sentence that no saying spans ("benefits, housing" is not "housing
#: benefit").
_CLAUSE = re.compile(r"[,;:()\[\]/\u2013\u2014]|\s-\s")
_FILLER_STEMS = frozenset(w.stem for s in SOFT_WORDS - _PEOPLE for w in words_of(s) if w.stem)


@dataclass(frozen=True, slots=True)
class _Saying:
    concept: Concept
    weight: float
    owners: int


class VocabularyMatcher:
    """The curated sayings, ready to be found in listings."""

    def __init__(self, curated: CuratedTerms) -> None:
        self.curated = curated
        self.vocab = Vocabulary.build(curated.terms.values())
        owners: dict[tuple[frozenset[str], str], set[str]] = defaultdict(set)
        for concept in self.vocab.concepts:
            owners[(concept.stems, curated.kind[concept.term_id])].add(concept.term_id)
        self.sayings: dict[Concept, _Saying] = {}
        for concept in self.vocab.concepts:
            weight = saying_weight(concept)
            if not weight:
                continue
            kept = _attribute(owners[(concept.stems, curated.kind[concept.term_id])], curated)
            if concept.term_id in kept:
                self.sayings[concept] = _Saying(concept, weight, len(kept))

    def evidence(
        self, listing: ListingText
    ) -> dict[str, dict[tuple[str, int, str], tuple[float, str]]]:
        """For each term: the weight of each saying found, once per (field, sentence, words)."""
        found: dict[str, dict[tuple[str, int, str], tuple[float, str]]] = defaultdict(dict)
        fields = [
            ("name", listing.name),
            ("alternate_name", listing.alternate_name),
            ("description", listing.description),
            ("eligibility", listing.eligibility),
        ]
        fields += [("source_term", term.label) for term in listing.source_terms]
        for index, (field_name, text) in enumerate(fields):
            if not text:
                continue
            parts = sentences(text) if field_name == "description" else [text]
            for number, sentence in enumerate(parts):
                position = number if field_name == "description" else 0
                where = field_name if field_name != "source_term" else f"term{index}"
                for term_id, weight, words in self._sentence(field_name, position, sentence):
                    key = (where, position, words.lower())
                    if weight > found[term_id].get(key, (0.0, ""))[0]:
                        found[term_id][key] = (weight, words)
        return found

    def _sentence(
        self, field_name: str, position: int, sentence: str
    ) -> Iterable[tuple[str, float, str]]:
        everything: list[Word] = []
        matches: list[tuple[_Saying, list[Word], tuple[int, int], int]] = []
        for clause in _CLAUSE.split(sentence):
            offset = len(everything)
            clause_words = words_of(clause)
            everything.extend(clause_words)
            matches += self._clause(clause_words, offset, everything, field_name)
        field_weight = FIELD_WEIGHTS[field_name]
        if field_name == "description" and position > 0:
            field_weight *= LATER_SENTENCE
        for saying, words, span, first in matches:
            term_id = saying.concept.term_id
            kind = self.curated.kind[term_id]
            if field_name == "eligibility" and kind != CLIENT_GROUP:
                continue
            weight = saying.weight * field_weight / math.sqrt(saying.owners)
            if field_name == "description" and kind == CLIENT_GROUP:
                if _for_whom(everything, first):
                    weight = saying.weight * FIELD_WEIGHTS["eligibility"] / math.sqrt(saying.owners)
                else:
                    weight *= CLIENT_GROUP_IN_DESCRIPTION
            yield term_id, weight, " ".join(w.typed for w in words[span[0] : span[1] + 1])

    def _clause(
        self, clause_words: list[Word], offset: int, everything: list[Word], field_name: str
    ) -> list[tuple[_Saying, list[Word], tuple[int, int], int]]:
        """The sayings found in one clause (no saying spans a comma), longest first: a
        saying inside a longer one found there is not counted."""
        real = [(offset + i, w) for i, w in enumerate(clause_words) if not w.stop]
        words = [w for _, w in real]
        found = []
        for match in self.vocab.match([{w.stem} for w in words]) if words else ():
            saying = self.sayings.get(match.concept)
            if saying is None:
                continue
            span = _window(words, match.concept.stems)
            if span is None or _blocked(saying.concept, words, span, field_name):
                continue
            if _negated(everything, real[span[0]][0]):
                continue
            found.append((saying, words, span, real[span[0]][0]))
        return [
            item
            for item in found
            if not any(_inside(item[2], other[2]) for other in found if other[2] != item[2])
        ]

    def candidates(self, listing: ListingText) -> list[Candidate]:
        """Every term with any evidence, its combined confidence and its best words."""
        out = []
        for term_id, evidence in self.evidence(listing).items():
            remaining = 1.0
            for weight, _ in evidence.values():
                remaining *= 1.0 - weight
            (field_name, *_), (_, words) = max(evidence.items(), key=lambda kv: kv[1][0])
            where = "feed term" if field_name.startswith("term") else field_name.replace("_", " ")
            out.append(Candidate(term_id, VOCABULARY, 1.0 - remaining, f'{where}: "{words}"'))
        return out


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


def _attribute(owners: set[str], curated: CuratedTerms) -> set[str]:
    """Which of the terms sharing a saying it counts for: a need and one child, the child; a
    need and several children, the need; unrelated terms, all of them."""
    top = {t for t in owners if not any(a in owners for a in curated.ancestors(t)[1:])}
    chosen: set[str] = set()
    for term_id in top:
        below = [t for t in owners if t != term_id and term_id in curated.ancestors(t)]
        chosen |= set(below) if len(below) == 1 else {term_id}
    return chosen


def _window(words: Sequence[Word], stems: frozenset[str]) -> tuple[int, int] | None:
    """The shortest run of adjacent words holding every stem, if it holds nothing else."""
    hits = [(i, w.stem) for i, w in enumerate(words) if w.stem in stems]
    best: tuple[int, int] | None = None
    for start, (first, _) in enumerate(hits):
        seen: set[str] = set()
        for last, stem in hits[start:]:
            seen.add(stem)
            if len(seen) == len(stems):
                if best is None or last - first < best[1] - best[0]:
                    best = (first, last)
                break
    if best is None or best[1] - best[0] + 1 > len(stems):
        return None
    return best


def _blocked(concept: Concept, words: Sequence[Word], span: tuple[int, int], field: str) -> bool:
    """A one-word saying that is only about how or by whom a service is delivered."""
    if len(concept.stems) != 1 or words[span[0]].folded not in HOW_WORDS:
        return False
    # A listing named "Good Neighbour Volunteers" is about volunteering.
    return not (field == "name" and words[span[0]].folded.startswith("volunteer"))


def _negated(everything: Sequence[Word], first: int) -> bool:
    start = max(0, first - NEGATION_REACH)
    for i in range(start, first):
        if everything[i].folded in NEGATIONS:
            after = everything[i + 1].folded if i + 1 < len(everything) else ""
            if after not in _NOT_NEGATING:
                return True
    return False


def _for_whom(everything: Sequence[Word], first: int) -> bool:
    """A client group the sentence says the listing is for ("for older people", "aimed at
    carers"): as telling as the eligibility text."""
    before = [w.folded for w in everything[max(0, first - FOR_REACH) : first]]
    return any(word in FOR_WORDS for word in before)


def _inside(span: tuple[int, int], other: tuple[int, int]) -> bool:
    """``span`` lies within the longer ``other``."""
    longer = (other[1] - other[0]) > (span[1] - span[0])
    return longer and other[0] <= span[0] and span[1] <= other[1]


_matchers: dict[int, tuple[CuratedTerms, VocabularyMatcher]] = {}
_lock = threading.Lock()


def matcher_for(curated: CuratedTerms) -> VocabularyMatcher:
    """One matcher per loaded vocabulary (building it stems ~1,700 sayings)."""
    with _lock:
        cached = _matchers.get(id(curated))
        if cached is not None and cached[0] is curated:
            return cached[1]
        made = VocabularyMatcher(curated)
        if len(_matchers) > 4:
            _matchers.clear()
        _matchers[id(curated)] = (curated, made)
        return made
