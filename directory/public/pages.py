"""What a service's page shows, worked out once in Python so templates only lay it out:
plain-English facts, opening times in words and the safety features; and the pieces the place
pages (:mod:`directory.public.place_page`) and the handovers share, such as address lines.

Builders take a ``Session`` and models and return plain dataclasses; ``now`` defaults to the
current time in Europe/London and is a parameter so tests can pin it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from directory.listings.opening import (
    LONDON,
    OpenStatus,
    describe_schedule,
    describe_week,
    open_status,
)
from directory.listings.opening_occurrences import as_utc
from directory.models import Location, Organization, Schedule, Service, ServiceAtLocation
from directory.public import facts, jsonld, services
from directory.public.formatting import ages_text, directions_url, safe_url

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
    delivery: str | None
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
    eligibility: list[str] = field(default_factory=list)

    @property
    def caption(self) -> str | None:
        """The organisation's name above the heading, unless it is the service's own name."""
        name = self.organisation.name if self.organisation else None
        same = (name or "").strip().casefold() == (self.service.name or "").strip().casefold()
        return None if same else name

    @property
    def has_contact(self) -> bool:
        return bool(self.contacts or self.service.email or safe_url(self.service.url))


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
    ages = ages_text(service.minimum_age, service.maximum_age)
    client_groups = facts.term_names(service, "client_group")
    areas = [area.name for area in service.service_areas if area.name]
    listed_for = [text for text in (ages, *client_groups, *areas) if text]
    return ServicePage(
        service=service,
        organisation=service.organization,
        status=open_status(service.schedules, now),
        closed_notice=facts.closed_notice(service.status),
        ages=ages,
        client_groups=client_groups,
        needs=facts.term_names(service, "need"),
        cost=facts.cost(service),
        referral=facts.referral_text(service.referral),
        delivery=facts.delivery_sentence(service.delivery_modes),
        contacts=facts.contacts(service),
        week=[] if per_place else week_table(service.schedules, today),
        times=[] if per_place else schedule_descriptions(service.schedules),
        places=places,
        map_points=[p for p in (map_point(place.location) for place in places) if p],
        languages=[lang.name for lang in service.languages if lang.name],
        areas=areas,
        checked=last_checked(service, today),
        show_exit=services.needs_safety_features(session, [service]),
        json_ld=jsonld.service_json_ld(service, page_url),
        eligibility=facts.eligibility_paragraphs(service.eligibility_description, listed_for),
    )


def valid_until(page: ServicePage, now: datetime) -> datetime:
    """When what a service page says about time may next change (the page cache keeps it until
    then): the status's own turning point (closes, opens) or the next midnight in London (the
    day names, the week table's today, "over a year ago"), whichever comes first."""
    local = now.astimezone(LONDON)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=LONDON)
    turns = [midnight]
    for moment in (page.status.closes_at, page.status.next_open):
        if moment is not None and as_utc(moment) > as_utc(now):
            turns.append(moment)
    return min(turns, key=as_utc)


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


def schedule_descriptions(schedules: list[Schedule]) -> list[str]:
    """Each schedule in words, once (two schedules can read the same)."""
    return [text for text in dict.fromkeys(describe_schedule(s) for s in schedules) if text]


def _place_view(sal: ServiceAtLocation, service: Service, today: date, own_times: bool):
    location = sal.location
    lines = address_lines(location)
    return PlaceView(
        location=location,
        address_lines=lines,
        postcode=location.postcode,
        directions=directions_url(location.postcode, location.name),
        accessibility=accessibility_notes(location),
        times=schedule_descriptions(sal.schedules) if own_times else [],
        week=week_table(sal.schedules, today) if own_times else [],
    )


def address_lines(location: Location) -> list[str]:
    """The first physical address as lines, without repeating the place's name (every page
    and handover shows the name just above it): "The Bluecoat, Chester" for a place called
    The Bluecoat is "Chester"."""
    for address in location.addresses:
        parts = [address.address_1, address.address_2, address.city, address.postal_code]
        lines = [p.strip() for p in parts if p and p.strip()]
        name = (location.name or "").strip()
        if lines and name and lines[0].casefold() == name.casefold():
            lines = lines[1:]
        elif lines and name and lines[0].startswith(name + ","):
            lines[0] = lines[0][len(name) + 1 :].strip()
        return [line for line in lines if line]
    return []


def accessibility_notes(location: Location) -> list[str]:
    """Access notes as sentences ("Step-free access: Level entrance and accessible toilet."),
    so several read as a paragraph rather than fragments joined by semicolons."""
    notes = []
    for item in location.accessibility:
        text = ": ".join(p.strip() for p in (item.description, item.details) if p and p.strip())
        if text:
            notes.append(text if text.endswith((".", "!", "?")) else text + ".")
    return notes


def map_point(location: Location) -> dict[str, object] | None:
    """A map marker for a place, or None when it has no coordinates (no marker is better than
    one in the wrong place)."""
    if location.latitude is None or location.longitude is None:
        return None
    return {"lat": location.latitude, "lng": location.longitude, "name": location.name or ""}
