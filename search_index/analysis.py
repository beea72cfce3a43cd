"""Turning text into index terms, the same way for listings and for what residents type.

One folding function (Unicode compatibility forms, apostrophes, case, accents) and one stemmer
serve both the Whoosh analyzers (pickled into the index schema, so they live at module level)
and the query tokeniser, so a query word always becomes exactly the term the index holds.
The query side never goes through Whoosh's query parser: ``query_words`` returns plain words
and the engine builds query objects from them, so ``AND``, ``*``, ``field:value`` and quotes
in user text are only ever words.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from whoosh.analysis import Filter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang import stemmer_for_language

from search_index.lru import put_bounded

#: Longest query text we look at. Nobody describes a need in more than a couple of
#: sentences; pasted essays are cut at a word boundary so they cannot slow search down.
MAX_QUERY_CHARS = 200
#: Most words of a query used for matching (after stop words are dropped).
MAX_QUERY_WORDS = 12

WORD_PATTERN = r"\w+(?:['\u2019]\w+)*"
_WORD_RE = re.compile(WORD_PATTERN)
_QUOTES = '"\u201c\u201d\u201e\u00ab\u00bb'
_QUOTED_RE = re.compile(f"[{_QUOTES}]([^{_QUOTES}]*)[{_QUOTES}]")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Whoosh's English stop words plus the pronouns and fillers people use when describing a
#: need ("I need someone for my mum"), which carry no meaning for matching.
STOP_WORDS = _wordset(
    """
    a about after again all also am an and any are as at be been before being but by can
    could did do does doing for from had has have having he her here hers him his how i if
    in into is it its just me more most my myself no nor not of off on once only or other
    our ours out over own please same she should so some such than that the their them then
    there these they this those through to too under until up us very was we were what when
    where which while who whom why will with would yet you your yours tbd
    """
)

#: Query words that say "I want help" without saying with what, or who it is for ("my mum").
#: They still score, but a multi-word query does not require them, so "help with my bills"
#: is about bills and "my mum has dementia" about dementia.
SOFT_WORDS = _wordset(
    """
    help helps helping support supporting service services find finding looking look need
    needs needed want wanted someone somebody something anyone anybody anything local near
    nearby around area get getting give giving information info advice mum mom mam mummy
    mother dad daddy father husband wife partner son daughter child children kid kids nan
    nana gran granny grandma grandad grandpa grandmother grandfather grandchildren brother
    sister friend neighbour boyfriend girlfriend relative parent parents family someones
    """
)

#: Where the Snowball stemmer splits words that residents use interchangeably: "lonely" and
#: "loneliness", British and American "-ise"/"-ize".
_STEM_OVERRIDES = {
    "lonely": "loneli",
    "lonelier": "loneli",
    "lonesome": "loneli",
    "socialise": "social",
    "socialising": "social",
    "socialize": "social",
    "socializing": "social",
    "counselor": "counsel",
    "counsellor": "counsel",
    "counsellors": "counsel",
    "counselors": "counsel",
}

_snowball = stemmer_for_language("en")


@lru_cache(maxsize=100_000)
def fold_word(word: str) -> str:
    """Lower-case ``word``, drop possessive "'s" and apostrophes, and strip accents.

    "Mum's" -> "mum", "can't" -> "cant", "Café" -> "cafe", full-width letters -> ASCII.
    """
    word = unicodedata.normalize("NFKC", word).lower().replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=100_000)
def stem_word(word: str) -> str:
    """The index term for an already folded word."""
    return _STEM_OVERRIDES.get(word) or _snowball(word)


class FoldFilter(Filter):
    """Applies ``fold_word`` to every token (case, apostrophes, accents)."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold_word(token.text)
            if token.text:
                yield token


#: Raw token -> (stem, folded word); "" for both when the token is dropped (a stop word, or
#: nothing left after folding).
_tokens: dict[str, tuple[str, str]] = {}
#: Text -> its stems and its spelling words (see ``analyse``).
_texts: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
_MAX_CACHED = 200_000


