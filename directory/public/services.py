"""Queries behind the public listing pages. Each takes a ``Session`` and returns models.

The one rule every function here keeps: nothing that is not public reaches a page. Whether a
service is public is decided in one place, :mod:`directory.listings.visibility`; an
organisation or a venue is shown only while it has a public service, so a draft listing's
organisation or venue cannot be found by its id. Community hubs and Let's Talk sites are
places in their own right and are shown even when no service is listed there yet. Several
location records of one real place are shown as one place (see
:mod:`directory.public.place_groups`).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session, selectinload

from directory.core.ids import normalise_uuid
from directory.listings.visibility import public_clause
from directory.models import (
    Contact,
    Location,
    LocationKind,
    Organization,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from directory.public.place_groups import Place, group_places, place_of, with_demonstration_flags

#: Places with pages of their own even before any service is listed there.
LANDMARK_KINDS = (LocationKind.COMMUNITY_HUB, LocationKind.LETS_TALK)
#: Codes (``TaxonomyTerm.term``) of the need whose services and places get the safety
#: features ("Exit this page", the cover-your-tracks advice), with its descendants.
SAFETY_NEED_CODES = frozenset({"domestic_abuse", "domestic-abuse"})

_SERVICE_PAGE_LOADS = (
    selectinload(Service.schedules),
    selectinload(Service.service_areas),
    selectinload(Service.languages),
    selectinload(Service.cost_options),
    selectinload(Service.contacts).selectinload(Contact.phones),
    selectinload(Service.attributes),
    selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.schedules),
    selectinload(Service.service_at_locations)
    .selectinload(ServiceAtLocation.location)
    .selectinload(Location.addresses),
    selectinload(Service.service_at_locations)
    .selectinload(ServiceAtLocation.location)
    .selectinload(Location.accessibility),
)


def _is_public() -> ColumnElement[bool]:
    return public_clause()


def get_public_service(session: Session, raw_id: str) -> Service | None:
    """The public service with this id (any UUID spelling), with everything its page shows."""
    service_id = normalise_uuid(raw_id)
    if service_id is None:
        return None
    return session.scalars(
        select(Service).where(Service.id == service_id, _is_public()).options(*_SERVICE_PAGE_LOADS)
    ).first()


def get_public_organisation(session: Session, raw_id: str) -> Organization | None:
    """An organisation that has at least one public service."""
    organisation_id = normalise_uuid(raw_id)
    if organisation_id is None:
        return None
    has_public = exists().where(Service.organization_id == Organization.id, _is_public())
    return session.scalars(
        select(Organization).where(Organization.id == organisation_id, has_public)
    ).first()


def public_services_of(session: Session, organisation: Organization) -> list[Service]:
    return list(
        session.scalars(
            select(Service)
            .where(Service.organization_id == organisation.id, _is_public())
            .order_by(Service.name, Service.id)
        )
    )


def get_public_place(session: Session, raw_id: str) -> Location | None:
    """A community hub or Let's Talk site, or any place where a public service is held."""
    location_id = normalise_uuid(raw_id)
    if location_id is None:
        return None
    location = session.scalars(
        select(Location)
        .where(Location.id == location_id)
        .options(selectinload(Location.addresses), selectinload(Location.accessibility))
    ).first()
    if location is None:
        return None
    if location.kind in LANDMARK_KINDS or _hosts_public_service(session, location.id):
        return location
    return None


def _hosts_public_service(session: Session, location_id: str) -> bool:
    """Whether this record itself has a public service: a venue record that only a draft
    uses stays unfindable, even when it is a copy of a place with public services."""
    query = (
        select(ServiceAtLocation.id)
        .join(Service, ServiceAtLocation.service_id == Service.id)
        .where(ServiceAtLocation.location_id == location_id, _is_public())
        .limit(1)
    )
    return session.scalar(query) is not None


def services_at(session: Session, location: Location) -> list[ServiceAtLocation]:
    """The public services held at a place, by service name, with their schedules there.

    Every record of the same place counts (see :mod:`directory.public.place_groups`), and a
    service listed at two of them is shown once."""
    ids = place_of(session, location).ids
    found = session.scalars(
        select(ServiceAtLocation)
        .join(Service, ServiceAtLocation.service_id == Service.id)
        .where(ServiceAtLocation.location_id.in_(ids), _is_public())
        .options(
            selectinload(ServiceAtLocation.schedules),
            selectinload(ServiceAtLocation.service).selectinload(Service.schedules),
            selectinload(ServiceAtLocation.service).selectinload(Service.attributes),
        )
        .order_by(Service.name, Service.id, ServiceAtLocation.location_id)
    )
    first: dict[str, ServiceAtLocation] = {}
    for sal in found:
        first.setdefault(sal.service_id, sal)
    return list(first.values())


def places_of_kind(session: Session, kind: LocationKind) -> list[Place]:
    """Every place of one kind (e.g. all community hubs), once each, by name, marked where
    everything held there is a demonstration listing."""
    locations = session.scalars(
        select(Location)
        .where(Location.kind == kind)
        .options(selectinload(Location.addresses))
        .order_by(Location.name, Location.id)
    )
    return with_demonstration_flags(session, group_places(locations))


def safety_term_ids(session: Session) -> set[str]:
    """Ids of the domestic abuse need and every term below it in the taxonomy."""
    rows = session.execute(select(TaxonomyTerm.id, TaxonomyTerm.parent_id, TaxonomyTerm.term))
    children: dict[str | None, list[str]] = {}
    found: list[str] = []
    for term_id, parent_id, code in rows:
        children.setdefault(parent_id, []).append(term_id)
        if code in SAFETY_NEED_CODES:
            found.append(term_id)
    result: set[str] = set()
    while found:
        term_id = found.pop()
        if term_id not in result:
            result.add(term_id)
            found.extend(children.get(term_id, []))
    return result


def needs_safety_features(session: Session, services: Iterable[Service]) -> bool:
    """True when any of these services is about domestic abuse: its page then offers a quick
    exit and advice on covering your tracks online."""
    services = list(services)
    if not services:
        return False
    term_ids = safety_term_ids(session)
    if any(
        attribute.taxonomy_term_id in term_ids
        for service in services
        for attribute in service.attributes
    ):
        return True
    # A council's listing with no curated terms may still be about abuse: a need inferred
    # from its own words (even one staff have not reviewed) is enough to offer a quick exit.
    from directory.inference.models import InferredTerm, ReviewState

    found = session.scalar(
        select(InferredTerm.id)
        .where(
            InferredTerm.service_id.in_([s.id for s in services]),
            InferredTerm.taxonomy_term_id.in_(term_ids),
            InferredTerm.review != ReviewState.REJECTED,
        )
        .limit(1)
    )
    return found is not None
