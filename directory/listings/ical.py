"""iCalendar (RFC 5545) feeds of the sessions at a place, for "add to calendar" and
subscriptions.

Each session inside the requested window is its own VEVENT rather than one event carrying an
RRULE. Calendar apps disagree on the RRULE corners ORUK schedules need (negative ordinals such
as ``BYDAY=-1FR``, ``EXDATE`` with a ``TZID`` for every closed date, ``UNTIL`` beside an end
date held elsewhere), while single timed events read the same in every app. A subscription
refetches the feed, so the window rolls forward, a closure or a changed time shows at the next
refresh, and a service that stops stops appearing instead of recurring for ever. The UID is the
schedule id plus the date, so an app updates a session in place instead of duplicating it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from directory.listings.opening import Occurrence, describe_schedule, occurrences
from directory.listings.opening_rules import read_field

PRODID = "-//Community Directory//Opening times//EN"
TZID = "Europe/London"
FINISH_NOT_GIVEN = "Finish time not given."
TIMES_NOT_GIVEN = "Times not given: check with the service before you go."


@dataclass(frozen=True)
class CalendarItem:
    """One service at the place: its name (SUMMARY), its schedules and what to show with them."""

    title: str
    schedules: Sequence[object]
    location: str | None = None
    description: str | None = None
    url: str | None = None
    closed_dates: frozenset[date] = field(default_factory=frozenset)


def london_timezone() -> Timezone:
    """Europe/London as a compact VTIMEZONE with yearly rules (the EU rule in force since
    1996), the form calendar apps themselves publish; feeds only carry current dates."""
    zone = Timezone()
    zone.add("tzid", TZID)
    summer = TimezoneDaylight()
    summer.add("tzname", "BST")
    summer.add("dtstart", datetime(1981, 3, 29, 1, 0))
    summer.add("tzoffsetfrom", timedelta(hours=0))
    summer.add("tzoffsetto", timedelta(hours=1))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "GMT")
    winter.add("dtstart", datetime(1996, 10, 27, 2, 0))
    winter.add("tzoffsetfrom", timedelta(hours=1))
    winter.add("tzoffsetto", timedelta(hours=0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


def schedule_key(schedule: object) -> str:
    """The schedule's id, or for an unsaved schedule a digest of its rule, so UIDs stay put."""
    ident = read_field(schedule, "id")
    if ident:
        return str(ident)
    names = ("service_id", "freq", "interval", "byday", "bymonthday", "dtstart", "opens_at")
    text = "|".join(str(read_field(schedule, n)) for n in names)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _event(item: CalendarItem, occurrence: Occurrence, place_name: str, domain: str) -> Event:
    schedule = occurrence.schedule
    event = Event()
    event.add("uid", f"{schedule_key(schedule)}-{occurrence.day:%Y%m%d}@{domain}")
    event.add("summary", item.title)
    if occurrence.times_known:
        event.add("dtstart", occurrence.starts)
        if occurrence.end_known:
            event.add("dtend", occurrence.ends)
    else:
        event.add("dtstart", occurrence.day)
        event.add("dtend", occurrence.day + timedelta(days=1))
    event.add("location", item.location or place_name)
    lines = [item.description or "", describe_schedule(schedule)]
    notes = read_field(schedule, "notes")
    lines.append(notes if isinstance(notes, str) else "")
    if not occurrence.times_known:
        lines.append(TIMES_NOT_GIVEN)
    elif not occurrence.end_known:
        lines.append(FINISH_NOT_GIVEN)
    description = "\n\n".join(dict.fromkeys(line.strip() for line in lines if line.strip()))
    if description:
        event.add("description", description)
    url = item.url or read_field(schedule, "schedule_link")
    if url:
        event.add("url", str(url))
    event.add("transp", "TRANSPARENT")
    return event


def calendar_for(
    place_name: str,
    items: Iterable[CalendarItem],
    start: datetime,
    end: datetime,
    *,
    closed_on_bank_holidays: bool = False,
    region: str = "ENG",
    domain: str = "community-directory",
    stamp: datetime | None = None,
) -> bytes:
    """An iCalendar feed of every session at ``place_name`` between ``start`` and ``end``.

    ``domain`` ends each UID (use the site's host name); ``stamp`` is the DTSTAMP, the time
    the feed was made (now in UTC unless given, so tests can fix it).
    """
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", place_name)
    cal.add("x-wr-calname", place_name)
    cal.add("x-wr-timezone", TZID)
    cal.add("refresh-interval", timedelta(hours=12), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT12H")
    cal.add_component(london_timezone())
    events = []
    for item in items:
        found = occurrences(
            item.schedules,
            start,
            end,
            closed_dates=item.closed_dates,
            closed_on_bank_holidays=closed_on_bank_holidays,
            region=region,
        )
        events.extend((o.starts, item.title, _event(item, o, place_name, domain)) for o in found)
    for _, _, event in sorted(events, key=lambda e: (e[0].astimezone(UTC), e[1])):
        event.add("dtstamp", stamp)
        cal.add_component(event)
    return cal.to_ical()
