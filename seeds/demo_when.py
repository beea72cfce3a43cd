"""When demonstration services run: ORUK schedule fields plus the same thing in words.

Each kind of timetable a real directory holds is here once: weekly on a day, twice a week,
weekdays, fortnightly, "first Tuesday" (RFC 5545 ``BYDAY=1TU``), a date in the month
(``BYMONTHDAY``), evenings, every day, round the clock, a winter-only night shelter and a late
session that runs past midnight.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = dict(
    zip(
        DAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
ORDINALS = {"1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last"}
WEEKDAYS = "MO,TU,WE,TH,FR"
EVERY_DAY = ",".join(DAYS)
#: Winter-only sessions run from the autumn of this year to the following March.
SEASON_YEAR = 2026

DAYTIME = (("10:00", "12:00"), ("13:30", "15:30"), ("10:30", "12:30"), ("14:00", "16:00"))
EVENING = (("18:30", "20:30"), ("19:00", "21:00"), ("18:00", "20:00"))
OFFICE = (("09:00", "17:00"), ("09:30", "16:30"), ("08:30", "17:00"))
DEFAULT_HOURS = {
    "weekly": DAYTIME,
    "weekly2": DAYTIME,
    "fortnightly": DAYTIME,
    "monthly": DAYTIME,
    "monthly_date": DAYTIME,
    "winter_weekly": DAYTIME,
    "evening": EVENING,
    "monthly_evening": EVENING,
    "weekdays": OFFICE,
    "saturday": (("10:00", "15:00"),),
    "daily": (("08:00", "20:00"), ("10:00", "22:00")),
    "daily24": (("00:00", "23:59"),),
    "night": (("21:00", "08:00"),),
    "late": (("22:00", "02:00"),),
}


@dataclass(frozen=True)
class When:
    """The schedule fields (without ids) and the words for them."""

    fields: dict[str, Any]
    words: str


def clock(value: str) -> str:
    """ "09:00" -> "9am", "12:00" -> "12 noon", "13:30" -> "1:30pm", "00:00" -> "midnight"."""
    hours, minutes = (int(part) for part in value.split(":"))
    if (hours, minutes) == (12, 0):
        return "12 noon"
    if (hours, minutes) in ((0, 0), (23, 59)):
        return "midnight"
    suffix = "am" if hours < 12 else "pm"
    hours = hours % 12 or 12
    return f"{hours}{suffix}" if minutes == 0 else f"{hours}:{minutes:02d}{suffix}"


def _first_on_or_after(start: date, byday: str) -> date:
    wanted = {DAYS.index(code[-2:]) for code in byday.split(",")}
    day = start
    while day.weekday() not in wanted:
        day += timedelta(days=1)
    return day


def _pick_days(rng: random.Random, count: int) -> str:
    picked = sorted(rng.sample(range(5), count))
    return ",".join(DAYS[i] for i in picked)


def _day_words(byday: str) -> str:
    names = [DAY_NAMES[code] for code in byday.split(",")]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def make_when(
    rng: random.Random, kind: str, start: date, hours: tuple[str, str] | None = None
) -> When:
    """A schedule of ``kind`` starting on or after ``start``."""
    opens, closes = hours or rng.choice(DEFAULT_HOURS[kind])
    span = f"{clock(opens)} to {clock(closes)}"
    fields: dict[str, Any] = {"freq": "WEEKLY", "interval": 1}
    valid_to = None
    if kind in ("weekly", "evening", "winter_weekly", "weekly2", "fortnightly"):
        byday = _pick_days(rng, 2 if kind == "weekly2" else 1)
        every = "every other" if kind == "fortnightly" else "every"
        words = f"{every} {_day_words(byday)}, {span}"
        if kind == "fortnightly":
            fields["interval"] = 2
        if kind == "winter_weekly":
            start, valid_to = date(SEASON_YEAR, 10, 1), date(SEASON_YEAR + 1, 3, 31)
            words += ", from October to March"
    elif kind in ("monthly", "monthly_evening"):
        nth = rng.choice(("1", "2", "3", "-1"))
        day = rng.choice(DAYS[:5])
        byday = f"{nth}{day}"
        fields["freq"] = "MONTHLY"
        words = f"on the {ORDINALS[nth]} {DAY_NAMES[day]} of every month, {span}"
    elif kind == "monthly_date":
        day_of_month = rng.choice((1, 10, 15, 20))
        byday = None
        fields["freq"] = "MONTHLY"
        fields["bymonthday"] = str(day_of_month)
        suffix = "st" if day_of_month == 1 else "th"
        words = f"on the {day_of_month}{suffix} of every month, {span}"
    elif kind == "weekdays":
        byday, words = WEEKDAYS, f"Monday to Friday, {span}"
    elif kind == "saturday":
        byday, words = "SA", f"every Saturday, {span}"
    elif kind == "daily":
        byday, words = EVERY_DAY, f"every day, {span}"
    elif kind == "daily24":
        byday, words = EVERY_DAY, "24 hours a day, every day"
    elif kind == "night":
        byday = EVERY_DAY
        start, valid_to = date(SEASON_YEAR, 11, 1), date(SEASON_YEAR + 1, 3, 31)
        words = f"every night from 1 November to 31 March, {span} the next morning"
    elif kind == "late":
        byday = "FR,SA"
        words = f"every Friday and Saturday night, {span} (past midnight)"
    else:
        raise ValueError(f"unknown schedule kind {kind!r}")
    if byday:
        fields["byday"] = byday
        first = _first_on_or_after(start, byday) if fields["freq"] == "WEEKLY" else start
    else:
        first = start
    fields |= {
        "opens_at": opens,
        "closes_at": closes,
        "valid_from": start.isoformat(),
        "valid_to": valid_to.isoformat() if valid_to else None,
        "dtstart": first.isoformat(),
        "description": words[0].upper() + words[1:] + ".",
    }
    return When(fields, words)
