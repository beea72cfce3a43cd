"""Turn the API's list filters into SQL over public services.

Only public services are visible (the one rule, :mod:`directory.listings.visibility`): every
service and service-at-location list is built on :func:`matching_service_ids`, which starts
from that rule.
Free text (``search``) and distance (``postcode`` with ``proximity``) are not SQL: they come
from the search index (:mod:`directory.api.ranked`), which ranks what these filters allow.
The meaning of each filter is documented for API users in docs/api.md, "Parameters".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Float,
    Select,
    and_,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from directory.listings.models import Schedule, Service, ServiceArea
from directory.listings.visibility import public_clause
from directory.places.models import ServiceAtLocation
from directory.taxonomy.models import Attribute, TaxonomyTerm

#: ``proximity`` may be up to 1,000 km (the public site's own searches stop at 80 km).
MAX_PROXIMITY_METRES = 1_000_000


@dataclass(frozen=True)
class Place:
    """A resolved postcode: its centroid and every local authority code that contains it."""

    postcode: str
    latitude: float
    longitude: float
    authority_codes: frozenset[str]


@dataclass(frozen=True)
class ServiceFilters:
    """What a list request asks for; ``None`` means "not asked". docs/api.md ("Parameters")
    gives each one's meaning."""

    search: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    day: str | None = None
    start_time: time | None = None
    end_time: time | None = None
    modified_after: datetime | None = None
    place: Place | None = None
    proximity: float | None = None

    @property
    def asks_schedule(self) -> bool:
        return self.day is not None or self.start_time is not None or self.end_time is not None

    @property
    def asks_index(self) -> bool:
        """Free text or a distance: answered by the search index, not by SQL."""
        return bool(self.search) or (self.place is not None and self.proximity is not None)


def term_and_descendants(session: Session, term_id: str) -> set[str]:
    """The term's id and all its descendants' ids (a recursive query; safe against cycles)."""
    tree = select(TaxonomyTerm.id).where(TaxonomyTerm.id == term_id).cte(recursive=True)
    child = select(TaxonomyTerm.id).join(tree, TaxonomyTerm.parent_id == tree.c.id)
    tree = tree.union(child)
    return set(session.scalars(select(tree.c.id)))


def _open_at(moment: time, *, at_close: bool) -> ColumnElement[bool]:
    """A schedule row is open at ``moment`` (or, with ``at_close``, open until it).

    Schedules that pass midnight (opens 22:00, closes 02:00) are open after opening or before
    closing.
    """
    opens, closes = Schedule.opens_at, Schedule.closes_at
    if at_close:
        same_day = and_(opens < moment, closes >= moment)
        overnight = or_(opens < moment, closes >= moment)
    else:
        same_day = and_(opens <= moment, closes > moment)
        overnight = or_(opens <= moment, closes > moment)
    return or_(and_(opens <= closes, same_day), and_(opens > closes, overnight))


def _schedule_conditions(filters: ServiceFilters) -> list[ColumnElement[bool]]:
    """Day and times must all hold on one schedule row, not be spread over several."""
    conditions: list[ColumnElement[bool]] = []
    if filters.day is not None:
        # byday is an RFC 5545 list such as "MO,WE" or "2TU" (second Tuesday of the month).
        conditions.append(func.upper(Schedule.byday).contains(filters.day))
    if filters.start_time is not None:
        conditions.append(_open_at(filters.start_time, at_close=False))
    if filters.end_time is not None:
        conditions.append(_open_at(filters.end_time, at_close=True))
    return conditions


def _age_conditions(filters: ServiceFilters) -> list[ColumnElement[bool]]:
    """Eligibility overlaps the asked range: a missing bound on the service means no limit."""
    conditions: list[ColumnElement[bool]] = []
    if filters.minimum_age is not None:
        conditions.append(
            or_(Service.maximum_age.is_(None), Service.maximum_age >= filters.minimum_age)
        )
    if filters.maximum_age is not None:
        conditions.append(
            or_(Service.minimum_age.is_(None), Service.minimum_age <= filters.maximum_age)
        )
    return conditions


def _in_or_exists(key: Any, query: Select, correlated: bool) -> ColumnElement[bool]:
    """``key IN (query)``, or with ``correlated`` ``EXISTS (query WHERE <its column> = key)``.

    ``IN`` reads the subquery's rows once, which suits a whole list; ``EXISTS`` probes an
    index per row, which suits a page of ranked ids: then the cost is the page's, not the
    size of the term's, area's or schedule's whole set of rows (see ``directory.api.ranked``).
    """
    if not correlated:
        return key.in_(query)
    column = query.selected_columns[0]
    return query.with_only_columns(literal(1)).where(column == key).exists()


