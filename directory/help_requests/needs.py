"""What someone needs help with, as need taxonomy terms: the list they can tick and their own
words read the way search reads a query.

Search turns a query into need concepts with the curated vocabulary
(:class:`search_index.vocabulary.Vocabulary`): each label, synonym and intent phrase of a term
is a set of stems, and the query means the term when it holds all of them, in any order
("nobody ever visits me" -> befriending). :func:`needs_in_words` does exactly that, with
search's own word splitting (stop words out, stems), its rule that filler words ("help",
"mum") mean nothing beside a real word, and two additions for a paragraph rather than a search
box: the text is read sentence by sentence in windows of search's query length, and a longer
saying wins over a shorter one inside it ("food and shopping" over "shopping").

Only need terms count: a client group ("older people") says who, not what. Plain functions
over a vocabulary and a :class:`~directory.public.search_params.TermIndex`, so the import of
Here2Help data can map its free-text needs the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from directory.public.guided import plain_label
from directory.public.search_params import TermIndex
from search_index.analysis import MAX_QUERY_WORDS, clean_text, words_of
from search_index.vocabulary import ConceptMatch, Vocabulary

#: The longest description of a need kept (it travels in the session cookie until submit).
MAX_DETAILS = 1000
#: Windows overlap by this many words, so a phrase across a window's edge is still read.
_OVERLAP = 4
_SENTENCE_END = re.compile(r"[.!?;\n\r]+")
#: The general advice need: what the services page shows when no need could be named.
GENERAL_ADVICE = "information-advice"


@dataclass(frozen=True)
class NeedChoice:
    """One need as a checkbox: ``value`` is the term id (or code for the top-level list)."""

    value: str
    label: str
    hint: str


def need_term_ids(terms: TermIndex) -> set[str]:
    """Every term of the need taxonomies (all terms while no listing says which those are)."""
    return {
        t.id
        for t in terms.by_id.values()
        if not terms.need_taxonomies or t.taxonomy_id in terms.need_taxonomies
    }


def top_level_choices(terms: TermIndex) -> list[NeedChoice]:
    """The checkbox list: every top-level need in everyday words, as the guided journey
    shows it, valued by taxonomy code."""
    choices = [
        NeedChoice(terms.key(t.id), plain_label(t), t.description) for t in terms.top_level_needs()
    ]
    return sorted(choices, key=lambda c: c.label)


def label_of(terms: TermIndex, term_id: str) -> str:
    """A need in everyday words: the guided journey's wording for a top-level need, the
    taxonomy's own name below it."""
    term = terms.by_id.get(term_id)
    if term is None:
        return term_id
    return plain_label(term) if term.parent_id is None else term.label


def describe(terms: TermIndex, term_ids: Iterable[str]) -> list[NeedChoice]:
    """Choices for known term ids, in the order given."""
    return [
        NeedChoice(term_id, label_of(terms, term_id), terms.by_id[term_id].description)
        for term_id in term_ids
        if term_id in terms.by_id
    ]


def ids_of_codes(terms: TermIndex, tokens: Iterable[str]) -> list[str]:
    """Term ids of the known top-level need codes (or ids) among ``tokens``."""
    allowed = need_term_ids(terms)
    found = [t.id for token in tokens if (t := terms.find(token)) is not None]
    return list(dict.fromkeys(i for i in found if i in allowed))


def narrow(terms: TermIndex, term_ids: Iterable[str]) -> list[str]:
    """``term_ids`` without any that is an ancestor of another, as the search filter does:
    "Money and benefits" with "Debt advice" is debt advice."""
    ids = list(dict.fromkeys(term_ids))
    broader = {a for term_id in ids for a in terms.ancestors(term_id)}
    return [term_id for term_id in ids if term_id not in broader]


def _windows(text: str) -> list[list]:
    """The meaningful words of each sentence, in windows of search's query length."""
    out = []
    for sentence in _SENTENCE_END.split(text):
        words = [w for w in words_of(clean_text(sentence, MAX_DETAILS)) if not w.stop]
        step = MAX_QUERY_WORDS - _OVERLAP
        for start in range(0, max(len(words) - _OVERLAP, 1), step):
            window = words[start : start + MAX_QUERY_WORDS]
            if window:
                out.append(window)
    return out


def _meant(vocab: Vocabulary, window: list) -> list[ConceptMatch]:
    matches = vocab.match([{w.stem} for w in window])
    if any(not w.soft for w in window):
        matches = [m for m in matches if any(not window[i].soft for i in m.positions)]
    # A longer saying wins over a shorter one it contains.
    return [m for m in matches if not any(m.positions < other.positions for other in matches)]


def needs_in_words(vocab: Vocabulary, terms: TermIndex, text: str | None) -> list[str]:
    """Ids of the need terms ``text`` means, in the order it mentions them, narrowed (a term
    and one beneath it give the one beneath). Never raises, whatever the text."""
    if not text or not isinstance(text, str):
        return []
    allowed = need_term_ids(terms)
    found: list[str] = []
    for window in _windows(text[: MAX_DETAILS * 4]):
        for match in sorted(_meant(vocab, window), key=lambda m: min(m.positions)):
            term_id = match.concept.term_id
            if term_id in allowed and term_id not in found:
                found.append(term_id)
    return narrow(terms, found)
