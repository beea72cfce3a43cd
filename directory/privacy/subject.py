"""A person's rights over what Here2Help holds about them: find their records, give them a
copy of everything (subject access), and erase their personal data on request.

A person is found by what they can tell us: the reference we gave them, their email address or
their phone number (any of them; a record matching any one is theirs). Staff check the list
before exporting or erasing: two people can share a phone.

Every export and erasure is logged twice: in the personal data access log (which record, who,
when) and in the staff action log. Neither holds the person's data, only record ids.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from directory.core.ids import utcnow
from directory.help_offers.models import HelpOffer, OfferStatus
from directory.help_requests.models import HelpRequest, Outcome, RequestStatus
from directory.privacy.models import PersonalDataAccess
from directory.privacy.services import anonymise_offer, anonymise_request, log_access
from directory.staff.models import StaffAction

#: The most records one search returns (a person has a handful; more means a too-wide search).
MAX_RECORDS = 200
#: Staff account ids are other people's data: an export says a record was assigned or checked,
#: not by whom.
STAFF_COLUMNS = {"assigned_to", "checked_by", "by"}


class NothingToFindBy(ValueError):
    """Nothing to look a person up by."""


def clean_reference(value: str | None) -> str:
    return re.sub(r"\s+", "", value or "").upper()[:32]


def clean_email(value: str | None) -> str:
    return (value or "").strip().lower()[:320]


def phone_key(value: str | None) -> str:
    """A phone number's digits in national form, so "+44 1632 960001" and "01632 960 001"
    are the same number."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("0044"):
        digits = digits[4:]
    elif digits.startswith("44") and len(digits) >= 12:
        digits = digits[2:]
    else:
        return digits
    return digits if digits.startswith("0") else "0" + digits  # "+44 (0)1632..." too


@dataclass(frozen=True)
class Lookup:
    """What a person was looked up by (cleaned). At least one is needed."""

    reference: str = ""
    email: str = ""
    phone: str = ""

    @classmethod
    def of(
        cls, reference: str | None = None, email: str | None = None, phone: str | None = None
    ) -> Lookup:
        found = cls(clean_reference(reference), clean_email(email), phone_key(phone))
        if not (found.reference or found.email or found.phone):
            raise NothingToFindBy("Give a reference, an email address or a phone number")
        return found


@dataclass
class PersonRecords:
    """Everything found for one lookup, newest first."""

    requests: list[HelpRequest] = field(default_factory=list)
    offers: list[HelpOffer] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.requests) + len(self.offers)

    def records(self) -> list[tuple[str, HelpRequest | HelpOffer]]:
        return [("help_request", r) for r in self.requests] + [
            ("help_offer", o) for o in self.offers
        ]


def _ids_by_phone(session: Session, model: type[HelpRequest] | type[HelpOffer], key: str) -> set:
    """Phones are stored as people typed them, so they are compared in Python. A scan of the
    (id, phone) pairs of records still holding a phone: thousands, not millions."""
    rows = session.execute(select(model.id, model.phone).where(model.phone.is_not(None)))
    return {row_id for row_id, phone in rows if phone_key(phone) == key}


def _matching(session: Session, model: Any, lookup: Lookup) -> list[Any]:
    conditions = []
    if lookup.reference:
        conditions.append(func.upper(model.reference) == lookup.reference)
    if lookup.email:
        conditions.append(func.lower(model.email) == lookup.email)
    if lookup.phone:
        ids = _ids_by_phone(session, model, lookup.phone)
        if ids:
            conditions.append(model.id.in_(ids))
    if not conditions:
        return []
    query = (
        select(model)
        .where(or_(*conditions))
        .order_by(model.created_at.desc(), model.id)
        .limit(MAX_RECORDS)
    )
    return list(session.scalars(query))


def find_person(
    session: Session,
    reference: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> PersonRecords:
    """Every help request and offer matching any of the identifiers given. Raises
    :class:`NothingToFindBy` if none is given. Logs nothing: the caller logs what it shows."""
    lookup = Lookup.of(reference, email, phone)
    return PersonRecords(
        requests=_matching(session, HelpRequest, lookup),
        offers=_matching(session, HelpOffer, lookup),
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _columns(obj: Any) -> dict[str, Any]:
    """Every column of the record (a column added later is exported too), less staff ids."""
    return {
        column.key: _plain(getattr(obj, column.key))
        for column in obj.__mapper__.column_attrs
        if column.key not in STAFF_COLUMNS
    }


def _request_data(request: HelpRequest) -> dict[str, Any]:
    data = _columns(request)
    data["assigned_to_staff"] = request.assigned_to is not None
    data["contact_attempts"] = [_columns(attempt) for attempt in request.attempts]
    return data


def _access_log(session: Session, records: PersonRecords) -> list[dict[str, Any]]:
    references = {obj.id: obj.reference for _kind, obj in records.records()}
    if not references:
        return []
    rows = session.scalars(
        select(PersonalDataAccess)
        .where(PersonalDataAccess.record_id.in_(references))
        .order_by(PersonalDataAccess.at, PersonalDataAccess.id)
    )
    return [
        {
            "at": _plain(row.at),
            "action": row.action,
            "record_type": row.record_type,
            "record_reference": references.get(row.record_id),
            "by": "staff" if row.user_id else "system",
        }
        for row in rows
    ]


def _log(session: Session, user_id: str | None, records: PersonRecords, action: str) -> None:
    for kind, obj in records.records():
        log_access(session, user_id, kind, obj.id, action)
        session.add(
            StaffAction(
                user_id=user_id,
                action=f"privacy.{action}",
                target_type=kind,
                target_id=obj.id,
                detail={"reason": "request from the person"},
                at=utcnow(),
            )
        )


def export_person(
    session: Session,
    reference: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    *,
    user_id: str | None = None,
    service_name: str = "",
) -> dict[str, Any]:
    """Everything held about the person, as JSON-ready data: each help request (with its
    contact attempts) and offer in full, and who looked at them when (as staff or system,
    without naming staff). Logs an export of each record, by ``user_id`` (None: command line)."""
    records = find_person(session, reference, email, phone)
    data = {
        "about": (
            f"Everything {service_name or 'this service'} holds about you in its help request "
            "and help offer records, found by the details you gave us."
        ),
        "exported_at": _plain(utcnow()),
        "help_requests": [_request_data(r) for r in records.requests],
        "help_offers": [_columns(o) for o in records.offers],
        "access_log": _access_log(session, records),
    }
    _log(session, user_id, records, "export")
    return data


@dataclass(frozen=True)
class ErasureResult:
    requests: int
    offers: int
    notes: int


def delete_person(
    session: Session,
    reference: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    *,
    user_id: str | None = None,
) -> ErasureResult:
    """Erase the person's personal data on request, whatever the records' age: each record is
    anonymised as the purge does, and one still open is closed (withdrawn), since nobody can
    contact them any more. The anonymous remainder (needs, outcode, dates) stays for counts."""
    records = find_person(session, reference, email, phone)
    now = utcnow()
    notes = 0
    for request in records.requests:
        if request.status != RequestStatus.CLOSED:
            request.status = RequestStatus.CLOSED
            request.outcome = request.outcome or Outcome.WITHDRAWN
            request.closed_at = now
        notes += anonymise_request(session, request, now)
    for offer in records.offers:
        if offer.status not in (OfferStatus.CLOSED, OfferStatus.REJECTED):
            offer.status = OfferStatus.CLOSED
        anonymise_offer(offer, now)
    _log(session, user_id, records, "delete")
    session.flush()
    return ErasureResult(len(records.requests), len(records.offers), notes)
