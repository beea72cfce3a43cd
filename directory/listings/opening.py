"""Opening times and sessions as plain domain logic: dated occurrences, "open now", the ORUK
``day``/``start_time``/``end_time`` filters, a weekly signature for the search index, and the
words the public site shows ("Open now until 5pm", "Opens Monday 9am").

Everything takes schedule-like objects (the ``Schedule`` model, saved or not, or anything with
the same attributes) and plain datetimes, so it runs without a request or a database. How
schedules are read is in ``opening_rules``; how times are written is in ``opening_text``; the
rules for both are in docs/opening-times.md, "How a schedule is read" and "Words on the site".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from directory.listings.opening_closures import bank_holidays, text_says_closed_on_bank_holidays
from directory.listings.opening_index import open_during, open_weekdays, weekly_signature
from directory.listings.opening_occurrences import Occurrence, as_utc, is_open_at, occurrences
from directory.listings.opening_rules import LONDON
from directory.listings.opening_text import (
    describe_schedule,
    describe_week,
    format_date,
    format_hours,
    format_time,
    relative_day,
)


@dataclass(frozen=True)
class OpenStatus:
    """What to say about a service at one moment. ``text`` is "" when nothing is known;
    ``times_known`` is False when the next day it runs has no times given."""

    open_now: bool
    closes_at: datetime | None
    next_open: datetime | None
    text: str
    times_known: bool = True


def open_status(
    schedules: Iterable[object] | None,
    now: datetime,
    *,
    closed_dates: Iterable[date] | None = None,
    closed_on_bank_holidays: bool = False,
    region: str = "ENG",
) -> OpenStatus:
    """Whether open at ``now`` and what to say about it; text "" when nothing is known.

    When open, ``closes_at`` is the end of the unbroken run of sessions (9am to 12pm then 12pm
    to 5pm closes at 5pm), None if the closing time is not given. When closed, ``next_open`` is
    the next session's start (local midnight of that day when its times are not given).
    """
    options = {
        "closed_dates": closed_dates,
        "closed_on_bank_holidays": closed_on_bank_holidays,
        "region": region,
    }
    now_utc = as_utc(now)
    today = now_utc.astimezone(LONDON).date()
    found = occurrences(schedules, now - timedelta(days=2), now + timedelta(days=8), **options)
    if not any(as_utc(o.ends) > now_utc for o in found):
        found = occurrences(schedules, now, now + timedelta(days=400), **options)
    current = [o for o in found if o.times_known and as_utc(o.starts) <= now_utc < as_utc(o.ends)]
    if current:
        return _open_now_status(found, current, today)
    upcoming = [
        o for o in found if (as_utc(o.starts) > now_utc if o.times_known else o.day >= today)
    ]
    if not upcoming:
        return OpenStatus(False, None, None, "")
    nxt = min(upcoming, key=lambda o: (o.day, not o.times_known, as_utc(o.starts)))
    when = relative_day(nxt.day, today)
    if not nxt.times_known:
        return OpenStatus(False, None, nxt.starts, f"Open {when}, times not given", False)
    at = format_time(nxt.starts)
    if (nxt.day - today).days in range(2, 7):
        return OpenStatus(False, None, nxt.starts, f"Opens {when} {at}")
    return OpenStatus(False, None, nxt.starts, f"Opens {when} at {at}")


#: Sessions that run on without a break for this long are a round-the-clock service: saying
#: "open now until Sunday midnight" would only make people think it then closes.
ROUND_THE_CLOCK = timedelta(days=6)


def _open_now_status(found: list[Occurrence], current: list[Occurrence], today: date):
    chain = max(current, key=lambda o: as_utc(o.ends))
    closes, end_known = as_utc(chain.ends), chain.end_known
    for o in found:
        if o.times_known and as_utc(o.starts) <= closes < as_utc(o.ends):
            closes, end_known = as_utc(o.ends), o.end_known
    if not end_known:
        return OpenStatus(True, None, None, "Open now")
    if closes - as_utc(chain.starts) >= ROUND_THE_CLOCK:
        return OpenStatus(True, None, None, "Open 24 hours")
    local = closes.astimezone(LONDON)
    if local.time() == time(0):
        # Midnight ends the day before it: "until midnight tomorrow", never "Monday midnight".
        last_day = local.date() - timedelta(days=1)
        days_on = (last_day - today).days
        if days_on == 0:
            text = "Open now until midnight"
        elif days_on == 1:
            text = "Open now until midnight tomorrow"
        elif days_on in range(2, 7):
            text = f"Open now until midnight on {relative_day(last_day, today)}"
        else:
            text = f"Open now until midnight on {format_date(last_day, today)}"
        return OpenStatus(True, local, None, text)
    days_on = (local.date() - today).days
    if days_on == 0:
        text = f"Open now until {format_time(local)}"
    elif days_on == 1:
        text = f"Open now until {format_time(local)} tomorrow"
    elif days_on in range(2, 7):
        text = f"Open now until {relative_day(local.date(), today)} {format_time(local)}"
    else:
        text = f"Open now until {format_date(local.date(), today)} at {format_time(local)}"
    return OpenStatus(True, local, None, text)


def upcoming_sessions(
    schedules: Iterable[object] | None,
    now: datetime,
    weeks: int = 2,
    *,
    closed_dates: Iterable[date] | None = None,
    closed_on_bank_holidays: bool = False,
    region: str = "ENG",
) -> list[Occurrence]:
    """Sessions not yet finished this week and the next ``weeks - 1`` (weeks run Monday to
    Sunday), for the "sessions this week and next" list."""
    local = as_utc(now).astimezone(LONDON)
    monday = local.date() - timedelta(days=local.weekday())
    end = datetime.combine(monday + timedelta(weeks=max(weeks, 1)), time(0), tzinfo=LONDON)
    return occurrences(
        schedules,
        now,
        end,
        closed_dates=closed_dates,
        closed_on_bank_holidays=closed_on_bank_holidays,
        region=region,
    )


def describe_occurrence(occurrence: Occurrence, today: date | None = None) -> str:
    """``Tuesday 4 March, 10am to midday`` for a dated session list."""
    day = format_date(occurrence.day, today)
    if not occurrence.times_known:
        return day
    closes = occurrence.ends.time() if occurrence.end_known else None
    return f"{day}, {format_hours(occurrence.starts.time(), closes)}"


__all__ = [
    "Occurrence",
    "OpenStatus",
    "bank_holidays",
    "describe_occurrence",
    "describe_schedule",
    "describe_week",
    "is_open_at",
    "occurrences",
    "open_during",
    "open_status",
    "open_weekdays",
    "text_says_closed_on_bank_holidays",
    "upcoming_sessions",
    "weekly_signature",
]
