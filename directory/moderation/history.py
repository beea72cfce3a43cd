"""A listing's history for staff: every change, who made it and when, field by field.

Three sources, merged newest first:

* the ORUK ``metadata`` table (:class:`directory.listings.models.ChangeRecord`), one row per
  changed field, written by the flush hook for the service and every record nested in it. The
  records are found by id: those the live listing holds now, plus those any proposal for it
  held (so a phone that was removed still shows). Rows written together by one actor (within
  :data:`GROUP_SECONDS`) make one entry;
* proposals: when each was submitted, and by whom;
* the staff log (:class:`directory.staff.models.StaffAction`): decisions on proposals and
  claims, inferred needs confirmed or rejected, problem reports dealt with, and changes to the
  organisation's trust or suspension.

Actors are shown as people see them: a person's name (or email: only staff read this page),
"Feed import", "Seed", "System job", "Reminder link".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.accounts.models import User
from directory.accounts.policy import user_label
from directory.core.actor import Actor
from directory.listings.models import ChangeRecord, Service
from directory.listings.serialise import service_json
from directory.listings.writer import FIELD_ATTRIBUTES
from directory.moderation.diff import label as field_label
from directory.moderation.diff import walk
from directory.moderation.models import Claim, Proposal, ProposalState
from directory.moderation.services import KIND_LABELS
from directory.staff.models import StaffAction

#: Change rows by one actor this close together are one entry (one approval flushes twice).
GROUP_SECONDS = 2
#: Model attribute -> the record's field name, where they differ.
JSON_KEYS = {attr: key for key, attr in FIELD_ATTRIBUTES.items()}
KIND_TITLES = {
    "service": "Service", "organization": "Organisation", "schedule": "Opening time",
    "service_at_location": "Place", "location": "Place", "address": "Address",
    "accessibility": "Access", "contact": "Contact", "phone": "Phone",
    "cost_option": "Cost", "service_area": "Area covered", "language": "Language",
    "funding": "Funding", "attribute": "Term", "organization_identifier": "Identifier",
}  # fmt: skip
ACTION_TITLES = {
    "proposal.approve": "Approved the proposal and published it",
    "proposal.reject": "Rejected a proposal",
    "proposal.request_changes": "Asked the organisation for changes",
    "proposal.restore_requested": "Proposed restoring an earlier version",
    "claim.approve": "Approved a request to manage the listing",
    "claim.reject": "Rejected a request to manage the listing",
    "inferred_term.confirm": "Confirmed an inferred term",
    "inferred_term.reject": "Rejected an inferred term",
    "organization.update": "Changed the organisation's standing",
    "report.resolve": "Resolved a problem report",
    "report.reply": "Replied to the person who reported a problem",
    "report.pass": "Passed a problem report to the organisation",
    "freshness.mark_checked": "Marked the listing as checked",
}


@dataclass(frozen=True)
class Line:
    """One field of one record: ``action`` is create, update or delete."""

    what: str
    field: str
    old: str
    new: str
    action: str


@dataclass
class Event:
    at: datetime
    actor: str
    who: str
    title: str
    lines: list[Line] = field(default_factory=list)
    reason: str | None = None
    #: For a group of changes: the moment after it, the point a restore goes back to.
    restore_at: datetime | None = None


def resources(session: Session, service: Service) -> dict[str, tuple[str, str]]:
    """Every record id that is or was part of the listing -> (kind, title)."""
    found: dict[str, tuple[str, str]] = {}
    proposals = list(
        session.scalars(
            select(Proposal).where(Proposal.service_id == service.id).order_by(Proposal.created_at)
        )
    )
    records: list[Any] = [p.base for p in proposals] + [p.payload for p in proposals]
    for record in [service_json(service), *records]:
        for item in walk(record):
            found.setdefault(item.id, (item.kind, item.title))
    if service.organization_id:
        found.setdefault(service.organization_id, ("organization", "Organisation"))
    return found


def actor_words(value: str | None, users: dict[str, User]) -> str:
    """An ``updated_by`` value in words; ``users`` has the people it may name."""
    actor = Actor.parse(value)
    if actor.kind == "user":
        return user_label(users.get(actor.id))
    if actor.kind == "import" or actor.id == "import":
        return "Feed import"
    if actor.kind == "public":
        return "Reminder link"
    if actor.id in ("seed", "seeding"):
        return "Seed"
    return "System job" if actor.id == "system" else f"System job ({actor.id})"


def _person(user_id: str | None, users: dict[str, User]) -> str:
    """A person by id: "Not recorded" when no id was kept, "a deleted account" when gone."""
    return user_label(users.get(user_id)) if user_id else "Not recorded"


def _users(session: Session, ids: Iterable[str | None]) -> dict[str, User]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}


def _value(value: str) -> str:
    return {"True": "Yes", "False": "No"}.get(value, value)


def _line(record: ChangeRecord, names: dict[str, tuple[str, str]]) -> Line:
    _kind, title = names.get(
        record.resource_id, (record.resource_type, KIND_TITLES.get(record.resource_type, "Record"))
    )
    name = (
        field_label(JSON_KEYS.get(record.field_name, record.field_name))
        if record.field_name
        else ""
    )
    return Line(title, name, _value(record.previous_value or ""),
                _value(record.replacement_value or ""), record.last_action_type)  # fmt: skip


def change_records(session: Session, ids: Iterable[str]) -> list[ChangeRecord]:
    """The change rows of these records, oldest first."""
    ids = list(ids)
    rows: list[ChangeRecord] = []
    for start in range(0, len(ids), 500):
        rows += session.scalars(
            select(ChangeRecord).where(ChangeRecord.resource_id.in_(ids[start : start + 500]))
        )
    return sorted(rows, key=lambda r: (r.last_action_date, r.id))


def _change_events(
    session: Session, rows: list[ChangeRecord], names: dict, users: dict
) -> list[Event]:
    events: list[Event] = []
    current: Event | None = None
    for row in rows:
        if (
            current is None
            or current.actor != row.updated_by
            or (row.last_action_date - current.at).total_seconds() > GROUP_SECONDS
        ):
            current = Event(row.last_action_date, row.updated_by,
                            actor_words(row.updated_by, users), "Changed the listing")  # fmt: skip
            events.append(current)
        current.lines.append(_line(row, names))
        current.restore_at = row.last_action_date
    for event in events:
        if any(li.action == "create" and li.what == "Service" for li in event.lines):
            event.title = "Created the listing"
        elif all(li.what == "Service" and li.field == "Assured date" for li in event.lines):
            event.title = "Confirmed the listing is still correct"
    return events


def _proposal_events(proposals: list[Proposal], logged: set[str], users: dict) -> list[Event]:
    events = []
    for p in proposals:
        kind = KIND_LABELS.get(p.kind, str(p.kind)).lower()
        direct = p.minor and p.state == ProposalState.APPROVED
        if p.submitted_at and not direct:
            events.append(Event(p.submitted_at, f"user:{p.created_by}",
                                _person(p.created_by, users),
                                f"Submitted a proposal ({kind}) for moderation"))  # fmt: skip
        if p.state == ProposalState.APPROVED and p.decided_at and p.id not in logged:
            who = p.decided_by or p.created_by
            events.append(Event(p.decided_at, f"user:{who}", _person(who, users),
                                "Published a minor edit directly (trusted organisation)"
                                if direct else f"Published a proposal ({kind})"))  # fmt: skip
    return events


def _staff_events(actions: list[StaffAction], users: dict) -> list[Event]:
    events = []
    for action in actions:
        detail = action.detail or {}
        title = (
            ACTION_TITLES.get(action.action)
            or action.action.replace(".", ": ").replace("_", " ").capitalize()
        )
        if detail.get("term"):
            title = f"{title}: {detail['term']}"
        if action.action == "organization.update" and detail.get("changes"):
            title = f"{title}: {detail['changes']}"
        events.append(Event(action.at, f"user:{action.user_id}",
                            _person(action.user_id, users), title,
                            reason=detail.get("reason")))  # fmt: skip
    return events


def _reminder_events(session: Session, service_id: str) -> list[Event]:
    """Freshness reminders sent for the listing (when the freshness part is installed)."""
    try:
        from directory.freshness.models import FreshnessReminder
    except ImportError:  # pragma: no cover - the freshness part is not in this checkout
        return []
    rows = session.scalars(
        select(FreshnessReminder).where(FreshnessReminder.service_id == service_id)
    )
    events = []
    for row in rows:
        people = f"{row.recipients} {'person' if row.recipients == 1 else 'people'}"
        events.append(
            Event(
                row.sent_at,
                "system:send-reminders",
                "System job (send-reminders)",
                f"Sent the {row.stage}-month reminder to {people}",
            )
        )
        if row.used_at is not None:
            # Confirming may change no field (checked again the same day), so the change log
            # alone would not show it: the spent link is the record that it happened.
            events.append(
                Event(
                    row.used_at,
                    "public:link",
                    "Reminder link",
                    f"Confirmed the listing is still correct (from the {row.stage}-month reminder)",
                )
            )
    return events


def service_history(session: Session, service: Service) -> list[Event]:
    """Everything that happened to ``service``, newest first."""
    names = resources(session, service)
    rows = change_records(session, names)
    proposals = list(session.scalars(select(Proposal).where(Proposal.service_id == service.id)))
    from directory.feedback.models import ProblemReport

    targets = {service.id, *(p.id for p in proposals)}
    targets |= set(session.scalars(select(Claim.id).where(Claim.service_id == service.id)))
    targets |= set(
        session.scalars(select(ProblemReport.id).where(ProblemReport.service_id == service.id))
    )
    if service.organization_id:
        targets.add(service.organization_id)
    actions = list(session.scalars(select(StaffAction).where(StaffAction.target_id.in_(targets))))
    user_ids = [Actor.parse(r.updated_by).id for r in rows if r.updated_by.startswith("user:")]
    user_ids += [a.user_id for a in actions]
    user_ids += [p.created_by for p in proposals] + [p.decided_by for p in proposals]
    users = _users(session, user_ids)
    logged = {a.target_id for a in actions if a.action == "proposal.approve"}
    events = _change_events(session, rows, names, users)
    events += _proposal_events(proposals, logged, users)
    events += _staff_events(actions, users)
    events += _reminder_events(session, service.id)
    events.sort(key=lambda e: e.at, reverse=True)
    latest = next((e for e in events if e.restore_at is not None), None)
    if latest is not None:
        latest.restore_at = None  # the listing is already as it was after its latest change
    return events
