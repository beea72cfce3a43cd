"""Listing names reduced to comparable words, and how alike two names are.

Feeds spell one service many ways ("Chester Memory Cafe", "Memory Café - Chester", "Memory
cafe (Chester)"), so names are compared as sets of words rather than as strings: case, accents,
punctuation, "&"/"and" and word order stop mattering. Words that say nothing about which
service it is ("the", "group", "service", "ltd", "cic") are dropped.

Words in brackets are kept, not dropped: "Memory Cafe (2nd Tuesday)" and "Memory Cafe (4th
Tuesday)" are two sessions, and word-set matching already makes "(Chester)" match "Chester ...".
Instead, a place or organisation word that only one of two names carries ("Chester Memory
Cafe" at a Chester address against "Memory Cafe") is treated as a qualifier: see
:func:`name_similarity`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

#: Words that never tell two services apart. "and"-like words go too, so "Tea & Chat",
#: "Tea and Chat" and "Tea, Chat" are one name.
FILLER = frozenset(
    (
        *("the", "a", "an", "and", "of", "for", "at", "in", "on", "with", "to", "by"),
        *("group", "groups", "service", "services", "session", "sessions"),
        *("ltd", "limited", "cic", "cio", "scio", "inc", "plc", "llp", "charity"),
    )
)
_LONG_FILLER = tuple(w for w in FILLER if len(w) >= 5)
_ARTICLES = frozenset({"the", "a", "an"})
#: One spelling for words that feeds spell two ways.
SPELLINGS = {"center": "centre", "st": "saint", "centres": "centre", "cafes": "cafe"}

#: Below this a word must match exactly: "club"/"clubs" yes, but "2nd"/"4th" and short words no.
_FUZZY_MIN_LENGTH = 5
#: Two words this alike are one word misspelt ("comunity"/"community", not "tuesday"/"thursday").
_FUZZY_WORD_RATIO = 0.85
#: Names that differ only by qualifier words score this, just above NEAR_SAME.
_QUALIFIED_SCORE = 0.95

_APOSTROPHES = re.compile(r"['\u2018\u2019`]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def words(text: str | None) -> tuple[str, ...]:
    """Every word of ``text`` in lower case ASCII, in order; "&" and "+" read as "and"."""
    if not text:
        return ()
    folded = str(text)
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = folded.lower()
    folded = folded.replace("&", " and ").replace("+", " and ")
    folded = _APOSTROPHES.sub("", folded)
    return tuple(SPELLINGS.get(w, w) for w in _NON_WORD.sub(" ", folded).split())


def name_words(name: str | None) -> tuple[str, ...]:
    """The words of a name that identify the service: filler dropped, unless that leaves none
    (a group called "The Group" is still called something)."""
    every = words(name)
    kept = tuple(w for w in every if not _is_filler(w))
    return kept or tuple(w for w in every if w not in _ARTICLES) or every


@lru_cache(maxsize=50_000)
def _is_filler(word: str) -> bool:
    """A filler word, or a long one with one letter wrong ("sevice", "sesion"): a typo in a
    word that does not count should not count either ("servicemen" and "unlimited" do)."""
    if word in FILLER:
        return True
    return len(word) >= _FUZZY_MIN_LENGTH and any(
        abs(len(word) - len(filler)) <= 1 and _same_word(word, filler) for filler in _LONG_FILLER
    )


def name_key(tokens: tuple[str, ...] | frozenset[str]) -> str:
    """A blocking key: the same for names with the same words in any order."""
    return " ".join(sorted(set(tokens)))


@lru_cache(maxsize=100_000)
def _misspelt(a: str, b: str) -> bool:
    """Two different words one misspelling apart. Cached: a directory's vocabulary is small,
    the same word pairs come up again and again, and ``SequenceMatcher`` is slow."""
    if a.isdigit() or b.isdigit():
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= _FUZZY_WORD_RATIO


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    shorter, longer = (len(a), len(b)) if len(a) <= len(b) else (len(b), len(a))
    if shorter < _FUZZY_MIN_LENGTH or 2 * shorter < _FUZZY_WORD_RATIO * (shorter + longer):
        return False
    return _misspelt(a, b)


def _join_compounds(tokens: list[str], other: list[str]) -> list[str]:
    """Join neighbours that the other name writes as one word ("food bank" / "foodbank")."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens) and tokens[i] + tokens[i + 1] in other:
            out.append(tokens[i] + tokens[i + 1])
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return out


def _fuzzy_room(left: list[str], right: list[str]) -> int:
    """At most how many left-over words can still match: only long words are misspelt."""
    long_left = sum(len(w) >= _FUZZY_MIN_LENGTH for w in left)
    long_right = sum(len(w) >= _FUZZY_MIN_LENGTH for w in right)
    return min(long_left, long_right)


def _may_qualify(left: list[str], right: list[str], qualifiers: Container[str], exact: int) -> bool:
    """Whether the qualifier rule could still apply: one side's words all matched and the
    other's extra words all qualifiers (so the words that are not qualifiers must fit)."""
    room = _fuzzy_room(left, right)
    if not exact and not room:
        return False
    plain_right = sum(w not in qualifiers for w in right)
    plain_left = sum(w not in qualifiers for w in left)
    return (not left or (len(left) <= room and plain_right <= len(left))) or (
        not right or (len(right) <= room and plain_left <= len(right))
    )


@dataclass(frozen=True)
class NameMatch:
    """How two names compare: ``score`` in 0..1 and the words each has that the other lacks."""

    score: float
    extra_a: frozenset[str]
    extra_b: frozenset[str]


def compare_names(
    a: tuple[str, ...],
    b: tuple[str, ...],
    qualifiers: Container[str] = frozenset(),
    floor: float = 0.0,
) -> NameMatch:
    """Compare two names' words (from :func:`name_words`).

    The score is the share of words the names have in common (2 x shared / total; a misspelt
    word, or two words the other name writes as one, count as shared). When every word of one
    name is in the other and the other's extra words are all ``qualifiers`` (the listings' own
    town and organisation words), the names are the same service named more or less fully,
    and score ``0.95``.

    With a ``floor``, names that cannot reach it are not worked out in full: the score is
    then a lower bound, below the floor (most candidate pairs end here, cheaply).
    """
    if not a or not b:
        return NameMatch(0.0, frozenset(a), frozenset(b))
    set_a, set_b = set(a), set(b)
    exact = len(set_a & set_b)
    # Only the words left over need the slower checks, in their original order for joining.
    left = [w for w in dict.fromkeys(a) if w not in set_b]
    right = [w for w in dict.fromkeys(b) if w not in set_a]
    if left and right:
        left = _join_compounds(left, right)
        right = _join_compounds(right, left)
    total = 2 * exact + len(left) + len(right)
    hopeless = floor and 2 * (exact + _fuzzy_room(left, right)) < floor * total
    if hopeless and not _may_qualify(left, right, qualifiers, exact):
        return NameMatch(2 * exact / total, frozenset(left), frozenset(right))
    extra_a: list[str] = []
    unmatched = list(right)
    for word in left:
        for other in unmatched:
            if _same_word(word, other):
                unmatched.remove(other)
                break
        else:
            extra_a.append(word)
    shared = exact + len(left) - len(extra_a)
    score = 2 * shared / total
    extras = (frozenset(extra_a), frozenset(unmatched))
    one_sided = not extras[0] or not extras[1]
    if shared and one_sided and all(w in qualifiers for w in extras[0] | extras[1]):
        score = max(score, _QUALIFIED_SCORE)
    return NameMatch(round(score, 2), *extras)
