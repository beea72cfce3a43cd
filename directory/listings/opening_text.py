"""Opening times in plain English, written the way GOV.UK writes times and dates.

12-hour clock, no leading zeros, "9am" not "9:00am", "5:30pm", "midday" and "midnight", "to"
rather than a dash, and day names in full ("Monday to Friday, 9am to 5pm").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time

from directory.listings.opening_rules import Rule, parse_rule, read_field

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}
_INTERVAL_WORDS = {2: "other", 3: "third", 4: "fourth"}
TIMES_NOT_GIVEN = "Times not given"


def format_time(value: time | datetime) -> str:
    """``9am``, ``12:30pm``, ``midday``, ``midnight``."""
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    if value.hour == 12 and value.minute == 0:
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def format_date(value: date, today: date | None = None) -> str:
    """``Tuesday 4 March``, with the year only when it is not ``today``'s year."""
    text = f"{DAY_NAMES[value.weekday()]} {value.day} {value:%B}"
    return text if today is not None and value.year == today.year else f"{text} {value.year}"


def format_hours(opens: time | None, closes: time | None) -> str:
    """``9am to 5pm``, ``10pm to 2am``, ``from 7pm``, ``24 hours``; "" when no times."""
    if opens is None:
        return ""
    if closes is None:
        return f"from {format_time(opens)}"
    if closes == opens:
        return "24 hours"
    return f"{format_time(opens)} to {format_time(closes)}"


def join_words(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def describe_weekdays(weekdays: Iterable[int]) -> str:
    """``Monday to Friday``, ``Monday, Wednesday and Friday``, ``Every day``."""
    days = sorted(set(weekdays))
    if len(days) == 7:
        return "Every day"
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]} to {DAY_NAMES[run[-1]]}")
        else:
            parts.extend(DAY_NAMES[d] for d in run)
    return join_words(parts)


def describe_days(rule: Rule, every: bool = True) -> str | None:
    """The "which days" half of a description, or None when it cannot be put in words."""
    if rule.freq == "DAILY":
        return "Every day" if rule.interval == 1 else _every_n(rule.interval, "day", "days")
    if rule.freq == "WEEKLY" or (rule.days and all(d.ordinal is None for d in rule.days)):
        if rule.monthdays or (rule.freq == "MONTHLY" and rule.interval > 1):
            return None
        weekdays = describe_weekdays(d.weekday for d in rule.days)
        if rule.interval > 1:
            every_n = _every_n(rule.interval, "week", "weeks")
            if len(rule.days) == 1 and rule.interval == 2:
                return f"Every other {weekdays}"
            return f"{every_n} on {weekdays}"
        if every and " to " not in weekdays and weekdays != "Every day":
            return f"Every {weekdays}"
        return weekdays
    if rule.days and rule.monthdays:
        return None
    if rule.days:
        text = _describe_ordinals(rule)
    else:
        text = join_words([_monthday(m) for m in sorted(rule.monthdays, key=_monthday_key)])
        text = text[0].upper() + text[1:]
    if rule.interval == 1:
        return f"{text} of the month"
    if rule.interval == 2:
        return f"{text} of every other month"
    return f"{text}, {_every_n(rule.interval, 'month', 'months').lower()}"


def _every_n(interval: int, unit: str, units: str) -> str:
    word = _INTERVAL_WORDS.get(interval)
    return f"Every {word} {unit}" if word else f"Every {interval} {units}"


def _describe_ordinals(rule: Rule) -> str:
    """``First Tuesday``, ``Second and fourth Wednesday``, ``Last Friday``."""
    by_weekday: dict[int, list[int]] = {}
    for day in rule.days:
        by_weekday.setdefault(day.weekday, []).append(day.ordinal or 0)
    parts = []
    for weekday, ordinals in sorted(by_weekday.items()):
        if 0 in ordinals:
            parts.append(f"every {DAY_NAMES[weekday]}")
            continue
        ordered = sorted(ordinals, key=lambda n: n if n > 0 else 10 - n)
        parts.append(f"{join_words([_ordinal(n) for n in ordered])} {DAY_NAMES[weekday]}")
    text = join_words(parts)
    return text[0].upper() + text[1:]


