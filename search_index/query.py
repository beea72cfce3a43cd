"""From what a resident typed to Whoosh query objects, without Whoosh's query parser.

The text is cleaned and split into words here (``analysis``), so nothing a user types is ever
query syntax. Each meaningful word becomes a *clause*: the word's stem in the catch-all field,
or a close spelling if the word is unknown, or the documents of any need whose synonym or
intent phrase the query contains. Words joined by one phrase ("nobody ever visits me") form
one clause. The AND query requires every clause except filler words ("help", "someone");
the wider OR query, used when AND finds too few, also lets neighbouring needs in. Quoted
phrases are required. Both are only evaluated on bitsets (``schema.match_bits``); documents
are scored with one flat OR of their parts (``schema.scoring_query``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from whoosh.query import And, AndMaybe, NullQuery, Or, Phrase, Query, Term

from search_index.analysis import (
    Word,
    clean_text,
    fold_word,
    query_words,
    quoted_phrases,
    stem_word,
    words_of,
)
from search_index.schema import DocSetQuery, scoring_query
from search_index.view import IndexView
from search_index.vocabulary import Concept, ConceptMatch, Speller, Vocabulary

if TYPE_CHECKING:
    from search_index.semantic import SayingIndex

#: Score a document gets for having a need that a query word or phrase means. About what a
#: strong BM25 match on one word in a listing's name scores, so "lonely" puts befriending
#: services level with listings that say "lonely" in their name.
CONCEPT_SCORE = 6.0
#: Shares of ``CONCEPT_SCORE`` for listings that are only for the client group a word names,
#: and for listings with a neighbouring need (same parent).
GROUP_WEIGHT = 0.5
BROADER_WEIGHT = 0.4
#: Share of ``CONCEPT_SCORE`` for a meaning that covers only part of a phrase.
PART_WEIGHT = 0.5
#: Share of the score a need or group earns when it was inferred from the listing's words
#: (``directory.inference``) rather than given by a person: a curated term outranks it.
INFERRED_WEIGHT = 0.8
#: A close spelling counts for a little less than the word itself.
TYPO_WEIGHT = 0.8
#: The words of a resident's sentence that matched an intent phrase ("my partner hits me"),
#: found in a listing's text without the phrase's meaning, count this much: a singing group
#: whose leaflet mentions "hits" must not outrank domestic abuse support.
PHRASE_WORD_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Options:
    """Switches for each part of text relevance, so their value can be measured."""

    synonyms: bool = True
    phrases: bool = True
    typos: bool = True
    #: The semantic extra, when the context has a model (``search_index.semantic``).
    semantic: bool = True


@dataclass(slots=True)
class TextPlan:
    """Everything the engine needs to know about the text of one query."""

    words: list[Word] = field(default_factory=list)
    and_query: Query | None = None
    or_query: Query | None = None
    corrections: dict[str, str] = field(default_factory=dict)
    concepts: list[ConceptMatch] = field(default_factory=list)
    highlight: set[str] = field(default_factory=set)
    suggestion: str | None = None
    ignored: list[str] = field(default_factory=list)
    #: The curated saying the semantic extra took the text to mean, if any.
    meaning: str | None = None
    #: What the matching documents are scored with (see ``scoring_query``).
    score_query: Query | None = None
    #: Neighbouring query words, for the "found together" boost (``ranking.together``).
    pairs: list[tuple[str, str]] = field(default_factory=list)
    #: Documents whose service or venue name holds every real word of the query: what a
    #: resident who names a service or place ("let's talk", "the bluecoat") asks for.
    named: int = 0

    @property
    def has_text(self) -> bool:
        return self.and_query is not None


def concept_queries(
    view: IndexView, vocab: Vocabulary, term_ids: set[str], words: int = 1
) -> tuple[list[Query], list[Query]]:
    """Constant-score document sets for what a query word or phrase means: the ones that
    satisfy it, and broader ones only used when too few listings match.

    Listings with the need (or a need beneath it) score ``CONCEPT_SCORE``, or
    ``INFERRED_WEIGHT`` of it when the need was inferred from their words; listings only for
    the client group a word names ("skint" is also "People on a low income") score less.
    Broader: listings with a neighbouring need under the same parent, so "I don't want to be
    here any more" also finds listening lines after the only crisis café. A phrase of
    several ``words`` scores as much as that many matching words would.
    """
    need = view.any_bits("need", term_ids)
    curated = view.any_bits("cneed", term_ids)
    group = view.any_bits("group", term_ids) & ~need
    curated_group = view.any_bits("cgroup", term_ids) & group
    parents = {p for t in term_ids if (p := vocab.parent(t))} - term_ids
    broader = view.any_bits("need", parents) & ~need & ~group
    out: list[Query] = []
    for bits, weight, name in (
        (curated, 1.0, "need"),
        (need & ~curated, INFERRED_WEIGHT, "need-inferred"),
        (curated_group, GROUP_WEIGHT, "group"),
        (group & ~curated_group, GROUP_WEIGHT * INFERRED_WEIGHT, "group-inferred"),
        (broader, BROADER_WEIGHT, "broader"),
    ):
        bits &= view.live
        if bits:
            ids = view.ids_of((name, frozenset(term_ids)), bits)
            out.append(DocSetQuery(ids, CONCEPT_SCORE * weight * words, name, bits))
    strict = [q for q in out if q.name != "broader"]
    return strict, [q for q in out if q.name == "broader"]


def _groups(n: int, concepts: list[ConceptMatch]) -> list[list[int]]:
    """Positions joined by multi-word concepts, in order (a tiny union-find)."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for match in concepts:
        first, *rest = sorted(match.positions)
        for other in rest:
            parent[find(other)] = find(first)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values())


