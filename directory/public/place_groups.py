"""One real place, however many location records describe it.

Open Referral feeds describe a place inside each service's record, so a community hub that
hosts five services can arrive as five ``location`` rows with the same name and postcode (each
organisation's feed, or each service in it, brings its own copy). Shown as stored, the home
page listed "Blacon Community Hub" twice and each copy's page showed only some of what happens
there. So the public pages treat records of the same kind with the same name at the same
postcode (or, with no postcode, at the same spot to about 100 metres) as one place: lists show
it once, its page gathers every service held at any of its records, and the other records'
addresses redirect to the record that stands for it (the lowest id, so the address people
share stays the same while the copies exist).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from directory.listings.visibility import public_clause
from directory.models import Location, Service, ServiceAtLocation

#: Decimal places of latitude and longitude that count as "the same spot" (about 100 m).
_SPOT_DECIMALS = 3


@dataclass(frozen=True)
class Place:
    """A place as people know it: the record that stands for it and every record that is it.

    ``demonstration`` is True when everything listed there is a demonstration listing, so a
    list of places can say so as clearly as the place's own page does."""

    location: Location
    ids: tuple[str, ...]
    demonstration: bool = False


def place_key(location: Location) -> tuple | None:
    """What makes two records the same place, or None when a record cannot be matched safely
    (no name, or neither a postcode nor coordinates: online "places" are never merged)."""
    name = " ".join((location.name or "").casefold().split())
    if not name:
        return None
    postcode = "".join((location.postcode or "").split()).upper()
    if postcode:
        return (location.kind, name, postcode)
    if location.latitude is None or location.longitude is None:
        return None
    spot = (round(location.latitude, _SPOT_DECIMALS), round(location.longitude, _SPOT_DECIMALS))
    return (location.kind, name, *spot)


def group_places(locations: Iterable[Location]) -> list[Place]:
    """The distinct places among ``locations``, in the order each is first met."""
    groups: dict[tuple, list[Location]] = {}
    for location in locations:
        groups.setdefault(place_key(location) or ("record", location.id), []).append(location)
    return [
        Place(min(members, key=lambda m: m.id), tuple(sorted(m.id for m in members)))
        for members in groups.values()
    ]


def place_of(session: Session, location: Location) -> Place:
    """The place this record describes, with every other record of it in the database."""
    key = place_key(location)
    if key is None:
        return Place(location, (location.id,))
    name = (location.name or "").strip().lower()
    candidates = session.scalars(
        select(Location)
        .where(Location.kind == location.kind, func.lower(func.trim(Location.name)) == name)
        .options(selectinload(Location.addresses))
    )
    same = [found for found in candidates if place_key(found) == key]
    if location not in same:
        same.append(location)
    return group_places(same)[0]


def with_demonstration_flags(session: Session, places: Sequence[Place]) -> list[Place]:
    """``places`` with ``demonstration`` set where every public service held there is a
    demonstration listing (a place with nothing listed yet is not marked)."""
    ids = [record_id for place in places for record_id in place.ids]
    if not ids:
        return list(places)
    rows = session.execute(
        select(ServiceAtLocation.location_id, Service.is_demonstration)
        .join(Service, ServiceAtLocation.service_id == Service.id)
        .where(
            ServiceAtLocation.location_id.in_(ids),
            public_clause(),
        )
    )
    flags: dict[str, list[bool]] = {}
    for location_id, is_demonstration in rows:
        flags.setdefault(location_id, []).append(bool(is_demonstration))
    marked = []
    for place in places:
        found = [flag for record_id in place.ids for flag in flags.get(record_id, [])]
        marked.append(replace(place, demonstration=bool(found) and all(found)))
    return marked


def services_held(session: Session, places: Sequence[Place]) -> dict[str, list[ServiceAtLocation]]:
    """The public services held at each place (keyed by the id of the record that stands for
    it), by service name, each service once, with what their sessions need loaded: the same
    as :func:`directory.public.services.services_at` for one place, in one query for a whole
    list of places (a list of hubs asked one place at a time took half a second)."""
    owner = {record_id: place.location.id for place in places for record_id in place.ids}
    if not owner:
        return {}
    found = session.scalars(
        select(ServiceAtLocation)
        .join(Service, ServiceAtLocation.service_id == Service.id)
        .where(
            ServiceAtLocation.location_id.in_(owner),
            public_clause(),
        )
        .options(
            selectinload(ServiceAtLocation.schedules),
            selectinload(ServiceAtLocation.service).selectinload(Service.schedules),
            selectinload(ServiceAtLocation.service).selectinload(Service.attributes),
            selectinload(ServiceAtLocation.service).selectinload(Service.service_at_locations),
        )
        .order_by(Service.name, Service.id, ServiceAtLocation.location_id)
    )
    held: dict[str, dict[str, ServiceAtLocation]] = {place.location.id: {} for place in places}
    for sal in found:
        held[owner[sal.location_id]].setdefault(sal.service_id, sal)
    return {key: list(by_service.values()) for key, by_service in held.items()}
