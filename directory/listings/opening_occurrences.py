"""Dated sessions from schedules: the one place that turns rules into real instants.

Wall-clock times are turned into instants through UTC so that a time inside the spring-forward
gap (01:30 on the last Sunday in March) lands on a real instant and a session over a clock
change has its true length. All comparisons are made in UTC: Python compares two datetimes with
the same tzinfo by their wall time, which goes wrong in the repeated hour each October.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from directory.listings.opening_closures import bank_holidays, text_says_closed_on_bank_holidays
from directory.listings.opening_rules import LONDON, Rule, parse_rule, read_field


@dataclass(frozen=True)
class Occurrence:
    """One dated session. ``starts``/``ends`` are aware Europe/London datetimes.

    ``times_known`` is False when the schedule gives no opening time: the occurrence then spans
    the whole local day and means "runs that day, hours unknown". ``end_known`` is False when
    only an opening time is given: the occurrence is taken to run until midnight.
    """

    starts: datetime
    ends: datetime
    schedule: object
    times_known: bool = True
    end_known: bool = True

    @property
    def day(self) -> date:
        return self.starts.date()


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are read as Europe/London wall time."""
    return (value if value.tzinfo else value.replace(tzinfo=LONDON)).astimezone(UTC)


def _local(day: date, at: time, rule: Rule) -> datetime:
    # Through UTC so a time inside the spring-forward gap lands on a real instant.
    return datetime.combine(day, at, tzinfo=rule.zone).astimezone(UTC).astimezone(LONDON)


def _occurrence(rule: Rule, day: date) -> Occurrence:
    if rule.opens is None:
        starts, ends = _local(day, time(0), rule), _local(day + timedelta(days=1), time(0), rule)
        return Occurrence(starts, ends, rule.schedule, times_known=False, end_known=False)
    starts = _local(day, rule.opens, rule)
    if rule.closes is None:
        ends = _local(day + timedelta(days=1), time(0), rule)
        return Occurrence(starts, ends, rule.schedule, end_known=False)
    ends_day = day + timedelta(days=1) if rule.closes <= rule.opens else day
    return Occurrence(starts, _local(ends_day, rule.closes, rule), rule.schedule)


def usable_rules(schedules: Iterable[object] | None) -> list[Rule]:
    return [rule for rule in (parse_rule(s) for s in schedules or ()) if rule]


def occurrences(
    schedules: Iterable[object] | None,
    start: datetime,
    end: datetime,
    *,
    closed_dates: Iterable[date] | None = None,
    closed_on_bank_holidays: bool = False,
    region: str = "ENG",
) -> list[Occurrence]:
    """Every session overlapping ``[start, end)``, in start order.

    A session is dropped when the local date it starts on is in ``closed_dates``, or is a bank
    holiday in ``region`` (ENG, WLS, SCT, NIR) and either ``closed_on_bank_holidays`` is set or
    the schedule's description/notes say it does not run on bank holidays.
    """
    start_utc, end_utc = as_utc(start), as_utc(end)
    if end_utc <= start_utc:
        return []
    # A session can start up to a day before the window (past midnight, 24 hours).
    first = start_utc.astimezone(LONDON).date() - timedelta(days=2)
    last = end_utc.astimezone(LONDON).date() + timedelta(days=1)
    closed = frozenset(closed_dates or ())
    holiday_dates = bank_holidays(range(first.year, last.year + 1), region)
    found = []
    for rule in usable_rules(schedules):
        texts = (read_field(rule.schedule, "description"), read_field(rule.schedule, "notes"))
        skip_holidays = closed_on_bank_holidays or text_says_closed_on_bank_holidays(*texts)
        day = first
        while day <= last:
            if (
                day not in closed
                and not (skip_holidays and day in holiday_dates)
                and rule.matches(day)
            ):
                found.append(_occurrence(rule, day))
            day += timedelta(days=1)
    found = [o for o in found if as_utc(o.starts) < end_utc and as_utc(o.ends) > start_utc]
    return sorted(found, key=lambda o: (as_utc(o.starts), as_utc(o.ends), not o.times_known))


def is_open_at(
    schedules: Iterable[object] | None,
    at: datetime,
    *,
    closed_dates: Iterable[date] | None = None,
    closed_on_bank_holidays: bool = False,
    region: str = "ENG",
    include_unknown_times: bool = False,
) -> bool:
    """Whether a session is running at the instant ``at``.

    A day with no times given is "open, hours unknown": it only counts with
    ``include_unknown_times``, since saying "open now" on a guess sends people to locked doors.
    """
    found = occurrences(
        schedules,
        at,
        at + timedelta(microseconds=1),
        closed_dates=closed_dates,
        closed_on_bank_holidays=closed_on_bank_holidays,
        region=region,
    )
    return any(o.times_known or include_unknown_times for o in found)
