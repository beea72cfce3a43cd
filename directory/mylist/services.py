"""What a list shows, and share links: plain functions over a ``Session``.

``build_list`` turns the items kept in the cookie into entries with everything the list page,
the handover sheet, the PDF and the email show. Only public (active) services are shown in
full; an item whose service has been withdrawn since it was added stays on the list as "no
longer listed", so the person is not left wondering where it went.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from directory.core.ids import normalise_uuid, utcnow
from directory.listings.opening import LONDON, describe_schedule, describe_week, open_status
from directory.listings.visibility import public_clause
from directory.models import (
    Contact,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    SharedList,
)
from directory.mylist.session_list import Item
from directory.public import facts, services
from directory.public.formatting import ages_text, safe_url
from directory.public.pages import address_lines

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_LOADS = (
    selectinload(Service.organization),
    selectinload(Service.schedules),
    selectinload(Service.cost_options),
    selectinload(Service.attributes),
    selectinload(Service.contacts).selectinload(Contact.phones),
    selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.schedules),
    selectinload(Service.service_at_locations)
    .selectinload(ServiceAtLocation.location)
    .selectinload(Location.addresses),
)


@dataclass
class PlaceLines:
    """One place a service is held: its name, address and, when the service runs at several
    places on different days, the times there."""

    name: str | None
    address_lines: list[str]
    postcode: str | None
    times: list[str] = field(default_factory=list)
    week: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Entry:
    """One item on a list. ``service`` is None when the service is no longer listed."""

    service_id: str
    name: str
    note: str
    service: Service | None = None
    organisation: str | None = None
    is_demonstration: bool = False
    alert: str | None = None
    closed_notice: str | None = None
    contacts: list[facts.ContactView] = field(default_factory=list)
    email: str | None = None
    website: str | None = None
    status_text: str = ""
    times: list[str] = field(default_factory=list)
    week: list[tuple[str, str]] = field(default_factory=list)
    places: list[PlaceLines] = field(default_factory=list)
    cost: facts.Cost | None = None
    referral: str | None = None
    ages: str | None = None
    delivery: list[str] = field(default_factory=list)

    @property
    def listed(self) -> bool:
        return self.service is not None

    @property
    def phones(self) -> list[facts.PhoneView]:
        return [phone for contact in self.contacts for phone in contact.phones]


@dataclass
class ListView:
    entries: list[Entry]
    today: date
    show_exit: bool = False

    @property
    def listed(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.listed]

    @property
    def unlisted(self) -> list[Entry]:
        return [entry for entry in self.entries if not entry.listed]


def london_now() -> datetime:
    return datetime.now(LONDON)


def public_services(session: Session, service_ids: Iterable[str]) -> dict[str, Service]:
    """The public services among these ids, by id, with what a list shows loaded."""
    ids = list(dict.fromkeys(service_ids))
    if not ids:
        return {}
    found = session.scalars(
        select(Service).where(Service.id.in_(ids), public_clause()).options(*_LOADS)
    )
    return {service.id: service for service in found}


def public_name(session: Session, raw_id: str | None) -> tuple[str, str] | None:
    """(id, name) of the public service with this id (any UUID spelling), else None."""
    service_id = normalise_uuid(raw_id)
    if service_id is None:
        return None
    row = session.execute(
        select(Service.id, Service.name).where(Service.id == service_id, public_clause())
    ).first()
    return (row.id, row.name) if row else None


def build_list(session: Session, items: list[Item], now: datetime | None = None) -> ListView:
    """Entries for ``items`` in their order; withdrawn services as "no longer listed"."""
    now = now or london_now()
    found = public_services(session, (item.service_id for item in items))
    entries = [
        _entry(item, found[item.service_id], now)
        if item.service_id in found
        else Entry(item.service_id, item.name, item.note)
        for item in items
    ]
    listed = [entry.service for entry in entries if entry.service is not None]
    show_exit = services.needs_safety_features(session, listed)
    return ListView(entries=entries, today=now.date(), show_exit=show_exit)


def _entry(item: Item, service: Service, now: datetime) -> Entry:
    today = now.date()
    sals = service.service_at_locations
    per_place = len(sals) > 1 and any(sal.schedules for sal in sals)
    organisation = service.organization
    contacts = facts.contacts(service)
    contact_emails = {contact.email for contact in contacts}
    return Entry(
        service_id=service.id,
        name=service.name,
        note=item.note,
        service=service,
        organisation=organisation.name if organisation else None,
        is_demonstration=bool(
            service.is_demonstration or (organisation and organisation.is_demonstration)
        ),
        alert=service.alert or None,
        closed_notice=facts.closed_notice(service.status),
        contacts=contacts,
        email=service.email if service.email not in contact_emails else None,
        website=safe_url(service.url),
        status_text=open_status(service.schedules, now).text,
        times=[] if per_place else describe_times(service.schedules),
        week=[] if per_place else describe_week(service.schedules, today),
        places=[_place(sal, today, per_place) for sal in sals],
        cost=facts.cost(service),
        referral=facts.referral_text(service.referral),
        ages=ages_text(service.minimum_age, service.maximum_age),
        delivery=facts.delivery_words(service.delivery_modes),
    )


def describe_times(schedules: Iterable[Schedule]) -> list[str]:
    """Each schedule in words, once: "Every Tuesday, 10am to midday"."""
    return [text for text in dict.fromkeys(describe_schedule(s) for s in schedules) if text]


def _place(sal: ServiceAtLocation, today: date, own_times: bool) -> PlaceLines:
    location = sal.location
    return PlaceLines(
        name=location.name,
        address_lines=address_lines(location),
        postcode=location.postcode,
        times=describe_times(sal.schedules) if own_times else [],
        week=describe_week(sal.schedules, today) if own_times else [],
    )


def create_shared_list(
    session: Session, service_ids: Iterable[str], days: int, now: datetime | None = None
) -> SharedList:
    """A share link for the public services among ``service_ids``, working for ``days`` days.

    Only ids are stored: no notes, no names, nothing about who made it. The caller commits
    (``unit_of_work``)."""
    now = now or utcnow()
    ids = list(dict.fromkeys(service_ids))
    public = public_services(session, ids)
    shared = SharedList(
        token=secrets.token_urlsafe(32),
        service_ids=[service_id for service_id in ids if service_id in public],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(shared)
    session.flush()
    return shared


def find_shared_list(session: Session, token: str) -> SharedList | None:
    """The share link with this token, expired or not; None for anything not a real token."""
    if not _TOKEN.match(token or ""):
        return None
    return session.get(SharedList, token)


def is_expired(shared: SharedList, now: datetime | None = None) -> bool:
    return shared.expires_at <= (now or utcnow())


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Delete every expired share link; how many went. The caller commits."""
    result = session.execute(delete(SharedList).where(SharedList.expires_at <= (now or utcnow())))
    return result.rowcount or 0
