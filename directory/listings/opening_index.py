"""Opening times for the search index and the ORUK ``day``/``start_time``/``end_time``
filters: a weekly pattern of open minutes, without dates.

The pattern is an approximation: a fortnightly or monthly session counts as open on its weekday
every week, and a by-date rule ("1st and 15th of the month") on every weekday. The index uses
it to narrow results; exact answers for a real instant come from ``is_open_at``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

from directory.listings.opening_occurrences import usable_rules
from directory.listings.opening_rules import Rule

DAY_MINUTES = 24 * 60


def _rule_weekdays(rule: Rule) -> set[int]:
    """Weekdays a rule can fall on. Monthly rules count on their weekday every week, and a
    by-date rule ("1st and 15th") on every weekday: this is the index's approximation."""
    if rule.freq == "DAILY" or (rule.freq == "MONTHLY" and not rule.days):
        return set(range(7))
    return {d.weekday for d in rule.days}


def _current_rules(schedules: Iterable[object] | None, today: date | None) -> list[Rule]:
    return [
        r for r in usable_rules(schedules) if today is None or r.last is None or r.last >= today
    ]


def weekly_signature(
    schedules: Iterable[object] | None, today: date | None = None
) -> dict[int, list[tuple[int, int]]]:
    """Open intervals in minutes from midnight for each weekday (0 = Monday .. 6 = Sunday).

    Sessions past midnight are split across the two days; overlapping or touching intervals
    are merged; days without known times contribute nothing (see :func:`open_weekdays`). With
    ``today``, schedules that have already ended are left out.
    """
    spans: dict[int, list[tuple[int, int]]] = {day: [] for day in range(7)}
    for rule in _current_rules(schedules, today):
        if rule.opens is None:
            continue
        opens = rule.opens.hour * 60 + rule.opens.minute
        closes = DAY_MINUTES if rule.closes is None else rule.closes.hour * 60 + rule.closes.minute
        for day in _rule_weekdays(rule):
            if closes > opens:
                spans[day].append((opens, closes))
                continue
            spans[day].append((opens, DAY_MINUTES))
            if closes:
                spans[(day + 1) % 7].append((0, closes))
    return {day: _merge(intervals) for day, intervals in spans.items()}


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def open_weekdays(schedules: Iterable[object] | None, today: date | None = None) -> set[int]:
    """Weekdays with any session, including those whose times are not given."""
    return set().union(*(_rule_weekdays(r) for r in _current_rules(schedules, today)))


def open_during(
    schedules: Iterable[object] | None,
    day: int | None,
    start: time | None,
    end: time | None,
    today: date | None = None,
) -> bool:
    """The ORUK ``day``/``start_time``/``end_time`` filters, on the weekly signature.

    - ``day`` (0 = Monday) alone: some session starts on that weekday, times known or not (a
      Saturday 10pm to 2am session is a Saturday one, though it is open at 1am on Sunday).
    - ``start`` alone: open at that time; ``end`` alone: open up to that time.
    - both: one unbroken stretch covers the whole window; an ``end`` at or before ``start``
      means the window runs past midnight into the next day (``end`` 00:00 means midnight).
    - ``day`` None: any weekday will do. Nothing given: the service has any session at all.
    """
    if day is not None and day not in range(7):
        return False
    days = range(7) if day is None else (day,)
    if start is None and end is None:
        return bool(open_weekdays(schedules, today) & set(days))
    signature = weekly_signature(schedules, today)
    lo = None if start is None else start.hour * 60 + start.minute
    hi = None if end is None else (end.hour * 60 + end.minute or DAY_MINUTES)
    return any(_covers(signature, d, lo, hi) for d in days)


def _covers(
    signature: dict[int, list[tuple[int, int]]], day: int, lo: int | None, hi: int | None
) -> bool:
    spans = signature[day]
    if hi is None:
        return any(a <= lo < b for a, b in spans)
    if lo is None:
        return any(a < hi <= b for a, b in spans)
    if hi > lo:
        return any(a <= lo and hi <= b for a, b in spans)
    if hi == lo:
        return any(a <= lo < b for a, b in spans)
    return _covers(signature, day, lo, DAY_MINUTES) and _covers(signature, (day + 1) % 7, 0, hi)
