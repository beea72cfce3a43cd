"""The API's reads: plain functions that take a ``Session`` and clean, already-checked values.

Lists are ordered by (name, id) so pages never overlap or skip records between requests, and
load what the serialisers touch in a fixed number of queries (a count, the page, and one
``selectinload`` query per nested collection) instead of one query per record. Which services
a filter selects is decided in :mod:`directory.api.filters`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import Load, Session, aliased, selectinload

from directory.api.filters import (
    ServiceFilters,
    age_side,
    matching_service_ids,
    schedule_at_location_conditions,
    service_at_location_conditions,
    service_conditions,
    taxonomy_side,
)
from directory.api.ranked import among, narrowed, ranked_ids, ranked_slice
from directory.listings.models import Contact, Organization, Service
from directory.listings.visibility import public_clause
from directory.places.models import Location, ServiceAtLocation
from directory.taxonomy.models import Taxonomy, TaxonomyTerm

T = TypeVar("T")


@dataclass(frozen=True)
class Paging:
    page: int = 1
    per_page: int = 50

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and the totals the ORUK envelope reports."""

    items: list[T]
    total_items: int
    paging: Paging

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total_items / self.paging.per_page)


def _page(session: Session, query: Select, count_of: Select, paging: Paging) -> Page:
    total = session.scalar(select(func.count()).select_from(count_of.subquery())) or 0
    if paging.offset >= total:
        return Page(items=[], total_items=total, paging=paging)
    items = list(session.scalars(query.limit(paging.per_page).offset(paging.offset)).unique())
    return Page(items=items, total_items=total, paging=paging)


def _ranked_page(
    session: Session,
    model: Any,
    ranked: Sequence[str],
    allowed: Callable[[list[str]], Select],
    counted: Callable[[list[str]], Select],
    exact: bool,
    paging: Paging,
    *options: Any,
) -> Page:
    """A page of ``ranked`` (ids in the index's order) keeping those ``allowed`` lets
    through, reading the rows of the page's ids only (``directory.api.ranked.ranked_slice``).

    ``allowed(ids)`` selects ``model.id``. With the public rule alone (not ``exact``) the
    page's rows are read by the query that checks them; with other filters, after them."""

    def rows(ids: list[str]) -> Select:
        return allowed(ids).with_only_columns(model).options(*options)

    found = ranked_slice(
        session, ranked, allowed if exact else rows, counted=counted, exact=exact,
        offset=paging.offset, limit=paging.per_page,
    )  # fmt: skip
    by_id = found.rows
    if exact and found.ids:
        query = select(model).where(among(session, model.id, found.ids)).options(*options)
        by_id = {item.id: item for item in session.scalars(query)}
    items = [by_id[record_id] for record_id in found.ids if record_id in by_id]
    return Page(items=items, total_items=found.total, paging=paging)


#: How many ids the ages may rule out, per ranked id, for them to be dropped from the list
#: rather than the list walked. An id read from an index alone and handed over in one string
#: costs about 0.4 microseconds of CPU in all (PostgreSQL and the app); checking a ranked id
#: against its row of ``service`` costs 5 to 8 (docs/api.md, "Search and proximity").
AGE_REACH = 8


def _narrowed(
    session: Session,
    filters: ServiceFilters,
    ranked: Sequence[str],
    narrow: bool,
    *,
    location_level: bool = False,
) -> tuple[Sequence[str], ServiceFilters]:
    """The ranked ids and the filters SQL still has to check down them.

    With ``narrow``, filters that can be are read from their own side, each in one query
    (``directory.api.ranked.narrowed``), and answered there:

    * a taxonomy filter: the ids linked to its terms, if they are no more than the ranked
      ids; the ranked list keeps those alone;
    * ages: the ids the ages rule out, if they are no more than ``AGE_REACH`` times the
      ranked ids (of the list the term left); the ranked list drops those.

    The rest of the filters (if any) are then checked down a list no longer than the
    smaller side. A filter whose side is the larger stays with them, and the list is walked
    as before. Either way the page and the total are the same
    (tests/api/test_filter_side.py)."""
    if not narrow:
        return ranked, filters
    for side_of, keep, reach in ((taxonomy_side, True, 1), (age_side, False, AGE_REACH)):
        side, left = side_of(session, filters, location_level=location_level)
        if side is None:
            continue
        few = narrowed(session, ranked, side, keep=keep, reach=reach)
        if few is not None:
            ranked, filters = few, left
    return ranked, filters


#: The service rows a page of ranked ids is looked up in (see ``_service_passes``).
_PAGE_SERVICE = aliased(Service, name="page_service")


def _service_passes(key: Any, conditions: list[Any]) -> Any:
    """``EXISTS (SELECT 1 FROM service WHERE service.id = key AND <conditions>)``.

    The conditions go on a second reference to ``service`` reached by its primary key, not
    on the row the ids are looked up in: SQLite, with no statistics, otherwise reads every
    active service through the ``listing_status`` index instead of the page's ids."""
    return select(literal(1)).where(Service.id == key, *conditions).exists()