def _phrase_clause(stems: list[str], slop: int) -> Query:
    return Phrase("all", stems, slop=slop)


def build_text_plan(
    text: str,
    view: IndexView,
    vocab: Vocabulary,
    speller: Speller | None,
    options: Options = Options(),
    sayings: SayingIndex | None = None,
) -> TextPlan:
    """Plan the text part of a search; an empty plan when the text has no meaningful word.
    ``sayings`` (the semantic extra) may add the need of the curated saying nearest the text."""
    text = clean_text(text)
    plan = TextPlan()
    required: list[Query] = []
    quoted_stems: set[str] = set()
    for phrase in quoted_phrases(text) if options.phrases else []:
        stems = [w.stem for w in query_words(phrase)]
        if len(stems) >= 2:
            slop = 1 + sum(1 for w in words_of(phrase) if w.stop)
            required.append(_phrase_clause(stems, slop))
            quoted_stems.update(stems)
            plan.highlight.update(stems)
    words = query_words(text)
    plan.words = words
    if not words and not required:
        return plan

    alternatives: list[list[str]] = [[w.stem] for w in words]
    if speller is not None and options.typos:
        for i, word in enumerate(words):
            if len(word.folded) < 4 or not word.folded.isalpha() or speller.known(word.folded):
                continue
            if view.reader.doc_frequency("all", word.stem):
                continue  # in a listing added since the spelling dictionary was written
            found = speller.corrections(word.folded)
            if found:
                plan.corrections[word.folded] = found[0]
                alternatives[i].extend(stem_word(c) for c in found if stem_word(c) != word.stem)
            else:
                plan.ignored.append(word.typed)
    if options.synonyms:
        concepts = vocab.match([set(a) for a in alternatives])
        if any(not w.soft for w in words):
            # "help" and "mum" are synonyms of general advice and of services for mums, but
            # beside a real need they only add noise.
            concepts = [m for m in concepts if any(not words[i].soft for i in m.positions)]
        plan.concepts = concepts
    if sayings is not None and options.semantic:
        _add_nearest_saying(plan, sayings, text, words)
    plan.highlight.update(s for a in alternatives for s in a)
    for match in plan.concepts:
        if match.concept.kind == "label":
            plan.highlight.update(match.concept.stems)

    clauses: list[tuple[Query, Query, bool, bool]] = []
    optional: list[Query] = []
    for group in _groups(len(words), plan.concepts):
        if all(words[i].stem in quoted_stems for i in group):
            continue
        clause = _clause(view, vocab, plan, words, alternatives, group, optional)
        if clause is not None:
            clauses.append(clause)

    if any(hard and not who for _, _, hard, who in clauses):
        clauses = [(c, w, hard and not who, who) for c, w, hard, who in clauses]
    elif not any(hard for _, _, hard, _ in clauses):
        clauses = [(c, w, True, who) for c, w, _, who in clauses]
    wide = required + [w for _, w, hard, _ in clauses if hard]
    wide += _single_words(plan, words, alternatives, quoted_stems)
    required += [c for c, _, hard, _ in clauses if hard]
    optional += [c for c, _, hard, _ in clauses if not hard]
    if options.phrases and len(words) >= 2:
        plan.pairs = [(a.stem, b.stem) for a, b in itertools.pairwise(words)]
    plan.named = _named(view, plan, words, alternatives)
    if not required:
        plan.and_query = plan.or_query = NullQuery
        return plan
    core = required[0] if len(required) == 1 else And(required)
    plan.and_query = AndMaybe(core, Or(optional)) if optional else core
    if len(wide) > 1 or wide != required:
        # Fallback: any clause, including broader needs, ranked up by the optional ones.
        either = wide[0] if len(wide) == 1 else Or(wide)
        plan.or_query = AndMaybe(either, Or(optional)) if optional else either
    plan.score_query = scoring_query(plan.and_query, plan.or_query)
    if plan.corrections:
        plan.suggestion = _corrected_text(text, plan.corrections)
    return plan


def _add_nearest_saying(plan: TextPlan, sayings: SayingIndex, text: str, words: list[Word]) -> None:
    """Treat the text as if it were the curated saying nearest it: its need joins the plan as
    a phrase covering every word, so the text is one clause, "listings with that need, or
    with all the words", exactly as a curated phrase would make it. Nothing is added when the
    engine knows none of the words (a made-up word can sit close to a short synonym: "asdfgh"
    to "asd")."""
    if not words or all(w.typed in plan.ignored for w in words):
        return
    found = sayings.expansion(text)
    if found is None:
        return
    concept = Concept(frozenset(w.stem for w in words), found.term_id, "phrase", found.saying)
    plan.concepts.append(ConceptMatch(concept, frozenset(range(len(words)))))
    plan.meaning = found.saying


