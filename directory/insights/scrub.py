"""Take what a resident typed into a search box and keep only what insight needs.

Search words tell the council what people look for; they can also hold a name, a phone number,
an email address or a home postcode, because people type into the box the way they would talk
to someone ("my name is Jane Smith, call 07700 900123"). Nothing personal may reach the search
log, so :func:`scrub` removes, before anything is stored:

* anything with an ``@`` in it (email addresses) and web addresses;
* full postcodes (the outcode is returned separately: "CH2 3AW" -> ``outcode="CH2"``), and
  anything shaped like one, valid or not;
* runs of five or more digits, with or without spaces, dashes, dots or brackets between them
  (phone numbers, account and reference numbers, dates of birth written as 010190);
* names: the words after "my name is", "called", "call me"; capitalised words after "I am",
  "I'm", "this is"; common given names (:mod:`directory.insights.names`) and the surname or
  capitalised word after them; the word or two after a title such as "Mrs" or "Dr".

Words the directory knows as needs (``keep``: the taxonomy's labels, synonyms and phrases)
are never removed as names, so "Carer" or "Bereavement" survive. The removal runs until
nothing matching a pattern is left, so removing one thing can never join two halves into a
new phone number or postcode. It never raises, whatever the input (tested with hypothesis).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from directory.insights.names import FIRST_NAMES, SURNAMES, TITLES, WORDLIKE_FIRST_NAMES
from directory.places.postcodes import find_postcode_in, normalise_outcode, normalise_postcode

#: Longest input looked at (the search box takes 200 characters; the API's ``search`` more).
MAX_INPUT = 1000
#: Longest scrubbed query kept (``SearchLog.query``).
MAX_QUERY = 200

#: Anything holding an ``@``: an email address, or the half of one.
EMAIL_RE = re.compile(r"[^\s@]*@[^\s@]*")
URL_RE = re.compile(r"(?:https?:/?/?|www\.)[^\s]*", re.IGNORECASE)
#: Anything shaped like a full postcode, valid or not, with or without its space.
POSTCODE_SHAPE_RE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}", re.IGNORECASE)
#: Five or more digits (any script's) with only spaces or punctuation between them.
DIGIT_RUN_RE = re.compile(r"\d(?:[\W_]*\d){4,}")
_PATTERNS = (URL_RE, EMAIL_RE, POSTCODE_SHAPE_RE, DIGIT_RUN_RE)

#: Words that end a name: "my name is Jane and I need food" keeps "and I need food".
_STOP = frozenset(
    """
    a about after an and any are as at be because but by can cant could do does dont for from
    get got have having he her help him his how i i'm id im in is it its just looking me my
    need needs needing near no not of on or our please she so some someone than that the
    their them there they this to too u up us want wanting was we what when where which who
    will with would you your
    """.split()  # noqa: SIM905
)
#: After these, every word up to a stop word is a name, whatever its case.
_STRONG_CUES = (("my", "name", "is"), ("name", "is"), ("my", "name"), ("names",),
                ("called",), ("named",), ("call", "me"), ("known", "as"))  # fmt: skip
#: After these, only capitalised words are names ("I am Jane" but "I am lonely").
_WEAK_CUES = (("i", "am"), ("im",), ("i", "m"), ("this", "is"), ("its",))
_MAX_NAME_WORDS = 3
_WORD_CORE_RE = re.compile(r"^[\W_]*(.*?)[\W_]*$", re.DOTALL)
_SENTENCE_END = frozenset(".,;:!?")


@dataclass(frozen=True)
class Scrubbed:
    """The query as it may be stored, and the outcode of the first postcode it held."""

    query: str
    outcode: str | None


def scrub(text: object, keep: Iterable[str] = ()) -> Scrubbed:
    """``text`` with emails, web addresses, postcodes, numbers and names removed, lower-cased
    and cut to :data:`MAX_QUERY` characters. ``keep``: folded words never to remove as names
    (the need vocabulary). Never raises."""
    if not isinstance(text, str):
        return Scrubbed("", None)
    cleaned = _clean(text[: MAX_INPUT * 2])[:MAX_INPUT]
    outcode = postcode_outcode(cleaned)
    keep_set = frozenset(keep)
    # Patterns first (so "07700" is never read as a word), names once (a second pass would
    # read the word after a removed name as the name), then patterns again: taking a name
    # out can join two halves of a number.
    current = _without_patterns(_without_names(_without_patterns(cleaned), keep_set))
    words = [core for token in current.split() if (core := _core(token))]
    query = " ".join(words).lower()[:MAX_QUERY].strip()
    if any(p.search(query) for p in _PATTERNS):  # cannot happen; never store it if it did
        query = ""
    return Scrubbed(query, outcode)


def outcode_of_place(where: object) -> str | None:
    """The outcode of a "where" answer: itself when it is an outcode ("CH2"), that of the
    postcode when it is one or holds one ("ch23aw", "Hoole, CH2 3AW"); None for a town."""
    if not isinstance(where, str):
        return None
    text = _clean(where[:MAX_INPUT])
    if (full := normalise_postcode(text)) is not None:
        return full.split(" ", 1)[0]
    if (outward := normalise_outcode(text)) is not None:
        return outward
    return postcode_outcode(text)


def postcode_outcode(text: str) -> str | None:
    """The outcode of the first valid full postcode written in ``text``, or None."""
    for match in POSTCODE_SHAPE_RE.finditer(text[:MAX_INPUT]):
        found = find_postcode_in(match.group(0))
        if found is not None:
            return found.split(" ", 1)[0]
    return None


def _clean(text: str) -> str:
    """Compatibility forms folded (full-width digits become digits, so they are caught too),
    control and format characters dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text)
    if not (text.isascii() and text.isprintable()):
        text = "".join(
            " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Zs") else ch
            for ch in text
            if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn")
        )
    return " ".join(text.split())


