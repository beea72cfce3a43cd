"""Guided self-signposting and the safety rules shared with the results page.

"What do you need help with?" is three short questions (needs, who and how old, where) whose
answers travel in the query string, so it needs no account, no cookie and no JavaScript, the
browser's Back button works and a link worker can send the half-filled journey to someone.
The last step becomes an ordinary results URL.

Two safety rules live here because both the journey and the results page apply them:

* **Urgent help** (someone in danger, a mental health crisis, domestic abuse) puts the
  emergency numbers before anything else on the page.
* **Domestic abuse** also adds "Exit this page" and the advice on covering your tracks.

Both are decided from what the person asked for (the urgent answer, the needs chosen, the
words typed), never from which listings happen to be on the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from directory.public.search_params import SearchParams, Term, TermIndex, clean
from search_index.analysis import clean_text, query_words
from search_index.vocabulary import Vocabulary

#: The answer to step 1 that means "someone is in danger or needs urgent help".
URGENT = "urgent"
#: Taxonomy codes whose services answer an urgent request, and those that are about safety.
URGENT_NEED_CODES = ("crisis-support", "domestic-abuse")
CRISIS_CODES = ("crisis-support",)
SAFETY_CODES = ("domestic-abuse",)

_SAFETY_WORDS = re.compile(
    r"\b(domestic|coerci\w*|controlling (partner|husband|wife|boyfriend|girlfriend)|"
    r"(?<!drug )(?<!alcohol )(?<!substance )abus\w*|violen\w*|refuges?|stalk\w*|rape[ds]?|"
    r"hits me|hurts me|beats me)\b",
    re.I,
)
_CRISIS_WORDS = re.compile(
    r"\b(suicid\w*|kill(ing)? (myself|me)|end(ing)? (my life|it all)|(want|wanting) to die|"
    r"take my (own )?life|giving up on life|can'?t go on|no (reason|point) (to live|in living)|"
    r"better off (dead|without me)|self[- ]?harm\w*|overdos\w*|in danger|not safe|unsafe|"
    r"crisis|999)\b",
    re.I,
)


@dataclass(frozen=True)
class EmergencyContact:
    name: str
    number: str
    tel: str
    text: str


EMERGENCY_CONTACTS = (
    EmergencyContact(
        "Emergency services",
        "999",
        "tel:999",
        "If someone is in danger or badly hurt now. If you cannot speak, call 999 from a "
        "mobile, then press 55 when asked and the police will know it is an emergency.",
    ),
    EmergencyContact(
        "NHS 111, option 2",
        "111",
        "tel:111",
        "Urgent help for a mental health crisis, any time of day or night. Call 111 and "
        "choose option 2.",
    ),
    EmergencyContact(
        "Samaritans",
        "116 123",
        "tel:116123",
        "Talk to someone about anything, day or night. Free from any phone.",
    ),
    EmergencyContact(
        "National Domestic Abuse Helpline",
        "0808 2000 247",
        "tel:08082000247",
        "Free, confidential help 24 hours a day if someone is hurting, controlling or "
        "frightening you.",
    ),
)

#: Everyday words for the top-level needs, by taxonomy code. Needs not listed use their
#: own taxonomy name, which is already written for residents.
PLAIN_LABELS = {
    "information-advice": "Not sure where to start",
    "loneliness": "Feeling lonely or cut off",
    "mental-wellbeing": "Feeling low, anxious or stressed",
    "money": "Money, debt and benefits",
    "housing": "Housing and somewhere to live",
    "carers-support": "Looking after someone",
    "dementia": "Dementia and memory problems",
    "falls-home-safety": "Falls and feeling safe at home",
    "digital-help": "Using phones, tablets and the internet",
    "day-activities": "Things to do in the day",
    "respite": "A break from caring",
    "employment": "Work, learning and skills",
    "transport": "Getting out and about",
    "physical-activity": "Getting active",
    "bereavement": "Bereavement and grief",
    "sensory-loss": "Sight and hearing loss",
    "advocacy": "Help to speak up (advocacy)",
}

WHO_CHOICES = (
    ("me", "Me"),
    ("carer", "Someone I care for", "For example, a family member, partner or friend"),
    ("worker", "Someone I support as part of my work", "For example, as a link worker"),
)
AGE_CHOICES = (
    ("children", "Under 13"),
    ("young_people", "13 to 17"),
    ("adults", "18 to 64"),
    ("older_people", "65 or over"),
)
AGE_NOT_SAID = "any"


def age_label(age: str) -> str:
    """``18 to 64`` for a band key, ``Age 70`` for an exact age."""
    for key, label in AGE_CHOICES:
        if key == age:
            return f"Age {label}" if label[0].isdigit() else label
    return f"Age {age}" if age.isdigit() else age


def plain_label(term: Term) -> str:
    return PLAIN_LABELS.get(term.code, term.label)


@dataclass(frozen=True)
class Urgency:
    """``emergency``: show the emergency numbers first. ``safety``: the request is about
    domestic abuse, so also offer "Exit this page" and how to cover your tracks."""

    emergency: bool = False
    safety: bool = False


def meant_terms(vocab: Vocabulary, text: str) -> set[str]:
    """Ids of the taxonomy terms whose label, synonym or phrase the text contains."""
    words = query_words(clean_text(text))
    if not words:
        return set()
    return {m.concept.term_id for m in vocab.match([{w.stem} for w in words])}


def urgency_for(
    terms: TermIndex,
    *,
    text: str = "",
    needs: Iterable[str] = (),
    urgent: bool = False,
    vocab: Vocabulary | None = None,
) -> Urgency:
    """Whether a request (its words, chosen needs and the urgent answer) is about a crisis or
    about domestic abuse. ``needs`` are codes or ids as they came in the URL."""
    chosen = {t.id for token in needs if (t := terms.find(token))}
    if text and vocab is not None:
        chosen |= meant_terms(vocab, text)
    safety_ids = terms.subtree(SAFETY_CODES)
    crisis_ids = terms.subtree(CRISIS_CODES)
    safety = bool(chosen & safety_ids) or bool(text and _SAFETY_WORDS.search(text))
    crisis = bool(chosen & crisis_ids) or bool(text and _CRISIS_WORDS.search(text))
    return Urgency(emergency=urgent or safety or crisis, safety=safety)


@dataclass(frozen=True)
class NeedChoice:
    code: str
    label: str
    hint: str


def need_choices(terms: TermIndex) -> list[NeedChoice]:
    """Step 1's checkboxes: every top-level need in everyday words, its description as hint."""
    choices = [
        NeedChoice(terms.key(t.id), plain_label(t), t.description) for t in terms.top_level_needs()
    ]
    return sorted(choices, key=lambda c: c.label)


