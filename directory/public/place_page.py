"""What a place's page and its calendar feed show: the services held there (at every record of
the place), its sessions this week and next, its own opening times and how to get there.

Built on the shared pieces of :mod:`directory.public.pages`; ``now`` defaults to the current
time in Europe/London and is a parameter so tests can pin it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.listings.html import html_to_text
from directory.listings.ical import CalendarItem, calendar_for
from directory.listings.opening import (
    LONDON,
    Occurrence,
    OpenStatus,
    describe_occurrence,
    open_status,
    upcoming_sessions,
)
from directory.models import Location, Schedule, Service, ServiceAtLocation
from directory.public import facts, services
from directory.public.formatting import directions_url, safe_url
from directory.public.pages import (
    accessibility_notes,
    address_lines,
    london_now,
    map_point,
    schedule_descriptions,
    week_table,
)
from directory.public.place_groups import place_of

#: How far ahead the calendar feed of a place reaches; subscribers refetch it twice a day.
CALENDAR_WEEKS = 12


@dataclass
class SessionView:
    occurrence: Occurrence
    service: Service
    text: str


@dataclass
class PlacePage:
    location: Location
    address_lines: list[str]
    postcode: str | None
    directions: str | None
    accessibility: list[str]
    listed: list[ServiceAtLocation]
    status: OpenStatus | None
    times: list[str]
    week: list[tuple[str, str]]
    this_week: list[SessionView] = field(default_factory=list)
    next_week: list[SessionView] = field(default_factory=list)
    map_points: list[dict[str, object]] = field(default_factory=list)
    show_exit: bool = False


def is_running(service: Service) -> bool:
    """False for a service that is temporarily closed or has stopped: its sessions are not
    offered on place pages or in calendars, though its listing still says what happened."""
    return facts.closed_notice(service.status) is None


def schedules_at(sal: ServiceAtLocation) -> list[Schedule]:
    """A service's times at one place: its own schedules there, or, for a service held at only
    this place, the service's general schedules."""
    if sal.schedules:
        return list(sal.schedules)
    if len(sal.service.service_at_locations) == 1:
        return [s for s in sal.service.schedules if s.service_at_location_id is None]
    return []


def place_page(session: Session, location: Location, now: datetime | None = None) -> PlacePage:
    now = now or london_now()
    today = now.date()
    listed = services.services_at(session, location)
    ids = place_of(session, location).ids
    own = list(session.scalars(select(Schedule).where(Schedule.location_id.in_(ids))))
    sessions = []
    for sal in listed:
        if not is_running(sal.service):
            continue
        for occurrence in upcoming_sessions(schedules_at(sal), now, weeks=2):
            sessions.append(
                SessionView(occurrence, sal.service, describe_occurrence(occurrence, today))
            )
    sessions.sort(key=lambda s: (s.occurrence.starts, s.service.name))
    next_monday = today + timedelta(days=7 - today.weekday())
    point = map_point(location)
    return PlacePage(
        location=location,
        address_lines=address_lines(location),
        postcode=location.postcode,
        directions=directions_url(location.postcode, location.name),
        accessibility=accessibility_notes(location),
        listed=listed,
        status=open_status(own, now) if own else None,
        times=schedule_descriptions(own),
        week=week_table(own, today),
        this_week=[s for s in sessions if s.occurrence.day < next_monday],
        next_week=[s for s in sessions if s.occurrence.day >= next_monday],
        map_points=[point] if point else [],
        show_exit=services.needs_safety_features(session, [sal.service for sal in listed]),
    )


def place_calendar(
    session: Session,
    location: Location,
    domain: str,
    now: datetime | None = None,
    page_url: Callable[[Service], str] | None = None,
) -> bytes:
    """The iCalendar feed of a place's sessions from the start of this week for
    ``CALENDAR_WEEKS`` weeks, one item per public service held there.

    Each event links to the service's page here (``page_url``) rather than its own website:
    every listing has a page, with the phone number and any closure, and few have a website.
    A demonstration listing says so in the event's title, which is all a calendar shows."""
    now = now or london_now()
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), time(0), tzinfo=LONDON)
    place_line = ", ".join([location.name or "", *address_lines(location)]).strip(", ")
    items = [
        CalendarItem(
            title=sal.service.name
            + (" (demonstration listing)" if sal.service.is_demonstration else ""),
            schedules=schedules_at(sal),
            location=place_line or None,
            description=html_to_text(sal.service.description),
            url=page_url(sal.service) if page_url else safe_url(sal.service.url),
        )
        for sal in services.services_at(session, location)
        if is_running(sal.service)
    ]
    return calendar_for(
        location.name or "Sessions",
        items,
        monday,
        monday + timedelta(weeks=CALENDAR_WEEKS),
        domain=domain,
    )
