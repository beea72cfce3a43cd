"""Reading listings for indexing as plain rows: a handful of SQL queries per batch of services.

Indexing needs a few columns from eight tables. Loading them as ORM objects cost more than
indexing them: about 0.6 ms per document in object construction, plus, at 100,000 services,
one second per batch of 500 for the attribute query the ORM writes (it joins ``service``
and ``taxonomy_term`` to ``attribute``, and SQLite then scanned every attribute row for each
batch, so a rebuild grew with the square of the directory). Here each table is read once per
batch with a plain ``IN`` on an indexed column (sorting in Python, so the database never
prefers a scan in primary-key order), into small records with the attribute names
``search_index.documents`` reads. On PostgreSQL the same columns are read through psycopg's
cursor, a rebuild worker's sorted batches by id range (``_PostgresReader``): SQLAlchemy's
result objects and the array of ids per query had cost more than the queries themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
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
    """The records of these services (any listing status; unknown ids are left out).

    On PostgreSQL they are read through the driver's own cursor (``_PostgresReader``),
    elsewhere with SQLAlchemy Core (``load_services_core``): the same records."""
    if ids and session.get_bind().dialect.name == "postgresql":
        return _PostgresReader(session).load(ids)
    return load_services_core(session, ids)


def load_services_core(session: Session, ids: list[str]) -> list[ServiceRecord]:
    """``load_services`` with SQLAlchemy Core selects, on any database."""
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


#: Fewest services (in increasing id order) for which ``_PostgresReader`` reads by id range.
RANGE_FROM = 64


def _utc(value: datetime | None) -> datetime | None:
    """``UTCDateTime``'s reading of a value (an aware UTC datetime)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _schedule_values(values: Iterable[Any]) -> dict[str, Any]:
    """``schedule_dict`` of a schedule's ``_SCHEDULE_COLUMNS`` values, in that order."""
    out = {}
    for name, value in zip(_SCHEDULE_COLUMNS, values, strict=True):
        if value is not None and value != "":
            out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


_SCHEDULE_SQL = ", ".join(f'sc."{name}"' for name in _SCHEDULE_COLUMNS)
_SERVICE_SQL = ", ".join(f's."{name}"' for name in _SERVICE_COLUMNS)


