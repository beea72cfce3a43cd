"""Time words in the "what" box: "let's talk this week", "lunch club today", "swimming at the
weekend", "something on tuesday evening".

Residents say *when* in the same box as *what*. Left in the text, "today" or "evening" would
be searched for as words (and "evening" finds "Evening Star Bingo"); taken out and turned
into a filter on the listings' weekly sessions, they mean what the resident meant. Only words
that unambiguously speak of time are taken: whole weekday names, "today", "tonight",
"tomorrow", "this week", "weekend", "morning", "afternoon", "evening". "Night" stays a word
(night shelters), and so do abbreviations ("wed", "sun").

"This week" is taken out of the text but filters nothing: every weekly session is on this
week, and in a sentence such as "can't afford food this week" it speaks of urgency, where
dropping the services with no timetable (phone lines, parcels delivered on request) would
hide help. The index knows each listing's weekly sessions (``hours`` column and ``day`` terms, see
``search_index.documents``); monthly rules count on their weekday every week, so "this week"
is approximate for them, as the index's opening hours are everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from search_index.view import IndexView

DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Parts of the day, in minutes after midnight: [start, end).
PERIODS = {"morning": (6 * 60, 12 * 60), "afternoon": (12 * 60, 17 * 60),
           "evening": (17 * 60, 24 * 60)}  # fmt: skip
WEEKEND = frozenset({5, 6})

_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?"
_PERIOD = r"(?:mornings?|afternoons?|evenings?)"
_PATTERN = re.compile(
    rf"""\b(?:
        (?P<week>this\s+week)
      | (?:(?:at|on|over)\s+the\s+|this\s+|on\s+)?(?P<weekend>weekends?)
      | (?P<tonight>tonight)
      | (?P<today>today)
      | (?P<tomorrow>tomorrow)
      | (?:on\s+|every\s+)?(?P<day>{_DAY})
      | (?:(?:in\s+the|this|of\s+an|in\s+an?|on)\s+)?(?P<period>{_PERIOD})
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class When:
    """What the time words asked for: days of the week (0 = Monday; None: any day), a part
    of the day in minutes ([start, end); None: any time), or only "has sessions"."""

    label: str
    days: frozenset[int] | None = None
    period: tuple[int, int] | None = None

    @property
    def filters(self) -> bool:
        """Whether this asks for particular days or times (not just "this week")."""
        return self.days is not None or self.period is not None

    @property
    def message(self) -> str:
        return (
            f"Showing services with sessions {self.label}. "
            "Search without the time words to see everything."
        )


def take_time_words(text: str, now: datetime) -> tuple[str, When | None]:
    """``text`` without its time words, and what they asked for (None when there were none).

    Several time words combine: "tuesday evening" is Tuesday from 5pm, "tomorrow morning"
    tomorrow before noon. Days named in a row ("monday or friday") are either day."""
    found = list(_PATTERN.finditer(text))
    if not found:
        return text, None
    days: set[int] = set()
    period: tuple[int, int] | None = None
    labels: list[str] = []
    today = now.weekday()
    for match in found:
        kind = match.lastgroup
        word = (match.group(kind) or "").lower()
        if kind == "week":
            labels.append("this week")
        elif kind == "weekend":
            days |= WEEKEND
            labels.append("at the weekend")
        elif kind == "today":
            days.add(today)
            labels.append("today")
            period = period or (now.hour * 60 + now.minute, 24 * 60)
        elif kind == "tonight":
            days.add(today)
            labels.append("tonight")
            period = (max(PERIODS["evening"][0], now.hour * 60 + now.minute), 24 * 60)
        elif kind == "tomorrow":
            days.add((now + timedelta(days=1)).weekday())
            labels.append("tomorrow")
        elif kind == "day":
            day = DAY_NAMES.index(_day(word))
            days.add(day)
            labels.append(f"on {DAY_NAMES[day].title()}s")
        elif kind == "period":
            period = PERIODS[word.rstrip("s")]
            labels.append(f"in the {word.rstrip('s')}")
    rest = _PATTERN.sub(" ", text)
    rest = re.sub(
        r"\b(?:on|in|at|for|this|every|or|and)\s*$", "", " ".join(rest.split()), flags=re.I
    )
    label = " ".join(dict.fromkeys(labels))
    return rest.strip(), When(label, frozenset(days) or None, period)


def _day(word: str) -> str:
    return word[:-1] if word.endswith("s") and word[:-1] in DAY_NAMES else word


def when_bits(view: IndexView, when: When) -> int:
    """The documents with a weekly session matching ``when``."""
    days = sorted(when.days) if when.days is not None else range(7)
    if when.period is None:
        bits = 0
        for day in days:
            bits |= view.term_bits("day", str(day))
        return bits
    start, end = when.period
    bits = 0
    for day in days:
        if start < end:
            bits |= view.open_during(day * 1440 + start, day * 1440 + end)
    return bits
