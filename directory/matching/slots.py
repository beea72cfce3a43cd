"""When someone can help, and when the person can be contacted, as weekday/part-of-day slots.

An offer stores slots such as ``["mon-am", "sat-pm"]`` (empty means any time). A request's
contact times are the person's own words ("weekday mornings", "after 6pm on Tuesdays",
"mon-am, tue-am"): :func:`slots_from_text` reads the days and parts of the day it can find and
gives None when it finds nothing, so "we cannot tell" is never mistaken for "never".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

Slot = tuple[int, str]  # (0 = Monday, "am" | "pm" | "eve")

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PARTS = ("am", "pm", "eve")
PART_NAMES = {"am": "mornings", "pm": "afternoons", "eve": "evenings"}
ALL_SLOTS: frozenset[Slot] = frozenset((d, p) for d in range(7) for p in PARTS)
WEEKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})

_SLOT = re.compile(r"^\s*([a-z]{3})[a-z]*\s*[-_ ]\s*(am|pm|eve)\w*\s*$", re.IGNORECASE)
_DAY_WORDS = {
    **{name: {i} for i, name in enumerate(DAYS)},
    **{name.lower(): {i} for i, name in enumerate(DAY_NAMES)},
    **{name.lower() + "s": {i} for i, name in enumerate(DAY_NAMES)},
    "tues": {1},
    "weds": {2},
    "thur": {3},
    "thurs": {3},
    "weekday": set(WEEKDAYS),
    "weekdays": set(WEEKDAYS),
    "weekend": set(WEEKEND),
    "weekends": set(WEEKEND),
}
_PART_WORDS = {
    "am": "am",
    "morning": "am",
    "mornings": "am",
    "pm": "pm",
    "afternoon": "pm",
    "afternoons": "pm",
    "lunchtime": "pm",
    "eve": "eve",
    "evening": "eve",
    "evenings": "eve",
    "night": "eve",
    "nights": "eve",
}
_CLOCK = re.compile(r"\b(before|after|from|by)?\s*(\d{1,2})(?:[:.]\d\d)?\s*(am|pm)\b")
_ANY = re.compile(r"\b(any ?time|whenever|any day|all day|24/7)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")


def parse_slots(values: Iterable[object]) -> frozenset[Slot]:
    """An offer's stored slots ("mon-am", "Saturday-pm"); anything unreadable is skipped."""
    found: set[Slot] = set()
    for value in values or ():
        match = _SLOT.match(str(value)[:40])
        if match and match.group(1).lower() in DAYS:
            found.add((DAYS.index(match.group(1).lower()), match.group(2).lower()))
    return frozenset(found)


def slots_from_text(text: str | None) -> frozenset[Slot] | None:
    """The slots a person's words name, or None when they name none we can read.

    Days and parts of the day combine: "weekday mornings" is Monday to Friday mornings,
    "Tuesdays" is all of Tuesday, "evenings" every evening. Stored slot codes are read too.
    """
    if not text or not isinstance(text, str):
        return None
    text = text[:200]
    if _ANY.search(text):
        return ALL_SLOTS
    coded = parse_slots(re.split(r"[,;/]", text))
    if coded:
        return coded
    days: set[int] = set()
    parts: set[str] = set(_clock_parts(text.lower()))
    for word in _WORD.findall(_CLOCK.sub(" ", text.lower())):
        days |= _DAY_WORDS.get(word, set())
        if word in _PART_WORDS:
            parts.add(_PART_WORDS[word])
    if not days and not parts:
        return None
    return frozenset((d, p) for d in (days or range(7)) for p in (parts or PARTS))


def _part_of_hour(hour: int) -> str:
    return "am" if hour < 12 else ("pm" if hour < 17 else "eve")


def _clock_parts(text: str) -> set[str]:
    """Parts of the day named by clock times: "after 4pm" is the afternoon and evening,
    "before 10am" the morning, "2pm" the afternoon."""
    found: set[str] = set()
    for word, hour_text, half in _CLOCK.findall(text):
        hour = int(hour_text) % 12 + (12 if half == "pm" else 0)
        part = PARTS.index(_part_of_hour(hour))
        if word == "after" or word == "from":
            found |= set(PARTS[part:])
        elif word in ("before", "by"):
            found |= set(PARTS[: part + 1])
        else:
            found.add(PARTS[part])
    return found


def _day_names(days: frozenset[int]) -> str:
    names = [DAY_NAMES[d] for d in sorted(days)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _phrase(days: frozenset[int], parts: list[str]) -> str:
    """One group of slots sharing their days: "weekday mornings", "every evening"."""
    if len(parts) == len(PARTS):
        if len(days) == 7:
            return "all day every day"
        if days == WEEKDAYS:
            return "all day on weekdays"
        if days == WEEKEND:
            return "all day at weekends"
        return "all day on " + _day_names(days)
    words = " and ".join(PART_NAMES[p] for p in parts)
    if len(days) == 7:
        return f"every {PART_NAMES[parts[0]][:-1]}" if len(parts) == 1 else f"{words} every day"
    if days == WEEKDAYS:
        return f"weekday {words}"
    if days == WEEKEND:
        return f"weekend {words}"
    return f"{_day_names(days)} {words}"


def describe(slots: Iterable[Slot]) -> str:
    """Slots in plain words: "any time", "weekday mornings", "Saturday afternoons and every
    evening". Empty (no times given) reads as any time, as an offer means it."""
    chosen = frozenset(slots)
    if not chosen or chosen == ALL_SLOTS:
        return "any time"
    by_days: dict[frozenset[int], list[str]] = {}
    for part in PARTS:
        days = frozenset(d for d, p in chosen if p == part)
        if days:
            by_days.setdefault(days, []).append(part)
    phrases = [_phrase(days, parts) for days, parts in by_days.items()]
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]


def soon(slots: frozenset[Slot], weekday: int) -> bool:
    """Whether an offer has a slot today or tomorrow (``weekday`` is today, 0 = Monday);
    any time counts."""
    if not slots:
        return True
    return any(d in (weekday, (weekday + 1) % 7) for d, _part in slots)