def list_services(
    session: Session, filters: ServiceFilters, paging: Paging, *, narrow: bool = True
) -> Page[Service]:
    """A page of public services (one-to-one fields and organisation): by (name, id), or in
    the search index's order when the request has text or a distance (``narrow``: see
    :func:`_narrowed`; the answer is the same either way)."""
    if filters.asks_index:
        asked = service_conditions(session, filters, correlated=True, public=False)
        conditions = [public_clause(), *asked]
        ranked, left = _narrowed(session, filters, ranked_ids(filters, "service"), narrow)
        asked_left = service_conditions(session, left, correlated=True, public=False)

        def allowed(ids: list[str]) -> Select:
            page = _PAGE_SERVICE
            passes = _service_passes(page.id, conditions)
            return select(page.id).where(among(session, page.id, ids), passes)

        def counted(ids: list[str]) -> Select:
            return select(Service.id).where(among(session, Service.id, ids), *asked_left)

        exact = bool(asked_left)
        load = selectinload(_PAGE_SERVICE.organization)
        return _ranked_page(session, _PAGE_SERVICE, ranked, allowed, counted, exact, paging, load)
    ids = matching_service_ids(session, filters)
    query = (
        select(Service)
        .where(Service.id.in_(ids))
        .order_by(Service.name, Service.id)
        .options(selectinload(Service.organization))
    )
    return _page(session, query, ids, paging)


def _full_service_options(path: Load | None = None) -> list[Load]:
    """Eager loads for everything :func:`service_json` reads, below ``path`` if given."""

    def load(attr: Any) -> Load:
        return path.selectinload(attr) if path is not None else selectinload(attr)

    sal = load(Service.service_at_locations)
    location = sal.selectinload(ServiceAtLocation.location)
    org = load(Service.organization)
    return [
        load(Service.schedules),
        load(Service.service_areas),
        load(Service.languages),
        load(Service.funding),
        load(Service.cost_options),
        load(Service.attributes),
        load(Service.contacts).selectinload(Contact.phones),
        org.selectinload(Organization.identifiers),
        org.selectinload(Organization.attributes),
        location.selectinload(Location.addresses),
        location.selectinload(Location.accessibility),
        location.selectinload(Location.attributes),
    ]


def get_service(session: Session, service_id: str) -> Service | None:
    """A public service with everything nested, or None (not public by
    :mod:`directory.listings.visibility`, or unknown)."""
    return session.scalars(
        select(Service)
        .where(Service.id == service_id, public_clause())
        .options(*_full_service_options())
    ).one_or_none()


def list_service_at_locations(
    session: Session, filters: ServiceFilters, paging: Paging, *, narrow: bool = True
) -> Page[ServiceAtLocation]:
    """A page of public services at their locations: by service name, location name and id,
    or in the search index's order when the request has text or a distance (``narrow`` as
    for :func:`list_services`)."""
    if filters.asks_index:
        # The service's row by its key, not ``service_id IN (every public service)``: the
        # database reads the page's rows only.
        def on_service(asked: ServiceFilters) -> list[Any]:
            return service_conditions(
                session, asked, location_level=True, correlated=True, public=False
            )

        on_location = schedule_at_location_conditions(filters, correlated=True)
        ranked = ranked_ids(filters, "service_at_location")
        ranked, left = _narrowed(session, filters, ranked, narrow, location_level=True)
        asked, asked_left = on_service(filters), on_service(left)

        def allowed_at(ids: list[str], public: bool = True) -> Select:
            sal = ServiceAtLocation
            on = [public_clause(), *asked] if public else asked_left
            passes = _service_passes(sal.service_id, on)
            return select(sal.id).where(among(session, sal.id, ids), passes, *on_location)

        def counted_at(ids: list[str]) -> Select:
            return allowed_at(ids, public=False)

        load = selectinload(ServiceAtLocation.service).selectinload(Service.organization)
        exact = bool(asked_left or on_location)
        return _ranked_page(
            session, ServiceAtLocation, ranked, allowed_at, counted_at, exact, paging, load
        )
    conditions = service_at_location_conditions(session, filters)
    query = (
        select(ServiceAtLocation)
        .join(ServiceAtLocation.service)
        .join(ServiceAtLocation.location)
        .where(*conditions)
        .order_by(Service.name, func.coalesce(Location.name, literal("")), ServiceAtLocation.id)
        .options(selectinload(ServiceAtLocation.service).selectinload(Service.organization))
    )
    return _page(session, query, select(ServiceAtLocation.id).where(*conditions), paging)


def get_service_at_location(session: Session, sal_id: str) -> ServiceAtLocation | None:
    """A service at a location, fully nested, if its service is public."""
    service_path = selectinload(ServiceAtLocation.service)
    return session.scalars(
        select(ServiceAtLocation)
        .join(ServiceAtLocation.service)
        .where(ServiceAtLocation.id == sal_id, public_clause())
        .options(
            service_path,
            *_full_service_options(service_path),
            selectinload(ServiceAtLocation.location).selectinload(Location.addresses),
            selectinload(ServiceAtLocation.location).selectinload(Location.accessibility),
            selectinload(ServiceAtLocation.location).selectinload(Location.attributes),
        )
    ).one_or_none()


def list_taxonomies(session: Session, paging: Paging) -> Page[Taxonomy]:
    query = select(Taxonomy).order_by(Taxonomy.name, Taxonomy.id)
    return _page(session, query, select(Taxonomy.id), paging)


def get_taxonomy(session: Session, taxonomy_id: str) -> Taxonomy | None:
    return session.get(Taxonomy, taxonomy_id)


def list_taxonomy_terms(
    session: Session, paging: Paging, taxonomy_id: str | None = None
) -> Page[TaxonomyTerm]:
    conditions = [TaxonomyTerm.taxonomy_id == taxonomy_id] if taxonomy_id else []
    query = select(TaxonomyTerm).where(*conditions).order_by(TaxonomyTerm.name, TaxonomyTerm.id)
    return _page(session, query, select(TaxonomyTerm.id).where(*conditions), paging)


def get_taxonomy_term(session: Session, term_id: str) -> TaxonomyTerm | None:
    return session.get(TaxonomyTerm, term_id)