def _ordinal(n: int) -> str:
    if n == -1:
        return "last"
    if n < 0:
        return f"{_ORDINAL_WORDS[-n]} to last"
    return _ORDINAL_WORDS[n]


def _monthday_key(n: int) -> int:
    return n if n > 0 else 100 - n


def _monthday(n: int) -> str:
    if n == -1:
        return "last day"
    if n < 0:
        return f"{_suffix(-n)} to last day"
    return _suffix(n)


def _suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _free_text(schedule: object) -> str:
    for name in ("description", "notes"):
        value = read_field(schedule, name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def describe_schedule(schedule: object, every: bool = True) -> str:
    """One schedule in words: "Monday to Friday, 9am to 5pm", "Every other Wednesday, 2pm to
    4pm", "First Tuesday of the month, 7pm to 9pm", "Last Friday of the month".

    ``every=False`` drops the "Every" before single days ("Saturday, 9am to midday"), for
    opening-hours lists where it reads as noise. When the rule cannot be put in words the
    schedule's own description (or notes) is returned, or "" if it has none.
    """
    rule = parse_rule(schedule)
    days = describe_days(rule, every=every) if rule else None
    if days is None:
        return _free_text(schedule)
    hours = format_hours(rule.opens, rule.closes)
    return f"{days}, {hours}" if hours else days


def describe_week(schedules: Iterable[object], today: date | None = None) -> list[tuple[str, str]]:
    """Rows of (day, hours) for an opening-times table.

    Every-week rules give seven rows, Monday first, with "Closed" on days without sessions;
    other rules (fortnightly, monthly) follow as their own rows, e.g. ("First Tuesday of the
    month", "7pm to 9pm"). With ``today``, schedules not valid on that date (summer hours in
    winter, an ended timetable) are left out.
    """
    weekly: dict[int, list[Rule]] = {}
    extra: list[tuple[str, str]] = []
    for rule in _rules_valid_on(schedules, today):
        if rule.freq == "WEEKLY" and rule.interval == 1:
            for day in rule.days:
                weekly.setdefault(day.weekday, []).append(rule)
            continue
        days = describe_days(rule, every=True)
        if days is None:
            text = _free_text(rule.schedule)
            if text:
                extra.append((text, ""))
            continue
        extra.append((days, format_hours(rule.opens, rule.closes) or TIMES_NOT_GIVEN))
    rows = []
    if weekly:
        for weekday, name in enumerate(DAY_NAMES):
            rows.append((name, _hours_for_day(weekly.get(weekday, []))))
    return rows + extra


def _rules_valid_on(schedules: Iterable[object], today: date | None) -> list[Rule]:
    rules = [r for r in (parse_rule(s) for s in schedules) if r]
    if today is None:
        return rules
    return [
        r
        for r in rules
        if (r.first is None or r.first <= today) and (r.last is None or r.last >= today)
    ]


def _hours_for_day(rules: list[Rule]) -> str:
    if not rules:
        return "Closed"
    known = sorted((r for r in rules if r.times_known), key=lambda r: r.opens)
    parts = list(dict.fromkeys(format_hours(r.opens, r.closes) for r in known))
    if len(known) < len(rules):
        parts.append(TIMES_NOT_GIVEN.lower() if parts else TIMES_NOT_GIVEN)
    return join_words(parts)


def relative_day(day: date, today: date) -> str:
    """``today``, ``tomorrow``, ``Monday`` (within six days) or ``Tuesday 4 March``."""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if 1 < delta <= 6:
        return DAY_NAMES[day.weekday()]
    return format_date(day, today)


__all__ = [
    "describe_days",
    "describe_schedule",
    "describe_week",
    "describe_weekdays",
    "format_date",
    "format_hours",
    "format_time",
    "relative_day",
]