def _token(raw: str) -> tuple[str, str]:
    folded = fold_word(raw)
    found = ("", "") if not folded or folded in STOP_WORDS else (stem_word(folded), folded)
    put_bounded(_tokens, raw, found, _MAX_CACHED)
    return found


def analyse(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The terms ``text_analyzer()`` gives for ``text``, in order, and its spelling words
    (folded, unstemmed, three letters or more, not stop words), without token objects.

    Indexing runs every listing's text through this, about ten times faster than the Whoosh
    analyzer chain: a directory repeats the same few thousand words and many whole texts
    (need labels, synonyms, town names), so each distinct word is folded, checked against
    the stop words and stemmed once, and each distinct text split once (both caches are
    bounded).
    """
    found = _texts.get(text)
    if found is None:
        stems, words = [], set()
        for raw in _WORD_RE.findall(text):
            stem, folded = _tokens.get(raw) or _token(raw)
            if stem:
                stems.append(stem)
                if len(folded) >= 3:
                    words.add(folded)
        found = (tuple(stems), frozenset(words))
        put_bounded(_texts, text, found, _MAX_CACHED)
    return found


#: Every stem ``analyse_numbered`` has met, by number, and each one's number. Numbers are
#: per process and never reused; they only grow with the vocabulary (tens of thousands of
#: stems for a directory).
STEMS: list[str] = []
_stem_numbers: dict[str, int] = {}


_stem_lock = threading.Lock()


def stem_number(stem: str) -> int:
    """The number of ``stem`` in ``STEMS`` (given one the first time, under a lock: two
    threads must never number the same stem twice)."""
    number = _stem_numbers.get(stem)
    if number is None:
        with _stem_lock:
            number = _stem_numbers.get(stem)
            if number is None:
                STEMS.append(stem)
                number = _stem_numbers[stem] = len(STEMS) - 1
    return number


class _RawCache(dict):
    """Raw token -> its stem number (-1 when dropped) or its spelling word ("" when none):
    a dictionary that fills both caches on a miss, so that a text's tokens are looked up
    with ``map`` (a C loop) rather than a Python step per word. Bounded like ``_tokens``."""

    def __missing__(self, raw: str) -> Any:
        stem, folded = _tokens.get(raw) or _token(raw)
        number = stem_number(stem) if stem else -1
        word = folded if stem and len(folded) >= 3 else ""
        put_bounded(_raw_numbers, raw, number, _MAX_CACHED)
        put_bounded(_raw_words, raw, word, _MAX_CACHED)
        return self[raw]


_raw_numbers = _RawCache()
_raw_words = _RawCache()
_kept = (-1).__ne__
#: Text -> its stem numbers and spelling words (see ``analyse_numbered``).
_numbered: dict[str, tuple[array, frozenset[str]]] = {}


def analyse_numbered(text: str) -> tuple[array, frozenset[str]]:
    """``analyse`` with each stem as its number in ``STEMS`` (an ``array("I")``, in order),
    for the rebuild's bulk writer, which collects a whole batch of documents' stems as one
    array and groups them with numpy instead of a dictionary step per word. The same terms
    and spelling words as ``analyse``, from the same per-word folding and stemming, cached
    per raw word and per text (both bounded; ``forget_texts`` empties the per-text one)."""
    found = _numbered.get(text)
    if found is None:
        raws = _WORD_RE.findall(text)
        numbers = array("I", filter(_kept, map(_raw_numbers.__getitem__, raws)))
        words = set(map(_raw_words.__getitem__, raws))
        words.discard("")
        found = (numbers, frozenset(words))
        put_bounded(_numbered, text, found, _MAX_CACHED)
    return found


def forget_texts() -> None:
    """Empty the per-text caches of ``analyse`` and ``analyse_numbered``. A rebuild's worker
    calls it after each batch of listings: most of a directory's texts (descriptions, venue
    names) occur once, and keeping them cost a worker about 150 MB at 100,000 services for no
    hits; the texts that repeat (need labels, synonyms, town names) are cached again within
    the next batch."""
    _texts.clear()
    _numbered.clear()


def fold_text(text: str) -> str:
    """Lower case without accents or apostrophes, for matching stems against raw text."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _tokenizer() -> RegexTokenizer:
    return RegexTokenizer(expression=WORD_PATTERN)


