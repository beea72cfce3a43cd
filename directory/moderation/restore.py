"""Bring back an earlier version of a listing, through moderation.

The change log keeps each field's old and new value, not whole versions, so a version is
rebuilt backwards: start from the live record and undo, newest first, every change made after
the chosen moment to the service and the records nested in it:

* a changed field gets its previous value back;
* a record created later is taken out;
* a record deleted later is put back from the newest proposal that held it (proposals keep
  whole records); when none did, it cannot be brought back and that is said.

Limits (shown to the moderator and in docs/moderation.md): records deleted without a proposal
ever holding them; a place swapped for another place (the link is restored only when the old
place is still in the record); staff flags and system fields (status, trust, suspension, last
checked) are not part of a listing's content and are left as they are. The result is a RESTORE
proposal in the queue, written only when a moderator approves it.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.accounts.models import User
from directory.core.ids import utcnow
from directory.inference import INFERRED_LINK_TYPES
from directory.listings.models import ChangeRecord, Service
from directory.listings.records import ENTITIES
from directory.moderation.apply import CONTROLLED_FIELDS, live_record
from directory.moderation.diff import same_content, walk
from directory.moderation.history import JSON_KEYS, change_records, resources
from directory.moderation.models import Proposal, ProposalKind, ProposalState
from directory.moderation.services import ModerationError, log_action

JSON = dict[str, Any]
#: Where a record of each kind sits in a service record.
TOP_LISTS = {
    "schedule": "schedules", "service_area": "service_areas", "language": "languages",
    "funding": "funding", "cost_option": "cost_options", "contact": "contacts",
    "service_at_location": "service_at_locations",
}  # fmt: skip
_NOT_CONTENT = {"last_modified", "x_possible_duplicates", *CONTROLLED_FIELDS}


@dataclass
class Version:
    record: JSON
    limits: list[str] = field(default_factory=list)


def _index(record: JSON) -> dict[str, tuple[str, JSON]]:
    return {item.id: (item.kind, item.data) for item in walk(record)}


def _remove(container: Any, target: JSON) -> bool:
    """Take ``target`` (by identity) out of whichever list in ``container`` holds it."""
    if isinstance(container, dict):
        return any(_remove(v, target) for v in container.values())
    if isinstance(container, list):
        for i, value in enumerate(container):
            if value is target:
                del container[i]
                return True
        return any(_remove(v, target) for v in container)
    return False


def _parse(kind: str, key: str, text: str) -> Any:
    """A change-log value (text) back to the record's type; None for "was empty"."""
    if text == "":
        return None
    field_kind = ENTITIES[kind].fields.get(key)
    if field_kind == "number":
        number = float(text)
        return int(number) if number.is_integer() else number
    if field_kind == "int":
        return int(text)
    if field_kind == "bool":
        return text == "True"
    if field_kind == "delivery_modes":
        value = ast.literal_eval(text)
        if not isinstance(value, list):
            raise ValueError(text)
        return value
    return text


def _set(kind: str, item: JSON, key: str, value: Any) -> None:
    keys = [key] + [a for a, target in ENTITIES[kind].aliases.items() if target == key]
    for name in keys:
        if name != key and name not in item:
            continue
        if value is None:
            item.pop(name, None)
        else:
            item[name] = value


def _container(record: JSON, index: dict, kind: str, item: JSON) -> list | None:
    if kind in TOP_LISTS:
        return record.setdefault(TOP_LISTS[kind], [])
    parents = {
        "phone": ("contact_id", "phones"),
        "address": ("location_id", "addresses"),
        "accessibility": ("location_id", "accessibility"),
        "organization_identifier": ("organization_id", "organization_identifiers"),
    }
    if kind == "attribute":
        if item.get("link_entity") == "service":
            return record.setdefault("attributes", [])
        parent_key, list_key = "link_id", "attributes"
    elif kind in parents:
        parent_key, list_key = parents[kind]
    else:
        return None
    parent = index.get(str(item.get(parent_key) or ""))
    return parent[1].setdefault(list_key, []) if parent else None


