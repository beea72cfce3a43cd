"""What the home page shows besides the search form: popular needs, and the community hubs and
Let's Talk sites near a place, with the helpers both the home and the results pages use to find
where "near" is (the gazetteer and the home area's middle).

Builders take a ``Session`` and run inside a request (they read the app's config).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory.listings.visibility import public_clause
from directory.models import Attribute, Location, LocationKind, Service
from directory.public import guided
from directory.public.place_groups import group_places, with_demonstration_flags
from directory.public.search_params import TermIndex, clean, load_terms
from directory.public.services import places_of_kind
from search_index.geo import haversine_km


def need_counts(session: Session, terms: TermIndex) -> dict[str, int]:
    """How many public services each top-level need has (through any term below it)."""
    rows = session.execute(
        select(Attribute.link_id, Attribute.taxonomy_term_id)
        .join(Service, Service.id == Attribute.link_id)
        .where(
            Attribute.link_type == "need",
            Attribute.link_entity == "service",
            public_clause(),
        )
    )
    services: dict[str, set[str]] = {}
    for service_id, term_id in rows:
        chain = [term_id, *terms.ancestors(term_id)]
        services.setdefault(chain[-1], set()).add(service_id)
    return {term_id: len(ids) for term_id, ids in services.items()}


@dataclass(frozen=True)
class PopularNeed:
    code: str
    label: str
    count: int


#: Seconds the home page's need counts are kept per process. Counting reads every need of
#: every public listing (70 ms of PostgreSQL at 10,000 services); the panel ranks needs by
#: rough size, so counts a minute old serve as well.
POPULAR_SECONDS = 60.0


def popular_needs(session: Session, terms: TermIndex, limit: int = 8) -> list[PopularNeed]:
    """The top-level needs with the most services, in everyday words."""
    kept = current_app.extensions.setdefault("popular_need_counts", {})
    now = time.monotonic()
    if kept.get("until", 0.0) > now and kept.get("terms") is terms:
        counts = kept["counts"]
    else:
        counts = need_counts(session, terms)
        kept.update(until=now + POPULAR_SECONDS, terms=terms, counts=counts)
    roots = [t for t in terms.top_level_needs() if counts.get(t.id)]
    roots.sort(key=lambda t: (-counts[t.id], guided.plain_label(t)))
    return [
        PopularNeed(terms.key(t.id), guided.plain_label(t), counts[t.id]) for t in roots[:limit]
    ]


@dataclass(frozen=True)
class NearbyPlace:
    """A place in a list; ``km`` is None when the list is not measured from anywhere."""

    location: Location
    km: float | None
    demonstration: bool = False


@dataclass(frozen=True)
class NearPoint:
    """Where "near" is measured from. ``found`` is False when the person gave no place (or
    one that could not be found) and the middle of the home area is used instead."""

    point: tuple[float, float]
    name: str
    message: str | None
    found: bool


@dataclass(frozen=True)
class HomePanels:
    """``measured`` is False when no place was given (or it could not be found): the places
    are then the ones nearest the middle of the home area, and a distance from there would
    mean nothing to the reader, so the page shows none."""

    popular: list[PopularNeed]
    hubs: list[NearbyPlace]
    lets_talk: list[NearbyPlace]
    near_name: str
    place_message: str | None
    measured: bool = False


def nearby_places(
    session: Session, point: tuple[float, float], kind: LocationKind, limit: int | None = 3
) -> list[NearbyPlace]:
    """The ``limit`` places of one kind (community hubs, Let's Talk sites) nearest a point
    (all of them for None), each once however many records describe it. There are tens of
    them, not thousands, so measuring every one is quicker than an index."""
    locations = session.scalars(
        select(Location)
        .where(Location.kind == kind, Location.latitude.is_not(None))
        .where(Location.longitude.is_not(None))
        .options(selectinload(Location.addresses))
    )
    measured = [
        (haversine_km(point[0], point[1], p.location.latitude, p.location.longitude), p)
        for p in group_places(locations)
    ]
    measured.sort(key=lambda item: (item[0], item[1].location.name or "", item[1].location.id))
    nearest = with_demonstration_flags(session, [place for _km, place in measured[:limit]])
    return [
        NearbyPlace(place.location, km, place.demonstration)
        for (km, _place), place in zip(measured, nearest, strict=False)
    ]


@dataclass(frozen=True)
class AddressLine:
    """The parts of an address a "nearest place" line shows (``pages.address_lines``)."""

    address_1: str | None
    address_2: str | None
    city: str | None
    postal_code: str | None


@dataclass(frozen=True)
class PlaceSnapshot:
    """What a "your nearest is" line shows of a place (name, link, address), copied out of the
    database so it can be kept between requests: an ORM object would be tied to one
    request's session. Read by templates as a ``Location`` is (``place_url``,
    ``place_address``)."""

    id: str
    name: str | None
    latitude: float
    longitude: float
    addresses: tuple[AddressLine, ...]


#: Seconds the places of a kind are kept per process for :func:`nearest_place` (a zero
#: results page read every Let's Talk site, its addresses and its services each time).
PLACES_SECONDS = 60.0


def nearest_place(
    session: Session, point: tuple[float, float], kind: LocationKind
) -> NearbyPlace | None:
    """The place of one kind nearest a point, from a copy of them all kept a minute."""
    kept = current_app.extensions.setdefault("nearest_place_snapshots", {})
    now = time.monotonic()
    entry = kept.get(kind)
    if entry is None or entry[0] <= now:
        places = nearby_places(session, point, kind, limit=None)
        snapshots = [(_snapshot(p.location), p.demonstration) for p in places]
        kept[kind] = entry = (now + PLACES_SECONDS, snapshots)
    measured = [
        (
            haversine_km(point[0], point[1], snap.latitude, snap.longitude),
            snap.name or "",
            snap.id,
            snap,
            demo,
        )
        for snap, demo in entry[1]
    ]
    if not measured:
        return None
    km, _name, _id, snap, demo = min(measured, key=lambda item: item[:3])
    return NearbyPlace(snap, km, demo)  # type: ignore[arg-type]


def _snapshot(location: Location) -> PlaceSnapshot:
    return PlaceSnapshot(
        id=location.id,
        name=location.name,
        latitude=float(location.latitude),
        longitude=float(location.longitude),
        addresses=tuple(
            AddressLine(a.address_1, a.address_2, a.city, a.postal_code) for a in location.addresses
        ),
    )


def gazetteer():
    """The offline gazetteer, or None while it is not built (place searches then explain)."""
    from directory.places.gazetteer import GazetteerError, get_gazetteer

    try:
        return get_gazetteer(current_app.config.get("GAZETTEER_PATH"))
    except GazetteerError:
        return None


def home_location() -> tuple[float, float]:
    """The middle of the home area (``HOME_LATITUDE``, ``HOME_LONGITUDE``)."""
    config = current_app.config
    return float(config["HOME_LATITUDE"]), float(config["HOME_LONGITUDE"])


def home_point(where: str) -> NearPoint:
    """The point the home page measures "near you" from, and a message when the place typed
    could not be used (then the home area is used instead)."""
    text = clean(where, 100)[0]
    home_name = current_app.config["HOME_AREA_NAME"]
    if not text:
        return NearPoint(home_location(), home_name, None, found=False)
    geo = gazetteer()
    if geo is None:
        message = "Searching by place is not available at the moment."
        return NearPoint(home_location(), home_name, message, found=False)
    resolution = geo.resolve(text, home_location())
    if resolution.place is None:
        return NearPoint(home_location(), home_name, resolution.message, found=False)
    return NearPoint(resolution.place.point, resolution.place.name, resolution.message, True)


def home_panels(session: Session, where: str) -> HomePanels:
    """The home page's popular needs and the community hubs and Let's Talk sites nearest the
    place typed in ``?where=`` (or the home area)."""
    near = home_point(where)
    return HomePanels(
        popular=popular_needs(session, load_terms(session)),
        hubs=nearby_places(session, near.point, LocationKind.COMMUNITY_HUB),
        lets_talk=nearby_places(session, near.point, LocationKind.LETS_TALK),
        near_name=near.name,
        place_message=near.message,
        measured=near.found,
    )


@dataclass(frozen=True)
class PlaceList:
    """Every community hub or Let's Talk site: by name, or nearest first from ``?where=``."""

    places: list[NearbyPlace]
    near_name: str | None
    place_message: str | None


def place_list(session: Session, kind: LocationKind, where: str) -> PlaceList:
    """All places of one kind. A link worker asking "which hub is nearest to this person?"
    gives a postcode or town and gets the whole list nearest first, with distances; without
    one (or one that cannot be found) the list is by name. Places without coordinates go last,
    so none is left out."""
    by_name = places_of_kind(session, kind)
    near = home_point(where) if where.strip() else None
    if near is None or not near.found:
        places = [NearbyPlace(p.location, None, p.demonstration) for p in by_name]
        return PlaceList(places, None, near.message if near else None)
    measured = nearby_places(session, near.point, kind, limit=None)
    shown = {n.location.id for n in measured}
    rest = [NearbyPlace(p.location, None, p.demonstration) for p in by_name]
    return PlaceList(
        measured + [n for n in rest if n.location.id not in shown], near.name, near.message
    )
