"""The API's reads: plain functions that take a ``Session`` and clean, already-checked values.

Lists are ordered by (name, id) so pages never overlap or skip records between requests, and
load what the serialisers touch in a fixed number of queries (a count, the page, and one
``selectinload`` query per nested collection) instead of one query per record. Which services
a filter selects is decided in :mod:`directory.api.filters`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import Load, Session, selectinload

from directory.api.filters import (
    ServiceFilters,
    matching_service_ids,
    service_at_location_conditions,
)
from directory.api.ranked import (
    index_matches,
    ranked_service_at_location_ids,
    ranked_service_ids,
)
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
    session: Session, model: type, ranked: list[str], allowed: Select, paging: Paging, *options: Any
) -> Page:
    """A page of ``ranked`` (ids in the index's order) keeping those ``allowed`` selects."""
    allowed_ids = set(session.scalars(allowed))
    ordered = [record_id for record_id in ranked if record_id in allowed_ids]
    wanted = ordered[paging.offset : paging.offset + paging.per_page]
    found = {
        item.id: item
        for item in session.scalars(select(model).where(model.id.in_(wanted)).options(*options))
    }
    items = [found[record_id] for record_id in wanted if record_id in found]
    return Page(items=items, total_items=len(ordered), paging=paging)


def list_services(session: Session, filters: ServiceFilters, paging: Paging) -> Page[Service]:
    """A page of public services (one-to-one fields and organisation): by (name, id), or in
    the search index's order when the request has text or a distance."""
    ids = matching_service_ids(session, filters)
    if filters.asks_index:
        ranked = ranked_service_ids(index_matches(filters))
        return _ranked_page(
            session, Service, ranked, ids, paging, selectinload(Service.organization)
        )
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
    session: Session, filters: ServiceFilters, paging: Paging
) -> Page[ServiceAtLocation]:
    """A page of public services at their locations: by service name, location name and id,
    or in the search index's order when the request has text or a distance."""
    conditions = service_at_location_conditions(session, filters)
    if filters.asks_index:
        ranked = ranked_service_at_location_ids(index_matches(filters))
        allowed = select(ServiceAtLocation.id).where(*conditions)
        load = selectinload(ServiceAtLocation.service).selectinload(Service.organization)
        return _ranked_page(session, ServiceAtLocation, ranked, allowed, paging, load)
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