def _snapshots(session: Session, service_id: str) -> dict[str, tuple[str, JSON]]:
    """Records any proposal for the listing held, the newest proposal's copy winning."""
    found: dict[str, tuple[str, JSON]] = {}
    proposals = session.scalars(
        select(Proposal)
        .where(Proposal.service_id == service_id)
        .order_by(Proposal.updated_at.desc())
    )
    for proposal in proposals:
        for record in (proposal.payload, proposal.base):
            for item in walk(record):
                found.setdefault(item.id, (item.kind, item.data))
    return found


def _undo(session: Session, version: Version, rows: list[ChangeRecord], names: dict) -> None:
    record, limits = version.record, version.limits
    snapshots: dict[str, tuple[str, JSON]] | None = None
    for row in rows:
        index = _index(record)
        kind = row.resource_type
        title = names.get(row.resource_id, (kind, kind))[1]
        if row.last_action_type == "create":
            if kind == "service":
                raise ModerationError("Choose a point after the listing was created")
            if row.resource_id in index:
                _remove(record, index[row.resource_id][1])
        elif row.last_action_type == "delete":
            if row.resource_id in index:
                continue
            snapshots = snapshots if snapshots is not None else _snapshots(session, record["id"])
            snapshot = snapshots.get(row.resource_id)
            target = _container(record, index, kind, snapshot[1]) if snapshot else None
            if snapshot is None or target is None:
                limits.append(f"{title} was removed later and cannot be brought back")
                continue
            target.append(copy.deepcopy(snapshot[1]))
        elif row.resource_id in index and kind in ENTITIES:
            key = JSON_KEYS.get(row.field_name, row.field_name)
            if key in _NOT_CONTENT or key not in ENTITIES[kind].fields:
                continue
            if key.endswith("_id"):
                limits.append(f"{title}: a link to another record changed and is left as it is")
                continue
            try:
                _set(kind, index[row.resource_id][1], key, _parse(kind, key, row.previous_value))
            except (ValueError, SyntaxError):
                limits.append(f"{title}: the earlier {key} could not be read back")


def version_at(session: Session, service: Service, at: datetime) -> Version:
    """The listing's record as it was at ``at`` (see the module docstring for the limits)."""
    live = live_record(session, service.id)
    assert live is not None
    names = resources(session, service)
    later = [r for r in change_records(session, names) if r.last_action_date > at]
    version = Version(copy.deepcopy(live))
    _undo(session, version, list(reversed(later)), names)
    record = version.record
    for key in _NOT_CONTENT:
        record.pop(key, None)
    inferred = set(INFERRED_LINK_TYPES.values())
    record["attributes"] = [
        a for a in record.get("attributes", []) if a.get("link_type") not in inferred
    ]
    return version


def request_restore(session: Session, service: Service, at: datetime, moderator: User) -> Proposal:
    """A RESTORE proposal, submitted, with the listing as it was at ``at``; the reasons it may
    not be exact are kept in ``form_state["limits"]``. Does not commit."""
    version = version_at(session, service, at)
    live = live_record(session, service.id)
    if same_content(version.record, live):
        raise ModerationError("The listing is already as it was then: there is nothing to restore")
    now = utcnow()
    proposal = Proposal(
        kind=ProposalKind.RESTORE,
        state=ProposalState.SUBMITTED,
        organization_id=service.organization_id,
        service_id=service.id,
        payload=version.record,
        base=live,
        form_state={"restored_from": at.isoformat(), "limits": version.limits},
        created_by=moderator.id,
        submitted_at=now,
    )
    session.add(proposal)
    session.flush()
    log_action(session, moderator, "proposal.restore_requested", "proposal", proposal.id,
               service_id=service.id, restored_from=at.isoformat())  # fmt: skip
    session.flush()
    return proposal
