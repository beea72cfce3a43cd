"""Turning whatever someone typed into the "where?" box into a place, or a helpful message.

The rules, in order: a full postcode (also one inside a pasted address); an outcode; a town.
An unknown full postcode falls back to its outcode, so a typo in the last two letters still
finds the right area. When nothing matches, the message says what was tried and what to try
next, and ``alternatives`` carries spelling suggestions. Nothing here raises on any string.
"""

from __future__ import annotations

import bisect
import difflib
import unicodedata
from typing import TYPE_CHECKING

from directory.places.names import fold_name
from directory.places.place import Place, Resolution
from directory.places.postcodes import find_postcode_in, normalise_outcode, normalise_postcode

if TYPE_CHECKING:
    from directory.places.gazetteer import Gazetteer

MAX_QUERY = 100  # longer than any UK place name or address line people type into one box
SUGGESTIONS = 5

ENTER = "Enter a postcode, such as 'CH1 1AA', or the name of a town or village."
TOO_LONG = (
    "That is too long to be a postcode or a place name. Enter a postcode, such as 'CH1 1AA', "
    "or the name of a town or village."
)


def _clean(text: str) -> str:
    """Drop control, format and unpaired surrogate characters; collapse whitespace."""
    if text.isascii() and text.isprintable():
        return " ".join(text.split())
    kept = "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())


def _shown(text: str) -> str:
    """The user's text as it may be echoed back in a message: short and on one line."""
    return text if len(text) <= 40 else text[:39] + "\u2026"


def resolve_text(
    gazetteer: Gazetteer, text: str, near: tuple[float, float] | None = None
) -> Resolution:
    """Resolve free text to a place; see the module docstring for the order of the rules."""
    if not isinstance(text, str):
        return Resolution(None, message=ENTER)
    if len(text) > 4 * MAX_QUERY:
        return Resolution(None, message=TOO_LONG)
    cleaned = _clean(text)
    if not cleaned:
        return Resolution(None, message=ENTER)
    if len(cleaned) > MAX_QUERY:
        return Resolution(None, message=TOO_LONG)
    postcode = normalise_postcode(cleaned) or find_postcode_in(cleaned)
    if postcode is not None:
        return _postcode(gazetteer, postcode)
    outcode = normalise_outcode(cleaned)
    if outcode is not None:
        return _outcode(gazetteer, outcode)
    return _town(gazetteer, cleaned, near)


def _postcode(gazetteer: Gazetteer, postcode: str) -> Resolution:
    place = gazetteer.postcode(postcode)
    if place is not None:
        return Resolution(place, kind="postcode")
    outcode = postcode.split(" ", 1)[0]
    area = gazetteer.outcode(outcode)
    if area is not None:
        return Resolution(
            area,
            kind="outcode",
            message=(
                f"We could not find the postcode '{postcode}', so we are showing results for "
                f"the wider {outcode} area instead. Check the postcode if they look wrong."
            ),
        )
    return Resolution(
        None,
        message=(
            f"We could not find the postcode '{postcode}'. Check it, or try just the first "
            "part, such as 'CH1', or a town name."
        ),
    )


def _outcode(gazetteer: Gazetteer, outcode: str) -> Resolution:
    area = gazetteer.outcode(outcode)
    if area is not None:
        return Resolution(area, kind="outcode")
    return Resolution(
        None,
        message=(
            f"We could not find the postcode area '{outcode}'. Check it, or enter a full "
            "postcode, such as 'CH1 1AA', or a town name."
        ),
    )


def _named_twin(gazetteer: Gazetteer, text: str) -> Place | None:
    """The place meant by "Whitby, Ellesmere Port", "Whitby, North Yorkshire" or "Newport,
    Isle of Wight": a name, a comma, then its area, council or county (or the start of one),
    so a place sharing its name can be chosen in words."""
    name, _, area = text.rpartition(",")
    wanted = fold_name(area)
    if not name.strip() or not wanted:
        return None
    for place in gazetteer.town(name):
        if any(q == wanted or q.startswith(wanted) for q in gazetteer.qualifiers(place)):
            return place
    return None


def _town(gazetteer: Gazetteer, text: str, near: tuple[float, float] | None) -> Resolution:
    matches = gazetteer.town(text, near)
    if not matches and "," in text:
        twin = _named_twin(gazetteer, text)
        if twin is not None:
            return Resolution(twin, kind="town")
    if matches:
        place, others = matches[0], matches[1:]
        message = None
        if others:
            called = place.name if fold_name(place.name) == fold_name(text) else _shown(text)
            message = (
                f"More than one place is called {called}. We are showing "
                f"{gazetteer.describe(place)}; choose another below if you meant a different "
                "one."
            )
        bigger: list[Place] = []
        if not gazetteer.is_home(place):
            # "Newcastle" is a small town in County Down, but people usually mean a much
            # bigger place whose name starts the same way: offer those too. In the home area
            # the local place is meant, so nothing is added.
            floor = 2 * gazetteer.town_population(place)
            bigger = [
                p
                for p in gazetteer.suggest_towns(text, limit=SUGGESTIONS + len(matches))
                if p not in matches and gazetteer.town_population(p) > floor
            ]
        alternatives = others + bigger[: max(0, SUGGESTIONS - len(others))]
        return Resolution(place, alternatives=alternatives, message=message, kind="town")
    suggestions = suggest(gazetteer, text, near)
    shown = _shown(text)
    if any(ch.isdigit() for ch in text):
        message = (
            f"We could not find '{shown}'. Check the postcode, or try just the first part, "
            "such as 'CH1', or a town name."
        )
    elif suggestions:
        names = " or ".join(dict.fromkeys(p.name for p in suggestions))
        message = f"We could not find a place called '{shown}'. Did you mean {names}?"
    else:
        message = (
            f"We could not find a place called '{shown}'. Check the spelling, or enter a "
            "postcode, such as 'CH1 1AA'."
        )
    return Resolution(None, alternatives=suggestions, message=message)


def suggest(
    gazetteer: Gazetteer, text: str, near: tuple[float, float] | None = None
) -> list[Place]:
    """Towns the person may have meant: name completions, then close misspellings."""
    key = fold_name(text)
    if len(key) < 2:
        return []
    found = gazetteer.suggest_towns(key, limit=SUGGESTIONS)
    if len(found) < SUGGESTIONS:
        # Comparing against all 6,000 names takes difflib about 20 ms. Misspellings nearly
        # always keep the first letter, and names much longer or shorter cannot reach the
        # cutoff, so only those are compared (about 1 ms).
        all_names = gazetteer.town_names()
        start = bisect.bisect_left(all_names, key[0])
        end = bisect.bisect_left(all_names, chr(ord(key[0]) + 1), lo=start)
        spread = max(2, len(key) // 4)
        names = [n for n in all_names[start:end] if abs(len(n) - len(key)) <= spread]
        close = difflib.get_close_matches(key, names, n=SUGGESTIONS, cutoff=0.8)
        for name in close:
            found.extend(gazetteer.town(name, near)[:1])
    return list(dict.fromkeys(found))[:SUGGESTIONS]
