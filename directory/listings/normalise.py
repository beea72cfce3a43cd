"""Cleaning of the values that real-world directory exports get wrong most often.

Each function takes whatever a file held (text, a number, None) and returns the value in the one
form we store, or raises ``ValueError`` with a message fit for an import report. They are pure so
that the importer, a future edit form and the tests all agree on what "09:00" means.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

_BLANK = {"", "null", "none", "n/a", "na", "-"}


def clean_text(value: object) -> str | None:
    """Text with outer whitespace removed; blanks and placeholder words give None."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return None if text.lower() in _BLANK else text


def parse_number(value: object) -> float | None:
    """A number from 12, "12", " 12.50 ", "£35" or "35.00 GBP"; None for blanks."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        return float(value)
    text = clean_text(value)
    if text is None:
        return None
    match = re.fullmatch(r"[£$€]?\s*(-?\d+(?:,\d{3})*(?:\.\d+)?)\s*(?:GBP|p)?", text, re.I)
    if match is None:
        raise ValueError(f"{text!r} is not a number")
    return float(match.group(1).replace(",", ""))


def parse_int(value: object) -> int | None:
    number = parse_number(value)
    if number is None:
        return None
    if not number.is_integer():
        raise ValueError(f"{value!r} is not a whole number")
    return int(number)


def parse_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = clean_text(value)
    if text is None:
        return None
    lowered = text.lower()
    if lowered in {"true", "yes", "y", "1", "t"}:
        return True
    if lowered in {"false", "no", "n", "0", "f"}:
        return False
    raise ValueError(f"{text!r} is not true or false")


_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}


def parse_date(value: object) -> date | None:
    """ISO dates, and the UK day-first forms people type: 15/03/2023, 15-03-2023, 15 March 2023.

    Day-first is assumed for slashed dates because these files come from UK systems; an
    American 03/15/2023 is still read correctly because 15 cannot be a month.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_text(value)
    if text is None:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _date(year, month, day, text)
    match = re.fullmatch(r"(\d{4})/(\d{1,2})/(\d{1,2})", text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _date(year, month, day, text)
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})", text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if month > 12 >= day:
            day, month = month, day
        return _date(year + 2000 if year < 100 else year, month, day, text)
    match = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})", text)
    if match and match.group(2).lower() in _MONTHS:
        month = _MONTHS[match.group(2).lower()]
        return _date(int(match.group(3)), month, int(match.group(1)), text)
    raise ValueError(f"{text!r} is not a date")


def _date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None


