"""The freshness rules: when a listing is due a reminder, who keeps it, and confirming it.

Plain functions on a session, callable from the command, the views and tests alike. None of
them commits: the caller wraps them in :func:`directory.core.uow.unit_of_work` with the actor
who did it (the reminder job, the one-click link, a member of staff).

Dates are UTC days, as in :mod:`directory.listings.visibility`, which owns the "stale" (over
12 months) and "hidden" (over 15 months) lines; this module adds the reminder stages at 6 and
11 calendar months after the last check (docs/freshness.md).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.orm import Session

from directory.accounts.models import Membership, User
from directory.freshness import tokens
from directory.freshness.models import STAGES, FreshnessReminder
from directory.listings import visibility
from directory.listings.models import ListingStatus, Organization, Service
from directory.staff.models import StaffAction

#: /staff/freshness lists listings not checked for this many months or more.
DUE_SOON_MONTHS = 5
#: The confirm link works for this many days unless ``REMINDER_LINK_DAYS`` says otherwise.
DEFAULT_LINK_DAYS = 30
#: Good enough to hand to a mail server; anything else (a phone number typed into the email
#: field, "n/a", a line break) is treated as no address.
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+$")


def today_utc() -> date:
    return datetime.now(UTC).date()


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, the day clamped to the month's end (31 Aug + 6 = 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def reminder_cycle(service: Any) -> date | None:
    """The date a listing's reminders count from: its last check (``visibility.last_checked``),
    or the day it came into the directory when nothing says it was ever checked."""
    return visibility.last_checked(service) or visibility.freshness_clock(service)


def reached_stage(cycle: date, today: date) -> int | None:
    """The highest reminder stage ``today`` has reached for a listing last checked on
    ``cycle`` (6 on and after six months, 11 on and after eleven), or None."""
    reached = [stage for stage in STAGES if today >= add_months(cycle, stage)]
    return max(reached) if reached else None


def due_stage(cycle: date, today: date, sent: set[int]) -> int | None:
    """The reminder to send now, or None: the highest stage reached, unless that stage or a
    later one was already sent for this cycle. A listing first seen at 11 months gets the
    11-month reminder only, never a 6-month one after it."""
    stage = reached_stage(cycle, today)
    if stage is None or any(s >= stage for s in sent):
        return None
    return stage


def stale_on(service: Any) -> date | None:
    """The first day the listing counts as stale (marked, ranked lower) if nobody checks it."""
    checked = visibility.last_checked(service)
    return checked + timedelta(days=visibility.STALE_AFTER_DAYS + 1) if checked else None


def hidden_on(service: Any) -> date | None:
    """The first day the listing is hidden if nobody checks it."""
    clock = visibility.freshness_clock(service)
    return clock + timedelta(days=visibility.HIDE_AFTER_DAYS + 1) if clock else None


def checked_on_or_before(day: date) -> ColumnElement[bool]:
    """SQL: the listing's last check (``visibility.last_checked``) is ``day`` or earlier, or
    unknown. A loose pre-filter: the exact rules run in Python on what it selects."""
    return or_(
        Service.assured_date <= day,
        and_(
            Service.assured_date.is_(None),
            or_(
                Service.last_modified.is_(None),
                Service.last_modified < datetime.combine(day + timedelta(days=1), time.min, UTC),
            ),
        ),
    )


#: The columns the freshness rules read (``select(*CLOCK_COLUMNS)`` rows work as services).
CLOCK_COLUMNS = (Service.id, Service.assured_date, Service.last_modified, Service.created_at)


def kept_listings(today: date, months: int, *columns: Any) -> Any:
    """A select of the listings the freshness rules look after (active, of an organisation
    not suspended; hidden-as-stale ones included, since a check brings them back) whose last
    check may be ``months`` old or more: whole services, or ``columns``."""
    loose = today - timedelta(days=months * 28)
    return (
        select(*(columns or (Service,)))
        .where(Service.listing_status == ListingStatus.ACTIVE)
        .where(
            ~exists().where(Organization.id == Service.organization_id, Organization.is_suspended)
        )
        .where(checked_on_or_before(loose))
    )


Sent = dict[str, dict[int, FreshnessReminder]]


def sent_stages(session: Session, pairs: dict[str, date]) -> Sent:
    """service id -> {stage: reminder} for the cycles in ``pairs`` (service id -> cycle)."""
    out: Sent = {sid: {} for sid in pairs}
    ids = list(pairs)
    for start in range(0, len(ids), 500):
        query = select(FreshnessReminder).where(
            FreshnessReminder.service_id.in_(ids[start : start + 500])
        )
        for reminder in session.scalars(query):
            if pairs.get(reminder.service_id) == reminder.cycle:
                out[reminder.service_id][reminder.stage] = reminder
    return out


# Who keeps a listing ------------------------------------------------------------------------


def usable_email(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if len(value) <= 320 and _EMAIL.match(value) else None


def recipients(session: Session, service: Service) -> tuple[str | None, list[str]]:
    """Who to remind, and as whom: the organisation's members with a verified email
    (``"members"``), else the service's own address (``"service"``), else the organisation's
    (``"organisation"``); ``(None, [])`` when there is nobody to email."""
    if service.organization_id:
        query = (
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == service.organization_id)
            .where(User.email_verified_at.is_not(None), User.is_disabled.is_(False))
            .order_by(User.email)
        )
        members = [e for e in map(usable_email, session.scalars(query)) if e]
        if members:
            return "members", list(dict.fromkeys(members))
    own = usable_email(service.email)
    if own:
        return "service", [own]
    organization = service.organization
    org_email = usable_email(organization.email) if organization is not None else None
    if org_email:
        return "organisation", [org_email]
    return None, []


def contact_kinds(session: Session, services: list[Service]) -> dict[str, str | None]:
    """:func:`recipients`' first answer for many listings at once (for /staff/freshness)."""
    org_ids = {s.organization_id for s in services if s.organization_id}
    with_members: set[str] = set()
    ids = list(org_ids)
    for start in range(0, len(ids), 500):
        query = (
            select(Membership.organization_id, User.email)
            .join(User, Membership.user_id == User.id)
            .where(Membership.organization_id.in_(ids[start : start + 500]))
            .where(User.email_verified_at.is_not(None), User.is_disabled.is_(False))
        )
        with_members |= {org for org, email in session.execute(query) if usable_email(email)}
    out: dict[str, str | None] = {}
    for service in services:
        if service.organization_id in with_members:
            out[service.id] = "members"
        elif usable_email(service.email):
            out[service.id] = "service"
        elif service.organization is not None and usable_email(service.organization.email):
            out[service.id] = "organisation"
        else:
            out[service.id] = None
    return out


