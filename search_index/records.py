"""Reading listings for indexing as plain rows: a handful of SQL queries per batch of services.

Indexing needs a few columns from eight tables. Loading them as ORM objects cost more than
indexing them: about 0.6 ms per document in object construction, plus, at 100,000 services,
one second per batch of 500 for the attribute query the ORM writes (it joins ``service``
and ``taxonomy_term`` to ``attribute``, and SQLite then scanned every attribute row for each
batch, so a rebuild grew with the square of the directory). Here each table is read once per
batch with a plain ``IN`` on an indexed column (sorting in Python, so the database never
prefers a scan in primary-key order), into small records with the attribute names
``search_index.documents`` reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, any_, bindparam, select
from sqlalchemy.orm import Session

from directory.listings.visibility import public_clause
from directory.models import (
    Address,
    Attribute,
    CostOption,
    ListingStatus,
    Location,
    LocationKind,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
)

#: Services per batch: each table is read with one ``IN`` (or ``= ANY``) of this many keys.
#: Fewer, larger rounds: a rebuild worker reads 2,000 services at a time.
BATCH = 2000
_SERVICE_COLUMNS = (
    "id", "name", "alternate_name", "description", "eligibility_description", "fees",
    "minimum_age", "maximum_age", "assured_date", "last_modified", "listing_status",
    "is_demonstration", "delivery_modes", "created_at",
)  # fmt: skip
_SCHEDULE_COLUMNS = (
    "freq", "interval", "byday", "bymonthday", "byweekno", "byyearday", "count", "wkst",
    "dtstart", "until", "valid_from", "valid_to", "opens_at", "closes_at", "timezone",
    "description", "notes",
)  # fmt: skip


@dataclass(slots=True)
class OrganisationRecord:
    id: str
    name: str
    is_demonstration: bool
    is_suspended: bool = False


@dataclass(slots=True)
class CostRecord:
    amount: float | None
    option: str | None
    amount_description: str | None


@dataclass(slots=True)
class PlaceRecord:
    """A location with what indexing reads of it (the first address's town and the first
    postcode given)."""

    id: str
    name: str | None
    kind: LocationKind | None
    latitude: float | None
    longitude: float | None
    city: str | None = None
    postcode: str | None = None


@dataclass(slots=True)
class VenueRecord:
    """A service at a location, with that place's own schedules."""

    id: str
    description: str | None
    location: PlaceRecord | None
    schedules: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class ServiceRecord:
    id: str
    name: str | None
    alternate_name: str | None
    description: str | None
    eligibility_description: str | None
    fees: str | None
    minimum_age: float | None
    maximum_age: float | None
    assured_date: date | None
    last_modified: datetime | None
    listing_status: ListingStatus | None
    is_demonstration: bool
    delivery_modes: list[str] | None
    created_at: datetime | None
    organization: OrganisationRecord | None
    #: ``(link_type, taxonomy term id)`` of its attributes, in attribute id order; a term
    #: inferred from the listing's words and confirmed by staff counts as one of these.
    links: list[tuple[str, str]] = field(default_factory=list)
    #: ``(link_type, taxonomy term id, confidence)`` of the terms inferred from its words
    #: and not (yet) confirmed (``directory.inference``); rejected ones are left out.
    inferred: list[tuple[str, str, float]] = field(default_factory=list)
    #: The representative listing of its duplicate group when that is another listing
    #: (``directory.listings.duplicates``): residents see one card per real service.
    duplicate_of: str | None = None
    venues: list[VenueRecord] = field(default_factory=list)
    #: Schedules of the service as a whole (not of one place).
    schedules: list[dict[str, Any]] = field(default_factory=list)
    #: ``(extent_type, extent)`` of its service areas.
    areas: list[tuple[str | None, str | None]] = field(default_factory=list)
    cost_options: list[CostRecord] = field(default_factory=list)