def text_analyzer():
    """Analyzer for every stemmed text field: words, folding, stop words, English stems."""
    return (
        _tokenizer()
        | FoldFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
        | StemFilter(stemfn=stem_word, cachesize=None)
    )


def clean_text(text: object, limit: int = MAX_QUERY_CHARS) -> str:
    """Make arbitrary user input safe to analyse: a string, no control characters, folded
    Unicode forms, collapsed spaces, and at most ``limit`` characters cut at a word boundary."""
    if not isinstance(text, str):
        return ""
    text = text[: limit * 4]
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    text = unicodedata.normalize("NFKC", text)
    text = " ".join(text.split())
    if len(text) > limit:
        cut = text[:limit]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return text


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a query: as typed, folded (unstemmed) and stemmed."""

    typed: str
    folded: str
    stem: str
    stop: bool
    soft: bool


def words_of(text: str) -> list[Word]:
    """Every word of ``text`` in order, stop words included but marked."""
    words = []
    for match in _WORD_RE.finditer(text):
        folded = fold_word(match.group(0))
        if not folded:
            continue
        stop = folded in STOP_WORDS
        words.append(
            Word(
                typed=match.group(0),
                folded=folded,
                stem="" if stop else stem_word(folded),
                stop=stop,
                soft=folded in SOFT_WORDS,
            )
        )
    return words


def query_words(text: str) -> list[Word]:
    """The meaningful words of a query (no stop words), at most ``MAX_QUERY_WORDS``."""
    return [w for w in words_of(text) if not w.stop][:MAX_QUERY_WORDS]


def quoted_phrases(text: str) -> list[str]:
    """The text inside each pair of double quotes, e.g. ``"food bank" chester`` ->
    ``["food bank"]``. Unbalanced quotes are ignored (they are just punctuation)."""
    return [m.group(1) for m in _QUOTED_RE.finditer(text) if m.group(1).strip()]


def index_terms(text: str) -> list[str]:
    """The stemmed terms ``text`` gives in the index, in order (for phrases and highlighting)."""
    return [w.stem for w in words_of(text) if not w.stop]


@lru_cache(maxsize=1024)
def _stem_starts(stems: frozenset[str]) -> re.Pattern[str]:
    """Whole words beginning with the first three letters of any stem (case ignored)."""
    starts = sorted({re.escape(stem[:3]) for stem in stems if stem})
    return re.compile(rf"\b(?:{'|'.join(starts)})\w*(?:['\u2019]\w+)*", re.IGNORECASE)


def highlight(text: str, stems: set[str], width: int = 240) -> str:
    """An HTML snippet of ``text`` about ``width`` characters long, around the part with the
    most query words, with those words in ``<mark>``.

    Text pieces are escaped one by one and the marks are added around escaped words, so
    nothing from the listing can inject markup and a mark never splits an entity.
    """
    text = " ".join((text or "").split())
    words = _WORD_RE.finditer(text) if stems else iter(())
    if text.isascii() and stems:
        # Only words starting like a query stem can be one: look just at those.
        words = _stem_starts(frozenset(stems)).finditer(text)
    spans = [
        (m.start(), m.end())
        for m in words
        if (_tokens.get(m.group(0)) or _token(m.group(0)))[0] in stems
    ]
    start = 0
    if len(text) > width and spans:
        best = max(
            range(len(spans)),
            key=lambda i: sum(1 for s, _ in spans if spans[i][0] <= s < spans[i][0] + width - 40),
        )
        start = max(0, spans[best][0] - 40)
        start = min(start, max(0, len(text) - width))
        if start:
            space = text.rfind(" ", 0, start + 1)
            start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    out = ["\u2026 " if start else ""]
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[cursor:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    if end < len(text):
        out.append(" \u2026")
    return "".join(out)