# Confirming a listing -----------------------------------------------------------------------


@dataclass(frozen=True)
class LinkCheck:
    """What a confirm link is: ``state`` is "ok", "used", "expired", "invalid" (not a link
    this site made, or tampered with) or "gone" (the listing is closed or removed)."""

    state: str
    reminder: FreshnessReminder | None = None
    service: Service | None = None


def check_link(session: Session, token: str, now: datetime | None = None) -> LinkCheck:
    now = now or datetime.now(UTC)
    parts = tokens.read_token(token)
    if parts is None:
        return LinkCheck("invalid")
    reminder = session.get(FreshnessReminder, parts.reminder_id)
    if reminder is None or not tokens.matches(reminder.token_hash, parts.secret):
        return LinkCheck("invalid")
    service = session.get(Service, reminder.service_id)
    if service is None or service.listing_status != ListingStatus.ACTIVE:
        return LinkCheck("gone", reminder, service)
    if service.organization is not None and service.organization.is_suspended:
        return LinkCheck("gone", reminder, service)
    if reminder.used_at is not None:
        return LinkCheck("used", reminder, service)
    if reminder.expires_at <= now:
        return LinkCheck("expired", reminder, service)
    return LinkCheck("ok", reminder, service)


def use_link(session: Session, check: LinkCheck, now: datetime | None = None) -> bool:
    """Confirm the listing from a checked link: today becomes its assured date and the link is
    spent. False (nothing changed) when another request spent the link first: the update is
    conditional, so two clicks at once still confirm only once."""
    assert check.state == "ok" and check.reminder is not None and check.service is not None
    now = now or datetime.now(UTC)
    spent = session.execute(
        update(FreshnessReminder)
        .where(FreshnessReminder.id == check.reminder.id, FreshnessReminder.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        return False
    session.refresh(check.reminder)
    check.service.assured_date = now.date()
    return True


def mark_checked_by_staff(
    session: Session, service: Service, user_id: str, today: date | None = None
) -> None:
    """A member of staff confirmed the listing (by phone, say): today becomes its assured
    date, and the staff log says who and what the date was before."""
    previous = visibility.last_checked(service)
    service.assured_date = today or today_utc()
    session.add(
        StaffAction(
            user_id=user_id,
            action="freshness.mark_checked",
            target_type="service",
            target_id=service.id,
            detail={
                "how": "phone",
                "previous_last_checked": previous.isoformat() if previous else None,
            },
        )
    )