def schedule_dict(row: Any) -> dict[str, Any]:
    """The parts of a schedule ``directory.listings.opening`` reads, as plain JSON values
    (``row`` is a schedule row or object)."""
    out = {}
    for name in _SCHEDULE_COLUMNS:
        value = getattr(row, name)
        if value is not None and value != "":
            out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def _among(session: Session, column: Any, keys: list[str]) -> Any:
    """``column IN keys``; on PostgreSQL ``column = ANY(:keys)`` with the keys as one array
    parameter. An ``IN`` of 2,000 keys is 2,000 bind parameters that SQLAlchemy and psycopg
    expand and parse into the statement text on every query, and PostgreSQL parses and plans
    a new statement each time; one array keeps the statement the same (about a second of a
    rebuild worker's time at 100,000 services)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, keys, type_=ARRAY(column.type)))
    return column.in_(keys)


def _sorted_rows(session: Session, query: Any) -> list[Any]:
    """Rows of ``query`` sorted by their first column (the table's id), in Python."""
    return sorted(session.execute(query).all(), key=lambda row: row[0])


def load_services(session: Session, ids: list[str]) -> list[ServiceRecord]:
    """The records of these services (any listing status; unknown ids are left out)."""
    query = (
        select(
            *(getattr(Service, name) for name in _SERVICE_COLUMNS),
            Organization.id,
            Organization.name,
            Organization.is_demonstration,
            Organization.is_suspended,
        )
        .outerjoin(Organization, Service.organization_id == Organization.id)
        .where(_among(session, Service.id, ids))
    )
    services = {}
    width = len(_SERVICE_COLUMNS)
    for row in session.execute(query):
        org_id, org_name, demonstration, suspended = row[width:]
        org = (
            OrganisationRecord(org_id, org_name or "", bool(demonstration), bool(suspended))
            if org_id
            else None
        )
        services[row[0]] = ServiceRecord(*row[:width], organization=org)
    if not services:
        return []
    keys = list(services)
    _add_links(session, services, keys)
    _add_inferred(session, services, keys)
    _add_duplicates(session, services, keys)
    _add_venues(session, services, keys)
    for row in _sorted_rows(
        session,
        select(Schedule.id, Schedule.service_id, Schedule.service_at_location_id,
               *(getattr(Schedule, c) for c in _SCHEDULE_COLUMNS))
        .where(_among(session, Schedule.service_id, keys)),
    ):  # fmt: skip
        if row.service_at_location_id is None:
            services[row.service_id].schedules.append(schedule_dict(row))
    for row in _sorted_rows(
        session,
        select(ServiceArea.id, ServiceArea.service_id, ServiceArea.extent_type, ServiceArea.extent)
        .where(_among(session, ServiceArea.service_id, keys)),
    ):  # fmt: skip
        services[row.service_id].areas.append((row.extent_type, row.extent))
    for row in _sorted_rows(
        session,
        select(CostOption.id, CostOption.service_id, CostOption.amount, CostOption.option,
               CostOption.amount_description).where(_among(session, CostOption.service_id, keys)),
    ):  # fmt: skip
        services[row.service_id].cost_options.append(CostRecord(*row[2:]))
    return [services[key] for key in ids if key in services]


def _add_links(session: Session, services: dict[str, ServiceRecord], keys: list[str]) -> None:
    query = select(
        Attribute.id, Attribute.link_id, Attribute.link_entity, Attribute.link_type,
        Attribute.taxonomy_term_id,
    ).where(_among(session, Attribute.link_id, keys))  # fmt: skip
    for row in _sorted_rows(session, query):
        if row.link_entity == "service":
            services[row.link_id].links.append((row.link_type or "need", row.taxonomy_term_id))


def _add_inferred(session: Session, services: dict[str, ServiceRecord], keys: list[str]) -> None:
    """Inferred terms: confirmed ones join the curated links, the others are kept apart so
    a curated term can outrank them."""
    from directory.inference.models import InferredTerm, ReviewState

    query = select(
        InferredTerm.id, InferredTerm.service_id, InferredTerm.link_type,
        InferredTerm.taxonomy_term_id, InferredTerm.confidence, InferredTerm.review,
    ).where(
        _among(session, InferredTerm.service_id, keys), InferredTerm.review != ReviewState.REJECTED
    )  # fmt: skip
    for row in _sorted_rows(session, query):
        service = services[row.service_id]
        if row.review == ReviewState.CONFIRMED:
            service.links.append((row.link_type, row.taxonomy_term_id))
        else:
            service.inferred.append((row.link_type, row.taxonomy_term_id, row.confidence))


def _add_duplicates(session: Session, services: dict[str, ServiceRecord], keys: list[str]) -> None:
    from directory.listings.duplicates import duplicate_groups

    for service_id, representative in duplicate_groups(session, keys).items():
        if representative != service_id:
            services[service_id].duplicate_of = representative


def _add_venues(session: Session, services: dict[str, ServiceRecord], keys: list[str]) -> None:
    query = (
        select(
            ServiceAtLocation.id, ServiceAtLocation.service_id, ServiceAtLocation.description,
            Location.id, Location.name, Location.kind, Location.latitude, Location.longitude,
        )
        .outerjoin(Location, ServiceAtLocation.location_id == Location.id)
        .where(_among(session, ServiceAtLocation.service_id, keys))
    )  # fmt: skip
    venues: dict[str, VenueRecord] = {}
    places: dict[str, list[PlaceRecord]] = defaultdict(list)
    for row in _sorted_rows(session, query):
        place = PlaceRecord(*row[3:]) if row[3] else None
        venue = venues[row[0]] = VenueRecord(row[0], row[2], place)
        services[row[1]].venues.append(venue)
        if place is not None:
            places[place.id].append(place)
    if not venues:
        return
    for chunk in _chunks(list(places), BATCH):
        addresses = select(Address.id, Address.location_id, Address.city, Address.postal_code)
        for row in _sorted_rows(
            session, addresses.where(_among(session, Address.location_id, chunk))
        ):
            for place in places[row.location_id]:
                if place.city is None:
                    place.city = row.city or ""
                if not place.postcode and row.postal_code:
                    place.postcode = row.postal_code
    for chunk in _chunks(list(venues), BATCH):
        query = select(
            Schedule.id, Schedule.service_at_location_id,
            *(getattr(Schedule, c) for c in _SCHEDULE_COLUMNS),
        ).where(_among(session, Schedule.service_at_location_id, chunk))  # fmt: skip
        for row in _sorted_rows(session, query):
            venues[row.service_at_location_id].schedules.append(schedule_dict(row))


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), max(1, size)):
        yield items[start : start + size]


def iter_service_records(
    session: Session, ids: Iterable[str], batch_size: int = BATCH
) -> Iterator[ServiceRecord]:
    """Records of ``ids``, in that order, ``batch_size`` services per round of queries."""
    for chunk in _chunks(list(ids), batch_size):
        yield from load_services(session, chunk)


def active_service_ids(session: Session) -> list[str]:
    """Ids of every public service (:mod:`directory.listings.visibility`), in id order."""
    query = select(Service.id).where(public_clause())
    return sorted(session.scalars(query))
