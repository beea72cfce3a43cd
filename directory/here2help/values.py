"""Cells -> values: dates, status, outcome, numbers, contacts and postcodes, leniently.

Each parser returns the value or raises :class:`BadCell` with a message that names the column
and what was expected, never the cell's text (it may be someone's phone number).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from directory.help_requests.models import Outcome
from directory.here2help.needs import is_blank
from directory.places.geocode import Geocoder
from directory.places.postcodes import normalise_outcode, normalise_postcode, outcode_of

LONDON = ZoneInfo("Europe/London")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_TIME = re.compile(r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?")
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(km|kms|kilometres?|kilometers?|miles?|mi|people)?")
KM_PER_MILE = 1.609344
MAX_RADIUS_KM = 100.0
MAX_CAPACITY = 10_000
#: Outcome wordings, checked in order (so "no match" is not read as "match").
OUTCOME_WORDS: tuple[tuple[Outcome, tuple[str, ...]], ...] = (
    (Outcome.NO_MATCH, ("no match", "not matched", "unmatched", "unmet", "no volunteer",
                        "nobody available", "no one available", "no help available")),
    (Outcome.WITHDRAWN, ("withdrawn", "withdrew", "cancelled", "canceled", "no longer needed",
                         "no longer required", "not needed", "declined")),
    (Outcome.SELF_SERVED, ("self served", "self serve", "self help", "sorted themselves",
                           "resolved themselves", "found help themselves")),
    (Outcome.SIGNPOSTED, ("signpost", "referred", "referral", "passed to")),
    (Outcome.MATCHED, ("matched", "match", "helped", "completed", "done")),
)  # fmt: skip


class BadCell(ValueError):
    """A cell that cannot be read; the message is safe to print."""


def clean(value: str | None, *, multiline: bool = False, limit: int | None = None) -> str:
    """Printable text, trimmed (one line unless ``multiline``), cut to ``limit``."""
    text = unicodedata.normalize("NFC", value or "")
    keep = "\n\t" if multiline else ""
    text = "".join(ch if ch.isprintable() or ch in keep else " " for ch in text)
    text = "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()
    if not multiline:
        text = " ".join(text.split())
    return text[:limit].rstrip() if limit is not None else text


def parse_date(value: str, column: str = "created") -> datetime:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY``, optionally with a time (``HH:MM[:SS]``), read as
    UK local time and returned in UTC. A date after today is refused."""
    text = clean(value)
    for pattern, order in ((_ISO, (1, 2, 3)), (_UK, (3, 2, 1))):
        found = pattern.match(text)
        if not found:
            continue
        clock = _TIME.fullmatch(text[found.end() :])
        if clock is None:
            break
        try:
            day = date(*(int(found.group(i)) for i in order))
            at = time(*(int(g or 0) for g in clock.groups()))
        except ValueError:
            raise BadCell(f"{column} is not a real date") from None
        moment = datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)
        if moment.date() > datetime.now(UTC).date():
            raise BadCell(f"{column} is in the future")
        return moment
    raise BadCell(f"{column} is not a date written YYYY-MM-DD or DD/MM/YYYY")


def parse_status(value: str) -> str:
    """``open`` or ``closed`` in any case."""
    text = clean(value).lower()
    if text in ("open", "closed"):
        return text
    raise BadCell("status is not open or closed")


def parse_outcome(value: str) -> Outcome | None:
    """An outcome from the wordings of :data:`OUTCOME_WORDS`; None when blank."""
    if is_blank(value):
        return None
    text = " ".join(re.sub(r"[^a-z]+", " ", clean(value).lower()).split())
    for outcome, words in OUTCOME_WORDS:
        if any(re.search(rf"\b{w}", text) for w in words):
            return outcome
    raise BadCell("outcome is not one of matched, signposted, self-served, no match, withdrawn")


def _number(value: str, column: str) -> tuple[float, str | None] | None:
    text = clean(value).lower().replace(",", "")
    if is_blank(text):
        return None
    found = _NUMBER.fullmatch(text)
    if found is None:
        raise BadCell(f"{column} is not a number")
    return float(found.group(1)), found.group(2)


def parse_radius(value: str) -> float | None:
    """Kilometres ("5", "5km", "3.5 km"); miles are converted ("2 miles")."""
    found = _number(value, "radius_km")
    if found is None:
        return None
    amount, unit = found
    if unit and unit.startswith("mi"):
        amount *= KM_PER_MILE
    if not 0 < amount <= MAX_RADIUS_KM:
        raise BadCell(f"radius_km is not between 0 and {MAX_RADIUS_KM:g}")
    return round(amount, 2)


def parse_capacity(value: str) -> int | None:
    """A whole number of people ("3", "3 people"); blank means not limited."""
    found = _number(value, "capacity")
    if found is None:
        return None
    amount, unit = found
    if unit not in (None, "people") or amount != int(amount) or amount > MAX_CAPACITY:
        raise BadCell("capacity is not a whole number of people")
    return int(amount)


def parse_email(value: str) -> str | None:
    text = clean(value, limit=400)
    if is_blank(text):
        return None
    if " " in text or not re.fullmatch(r"[^@]+@[^@]+\.[^@]+", text) or len(text) > 320:
        raise BadCell("email is not an email address")
    return text


def parse_phone(value: str) -> str | None:
    text = clean(value, limit=100)
    if is_blank(text):
        return None
    if len(re.sub(r"\D", "", text)) < 6 or len(text) > 40:
        raise BadCell("phone is not a phone number")
    return text


@dataclass(frozen=True)
class Place:
    postcode: str | None = None
    outcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None


def parse_postcode(value: str, geocoder: Geocoder) -> Place:
    """A full postcode or an outcode, with coordinates from the offline gazetteer (the
    postcode's own, else its outcode's centre). Raises :class:`BadCell` for text that is
    neither; an unknown but well-formed postcode keeps no coordinates."""
    text = clean(value)
    if is_blank(text):
        return Place()
    full = normalise_postcode(text)
    outcode = outcode_of(full) if full else normalise_outcode(text)
    if outcode is None:
        raise BadCell("postcode is not a UK postcode")
    found = geocoder.postcode(full or outcode)
    if found is None:
        return Place(full, outcode)
    return Place(full, outcode, round(found.latitude, 6), round(found.longitude, 6))


def parse_website(value: str) -> str | None:
    text = clean(value, limit=600)
    if is_blank(text):
        return None
    if " " in text or "." not in text or len(text) > 500:
        raise BadCell("website is not a web address")
    return text if re.match(r"https?://", text, re.I) else f"https://{text}"