class _PostgresReader:
    """``load_services`` on PostgreSQL through psycopg's cursor: plain tuples, converted here
    where SQLAlchemy's types would convert them (enums, ``UTCDateTime``), without a result
    object, a row object or a bind parameter per value.

    A batch of services in increasing id order (a rebuild worker's) is read by id range
    (``service_id >= first AND service_id <= last``: one index range scan per table instead
    of a look-up per id, and no array of ids to send), rows of other services in the range
    left out. Should the database's collation order ids otherwise than Python does, an id
    the range missed is looked for by ``= ANY``, and when it is found the batch is read
    again by ``= ANY`` throughout. Other batches are read by ``= ANY`` throughout."""

    def __init__(self, session: Session) -> None:
        self.session = session
        if session.autoflush:  # as ``session.execute`` would: the cursor sees pending edits
            session.flush()
        self.cursor = session.connection().connection.driver_connection.cursor()

    def _rows(self, sql: str, params: tuple) -> list[tuple]:
        self.cursor.execute(sql, params)
        return self.cursor.fetchall()

    def load(self, ids: list[str]) -> list[ServiceRecord]:
        try:
            ranged = len(ids) >= RANGE_FROM and all(map(str.__lt__, ids, ids[1:]))
            if ranged:
                services, seen = self._services(ids, "s.id >= %s AND s.id <= %s", (ids[0], ids[-1]))
                missing = [key for key in ids if key not in services]
                if missing and self._rows("SELECT id FROM service WHERE id = ANY(%s)", (missing,)):
                    ranged = False  # the database orders ids otherwise: read them by ANY
                    services, seen = self._services(ids, "s.id = ANY(%s)", (ids,))
                elif seen > 2 * len(ids):  # mostly other services: their rows are not read
                    ranged = False
            else:
                services, seen = self._services(ids, "s.id = ANY(%s)", (ids,))
            if not services:
                return []
            keys = list(services)
            if ranged:
                where, params = "{} >= %s AND {} <= %s", (ids[0], ids[-1])
            else:
                where, params = "{} = ANY(%s)", (keys,)
            self._fill(services, keys, where, params)
            return [services[key] for key in ids if key in services]
        finally:
            self.cursor.close()

    def _services(
        self, ids: list[str], where: str, params: tuple
    ) -> tuple[dict[str, ServiceRecord], int]:
        """The records of ``ids`` among the services ``where`` selects, and how many it
        selected."""
        wanted = set(ids)
        services = {}
        found = self._rows(
            f"SELECT {_SERVICE_SQL}, o.id, o.name, o.is_demonstration, o.is_suspended "
            f"FROM service s LEFT OUTER JOIN organization o ON s.organization_id = o.id "
            f"WHERE {where}",
            params,
        )
        for row in found:
            if row[0] not in wanted:
                continue
            (id_, name, alternate, description, eligibility, fees, minimum_age, maximum_age,
             assured, modified, status, demonstration, modes, created,
             org_id, org_name, org_demonstration, suspended) = row  # fmt: skip
            org = (
                OrganisationRecord(org_id, org_name or "", bool(org_demonstration), bool(suspended))
                if org_id
                else None
            )
            services[id_] = ServiceRecord(
                id_, name, alternate, description, eligibility, fees, minimum_age, maximum_age,
                assured, _utc(modified), None if status is None else ListingStatus(status),
                demonstration, modes, _utc(created), organization=org,
            )  # fmt: skip
        return services, len(found)

    def _fill(
        self, services: dict[str, ServiceRecord], keys: list[str], where: str, params: tuple
    ) -> None:
        """Everything but the service and organisation rows, each table sorted by id."""
        from directory.inference.models import ReviewState

        def rows(sql: str, column: str) -> list[tuple]:
            found = self._rows(sql + " WHERE " + where.format(column, column), params)
            return sorted((r for r in found if r[1] in services), key=lambda r: r[0])

        for _id, link_id, entity, link_type, term in rows(
            "SELECT a.id, a.link_id, a.link_entity, a.link_type, a.taxonomy_term_id "
            "FROM attribute a", "a.link_id"
        ):  # fmt: skip
            if entity == "service":
                services[link_id].links.append((link_type or "need", term))
        rejected = ReviewState.REJECTED.value
        for _id, service_id, link_type, term, confidence, review in rows(
            "SELECT t.id, t.service_id, t.link_type, t.taxonomy_term_id, t.confidence, t.review "
            "FROM inferred_term t", "t.service_id"
        ):  # fmt: skip
            if review is None or review == rejected:  # NULL != 'rejected' is not true in SQL
                continue
            service = services[service_id]
            if ReviewState(review) == ReviewState.CONFIRMED:
                service.links.append((link_type, term))
            else:
                service.inferred.append((link_type, term, confidence))
        _add_duplicates(self.session, services, keys)
        venues: dict[str, VenueRecord] = {}
        places: dict[str, list[PlaceRecord]] = defaultdict(list)
        for sal_id, service_id, description, *location in rows(
            "SELECT sal.id, sal.service_id, sal.description, l.id, l.name, l.kind, l.latitude, "
            "l.longitude FROM service_at_location sal "
            "LEFT OUTER JOIN location l ON sal.location_id = l.id", "sal.service_id"
        ):  # fmt: skip
            place = None
            if location[0]:
                kind = None if location[2] is None else LocationKind(location[2])
                place = PlaceRecord(location[0], location[1], kind, location[3], location[4])
            venue = venues[sal_id] = VenueRecord(sal_id, description, place)
            services[service_id].venues.append(venue)
            if place is not None:
                places[place.id].append(place)
        if places:
            for _id, _service, location_id, city, postcode in rows(
                "SELECT DISTINCT a.id, sal.service_id, a.location_id, a.city, a.postal_code "
                "FROM address a JOIN service_at_location sal ON sal.location_id = a.location_id",
                "sal.service_id",
            ):
                for place in places.get(location_id, ()):
                    if place.city is None:
                        place.city = city or ""
                    if not place.postcode and postcode:
                        place.postcode = postcode
        if venues:
            for _id, _service, sal_id, *values in rows(
                f"SELECT sc.id, sal.service_id, sc.service_at_location_id, {_SCHEDULE_SQL} "
                "FROM schedule sc JOIN service_at_location sal "
                "ON sc.service_at_location_id = sal.id", "sal.service_id"
            ):  # fmt: skip
                venues[sal_id].schedules.append(_schedule_values(values))
        for _id, service_id, sal_id, *values in rows(
            f"SELECT sc.id, sc.service_id, sc.service_at_location_id, {_SCHEDULE_SQL} "
            "FROM schedule sc", "sc.service_id"
        ):  # fmt: skip
            if sal_id is None:
                services[service_id].schedules.append(_schedule_values(values))
        for _id, service_id, extent_type, extent in rows(
            "SELECT a.id, a.service_id, a.extent_type, a.extent FROM service_area a",
            "a.service_id",
        ):
            services[service_id].areas.append((extent_type, extent))
        for _id, service_id, amount, option, amount_description in rows(
            'SELECT c.id, c.service_id, c.amount, c."option", c.amount_description '
            "FROM cost_option c", "c.service_id"
        ):  # fmt: skip
            services[service_id].cost_options.append(CostRecord(amount, option, amount_description))


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
