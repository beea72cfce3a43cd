"""What the lists of community hubs (``/hubs``) and Let's Talk sites (``/lets-talk``) show:
for each place its name, where it is, what is held there and its next sessions.

A link worker uses these lists to answer "where can this person go, and when?", so a name and
an address alone are not enough: each place shows the next session of each service held there
("Today, 2pm to 4pm: Memory Cafe"), soonest first, and says so when it lists no times at all.
The order is nearest first from a place typed in the where box (the home page's
``place_list`` decides it), otherwise by name within each council area.

Sessions come from the same reading of schedules as the place pages and calendars
(:mod:`directory.listings.opening`); ``now`` is a parameter so tests can pin it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from directory.listings.opening_occurrences import Occurrence, as_utc, occurrences, usable_rules
from directory.listings.opening_rules import LONDON
from directory.listings.opening_text import format_hours, relative_day
from directory.models import Location, LocationKind, Service, ServiceAtLocation
from directory.places.gazetteer import Gazetteer
from directory.public import home_page, services
from directory.public.pages import london_now
from directory.public.place_groups import services_held
from directory.public.place_page import is_running, schedules_at

#: How far ahead a place's next sessions are looked for: far enough for a monthly group.
LOOK_AHEAD = timedelta(weeks=6)
#: Looked at first: most groups meet within it.
SOON = timedelta(weeks=2)
#: Sessions shown for each place; its own page has the rest.
SESSIONS_SHOWN = 4
#: Services named for each place before "and N more".
SERVICES_SHOWN = 8
#: The heading for places whose council area cannot be worked out.
OTHER_AREA = "Other places"


@dataclass(frozen=True)
class SessionLine:
    """One coming session: ``when`` in words ("Today, 2pm to 4pm"), ``machine`` the same for
    a ``<time>`` element, and whether it is on now."""

    when: str
    machine: str
    starts: datetime
    service: Service
    on_now: bool = False


@dataclass(frozen=True)
class PlaceSummary:
    """One place in the list. ``timetable`` says what to write when ``sessions`` is empty:
    "none" (no times are listed for anything there), "later" (none in the next six weeks),
    or "nothing" (nothing is listed there yet). ``approximate`` is True for a place with no
    postcode, whose map point is only a town centre, so its distance is only a rough guide."""

    location: Location
    km: float | None
    demonstration: bool
    area: str | None
    services: list[Service]
    sessions: list[SessionLine]
    timetable: str
    approximate: bool = False


@dataclass(frozen=True)
class AreaGroup:
    name: str
    places: list[PlaceSummary]


@dataclass
class PlaceListPage:
    """``groups`` holds the places by area when the list is by name; when it is nearest
    first from ``near_name`` there is one group with no name, so the order is kept."""

    groups: list[AreaGroup]
    count: int
    near_name: str | None
    place_message: str | None
    show_exit: bool = False


def session_words(occurrence: Occurrence, today: date) -> str:
    """ "Today, 2pm to 4pm", "Tuesday, 10am to midday", "Tuesday 4 March, from 7pm", or
    "Thursday, times not given" when the listing gives the day but not the hours."""
    day = relative_day(occurrence.day, today)
    day = day[0].upper() + day[1:]
    if not occurrence.times_known:
        return f"{day}, times not given"
    closes = occurrence.ends.time() if occurrence.end_known else None
    return f"{day}, {format_hours(occurrence.starts.time(), closes)}"


def next_sessions(listed: list[ServiceAtLocation], now: datetime) -> tuple[list[SessionLine], str]:
    """A place's next sessions from the services held there, and what to say if there are
    none. The next session of each running service comes first (a hub's daily drop-in must not
    hide its weekly groups), then, while there is room, the ones after, all soonest first."""
    running = [sal for sal in listed if is_running(sal.service)]
    # A place with enough services fills the list with their first sessions alone; only when
    # it does not are each service's later sessions worked out too.
    for wanted in (1, SESSIONS_SHOWN) if len(running) >= SESSIONS_SHOWN else (SESSIONS_SHOWN,):
        firsts, later = _session_lines(running, now, wanted)
        if len(firsts) + len(later) >= SESSIONS_SHOWN:
            break
    shown = sorted(firsts, key=_soonest)[:SESSIONS_SHOWN]
    shown += sorted(later, key=_soonest)[: SESSIONS_SHOWN - len(shown)]
    any_times = any(usable_rules(schedules_at(sal)) for sal in running)
    timetable = "nothing" if not listed else "later" if any_times else "none"
    return sorted(shown, key=_soonest), timetable


def _session_lines(
    running: list[ServiceAtLocation], now: datetime, wanted: int
) -> tuple[list[SessionLine], list[SessionLine]]:
    """Each service's first coming session, and its next ``wanted - 1`` after it."""
    now_utc = as_utc(now)
    today = now_utc.astimezone(LONDON).date()
    firsts: list[SessionLine] = []
    later: list[SessionLine] = []
    for sal in running:
        lines = [
            SessionLine(
                session_words(o, today),
                o.starts.strftime("%Y-%m-%dT%H:%M") if o.times_known else o.day.isoformat(),
                o.starts,
                sal.service,
                o.times_known and as_utc(o.starts) <= now_utc,
            )
            for o in _upcoming(schedules_at(sal), now, wanted)
        ]
        firsts.extend(lines[:1])
        later.extend(lines[1:])
    return firsts, later