def parse_datetime(value: object) -> datetime | None:
    """A timezone-aware UTC datetime from ISO 8601 (with Z or an offset) or a bare date."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = clean_text(value)
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        day = parse_date(text)
        assert day is not None
        parsed = datetime(day.year, day.month, day.day)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


_TIME_RE = re.compile(
    r"(?P<h>\d{1,2})(?:[:.]?(?P<m>\d{2}))?(?:[:.](?P<s>\d{2})(?:\.\d+)?)?\s*"
    r"(?P<ampm>a\.?m\.?|p\.?m\.?)?",
    re.I,
)


def parse_time(value: object) -> time | None:
    """A clock time from "9:00", "0900", "09:00:00", "9am", "5.30pm", "noon" or "midnight".

    Hours past midnight written the 24+ way ("25:30", used for sessions that run late) wrap to
    the next day's clock time; "24:00" is midnight. An offset ("09:00:00Z", "+01:00") is
    dropped: opening hours are local times.
    """
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    text = clean_text(value)
    if text is None:
        return None
    lowered = text.lower()
    if lowered in {"noon", "midday", "12 noon"}:
        return time(12, 0)
    if lowered in {"midnight", "12 midnight"}:
        return time(0, 0)
    lowered = re.sub(r"(?:z|[+-]\d{2}:?\d{2})$", "", lowered).strip()
    match = _TIME_RE.fullmatch(lowered)
    if match is None:
        raise ValueError(f"{text!r} is not a time")
    hours = int(match.group("h"))
    minutes = int(match.group("m") or 0)
    seconds = int(match.group("s") or 0)
    digits = re.sub(r"\D", "", lowered)
    if match.group("m") is None and len(digits) in (3, 4) and not match.group("ampm"):
        hours, minutes = divmod(int(digits), 100)
    ampm = (match.group("ampm") or "").replace(".", "")
    if ampm:
        if not 1 <= hours <= 12:
            raise ValueError(f"{text!r} is not a time")
        hours = hours % 12 + (12 if ampm == "pm" else 0)
    if minutes > 59 or seconds > 59 or hours > 47:
        raise ValueError(f"{text!r} is not a time")
    return time(hours % 24, minutes, seconds)


_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = {
    **{d.lower(): d for d in _DAYS},
    **{
        name: code
        for code, names in zip(
            _DAYS,
            (
                ("mon", "monday", "mondays"),
                ("tue", "tues", "tuesday", "tuesdays"),
                ("wed", "weds", "wednesday", "wednesdays"),
                ("thu", "thur", "thurs", "thursday", "thursdays"),
                ("fri", "friday", "fridays"),
                ("sat", "saturday", "saturdays"),
                ("sun", "sunday", "sundays"),
            ),
            strict=True,
        )
        for name in names
    },
}
_DAY_TOKEN = re.compile(r"([+-]?\d{1,2})?([a-z]+)")


def normalise_byday(value: object) -> str | None:
    """RFC 5545 BYDAY ("MO,TU") from "Monday,Tuesday", "MO TU", "mon-fri" or "1MO,-1FR"."""
    text = clean_text(value)
    if text is None:
        return None
    lowered = re.sub(
        r"(?<=[a-z])\s*(?:-|\u2013|\bto\b|\buntil\b|\bthrough\b)\s*(?=[a-z])", "~", text.lower()
    )
    out: list[str] = []
    for part in re.split(r"[\s,;/&+]+|\band\b", lowered):
        if not part:
            continue
        if "~" in part:
            first, _, last = part.partition("~")
            start, end = _DAY_NAMES.get(first), _DAY_NAMES.get(last)
            if start is None or end is None:
                raise ValueError(f"{text!r} is not a list of days")
            i, j = _DAYS.index(start), _DAYS.index(end)
            span = _DAYS[i : j + 1] if i <= j else _DAYS[i:] + _DAYS[: j + 1]
            out.extend(span)
            continue
        match = _DAY_TOKEN.fullmatch(part)
        if match is None or match.group(2) not in _DAY_NAMES:
            raise ValueError(f"{text!r} is not a list of days")
        out.append((match.group(1) or "") + _DAY_NAMES[match.group(2)])
    if not out:
        return None
    return ",".join(dict.fromkeys(out))


FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def normalise_freq(value: object) -> str | None:
    """RFC 5545 FREQ in upper case ("weekly" -> "WEEKLY")."""
    text = clean_text(value)
    if text is None:
        return None
    upper = text.upper()
    if upper == "FORTNIGHTLY":
        raise ValueError("'fortnightly' is FREQ=WEEKLY with INTERVAL=2")
    if upper not in FREQUENCIES:
        raise ValueError(f"{text!r} is not an RFC 5545 frequency")
    return upper


_HOURS_IN_TEXT = re.compile(
    r"(?<![\d:.])(\d{1,2}(?:[:.]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)?|noon|midday)\s*"
    r"(?:-|\u2013|to|until|till)\s*"
    r"(\d{1,2}(?:[:.]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)?|noon|midday|midnight)(?![\d:])",
    re.I,
)


def hours_in_text(text: str | None) -> tuple[time, time] | None:
    """Opening and closing times written in prose: "Open 9am-5pm", "10.30 to 2pm".

    A bare "9-5" reads the closing hour as afternoon, as people mean it.
    """
    if not text:
        return None
    match = _HOURS_IN_TEXT.search(text)
    if match is None:
        return None
    start_text, end_text = match.group(1).strip(), match.group(2).strip()
    try:
        opens, closes = parse_time(start_text), parse_time(end_text)
    except ValueError:
        return None
    if opens is None or closes is None:
        return None
    has_ampm = re.search(r"[ap]\.?m", end_text, re.I)
    if not has_ampm and opens.hour < 12 and closes <= opens and 0 < closes.hour < 12:
        closes = closes.replace(hour=closes.hour + 12)
    return opens, closes


def days_in_text(text: str | None) -> str | None:
    """BYDAY for the days named in prose ("Monday to Friday", "weekdays", "Tuesdays")."""
    if not text:
        return None
    lowered = text.lower()
    if "weekday" in lowered:
        return "MO,TU,WE,TH,FR"
    name = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*"
    span = re.search(rf"\b({name})\s*(?:-|\u2013|to|until|through)\s*({name})\b", lowered)
    if span:
        try:
            return normalise_byday(f"{span.group(1)}-{span.group(2)}")
        except ValueError:
            return None
    found = [m for m in re.findall(rf"\b{name}\b", lowered) if m in _DAY_NAMES]
    return ",".join(dict.fromkeys(_DAY_NAMES[m] for m in found)) if found else None


_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
             "4th": 4, "last": -1}  # fmt: skip


def monthly_day_in_text(text: str | None) -> str | None:
    """BYDAY with an ordinal for "First Wednesday of the month" ("1WE"), "last Friday" ("-1FR")."""
    if not text:
        return None
    match = re.search(
        r"\b(first|1st|second|2nd|third|3rd|fourth|4th|last)\s+"
        r"(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b",
        text.lower(),
    )
    if match is None:
        return None
    return f"{_ORDINALS[match.group(1)]}{_DAY_NAMES[match.group(2)]}"