def _named(
    view: IndexView, plan: TextPlan, words: list[Word], alternatives: list[list[str]]
) -> int:
    """Documents whose names hold every real word of the query (a close spelling will do),
    when the query names something: at least one of its words means no need or group. "Debt"
    asks for debt help, not for the services with "debt" in their names; "let's talk",
    "glitch" or "memory cafe" ask for a service by name."""
    chosen = [i for i, w in enumerate(words) if not w.soft and w.typed not in plan.ignored]
    meant = {i for m in plan.concepts for i in m.positions}
    if not chosen:
        return 0
    # The query is a listing's whole name but for its place words ("let's talk" for "Let's
    # Talk Blacon"): it names that service, even when its words also mean a need.
    exact = view.term_bits("name_core", "_".join(sorted({w.stem for w in words})))
    if all(i in meant for i in chosen):
        return exact if len(words) >= 2 else 0
    bits = view.live
    for i in chosen:
        bits &= view.any_bits("name", alternatives[i])
        if not bits:
            break
    return bits | exact


def _phrase_positions(plan: TextPlan) -> set[int]:
    """Positions of words inside an intent phrase of two or more words that the query
    matched ("partner" and "hits" in "my partner hits me")."""
    return {
        i
        for m in plan.concepts
        if m.concept.kind == "phrase" and len(m.positions) >= 2
        for i in m.positions
    }


def _word_query(alternatives: list[str], boost: float) -> Query:
    """A word (its stem, then close spellings at ``TYPO_WEIGHT``) in the listings' text."""
    terms = [Term("all", alternatives[0], boost=boost)]
    terms += [Term("all", s, boost=boost * TYPO_WEIGHT) for s in alternatives[1:]]
    return terms[0] if len(terms) == 1 else Or(terms)


def _single_words(
    plan: TextPlan, words: list[Word], alternatives: list[list[str]], quoted: set[str]
) -> list[Query]:
    """Every real word of the query on its own, for the fallback: whatever meaning joined
    the words into one clause, a listing holding any real word is found (below those
    matching everything), so search is never worse than the words. Filler words only when
    the query has nothing else."""
    phrase = _phrase_positions(plan)
    chosen = [i for i, w in enumerate(words) if not w.soft] or list(range(len(words)))
    return [
        _word_query(alternatives[i], PHRASE_WORD_WEIGHT if i in phrase else 1.0)
        for i in chosen
        if words[i].typed not in plan.ignored and words[i].stem not in quoted
    ]


def _clause(
    view: IndexView,
    vocab: Vocabulary,
    plan: TextPlan,
    words: list[Word],
    alternatives: list[list[str]],
    group: list[int],
    optional: list[Query],
) -> tuple[Query, Query, bool, bool] | None:
    """The strict and the wide query for the words at ``group`` (one word, or the words of
    one phrase), whether they are required and whether they only say who a service is for.
    Adds ranking-only parts to ``optional``; None when the words can match nothing."""
    hard_positions = [i for i in group if not words[i].soft] or group
    phrase = _phrase_positions(plan)
    text_parts = [
        _word_query(alternatives[i], PHRASE_WORD_WEIGHT if i in phrase else 1.0)
        for i in hard_positions
    ]
    choices = [text_parts[0] if len(text_parts) == 1 else And(text_parts)]
    broader: list[Query] = []
    inside = [m for m in plan.concepts if m.positions <= set(group)]
    # Only a meaning that covers all the real words of the group can stand for it; one that
    # covers part of a phrase ("things" in "dad keeps forgetting things") only ranks.
    term_ids = {m.concept.term_id for m in inside if set(hard_positions) <= m.positions}
    partial = {m.concept.term_id for m in inside} - term_ids
    if term_ids:
        strict, broader = concept_queries(view, vocab, term_ids, len(hard_positions))
        choices += strict
    if partial:
        parts, _ = concept_queries(view, vocab, partial)
        optional.extend(DocSetQuery(q.ids, q.score * PART_WEIGHT, "part", q.bits) for q in parts)
    if all(words[i].typed in plan.ignored for i in group) and not term_ids | partial:
        return None
    hard = any(not words[i].soft for i in group)
    # Words naming only who a service is for ("older", "veterans") rank, not restrict,
    # when the query also names a need.
    who = bool(term_ids) and not any(view.term_ids("need", t) for t in term_ids)
    strict_query = choices[0] if len(choices) == 1 else Or(choices)
    wide_query = Or([*choices, *broader]) if broader else strict_query
    return strict_query, wide_query, hard, who


def _corrected_text(text: str, corrections: dict[str, str]) -> str:
    out = []
    for word in text.split():
        out.append(corrections.get(fold_word(word.strip(".,!?;:()\"'")), word))
    return " ".join(out)