def _upcoming(schedules: list, now: datetime, wanted: int) -> list[Occurrence]:
    """The next ``wanted`` sessions. Two weeks hold them for most groups, and reading six
    weeks of every hub's daily drop-in was most of the page's time, so six weeks are read
    only when two do not hold enough (a monthly group, or a place with few services)."""
    found = occurrences(schedules, now, now + SOON)
    if len(found) < wanted:
        found = occurrences(schedules, now, now + LOOK_AHEAD)
    return found[:wanted]


def _soonest(line: SessionLine) -> tuple[datetime, str]:
    return as_utc(line.starts), line.service.name or ""


def area_of(location: Location, geo: Gazetteer | None) -> str | None:
    """The council area a place is in ("Cheshire West and Chester", "Worcestershire"): from
    its postcode, else from its town near its own point, else None. The county-level name is
    used, so a list of hubs across a county is not split district by district."""
    if geo is None:
        return None
    code = None
    for address in location.addresses:
        found = geo.postcode(address.postal_code) if address.postal_code else None
        if found is None and address.city and location.latitude is not None:
            towns = geo.town(address.city, (location.latitude, location.longitude))
            found = towns[0] if towns else None
        if found is not None and found.la_code:
            code = found.la_code
            break
    authority = geo.local_authority(code) if code else None
    return authority.upper_tier_name if authority else None


def place_list_page(
    session: Session, kind: LocationKind, where: str, now: datetime | None = None
) -> PlaceListPage:
    """Every place of one kind with its services and next sessions. Runs inside a request
    (the where box is read through the home page's gazetteer and home area settings)."""
    now = now or london_now()
    listing = home_page.place_list(session, kind, where)
    places = {place.location.id: place for place in services.places_of_kind(session, kind)}
    held = services_held(
        session, [places[i.location.id] for i in listing.places if i.location.id in places]
    )
    geo = home_page.gazetteer()
    summaries, everything = [], []
    for item in listing.places:
        listed = held.get(item.location.id, [])
        sessions, timetable = next_sessions(listed, now)
        everything.extend(sal.service for sal in listed)
        summaries.append(
            PlaceSummary(
                item.location,
                item.km,
                item.demonstration,
                area_of(item.location, geo),
                [sal.service for sal in listed],
                sessions,
                timetable,
                approximate=not item.location.postcode,
            )
        )
    if listing.near_name:
        groups = [AreaGroup("", summaries)] if summaries else []
    else:
        groups = _by_area(summaries)
    return PlaceListPage(
        groups=groups,
        count=len(summaries),
        near_name=listing.near_name,
        place_message=listing.place_message,
        show_exit=services.needs_safety_features(session, everything),
    )


def _by_area(summaries: list[PlaceSummary]) -> list[AreaGroup]:
    """Areas by name (places whose area is unknown last), places by name within each."""
    areas: dict[str, list[PlaceSummary]] = {}
    for summary in summaries:
        areas.setdefault(summary.area or OTHER_AREA, []).append(summary)
    names = sorted(areas, key=lambda name: (name == OTHER_AREA, name.casefold()))
    return [
        AreaGroup(
            name,
            sorted(
                areas[name],
                key=lambda s: ((s.location.name or "").casefold(), s.location.id),
            ),
        )
        for name in names
    ]
