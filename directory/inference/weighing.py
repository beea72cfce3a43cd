"""From the sayings found in a listing to one confidence per term: the listing-level rules.

:mod:`directory.inference.vocabulary` finds where each curated saying stands in a listing and
how much that one mention is worth. A listing is more than a bag of mentions, though: its name
says what it is, its eligibility text says who it is for, and a need it mentions in passing is
not what it offers. These rules read the mentions together; each was measured on the tuning
half of the seed listings, checked on the other half and on the dev set
(``docs/inference.md``, "Rules and what each one did"):

* **the name leads**: when the name (or alternate name) clearly names a need (a mention worth
  :data:`NAME_CLEAR` or more), a need found only in the description that is neither above nor
  below it counts :data:`SECONDARY` of its weight ("Health Walks ... a good way to meet
  people" is a walking group, not a loneliness service);
* **the eligibility text leads**: likewise, when the eligibility text names client groups, a
  client group found only in the description and unrelated to them counts :data:`SECONDARY`;
* **a delivery saying needs backing**: a saying only about how a service is delivered ("home
  visits") counts for its term only when the listing speaks of that term's area in other words
  too (a home visit "for a chat and a cuppa" is befriending, a home visit to fit smoke alarms
  is not);
* **children speak for their parent**: every mention of a term also counts, at
  :data:`SECONDARY` of its weight, for each term above it, so "smartphone, tablet or computer"
  adds up to digital help even when no one word is enough for a narrower term.

The mentions of a term then combine as independent chances: 1 - product of (1 - weight).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from directory.inference import CLIENT_GROUP, VOCABULARY
from directory.inference.candidates import Candidate
from directory.inference.terms import CuratedTerms

#: What evidence the listing's own structure marks as secondary is worth, as a share.
SECONDARY = 0.8
#: A mention in the name worth this much or more names the listing's need clearly.
NAME_CLEAR = 0.9
#: A delivery saying counts when the term or a term above it has a mention worth this much.
BACKING = 0.3
#: The fields that name a listing.
TITLE_FIELDS = frozenset({"name", "alternate_name"})


@dataclass(frozen=True, slots=True)
class Mention:
    """One saying found once: where (field and sentence), the words, and what it is worth.

    ``delivery``: the saying is only about how the service is delivered, so it counts only
    with backing (see the module docstring)."""

    field: str
    sentence: int
    words: str
    weight: float
    delivery: bool = False

    @property
    def key(self) -> tuple[str, int, str, bool]:
        return (self.field, self.sentence, self.words.lower(), self.delivery)


#: Each term's mentions, keyed so that the same words in the same place count once.
Mentions = Mapping[str, Mapping[tuple[str, int, str, bool], Mention]]


def clearly_named(mentions: Mentions, curated: CuratedTerms) -> set[str] | None:
    """The needs the listing's name clearly names, with every term above and below them, or
    None when the name names no need clearly."""
    named = [
        term_id
        for term_id, found in mentions.items()
        if curated.kind.get(term_id) != CLIENT_GROUP
        and any(m.field in TITLE_FIELDS and m.weight >= NAME_CLEAR for m in found.values())
    ]
    return _family(named, curated) if named else None


def weigh(mentions: Mentions, curated: CuratedTerms) -> list[Candidate]:
    """Every term with any evidence left after the listing-level rules, with its confidence
    and its best words."""
    kept = _backed(mentions, curated)
    led = _led_by_name(kept, curated) | _led_by_eligibility(kept, curated)
    weighed: dict[str, dict[tuple, Mention]] = {}
    for term_id, found in kept.items():
        share = SECONDARY if term_id in led else 1.0
        weighed[term_id] = {k: _scaled(m, share) for k, m in found.items()}
    pooled = {term_id: dict(found) for term_id, found in weighed.items()}
    for term_id, found in weighed.items():
        for above in curated.ancestors(term_id)[1:]:
            target = pooled.setdefault(above, {})
            for key, mention in found.items():
                lent = _scaled(mention, SECONDARY)
                if key not in target or lent.weight > target[key].weight:
                    target[key] = lent
    return [_candidate(term_id, found.values()) for term_id, found in pooled.items() if found]


def _backed(mentions: Mentions, curated: CuratedTerms) -> dict[str, dict[tuple, Mention]]:
    """The mentions that count: a delivery saying only when its term, or a term above it, has
    another mention worth :data:`BACKING` or more."""
    out: dict[str, dict[tuple, Mention]] = {}
    for term_id, found in mentions.items():
        backed = any(
            not m.delivery and m.weight >= BACKING
            for above in curated.ancestors(term_id)
            for m in mentions.get(above, {}).values()
        )
        kept = {k: m for k, m in found.items() if backed or not m.delivery}
        if kept:
            out[term_id] = kept
    return out


def _led_by_name(mentions: Mentions, curated: CuratedTerms) -> set[str]:
    """Needs found only in the description, unrelated to a need the name clearly names."""
    family = clearly_named(mentions, curated)
    if family is None:
        return set()
    return {
        term_id
        for term_id, found in mentions.items()
        if curated.kind.get(term_id) != CLIENT_GROUP
        and term_id not in family
        and all(m.field == "description" for m in found.values())
    }


def _led_by_eligibility(mentions: Mentions, curated: CuratedTerms) -> set[str]:
    """Client groups found only in the description, unrelated to those the eligibility text
    names (it is the listing's own answer to "who is this for")."""
    said = [
        term_id
        for term_id, found in mentions.items()
        if curated.kind.get(term_id) == CLIENT_GROUP
        and any(m.field == "eligibility" for m in found.values())
    ]
    if not said:
        return set()
    family = _family(said, curated)
    return {
        term_id
        for term_id, found in mentions.items()
        if curated.kind.get(term_id) == CLIENT_GROUP
        and term_id not in family
        and all(m.field == "description" for m in found.values())
    }


def _family(term_ids: Iterable[str], curated: CuratedTerms) -> set[str]:
    """The terms with every term above and below them."""
    chosen = set(term_ids)
    family = curated.closure(chosen)
    family |= {t for t in curated.terms if chosen & set(curated.ancestors(t))}
    return family


def _scaled(mention: Mention, share: float) -> Mention:
    if share == 1.0:
        return mention
    return Mention(mention.field, mention.sentence, mention.words, mention.weight * share,
                   mention.delivery)  # fmt: skip


def _candidate(term_id: str, found: Iterable[Mention]) -> Candidate:
    remaining = 1.0
    best: Mention | None = None
    for mention in found:
        remaining *= 1.0 - mention.weight
        if best is None or mention.weight > best.weight:
            best = mention
    assert best is not None
    where = "feed term" if best.field.startswith("term") else best.field.replace("_", " ")
    return Candidate(term_id, VOCABULARY, 1.0 - remaining, f'{where}: "{best.words}"')
