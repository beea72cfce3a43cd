"""Reading one ORUK schedule into a rule that can say whether it runs on a given date.

Schedules arrive from hand-typed spreadsheets and other people's feeds, so every field is read
leniently: a part that cannot be understood (``byday`` "XX", ``interval`` 0, ``valid_to``
before ``valid_from``) is dropped and the rest of the schedule still counts. Only when nothing
usable remains does :func:`parse_rule` return None, and then callers fall back to the
schedule's free text.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LONDON = ZoneInfo("Europe/London")
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SUPPORTED_FREQS = ("DAILY", "WEEKLY", "MONTHLY")
# COUNT is resolved by walking forward from the anchor; beyond this many years we stop looking.
_COUNT_HORIZON_DAYS = 366 * 20
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


@dataclass(frozen=True)
class DayRule:
    """A weekday, optionally with an ordinal within the month (1 = first, -1 = last)."""

    weekday: int
    ordinal: int | None = None


@dataclass
class Rule:
    """The understood parts of one schedule. Dates are inclusive local (Europe/London) dates."""

    schedule: object
    freq: str
    interval: int = 1
    days: tuple[DayRule, ...] = ()
    monthdays: tuple[int, ...] = ()
    anchor: date | None = None
    first: date | None = None
    last: date | None = None
    count: int | None = None
    week_start: int = 0
    opens: time | None = None
    closes: time | None = None
    zone: ZoneInfo = LONDON
    _count_last: date | None = field(default=None, repr=False)
    _count_done: bool = field(default=False, repr=False)

    @property
    def times_known(self) -> bool:
        return self.opens is not None

    def matches(self, day: date) -> bool:
        """True when the schedule runs on ``day`` (closures are the caller's business)."""
        if self.first and day < self.first:
            return False
        if self.last and day > self.last:
            return False
        if not self.matches_pattern(day):
            return False
        if self.count is not None:
            last = self._last_counted()
            return last is not None and day <= last
        return True

    def matches_pattern(self, day: date) -> bool:
        """The recurrence alone: freq, interval, byday and bymonthday, without the bounds."""
        if self.interval > 1 and not self.anchor:
            return False  # "every other ..." without a start date: no way to tell which
        if self.freq == "DAILY":
            return self._interval_ok((day - self.anchor).days if self.anchor else 0)
        if self.freq == "WEEKLY":
            if day.weekday() not in {d.weekday for d in self.days}:
                return False
            if self.interval == 1:
                return True
            start = self._week_of(self.anchor)
            return self._interval_ok((self._week_of(day) - start).days // 7)
        if self.anchor and self.interval > 1:  # the anchor is there: checked above
            months = (day.year - self.anchor.year) * 12 + day.month - self.anchor.month
            if not self._interval_ok(months):
                return False
        by_day = not self.days or any(_monthly_day_matches(d, day) for d in self.days)
        by_monthday = not self.monthdays or _monthday_matches(self.monthdays, day)
        return by_day and by_monthday

    def _interval_ok(self, steps: int) -> bool:
        return steps >= 0 and steps % self.interval == 0

    def _week_of(self, day: date) -> date:
        return day - timedelta(days=(day.weekday() - self.week_start) % 7)

    def _last_counted(self) -> date | None:
        if not self._count_done:
            self._count_done = True
            day, seen = self.anchor, 0
            end = day + timedelta(days=_COUNT_HORIZON_DAYS) if day else None
            while day and end and day <= end and (self.last is None or day <= self.last):
                if self.matches_pattern(day):
                    seen += 1
                    if seen == self.count:
                        self._count_last = day
                        break
                day += timedelta(days=1)
            else:
                self._count_last = self.last or end
        return self._count_last


def _monthly_day_matches(rule: DayRule, day: date) -> bool:
    if day.weekday() != rule.weekday:
        return False
    if rule.ordinal is None:
        return True
    if rule.ordinal > 0:
        return (day.day - 1) // 7 + 1 == rule.ordinal
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    return -((days_in_month - day.day) // 7 + 1) == rule.ordinal


def _monthday_matches(monthdays: tuple[int, ...], day: date) -> bool:
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    return any(
        (m > 0 and m == day.day) or (m < 0 and days_in_month + m + 1 == day.day) for m in monthdays
    )


def parse_rule(schedule: object) -> Rule | None:
    """Read a schedule-like object, or None when it describes no usable recurrence."""
    freq = str(read_field(schedule, "freq") or "").strip().upper()
    days = parse_byday(read_field(schedule, "byday"))
    monthdays = parse_bymonthday(read_field(schedule, "bymonthday"))
    if not freq:
        freq = "MONTHLY" if monthdays and not days else "WEEKLY"
    if freq not in SUPPORTED_FREQS:
        return None
    dtstart = as_date(read_field(schedule, "dtstart"))
    valid_from = as_date(read_field(schedule, "valid_from"))
    if freq == "WEEKLY":
        days = tuple(dict.fromkeys(DayRule(d.weekday) for d in days))
        if not days and dtstart:
            days = (DayRule(dtstart.weekday()),)
        if not days:
            return None
        monthdays = ()
    elif freq == "MONTHLY" and not days and not monthdays:
        if not dtstart:
            return None
        monthdays = (dtstart.day,)
    elif freq == "DAILY":
        days, monthdays = (), ()
    first, last = _bounds(schedule, dtstart, valid_from)
    count = _as_int(read_field(schedule, "count"))
    opens, closes = (
        as_time(read_field(schedule, "opens_at")),
        _closing_time(as_time(read_field(schedule, "closes_at"))),
    )
    return Rule(
        schedule=schedule,
        freq=freq,
        interval=max(_as_int(read_field(schedule, "interval")) or 1, 1),
        days=days,
        monthdays=monthdays,
        anchor=dtstart or valid_from,
        first=first,
        last=last,
        count=count if count and count > 0 and (dtstart or valid_from) else None,
        week_start=_weekday(read_field(schedule, "wkst"), default=0),
        opens=opens,
        closes=closes if opens is not None else None,
        zone=_zone(read_field(schedule, "timezone")),
    )


def _bounds(schedule: object, dtstart: date | None, valid_from: date | None) -> tuple:
    starts = [d for d in (dtstart, valid_from) if d]
    first = max(starts) if starts else None
    ends = [as_date(read_field(schedule, "valid_to")), as_date(read_field(schedule, "until"))]
    # An end before the start is a typing slip: drop that end rather than the whole schedule.
    ends = [d for d in ends if d and (first is None or d >= first)]
    return first, (min(ends) if ends else None)


def parse_byday(value: object) -> tuple[DayRule, ...]:
    """``"MO,TU"``, ``"1TU"``, ``"-1FR"`` (also a list); unreadable parts are skipped."""
    parts = value if isinstance(value, list | tuple) else str(value or "").split(",")
    out = []
    for part in parts:
        match = _BYDAY.match(str(part).strip().upper())
        if not match:
            continue
        ordinal = int(match.group(1)) if match.group(1) else None
        if ordinal is not None and not 1 <= abs(ordinal) <= 5:
            continue
        out.append(DayRule(WEEKDAY_CODES.index(match.group(2)), ordinal))
    return tuple(dict.fromkeys(out))


def parse_bymonthday(value: object) -> tuple[int, ...]:
    parts = value if isinstance(value, list | tuple) else str(value or "").split(",")
    numbers = (_as_int(p) for p in parts)
    return tuple(dict.fromkeys(n for n in numbers if n is not None and 1 <= abs(n) <= 31))


def as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10]) if value else None
    except ValueError:
        return None


def as_time(value: object) -> time | None:
    """A wall-clock time. Any UTC offset is dropped: UK feeds write "09:00Z" for 9am local
    all year round, so honouring the Z would move every summer session by an hour."""
    if isinstance(value, datetime):
        value = value.time()
    if isinstance(value, time):
        return value.replace(tzinfo=None, second=0, microsecond=0)
    text = str(value or "").strip().upper()
    match = re.match(r"^(\d{1,2}):(\d{2})", text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def _closing_time(value: time | None) -> time | None:
    """Closing at 23:59 means closing at midnight: feeds write a whole day as 00:00 to 23:59
    (a time cannot say 24:00), and "open until 11:59pm" is never what the service means."""
    return time(0) if value == time(23, 59) else value


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip()) if value is not None else None
    except ValueError:
        return None


def _weekday(value: object, default: int) -> int:
    code = str(value or "").strip().upper()
    return WEEKDAY_CODES.index(code) if code in WEEKDAY_CODES else default


def _zone(value: object) -> ZoneInfo:
    try:
        return ZoneInfo(str(value)) if value else LONDON
    except (ZoneInfoNotFoundError, ValueError):
        return LONDON


def read_field(obj: object, name: str) -> object:
    """An attribute of a schedule-like object (a model, a plain object or a dict)."""
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)
