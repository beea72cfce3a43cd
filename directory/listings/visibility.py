"""The one rule for what the public sees. Every public page, the API, My list and the search
index ask here; nothing else tests ``listing_status`` to decide visibility.

A service is public when all of these hold:

* its ``listing_status`` is active (drafts, pending, closed and retired listings are not);
* its organisation, if any, is not suspended by staff;
* it is not long unchecked: a listing nobody has confirmed for :data:`HIDE_AFTER_DAYS` (about
  15 months) is hidden until someone checks it. The clock starts at the later of the last
  check (``assured_date``, else ``last_modified``) and the day the listing came into this
  directory (``created_at``), so a council's first import of an old feed is not hidden on the
  day it lands: the owners get their reminders first (docs/freshness.md).

Unapproved edits live in their own table (:mod:`directory.moderation.models`) and never reach
the rows this rule reads.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, not_, or_, select
from sqlalchemy.orm.util import AliasedClass

from directory.listings.models import ListingStatus, Organization, Service

#: ``Service`` or an alias of it (``aliased(Service)``), for queries that join it twice.
ServiceEntity = type[Service] | AliasedClass[Service]

#: Unchecked for this long, a listing is marked "not checked for over a year" and ranks lower.
STALE_AFTER_DAYS = 365
#: Unchecked for this long (about 15 months), a listing is hidden until someone checks it.
HIDE_AFTER_DAYS = 456


def _today(today: date | None) -> date:
    return today or datetime.now(UTC).date()


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def last_checked(service: Any) -> date | None:
    """When the listing was last known to be right: its assured date, else its last change."""
    if service.assured_date:
        return service.assured_date
    if service.last_modified:
        return service.last_modified.date()
    return None


def freshness_clock(service: Any) -> date | None:
    """The date the "unchecked for how long" clock counts from (see the module docstring)."""
    checked = last_checked(service)
    created = service.created_at.date() if service.created_at else None
    dates = [d for d in (checked, created) if d]
    return max(dates) if dates else None


def is_stale(service: Any, today: date | None = None) -> bool:
    """Not checked for over :data:`STALE_AFTER_DAYS`: marked on pages and ranked lower."""
    checked = last_checked(service)
    return checked is None or (_today(today) - checked).days > STALE_AFTER_DAYS


def is_hidden_as_stale(service: Any, today: date | None = None) -> bool:
    """Hidden until checked: in this directory and unchecked for over :data:`HIDE_AFTER_DAYS`.

    A row with no ``created_at`` (not flushed yet) is never hidden, as in the SQL twin."""
    if service.created_at is None:
        return False
    clock = freshness_clock(service)
    return clock is not None and (_today(today) - clock).days > HIDE_AFTER_DAYS


def _suspended_organization(entity: ServiceEntity) -> ColumnElement[bool]:
    return exists().where(Organization.id == entity.organization_id, Organization.is_suspended)


def hidden_as_stale_clause(
    today: date | None = None, entity: ServiceEntity = Service
) -> ColumnElement[bool]:
    """SQL twin of :func:`is_hidden_as_stale`.

    Written so that it is never NULL: ``NOT (x < ? OR ...)`` with a NULL date inside would
    be NULL too, and a public listing with no assured date would vanish from every query."""
    cutoff = _today(today) - timedelta(days=HIDE_AFTER_DAYS)
    cutoff_at = _start_of(cutoff)
    unchecked = or_(
        and_(entity.assured_date.is_not(None), entity.assured_date < cutoff),
        and_(
            entity.assured_date.is_(None),
            or_(entity.last_modified.is_(None), entity.last_modified < cutoff_at),
        ),
    )
    return and_(entity.created_at.is_not(None), entity.created_at < cutoff_at, unchecked)


def public_clause(
    today: date | None = None, entity: ServiceEntity = Service
) -> ColumnElement[bool]:
    """A WHERE clause on :class:`Service` (or ``entity``, an alias of it) selecting exactly
    the public listings."""
    return and_(
        entity.listing_status == ListingStatus.ACTIVE,
        not_(_suspended_organization(entity)),
        not_(hidden_as_stale_clause(today, entity)),
    )


def is_public(service: Any, today: date | None = None) -> bool:
    """Python twin of :func:`public_clause`, for a service already loaded.

    ``service`` is a :class:`Service` or anything with the same attributes (the search
    index's ``ServiceRecord``): ``listing_status``, ``organization`` (with ``is_suspended``),
    ``assured_date``, ``last_modified`` and ``created_at``."""
    if service.listing_status != ListingStatus.ACTIVE:
        return False
    organization = service.organization
    if organization is not None and organization.is_suspended:
        return False
    return not is_hidden_as_stale(service, today)


def public_services(today: date | None = None) -> Select[tuple[Service]]:
    """``select(Service)`` limited to public listings."""
    return select(Service).where(public_clause(today))


def public_service_ids(today: date | None = None) -> Select[tuple[str]]:
    return select(Service.id).where(public_clause(today))
