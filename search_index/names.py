"""A listing's names as index keywords: the stems of its names, and its name without the
place words, so "let's talk" names every "Let's Talk Blacon" and "Let's Talk (Ellesmere
Port)" (``search_index.documents`` builds them, ``query.TextPlan.named`` matches them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from search_index.analysis import Word, query_words

if TYPE_CHECKING:
    from directory.places.gazetteer import Gazetteer


def name_terms(*names: str | None) -> str:
    """The stems of a listing's names (service, alternate and venue name) as keywords, so a
    query naming a service or place ("let's talk", "the bluecoat", "glitch") can find the
    listings it names (``query.TextPlan.named``)."""
    return " ".join(sorted({w.stem for name in names if name for w in query_words(name)}))


def name_key(stems: Iterable[str]) -> str:
    """One keyword for a set of stems (order and repeats ignored)."""
    return "_".join(sorted(set(stems)))


def strip_place_words(
    words: list[Word], gazetteer: Gazetteer | None, known: dict[str, bool] | None = None
) -> list[Word]:
    """``words`` without the runs of one to three words that name a place ("Blacon",
    "Ellesmere Port"), everyday words that are also places ("Over", "Hope") kept.

    ``known`` keeps the answer for each run looked up: names repeat their words ("Chester
    Food Bank", "Chester Lunch Club"), and a look-up folds the run and asks the gazetteer."""
    if gazetteer is None:
        return words
    from directory.places.local import bare_name_ok
    from directory.places.names import fold_name

    known = {} if known is None else known
    kept: list[Word] = []
    i = 0
    while i < len(words):
        for size in (3, 2, 1):
            if i + size > len(words):
                continue
            text = " ".join(w.typed for w in words[i : i + size])
            place = known.get(text)
            if place is None:
                place = known[text] = bool(bare_name_ok(fold_name(text)) and gazetteer.town(text))
            if place:
                i += size
                break
        else:
            kept.append(words[i])
            i += 1
    return kept