def _without_patterns(text: str) -> str:
    for _ in range(50):
        before = text
        for pattern in _PATTERNS:
            text = pattern.sub(" ", text)
        if text == before:
            return " ".join(text.split())
    return ""


def _core(token: str) -> str:
    """The word inside a token: "Smith," -> "Smith"; "(07700" -> "07700"."""
    match = _WORD_CORE_RE.match(token)
    return match.group(1) if match else ""


def _alpha(word: str) -> bool:
    return word.replace("-", "").isalpha()


def _fold(word: str) -> str:
    word = word.lower().replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    return word.replace("'", "")


def _capitalised(word: str) -> bool:
    """ "Jane", "O'Brien", "Smith-Jones"; not "I", "NHS" or "food"."""
    letters = word.replace("'", "").replace("\u2019", "").replace("-", "")
    return len(letters) > 1 and word[0].isupper() and letters.isalpha() and not word.isupper()


def _without_names(text: str, keep: frozenset[str]) -> str:
    tokens = text.split()
    cores = [_core(t) for t in tokens]
    folded = [_fold(c) for c in cores]
    drop: set[int] = set()

    def ends_sentence(i: int) -> bool:
        return tokens[i][-1:] in _SENTENCE_END

    def name_like(i: int, any_case: bool) -> bool:
        word = folded[i]
        if not word or word in keep or word in _STOP or not _alpha(word):
            return False
        return any_case or _capitalised(cores[i])

    def take_after(start: int, any_case: bool) -> None:
        i = start
        while i < len(tokens) and i - start < _MAX_NAME_WORDS and name_like(i, any_case):
            drop.add(i)
            if ends_sentence(i):
                break
            i += 1

    for i in range(len(tokens)):
        for cue in _STRONG_CUES + _WEAK_CUES:
            n = len(cue)
            if tuple(folded[i : i + n]) == cue and not ends_sentence(i + n - 1):
                take_after(i + n, any_case=cue in _STRONG_CUES)
        word = folded[i]
        first = word in FIRST_NAMES and word not in keep
        wordlike = (
            word in WORDLIKE_FIRST_NAMES
            and word not in keep
            and _capitalised(cores[i])
            and ((i > 0 and not ends_sentence(i - 1)) or _surname_next(i, tokens, cores, folded))
        )
        if first or wordlike:
            drop.add(i)
            _take_surname(i + 1, tokens, cores, folded, keep, drop, any_case=first)
        if word in TITLES and i + 1 < len(tokens) and not ends_sentence(i):
            drop.add(i)
            _take_surname(i + 1, tokens, cores, folded, keep, drop, any_case=True)
    return " ".join(t for i, t in enumerate(tokens) if i not in drop)


def _surname_next(i: int, tokens: list[str], cores: list[str], folded: list[str]) -> bool:
    j = i + 1
    return j < len(tokens) and (folded[j] in SURNAMES or _capitalised(cores[j]))


def _take_surname(
    j: int,
    tokens: list[str],
    cores: list[str],
    folded: list[str],
    keep: frozenset[str],
    drop: set[int],
    any_case: bool = False,
) -> None:
    """The word or two after a first name or a title, when they look like a surname."""
    for k in range(j, min(j + 2, len(tokens))):
        if tokens[k - 1][-1:] in _SENTENCE_END:
            return
        word = folded[k]
        if not word or word in keep or word in _STOP:
            return
        if word in SURNAMES or _capitalised(cores[k]) or (any_case and k == j and _alpha(word)):
            drop.add(k)
        else:
            return
