"""How a sentence's shape changes what a saying in it means: the word-level rules.

A listing is not a query: it says where, how and for whom as well as what, in sentences with
commas, lists, asides and negations. These helpers read that shape for
:mod:`directory.inference.vocabulary`:

* a saying's words stand together (adjacent, any order, stop words aside) within one clause: no
  saying spans a comma ("benefits, housing" is not "housing benefit"), nor a "with" it does not
  itself hold ("adults with a learning disability" is not "adult learning");
* a saying right after a negation ("no", "not", "without"; not "not just") is not evidence;
* a saying only about how or by whom a service is delivered ("online", "volunteers", "home
  visits") is not evidence of a need on its own;
* a clause that starts with "plus", "giving", "so", "which", "while", "where", "who", "if" or
  "whether" adds something to what the sentence says the listing is: what it names counts less;
* a client group the sentence says the listing is *for* counts like the eligibility text;
* "for older and disabled residents" says "older residents" and "disabled residents"; people
  nouns ("residents", "adults") stand for "people" in client-group sayings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from search_index.analysis import Word, words_of

#: Punctuation inside a sentence that no saying spans.
CLAUSE = re.compile(r"[,;:()\[\]/\u2013\u2014]|\s-\s")
#: Words before a saying that negate it, looked for this many words back.
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
#: Further words that, with the ones above, make a saying only about delivery ("home visits").
DELIVERY_WORDS = HOW_WORDS | frozenset({"home", "visit", "visits", "visiting"})
#: Words no saying spans unless it holds them itself.
BREAKING = frozenset({"with"})
#: Words that open a clause adding something to what the sentence says the listing is.
ADD_ONS = frozenset({"plus", "giving", "so", "which", "while", "where", "who", "if", "whether"})
#: Nouns for people that stand for "people" in client-group sayings.
PEOPLE_NOUNS = frozenset(w.stem for w in words_of("residents adults individuals persons folk"))
PEOPLE = frozenset(w.stem for w in words_of("people"))
_DETERMINERS = frozenset(
    {"a", "an", "the", "their", "our", "your", "my", "his", "her", "its", "other", "some", "all"}
)
_ELLIPSIS = re.compile(
    r"\b(for|to|with|by|from|all|both|local) ([a-z-]+) (and|or) ([a-z-]+) "
    r"(people|residents|adults|men|women|children|carers|families)\b",
    re.I,
)


def expand_ellipsis(text: str) -> str:
    """ "for older and disabled residents" -> "for older residents and disabled residents".

    Only after a preposition (so "a learning disability and autistic people", a noun and a
    group, is left alone) and not across a determiner ("dementia and their carers")."""
    return _ELLIPSIS.sub(_share_noun, text)


def _share_noun(match: re.Match[str]) -> str:
    first, joined, second, noun = match[2], match[3], match[4], match[5]
    if {first.lower(), second.lower()} & _DETERMINERS:
        return match[0]  # "dementia and their carers": a group and its own people
    return " ".join((match[1], first, noun, joined, second, noun))


def clauses(sentence: str) -> list[str]:
    return CLAUSE.split(sentence)


def opens_add_on(clause_words: Sequence[Word]) -> bool:
    return bool(clause_words) and clause_words[0].folded in ADD_ONS


def stems_at(words: Sequence[Word]) -> list[set[str]]:
    """The stems each word may stand for: itself, and "people" for a people noun."""
    return [{w.stem} | (set(PEOPLE) if w.stem in PEOPLE_NOUNS else set()) for w in words]


def window(stems: Sequence[set[str]], wanted: frozenset[str]) -> tuple[int, int] | None:
    """The shortest run of adjacent words holding every stem, if it holds nothing else."""
    hits = [(i, stem) for i, alt in enumerate(stems) for stem in sorted(alt & wanted)[:1]]
    best: tuple[int, int] | None = None
    for start, (first, _) in enumerate(hits):
        seen: set[str] = set()
        for last, stem in hits[start:]:
            seen.add(stem)
            if len(seen) == len(wanted):
                if best is None or last - first < best[1] - best[0]:
                    best = (first, last)
                break
    if best is None or best[1] - best[0] + 1 > len(wanted):
        return None
    return best


def broken(everything: Sequence[Word], first: int, last: int, own: frozenset[str]) -> bool:
    """A word the saying does not hold ("with") stands between its first and last word."""
    return any(w.folded in BREAKING and w.folded not in own for w in everything[first + 1 : last])


def delivery(words: Sequence[Word], span: tuple[int, int], one_word: bool, field: str) -> bool:
    """The saying is only about how or by whom the service is delivered."""
    said = [w.folded for w in words[span[0] : span[1] + 1]]
    if not one_word:
        return all(w in DELIVERY_WORDS for w in said)
    if said[0] not in HOW_WORDS:
        return False
    # A listing named "Good Neighbour Volunteers" is about volunteering.
    return not (field == "name" and said[0].startswith("volunteer"))


def negated(everything: Sequence[Word], first: int) -> bool:
    start = max(0, first - NEGATION_REACH)
    for i in range(start, first):
        if everything[i].folded in NEGATIONS:
            after = everything[i + 1].folded if i + 1 < len(everything) else ""
            if after not in _NOT_NEGATING:
                return True
    return False


def for_whom(everything: Sequence[Word], first: int) -> bool:
    """A client group the sentence says the listing is for ("for older people", "aimed at
    carers"): as telling as the eligibility text."""
    before = [w.folded for w in everything[max(0, first - FOR_REACH) : first]]
    return any(word in FOR_WORDS for word in before)


def as_written(said: Word, own: frozenset[str]) -> bool:
    """A one-word client-group saying met as written or as its plural: a client group is a
    kind of people, and stemming turns "travellers" into "travel"."""
    word = said.folded
    return any(_singular(word) == _singular(o) for o in own)


def _singular(word: str) -> str:
    """ "gypsies" -> "gypsy", "churches" -> "church", "carers" -> "carer"."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def inside(span: tuple[int, int], other: tuple[int, int]) -> bool:
    """``span`` lies within the longer ``other``."""
    longer = (other[1] - other[0]) > (span[1] - span[0])
    return longer and other[0] <= span[0] and span[1] <= other[1]
