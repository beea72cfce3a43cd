"""Recurring sessions as an organisation describes them, and as ORUK schedules.

The form asks what people say: "every Tuesday, 10am to 12pm", "every other Wednesday",
"the first Thursday of the month". Each becomes one ORUK schedule in RFC 5545 terms, the fields
:mod:`directory.listings.opening_rules` reads: ``freq`` WEEKLY (``interval`` 2 and a
``dtstart`` for fortnightly) or MONTHLY with an ordinal ``byday`` ("1TH", "-1FR"),
``opens_at``/``closes_at``, ``timezone`` Europe/London, and a ``description`` in words for
systems that only show text. A schedule the form cannot express (daily, several days a month,
no times) is shown to the organisation in words instead (:func:`session_from_schedule` gives
None), so nothing is silently lost when they change other sessions.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from directory.listings.opening_rules import WEEKDAY_CODES, as_date, as_time, parse_rule
from directory.listings.opening_text import describe_schedule

FREQUENCIES = (
    ("weekly", "Every week"),
    ("fortnightly", "Every other week"),
    ("monthly", "Once a month"),
)
DAY_NAMES = dict(
    zip(
        WEEKDAY_CODES,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
WEEKS = (("1", "First"), ("2", "Second"), ("3", "Third"), ("4", "Fourth"), ("-1", "Last"))
#: At most this many sessions on one listing (a form, not a timetable import).
MAX_SESSIONS = 20

_TIME = re.compile(
    r"^\s*(?P<h>\d{1,2})(?:\s*[:.]\s*(?P<m>\d{2}))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)?\s*$", re.I
)


def parse_time_text(text: str | None) -> str | None:
    """ "10am", "2.30pm", "14:00", "9", "noon" -> "HH:MM"; None when it is not a time."""
    if not text:
        return None
    value = text.strip().lower()
    if value in {"noon", "midday", "12 noon", "12 midday"}:
        return "12:00"
    if value == "midnight":
        return "00:00"
    match = _TIME.match(value)
    if not match:
        return None
    hour, minute = int(match.group("h")), int(match.group("m") or 0)
    half = (match.group("ap") or "").replace(".", "")
    if minute > 59 or hour > 23 or (half and not 1 <= hour <= 12):
        return None
    if half == "pm" and hour != 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def schedule_from_session(session: dict[str, Any], schedule_id: str) -> dict[str, Any]:
    """One ORUK schedule for a session the form accepted."""
    frequency = session.get("frequency")
    days = [d for d in session.get("days") or [] if d in WEEKDAY_CODES]
    out: dict[str, Any] = {"id": schedule_id, "timezone": "Europe/London"}
    if frequency == "monthly":
        out.update(freq="MONTHLY", interval=1, byday=f"{session.get('week') or '1'}{days[0]}")
    else:
        out.update(
            freq="WEEKLY", interval=2 if frequency == "fortnightly" else 1, byday=",".join(days)
        )
        if frequency == "fortnightly" and session.get("first_date"):
            out["dtstart"] = session["first_date"]
    if session.get("opens"):
        out["opens_at"] = f"{session['opens']}:00"
    if session.get("closes"):
        out["closes_at"] = f"{session['closes']}:00"
    out["description"] = describe_schedule(out) or None
    return {k: v for k, v in out.items() if v is not None}


def session_from_schedule(schedule: dict[str, Any]) -> dict[str, Any] | None:
    """The form's answers for an ORUK schedule, or None when the form cannot say it."""
    rule = parse_rule(schedule)
    if rule is None or rule.opens is None or rule.monthdays:
        return None
    opens = rule.opens.strftime("%H:%M")
    closes = rule.closes.strftime("%H:%M") if rule.closes else ""
    if rule.freq == "WEEKLY" and rule.interval in (1, 2):
        first = as_date(schedule.get("dtstart"))
        if rule.interval == 2 and first is None:
            return None
        return {
            "frequency": "weekly" if rule.interval == 1 else "fortnightly",
            "days": [WEEKDAY_CODES[d.weekday] for d in sorted(rule.days, key=lambda d: d.weekday)],
            "week": "",
            "first_date": first.isoformat() if rule.interval == 2 and first else "",
            "opens": opens,
            "closes": closes,
        }
    if rule.freq == "MONTHLY" and rule.interval == 1 and len(rule.days) == 1:
        day = rule.days[0]
        if day.ordinal not in (1, 2, 3, 4, -1):
            return None
        return {
            "frequency": "monthly",
            "days": [WEEKDAY_CODES[day.weekday]],
            "week": str(day.ordinal),
            "first_date": "",
            "opens": opens,
            "closes": closes,
        }
    return None


def describe_session(session: dict[str, Any]) -> str:
    """A session in words ("Every Tuesday, 10am to midday")."""
    return describe_schedule(schedule_from_session(session, "preview")) or "Times not given"


def schedule_words(schedule: dict[str, Any]) -> str:
    """Any stored schedule in words: its rule, else its own description or notes."""
    words = describe_schedule(schedule)
    if words:
        return words
    return str(schedule.get("description") or schedule.get("notes") or "").strip()


def valid_date(text: str | None) -> date | None:
    return as_date(text) if text else None


def time_of(text: str | None) -> str | None:
    found = as_time(text)
    return found.strftime("%H:%M") if found else None
