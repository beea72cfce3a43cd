"""Method one: the curated vocabulary found in a listing's own words.

Every curated saying (:mod:`directory.inference.sayings`) is looked for in the listing's name,
alternate name, description (sentence by sentence), eligibility text and feed term labels, with
the word-level rules of :mod:`directory.inference.clauses`. Each mention is worth the saying's
weight times where it was found:

* the name (1.0) says what a listing is; the alternate name (0.9); the feed's own term labels
  (0.9); the first sentence of the description (0.75), later ones less (0.56); a clause that
  adds something ("..., plus advice on money") 0.8 of that;
* the eligibility text (0.8) speaks only of who a listing is for, so only client groups are
  taken from it; client groups named in the description count 0.7 of that, or as much as the
  eligibility text when the sentence says the listing is *for* them; ages ("aged 60 and over",
  :mod:`directory.inference.ages`) count as much as the eligibility text;
* a longer saying wins over a shorter one of the same kind inside it ("hearing loss" is not
  bereavement's "loss"; "dementia carers" is not the need "carers", but the client group
  carers is still read there).

The listing-level rules (the name leads, the eligibility text leads, a delivery saying needs
backing, children speak for their parent) and the combination are in
:mod:`directory.inference.weighing`. The figures were tuned on one half of the seed listings
and checked on the other half and on the hand-labelled dev set (``docs/inference.md``).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from directory.inference import CLIENT_GROUP
from directory.inference import clauses as shape
from directory.inference.ages import age_groups
from directory.inference.candidates import Candidate
from directory.inference.sayings import Saying, build_sayings
from directory.inference.terms import CuratedTerms
from directory.inference.text import ListingText, sentences
from directory.inference.weighing import Mention, clearly_named, weigh
from search_index.analysis import Word, words_of
from search_index.vocabulary import Vocabulary

#: Where words were found, and what each place is worth.
FIELD_WEIGHTS = {
    "name": 1.0,
    "alternate_name": 0.9,
    "source_term": 0.9,
    "description": 0.75,
    "eligibility": 0.8,
}
LATER_SENTENCE = 0.75
ADD_ON = 0.8
CLIENT_GROUP_IN_DESCRIPTION = 0.7
#: What an age that marks a client group is worth, wherever it is said.
AGE = FIELD_WEIGHTS["eligibility"]


@dataclass(frozen=True, slots=True)
class _Found:
    saying: Saying
    words: list[Word]
    span: tuple[int, int]
    first: int  # index of its first word in the whole sentence
    delivery: bool


@dataclass
class Reading:
    """What the vocabulary found in one listing: each term's mentions, the terms it proposes
    and the needs its name clearly names (with every term above and below them)."""

    mentions: dict[str, dict[tuple, Mention]]
    candidates: list[Candidate]
    named: set[str] | None


class VocabularyMatcher:
    """The curated sayings, ready to be found in listings."""

    def __init__(self, curated: CuratedTerms) -> None:
        self.curated = curated
        self.vocab = Vocabulary.build(curated.terms.values())
        self.sayings = build_sayings(self.vocab, curated)
        self._by_code = {code: term_id for term_id, code in curated.code.items()}

    def read(self, listing: ListingText) -> Reading:
        found = self.mentions(listing)
        return Reading(found, weigh(found, self.curated), clearly_named(found, self.curated))

    def candidates(self, listing: ListingText) -> list[Candidate]:
        """Every term with any evidence, its combined confidence and its best words."""
        return self.read(listing).candidates

    def mentions(self, listing: ListingText) -> dict[str, dict[tuple, Mention]]:
        """For each term: each saying found, once per (field, sentence, words)."""
        found: dict[str, dict[tuple, Mention]] = defaultdict(dict)
        fields = [
            ("name", listing.name),
            ("alternate_name", listing.alternate_name),
            ("description", listing.description),
            ("eligibility", listing.eligibility),
        ]
        for field_name, text in fields:
            for code, words in age_groups(text):
                term_id = self._by_code.get(code)
                if term_id is not None and self.curated.kind.get(term_id) == CLIENT_GROUP:
                    _keep(found, term_id, Mention(field_name, 0, words, AGE))
        fields += [("source_term", term.label) for term in listing.source_terms]
        for index, (field_name, text) in enumerate(fields):
            if not text:
                continue
            text = shape.expand_ellipsis(text)
            parts = sentences(text) if field_name == "description" else [text]
            where = field_name if field_name != "source_term" else f"term{index}"
            for number, sentence in enumerate(parts):
                position = number if field_name == "description" else 0
                for term_id, mention in self._sentence(field_name, where, position, sentence):
                    _keep(found, term_id, mention)
        return found

    def _sentence(
        self, field_name: str, where: str, position: int, sentence: str
    ) -> Iterable[tuple[str, Mention]]:
        everything: list[Word] = []
        matches: list[_Found] = []
        add_on_from: int | None = None
        for number, clause in enumerate(shape.clauses(sentence)):
            offset = len(everything)
            clause_words = words_of(clause)
            if number and add_on_from is None and shape.opens_add_on(clause_words):
                add_on_from = offset
            everything.extend(clause_words)
            matches += self._clause(clause_words, offset, everything, field_name)
        field_weight = FIELD_WEIGHTS[field_name]
        if field_name == "description" and position > 0:
            field_weight *= LATER_SENTENCE
        for match in matches:
            term_id = match.saying.term_id
            kind = self.curated.kind[term_id]
            if field_name == "eligibility" and kind != CLIENT_GROUP:
                continue
            weight = match.saying.weight * field_weight
            if kind != CLIENT_GROUP and add_on_from is not None and match.first >= add_on_from:
                weight *= ADD_ON
            if field_name == "description" and kind == CLIENT_GROUP:
                if shape.for_whom(everything, match.first):
                    weight = match.saying.weight * FIELD_WEIGHTS["eligibility"]
                else:
                    weight *= CLIENT_GROUP_IN_DESCRIPTION
            words = " ".join(w.typed for w in match.words[match.span[0] : match.span[1] + 1])
            yield term_id, Mention(where, position, words, weight, match.delivery)

    def _clause(
        self, clause_words: list[Word], offset: int, everything: list[Word], field_name: str
    ) -> list[_Found]:
        """The sayings found in one clause, longest first: a saying inside a longer one of
        the same kind found there is not counted. A saying that is no evidence (negated, or
        only about how a service is delivered) still covers its words: "home visits" leaves
        no "home"."""
        real = [(offset + i, w) for i, w in enumerate(clause_words) if not w.stop]
        words = [w for _, w in real]
        stems = shape.stems_at(words)
        found: list[tuple[_Found, bool]] = []
        for match in self.vocab.match(stems) if words else ():
            saying = self.sayings.get(match.concept)
            if saying is None:
                continue
            span = shape.window(stems, match.concept.stems)
            if span is None:
                continue
            first, last = real[span[0]][0], real[span[1]][0]
            if shape.broken(everything, first, last, saying.words):
                continue
            one_word = len(match.concept.stems) == 1
            kind = self.curated.kind[saying.term_id]
            if (
                one_word
                and kind == CLIENT_GROUP
                and not shape.as_written(words[span[0]], saying.words)
            ):
                continue
            delivery = shape.delivery(words, span, one_word, field_name)
            silent = (delivery and one_word) or shape.negated(everything, first)
            found.append((_Found(saying, words, span, first, delivery), silent))
        kinds = {id(f): self.curated.kind[f.saying.term_id] for f, _ in found}
        return [
            item
            for item, silent in found
            if not silent
            and not any(
                shape.inside(item.span, other.span)
                for other, _ in found
                if other.span != item.span and kinds[id(other)] == kinds[id(item)]
            )
        ]


def _keep(found: dict[str, dict[tuple, Mention]], term_id: str, mention: Mention) -> None:
    """Keep the heavier of two mentions of the same words in the same place."""
    held = found[term_id].get(mention.key)
    if held is None or mention.weight > held.weight:
        found[term_id][mention.key] = mention


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
