"""Keep ``last_modified``, the ORUK metadata log and the change sequence right on every flush.

This runs as a SQLAlchemy ``before_flush`` hook (installed by :mod:`directory.listeners`)
rather than in each view, so an edit through the
API, an import, a CLI command or a future form all record changes the same way and nobody can
forget to. The author is the session's actor (:mod:`directory.core.actor`), set by
:func:`directory.core.uow.unit_of_work`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from directory.core.actor import current_actor
from directory.core.events import listen_once
from directory.core.ids import new_id, utcnow
from directory.listings.models import (
    ChangeRecord,
    Contact,
    CostOption,
    Funding,
    Language,
    ListingChange,
    Organization,
    OrganizationIdentifier,
    Phone,
    Schedule,
    Service,
    ServiceArea,
)
from directory.places.models import Accessibility, Address, Location, ServiceAtLocation
from directory.taxonomy.models import Attribute

_SKIP_FIELDS = {"last_modified", "created_at"}
_TRACKED = (
    Service,
    Organization,
    OrganizationIdentifier,
    Schedule,
    ServiceArea,
    Language,
    Funding,
    CostOption,
    Contact,
    Phone,
    Location,
    Address,
    Accessibility,
    ServiceAtLocation,
    Attribute,
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _field_changes(obj: Any) -> Iterable[tuple[str, str, str]]:
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in _SKIP_FIELDS:
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if _text(old) != _text(new):
            yield attr.key, _text(old), _text(new)


def _location_service_ids(session: Session, location_id: str | None) -> set[str]:
    if not location_id:
        return set()
    rows = session.scalars(
        select(ServiceAtLocation.service_id).where(ServiceAtLocation.location_id == location_id)
    )
    return set(rows)


def _affected_services(session: Session, obj: Any) -> set[str]:
    """Which services' published record includes ``obj``: those need a new last_modified."""
    if isinstance(obj, Service):
        return {obj.id}
    if isinstance(obj, Organization):
        ids = {service.id for service in obj.services}
        if obj.id is not None:
            ids |= set(session.scalars(select(Service.id).where(Service.organization_id == obj.id)))
        return ids
    if isinstance(obj, OrganizationIdentifier):
        organization = obj.organization or (
            session.get(Organization, obj.organization_id) if obj.organization_id else None
        )
        return _affected_services(session, organization) if organization else set()
    if isinstance(obj, Location):
        return _location_service_ids(session, obj.id) | {
            _service_of(sal) for sal in obj.service_at_locations if _service_of(sal)
        }
    if isinstance(obj, Address | Accessibility):
        location = obj.location or session.get(Location, obj.location_id)
        return _affected_services(session, location) if location else set()
    if isinstance(obj, Phone):
        contact = obj.contact or session.get(Contact, obj.contact_id)
        return {_service_of(contact)} - {None} if contact else set()
    if isinstance(obj, Attribute):
        if obj.link_entity == "service":
            return {obj.link_id} - {None}
        if obj.link_entity == "location":
            return _location_service_ids(session, obj.link_id)
        return set()
    if isinstance(obj, Schedule) and obj.service_at_location is not None:
        return {_service_of(obj.service_at_location)} - {None}
    return {_service_of(obj)} - {None}


def _service_of(obj: Any) -> str | None:
    """The owning service's id, from the relationship when the foreign key is not set yet."""
    service = getattr(obj, "service", None)
    if service is not None:
        return service.id
    return getattr(obj, "service_id", None)


def _stamp(obj: Service | Organization, now: datetime) -> None:
    """Set last_modified unless the caller set it in this flush (an import keeps its own)."""
    if not inspect(obj).attrs.last_modified.history.has_changes():
        obj.last_modified = now


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get("skip_change_tracking"):
        return
    now = utcnow()
    who = str(current_actor(session))
    touched: set[str] = set()
    records: list[ChangeRecord] = []
    with session.no_autoflush:
        for obj in session.new:
            # Python-side defaults only fire at INSERT; the log needs the ids now.
            if isinstance(obj, _TRACKED) and obj.id is None:
                obj.id = new_id()
        for action, objects in (
            ("create", session.new),
            ("update", session.dirty),
            ("delete", session.deleted),
        ):
            for obj in list(objects):
                if not isinstance(obj, _TRACKED):
                    continue
                if action == "update":
                    changes = list(_field_changes(obj))
                    if not changes:
                        continue
                else:
                    changes = [("", "", "")]
                resource_type = obj.__tablename__
                for field, old, new in changes:
                    records.append(
                        ChangeRecord(
                            resource_id=obj.id,
                            resource_type=resource_type,
                            last_action_date=now,
                            last_action_type=action,
                            field_name=field,
                            previous_value=old,
                            replacement_value=new,
                            updated_by=who,
                        )
                    )
                touched |= _affected_services(session, obj)
                if isinstance(obj, Organization) and action != "delete":
                    _stamp(obj, now)
        for service_id in touched - {None}:
            service = session.get(Service, service_id)
            if service is not None and service not in session.deleted:
                _stamp(service, now)
            session.add(ListingChange(service_id=service_id, changed_at=now))
    session.add_all(records)


def install(session_factory: Any) -> None:
    """Register the hook once for every session made by ``session_factory`` (called by
    :func:`directory.listeners.install`, after geocoding's)."""
    listen_once(session_factory, "before_flush", _before_flush)