def _linked_to_terms(term_ids: Select | list[str], correlated: bool) -> ColumnElement[bool]:
    # Per row, the link_id index must drive: ``|| ''`` keeps SQLite (which has no statistics
    # to tell it otherwise) from reading every attribute of the term for each service.
    term = Attribute.taxonomy_term_id.concat("") if correlated else Attribute.taxonomy_term_id
    linked = select(Attribute.link_id).where(Attribute.link_entity == "service", term.in_(term_ids))
    return _in_or_exists(Service.id, linked, correlated)


def _covering(place: Place, correlated: bool) -> ColumnElement[bool]:
    """The service declares a local-authority service area containing the place."""
    areas = select(ServiceArea.service_id).where(
        func.lower(ServiceArea.extent_type) == "local_authority",
        ServiceArea.extent.in_(sorted(place.authority_codes) or [""]),
    )
    return _in_or_exists(Service.id, areas, correlated)


def service_conditions(
    session: Session,
    filters: ServiceFilters,
    *,
    location_level: bool = False,
    correlated: bool = False,
    public: bool = True,
) -> list[ColumnElement[bool]]:
    """WHERE conditions on ``service`` for the public services that pass every SQL filter:
    the public rule first, then one condition per filter asked for.

    Text and distance are left to the search index. With ``location_level`` the schedule
    filters are left out, for the caller to apply per service-at-location. ``correlated``
    for a page of ids rather than a whole list (see ``_in_or_exists``). ``public=False``
    leaves the public rule out, for ids the search index (public listings only) gave.
    """
    conditions: list[ColumnElement[bool]] = [public_clause()] if public else []
    if filters.organization_id is not None:
        conditions.append(Service.organization_id == filters.organization_id)
    if filters.modified_after is not None:
        conditions.append(Service.last_modified >= filters.modified_after)
    if filters.taxonomy_term_id is not None:
        terms = term_and_descendants(session, filters.taxonomy_term_id)
        conditions.append(_linked_to_terms(sorted(terms), correlated))
    if filters.taxonomy_id is not None:
        terms_of = select(TaxonomyTerm.id).where(TaxonomyTerm.taxonomy_id == filters.taxonomy_id)
        conditions.append(_linked_to_terms(terms_of, correlated))
    conditions.extend(_age_conditions(filters))
    if filters.place is not None and filters.proximity is None:
        conditions.append(_covering(filters.place, correlated))
    if not location_level and filters.asks_schedule:
        at_service = select(Schedule.service_id).where(*_schedule_conditions(filters))
        at_sal = (
            select(ServiceAtLocation.service_id)
            .join(Schedule, Schedule.service_at_location_id == ServiceAtLocation.id)
            .where(*_schedule_conditions(filters))
        )
        conditions.append(
            or_(
                _in_or_exists(Service.id, at_service, correlated),
                _in_or_exists(Service.id, at_sal, correlated),
            )
        )
    return conditions


def taxonomy_side(
    session: Session, filters: ServiceFilters, *, location_level: bool = False
) -> tuple[Select | None, ServiceFilters]:
    """The taxonomy filter read from its own side, and the filters left to check.

    ``SELECT`` the ids of the services (``location_level``: services at locations)
    linked to ``taxonomy_term_id``'s term or a descendant (else to any term of
    ``taxonomy_id``), without the public rule: one query answered from the attribute
    table's ``(taxonomy_term_id, link_entity, link_id)`` index alone, whose cost is the
    term's size, not the directory's. ``None``
    when neither is asked for. An id linked to two of the terms comes twice: with
    ``DISTINCT`` and a ``LIMIT``, PostgreSQL's generic plan for the prepared statement walked
    the ``link_id`` index over the whole table (176 ms at 100,000 services, not 16 ms). The
    filters come back with that one taken out, for the
    ranked ids it leaves (:func:`directory.api.ranked.narrowed`).
    """
    if filters.taxonomy_term_id is not None:
        terms: Select | list[str] = sorted(term_and_descendants(session, filters.taxonomy_term_id))
        rest = replace(filters, taxonomy_term_id=None)
    elif filters.taxonomy_id is not None:
        terms = select(TaxonomyTerm.id).where(TaxonomyTerm.taxonomy_id == filters.taxonomy_id)
        rest = replace(filters, taxonomy_id=None)
    else:
        return None, filters
    linked = and_(Attribute.link_entity == "service", Attribute.taxonomy_term_id.in_(terms))
    if location_level:
        side = select(ServiceAtLocation.id).join(
            Attribute, Attribute.link_id == ServiceAtLocation.service_id
        )
    else:
        side = select(Attribute.link_id)
    return side.where(linked), rest


