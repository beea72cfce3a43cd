"""What /staff/freshness shows: the listings going stale, grouped by how far along they are,
with their reminders and whether anyone can be emailed; and the same as CSV.

A listing is in exactly one group, the first of :data:`GROUPS` it belongs to.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session, joinedload

from directory.freshness import services
from directory.freshness.models import FreshnessReminder
from directory.listings import visibility
from directory.listings.models import Service

#: (key, heading, what it means), in the order shown.
GROUPS: tuple[tuple[str, str, str], ...] = (
    ("hidden", "Hidden", "Not checked for over 15 months: hidden from the public until checked."),
    ("stale", "Stale", "Not checked for over 12 months: marked as such and shown lower in search."),
    ("reminder_11", "11-month reminder sent", "Waiting for the organisation to check it."),
    ("reminder_6", "6-month reminder sent", "Waiting for the organisation to check it."),
    ("not_sent", "Reminder due, not sent", "Usually because there is nobody to email."),
    ("due_soon", "Due a reminder soon", "Not checked for 5 months or more."),
)
CONTACT_LABELS = {
    "members": "Yes: the organisation's people",
    "service": "Yes: the listing's email address",
    "organisation": "Yes: the organisation's email address",
    None: "No: nobody to email",
}
CSV_HEADER = [
    "service_id", "name", "organisation", "group", "last_checked", "stale_from", "hidden_from",
    "reminder_6_sent", "reminder_11_sent", "link_used", "can_email",
]  # fmt: skip


@dataclass
class StaleListing:
    service_id: str
    name: str
    organisation: str
    last_checked: date | None
    group: str
    stale_on: date | None
    hidden_on: date | None
    contact: str | None
    reminders: dict[int, FreshnessReminder] = field(default_factory=dict)

    @property
    def can_email(self) -> bool:
        return self.contact is not None

    @property
    def contact_label(self) -> str:
        return CONTACT_LABELS[self.contact]

    def sent(self, stage: int) -> datetime | None:
        reminder = self.reminders.get(stage)
        return reminder.sent_at if reminder else None

    @property
    def link_used(self) -> datetime | None:
        used = [r.used_at for r in self.reminders.values() if r.used_at]
        return max(used) if used else None


def _group(service: Service, today: date, cycle: date, sent: set[int]) -> str:
    if visibility.is_hidden_as_stale(service, today):
        return "hidden"
    if visibility.is_stale(service, today):
        return "stale"
    if 11 in sent:
        return "reminder_11"
    if 6 in sent:
        return "reminder_6"
    if services.reached_stage(cycle, today) is not None:
        return "not_sent"
    return "due_soon"


def going_stale(session: Session, today: date | None = None) -> list[StaleListing]:
    """Every listing not checked for :data:`services.DUE_SOON_MONTHS` months or more, oldest
    check first."""
    today = today or services.today_utc()
    query = services.kept_listings(today, services.DUE_SOON_MONTHS).options(
        joinedload(Service.organization)
    )
    found: list[tuple[Service, date]] = []
    for service in session.scalars(query).unique():
        cycle = services.reminder_cycle(service)
        if cycle is not None and today >= services.add_months(cycle, services.DUE_SOON_MONTHS):
            found.append((service, cycle))
    sent = services.sent_stages(session, {s.id: cycle for s, cycle in found})
    contacts = services.contact_kinds(session, [s for s, _ in found])
    out = [
        StaleListing(
            service_id=service.id,
            name=service.name or "(no name)",
            organisation=service.organization.name if service.organization else "",
            last_checked=visibility.last_checked(service),
            group=_group(service, today, cycle, set(sent[service.id])),
            stale_on=services.stale_on(service),
            hidden_on=services.hidden_on(service),
            contact=contacts[service.id],
            reminders=sent[service.id],
        )
        for service, cycle in found
    ]
    out.sort(key=lambda item: (item.last_checked or date.min, item.name.lower(), item.service_id))
    return out


def grouped(listings: Iterable[StaleListing]) -> list[tuple[str, str, str, list[StaleListing]]]:
    """``(key, heading, hint, listings)`` for each group, in :data:`GROUPS` order."""
    by_group: dict[str, list[StaleListing]] = {key: [] for key, _, _ in GROUPS}
    for listing in listings:
        by_group[listing.group].append(listing)
    return [(key, heading, hint, by_group[key]) for key, heading, hint in GROUPS]


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(listings: Iterable[StaleListing]) -> str:
    """The list as CSV (no personal data: whether someone can be emailed, not who)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for item in listings:
        row = [
            item.service_id, item.name, item.organisation, item.group, item.last_checked,
            item.stale_on, item.hidden_on, item.sent(6), item.sent(11), item.link_used,
            "yes" if item.can_email else "no",
        ]  # fmt: skip
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue()
