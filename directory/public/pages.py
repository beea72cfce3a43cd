"""What the service and place pages show, worked out once in Python so templates only lay it
out: plain-English facts, opening times in words, sessions, and the safety features.

Builders take a ``Session`` and models and return plain dataclasses; ``now`` defaults to the
current time in Europe/London and is a parameter so tests can pin it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.listings.ical import CalendarItem, calendar_for
from directory.listings.opening import (
    LONDON,
    Occurrence,
    OpenStatus,
    describe_occurrence,
    describe_schedule,
    describe_week,
    open_status,
    upcoming_sessions,
)
from directory.models import Location, Organization, Schedule, Service, ServiceAtLocation
from directory.public import facts, jsonld, services
from directory.public.formatting import ages_text, directions_url

#: How far ahead the calendar feed of a place reaches; subscribers refetch it twice a day.
CALENDAR_WEEKS = 12
#: Listings not checked for longer than this are flagged "check with the service".
STALE_AFTER = timedelta(days=365)


@dataclass
class PlaceView:
    """A place as a service page lists it: address, directions and the times held there."""

    location: Location
    address_lines: list[str]
    postcode: str | None
    directions: str | None
    accessibility: list[str]
    times: list[str]
    week: list[tuple[str, str]]


@dataclass
class Checked:
    label: str
    on: date | None
    stale: bool


@dataclass
class ServicePage:
    service: Service
    organisation: Organization | None
    status: OpenStatus
    closed_notice: str | None
    ages: str | None
    client_groups: list[str]
    needs: list[str]
    cost: facts.Cost
    referral: str | None
    delivery: list[str]
    contacts: list[facts.ContactView]
    week: list[tuple[str, str]]
    times: list[str]
    places: list[PlaceView]
    map_points: list[dict[str, object]]
    languages: list[str]
    areas: list[str]
    checked: Checked
    show_exit: bool
    json_ld: str


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


def london_now() -> datetime:
    return datetime.now(LONDON)


def service_page(
    session: Session, service: Service, now: datetime | None = None, page_url: str | None = None
) -> ServicePage:
    now = now or london_now()
    today = now.date()
    sals = service.service_at_locations
    per_place = len(sals) > 1 and any(sal.schedules for sal in sals)
    places = [_place_view(sal, service, today, per_place) for sal in sals]
    return ServicePage(
        service=service,
        organisation=service.organization,
        status=open_status(service.schedules, now),
        closed_notice=facts.closed_notice(service.status),
        ages=ages_text(service.minimum_age, service.maximum_age),
        client_groups=facts.term_names(service, "client_group"),
        needs=facts.term_names(service, "need"),
        cost=facts.cost(service),
        referral=facts.referral_text(service.referral),
        delivery=facts.delivery_words(service.delivery_modes),
        contacts=facts.contacts(service),
        week=[] if per_place else week_table(service.schedules, today),
        times=[] if per_place else _descriptions(service.schedules),
        places=places,
        map_points=[p for p in (_map_point(place.location) for place in places) if p],
        languages=[lang.name for lang in service.languages if lang.name],
        areas=[area.name for area in service.service_areas if area.name],
        checked=last_checked(service, today),
        show_exit=services.needs_safety_features(session, [service]),
        json_ld=jsonld.service_json_ld(service, page_url),
    )


def last_checked(service: Service, today: date) -> Checked:
    """ "Last checked" is the assured date; without one, when the listing last changed."""
    if service.assured_date:
        label, on = "Last checked", service.assured_date
    elif service.last_modified:
        label, on = "Last updated", service.last_modified.astimezone(LONDON).date()
    else:
        return Checked("Last checked", None, True)
    return Checked(label, on, today - on > STALE_AFTER)


def week_table(schedules: list[Schedule], today: date) -> list[tuple[str, str]]:
    """Day-by-day rows, only when they add to the words: a group that meets on one day is
    clearer as "Every Tuesday, 10am to midday" than as a table of six "Closed" rows."""
    rows = describe_week(schedules, today)
    open_rows = [row for row in rows if row[1] != "Closed"]
    return rows if len(open_rows) >= 2 else []


def _descriptions(schedules: list[Schedule]) -> list[str]:
    return [text for text in dict.fromkeys(describe_schedule(s) for s in schedules) if text]


def _place_view(sal: ServiceAtLocation, service: Service, today: date, own_times: bool):
    location = sal.location
    lines = address_lines(location)
    return PlaceView(
        location=location,
        address_lines=lines,
        postcode=location.postcode,
        directions=directions_url(location.postcode, location.name),
        accessibility=_accessibility(location),
        times=_descriptions(sal.schedules) if own_times else [],
        week=week_table(sal.schedules, today) if own_times else [],
    )


def address_lines(location: Location) -> list[str]:
    """The first physical address as lines, without repeating the place's name."""
    for address in location.addresses:
        parts = [address.address_1, address.address_2, address.city, address.postal_code]
        lines = [p.strip() for p in parts if p and p.strip()]
        if lines and location.name and lines[0].startswith(location.name + ","):
            lines[0] = lines[0][len(location.name) + 1 :].strip()
        return [line for line in lines if line]
    return []


def _accessibility(location: Location) -> list[str]:
    notes = []
    for item in location.accessibility:
        text = ": ".join(p for p in (item.description, item.details) if p)
        if text:
            notes.append(text)
    return notes


def _map_point(location: Location) -> dict[str, object] | None:
    if location.latitude is None or location.longitude is None:
        return None
    return {"lat": location.latitude, "lng": location.longitude, "name": location.name or ""}


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
    own = list(session.scalars(select(Schedule).where(Schedule.location_id == location.id)))
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
    point = _map_point(location)
    return PlacePage(
        location=location,
        address_lines=address_lines(location),
        postcode=location.postcode,
        directions=directions_url(location.postcode, location.name),
        accessibility=_accessibility(location),
        listed=listed,
        status=open_status(own, now) if own else None,
        times=_descriptions(own),
        week=week_table(own, today),
        this_week=[s for s in sessions if s.occurrence.day < next_monday],
        next_week=[s for s in sessions if s.occurrence.day >= next_monday],
        map_points=[point] if point else [],
        show_exit=services.needs_safety_features(session, [sal.service for sal in listed]),
    )


def place_calendar(
    session: Session, location: Location, domain: str, now: datetime | None = None
) -> bytes:
    """The iCalendar feed of a place's sessions from the start of this week for
    ``CALENDAR_WEEKS`` weeks, one item per public service held there."""
    now = now or london_now()
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), time(0), tzinfo=LONDON)
    place_line = ", ".join([location.name or "", *address_lines(location)]).strip(", ")
    items = [
        CalendarItem(
            title=sal.service.name,
            schedules=schedules_at(sal),
            location=place_line or None,
            description=sal.service.description,
            url=sal.service.url,
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