def age_side(
    session: Session, filters: ServiceFilters, *, location_level: bool = False
) -> tuple[Select | CompoundSelect | None, ServiceFilters]:
    """The age filter read from its own side: the ids it *excludes*, and the filters left.

    ``SELECT`` the ids of the services (``location_level``: services at locations) whose
    ages rule them out, without the public rule: a minimum age above ``maximum_age``, or a
    maximum age below ``minimum_age``. This is the exact complement of
    :func:`_age_conditions`: a service with no bound passes it (``NULL`` compares to
    nothing, so it is never excluded), and the stored numbers are compared as they are,
    fractions and all (PostgreSQL orders ``double precision`` totally, ``NaN`` above every
    number, so ``NOT (a >= x)`` is ``a < x`` for every stored ``a``). Each bound is one
    range of the partial ``(minimum_age, id)`` or ``(maximum_age, id)`` index (where that
    age is not NULL, which the bound implies), read from the index alone; its cost is how
    many services the ages rule out, usually few. ``None`` when no age is asked for.

    The ages are written into the statement, not bound: a prepared statement's generic plan
    cannot know that ``minimum_age > $1`` selects few rows, and with a ``LIMIT`` may read the
    table from the start instead of the index's range.
    """
    del session  # the same signature as taxonomy_side
    bounds = []
    if filters.maximum_age is not None:
        bounds.append(Service.minimum_age > _inline_age(filters.maximum_age))
    if filters.minimum_age is not None:
        bounds.append(Service.maximum_age < _inline_age(filters.minimum_age))
    if not bounds:
        return None, filters
    if location_level:
        sides = [
            select(ServiceAtLocation.id).join(Service, Service.id == ServiceAtLocation.service_id)
            .where(bound) for bound in bounds
        ]  # fmt: skip
    else:
        sides = [select(Service.id).where(bound) for bound in bounds]
    side = sides[0] if len(sides) == 1 else union_all(*sides)
    return side, replace(filters, minimum_age=None, maximum_age=None)


def _inline_age(age: float) -> ColumnElement[float]:
    """An asked age (already checked to be a number from 0 to 150) written into the SQL as
    a ``double precision`` literal: ``repr`` gives back the same float."""
    return literal(float(age), Float, literal_execute=True)


def matching_service_ids(
    session: Session, filters: ServiceFilters, *, location_level: bool = False
) -> Select:
    """``SELECT service.id`` for the public services that pass every SQL filter.

    This is the one query every unranked list builds on (ranked lists apply the same
    :func:`service_conditions` to the ids of one page at a time).
    """
    return select(Service.id).where(
        *service_conditions(session, filters, location_level=location_level)
    )


def service_at_location_conditions(
    session: Session, filters: ServiceFilters
) -> list[ColumnElement[bool]]:
    """WHERE conditions on ``service_at_location`` for the same filters, per location.

    Schedules count when tied to that service-at-location or to the whole service (no
    ``service_at_location_id``).
    """
    conditions = [
        ServiceAtLocation.service_id.in_(
            matching_service_ids(session, filters, location_level=True)
        ),
        *schedule_at_location_conditions(filters),
    ]
    return conditions


def schedule_at_location_conditions(
    filters: ServiceFilters, *, correlated: bool = False
) -> list[ColumnElement[bool]]:
    """The schedule filters on ``service_at_location`` (see
    :func:`service_at_location_conditions`); none when no day or time is asked for."""
    conditions: list[ColumnElement[bool]] = []
    if filters.asks_schedule:
        own = select(Schedule.service_at_location_id).where(*_schedule_conditions(filters))
        service_wide = select(Schedule.service_id).where(
            Schedule.service_at_location_id.is_(None), *_schedule_conditions(filters)
        )
        conditions.append(
            or_(
                _in_or_exists(ServiceAtLocation.id, own, correlated),
                _in_or_exists(ServiceAtLocation.service_id, service_wide, correlated),
            )
        )
    return conditions