@dataclass(frozen=True)
class Answers:
    """Everything answered so far in the guided journey, read from the query string."""

    needs: tuple[str, ...] = ()
    urgent: bool = False
    who: str = ""
    age: str = ""
    where: str = ""
    anywhere: bool = False

    def pairs(self) -> list[tuple[str, str]]:
        """The answers as query-string pairs, in the order the questions are asked."""
        out: list[tuple[str, str]] = [("need", n) for n in self.needs]
        if self.urgent:
            out.append(("need", URGENT))
        out += [(k, v) for k, v in (("who", self.who), ("age", self.age)) if v]
        out += [("where", self.where)] if self.where else []
        out += [("anywhere", "yes")] if self.anywhere else []
        return out


def read_answers(args, terms: TermIndex) -> Answers:
    """Answers from ``request.args``; unknown needs and choices are dropped."""
    needs: list[str] = []
    urgent = False
    for value in args.getlist("need")[:60]:
        token = value.strip().lower() if isinstance(value, str) else ""
        if token == URGENT:
            urgent = True
        elif (term := terms.find(token)) is not None and term.parent_id is None:
            key = terms.key(term.id)
            if key not in needs:
                needs.append(key)
    who = args.get("who", "")
    age = args.get("age", "")
    return Answers(
        needs=tuple(needs),
        urgent=urgent,
        who=who if who in {c[0] for c in WHO_CHOICES} else "",
        age=age if age in {c[0] for c in AGE_CHOICES} | {AGE_NOT_SAID} else "",
        where=clean(args.get("where"), 100)[0],
        anywhere=args.get("anywhere") == "yes",
    )


def results_params(answers: Answers, terms: TermIndex, home_area: str | None) -> SearchParams:
    """The results page the journey ends on. "I don't know" where means the home area's
    local authority; urgent adds the crisis and domestic abuse needs."""
    needs = list(answers.needs)
    if answers.urgent:
        needs += [terms.key(t.id) for c in URGENT_NEED_CODES if (t := terms.by_code.get(c))]
    where = "" if answers.anywhere else answers.where
    areas = (home_area,) if answers.anywhere and home_area else ()
    return SearchParams(
        needs=tuple(dict.fromkeys(needs)),
        age="" if answers.age == AGE_NOT_SAID else answers.age,
        where=where,
        areas=areas,
        who=answers.who,
        urgent=answers.urgent,
    )
