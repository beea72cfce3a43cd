"""Privacy services (issue 13 scope 6): the personal data access log, and the purge that
removes personal data from closed help requests and volunteers' offers.

A person's own rights (find, export, erase) are in :mod:`directory.privacy.subject`.

What "anonymise" means here is one rule, used by the purge and by erasure on request: the
columns that identify or describe a person are set to NULL in the database (not hidden), the
notes of contact attempts are blanked, and everything kept for insight stays (the reference,
the needs, the outcode, the dates, the status and the outcome). See docs/data-protection.md.

Plain functions, callable without a request; none commits (the caller's unit of work does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from directory.core.ids import utcnow
from directory.help_offers.models import HelpOffer, OfferKind, OfferStatus
from directory.help_requests.models import ContactAttempt, HelpRequest, RequestStatus
from directory.privacy.models import PersonalDataAccess

#: What staff did with a person's record; the access log page words them.
ACTION_WORDS = {
    "view": "Viewed",
    "find": "Found in a search",
    "export": "Exported",
    "delete": "Deleted personal data",
    "contact": "Contacted",
    "edit": "Changed",
}

#: The columns of a help request that hold personal data: set to NULL when anonymised.
#: ``latitude``/``longitude`` are the full postcode's point, as identifying as the postcode.
#: ``extra`` (anything an import or a form kept aside) keeps only its numbers and flags (such
#: as how many services the person was shown): any text, list or nested value may hold words.
REQUEST_PERSONAL = (
    "name",
    "phone",
    "email",
    "details",
    "contact_times",
    "postcode",
    "latitude",
    "longitude",
)
#: The same for an offer: a volunteer's name, contact details, home postcode and own words.
OFFER_PERSONAL = ("name", "phone", "email", "description", "postcode", "latitude", "longitude")

#: Offers whose personal data is purged once old: a volunteer's, when closed or turned down.
#: (An organisation's offer holds the organisation's contact details, which it publishes.)
PURGED_OFFER_STATES = (OfferStatus.CLOSED, OfferStatus.REJECTED)

DEFAULT_DAYS = 90


def log_access(
    session: Session,
    user_id: str | None,
    record_type: str,
    record_id: str,
    action: str = "view",
) -> PersonalDataAccess:
    """Record that ``user_id`` saw (or exported, deleted, contacted) a person's record.

    Call it wherever staff are shown a requester's or a volunteer's personal data: the log is
    how the council answers "who has seen my details?". Only ids are stored, never the data.
    ``record_type`` is ``help_request`` or ``help_offer``; ``user_id`` None means the command
    line (the server's operator). Added to the session; the caller's unit of work commits it.
    """
    row = PersonalDataAccess(
        user_id=user_id,
        record_type=record_type[:32],
        record_id=str(record_id)[:36],
        action=action[:32],
        at=utcnow(),
    )
    session.add(row)
    return row


def personal_data_days(config: Mapping[str, Any]) -> int:
    """How many days after closing personal data is kept: ``PERSONAL_DATA_DAYS``, else 90
    (the privacy notice and the purge command both read it)."""
    value = config.get("PERSONAL_DATA_DAYS")
    try:
        days = int(value) if value not in (None, "") else DEFAULT_DAYS
    except (TypeError, ValueError):
        days = DEFAULT_DAYS
    return max(days, 1)


def harmless_extra(extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """What of a record's ``extra`` survives anonymising: numbers and true/false only."""
    return {
        key: value
        for key, value in (extra or {}).items()
        if isinstance(value, bool | int | float) and len(str(key)) <= 64
    }


def anonymise_request(session: Session, request: HelpRequest, now: datetime) -> int:
    """Remove a request's personal data (see the module docstring). Returns how many contact
    attempt notes were blanked. Safe on an already anonymised request."""
    for column in REQUEST_PERSONAL:
        setattr(request, column, None)
    request.extra = harmless_extra(request.extra)
    request.anonymised_at = request.anonymised_at or now
    notes = session.execute(
        update(ContactAttempt)
        .where(ContactAttempt.request_id == request.id, ContactAttempt.note.is_not(None))
        .values(note=None)
        .execution_options(synchronize_session="fetch")
    )
    return int(notes.rowcount or 0)  # type: ignore[attr-defined]


def anonymise_offer(offer: HelpOffer, now: datetime) -> None:
    """Remove an offer's personal data; safe on an already anonymised offer."""
    for column in OFFER_PERSONAL:
        setattr(offer, column, None)
    offer.extra = harmless_extra(offer.extra)
    offer.anonymised_at = offer.anonymised_at or now


@dataclass(frozen=True)
class PurgeResult:
    """Counts only: the purge command prints these and never a person's data."""

    requests: int
    offers: int
    notes: int
    cutoff: datetime
    dry_run: bool = False


def cutoff_for(days: int, today: date | None = None) -> datetime:
    """Records closed before the start (UTC) of ``today - days`` are purged."""
    day = (today or utcnow().date()) - timedelta(days=max(int(days), 0))
    return datetime.combine(day, time.min, tzinfo=UTC)


def purgeable_requests(cutoff: datetime):  # type: ignore[no-untyped-def]
    """Closed, not yet anonymised, and closed before ``cutoff`` (an imported closed request
    with no closing date counts from when it was made). Open and assigned ones never."""
    return select(HelpRequest).where(
        HelpRequest.status == RequestStatus.CLOSED,
        HelpRequest.anonymised_at.is_(None),
        or_(
            and_(HelpRequest.closed_at.is_not(None), HelpRequest.closed_at < cutoff),
            and_(HelpRequest.closed_at.is_(None), HelpRequest.created_at < cutoff),
        ),
    )


def purgeable_offers(cutoff: datetime):  # type: ignore[no-untyped-def]
    """Volunteers' offers closed or turned down, untouched since ``cutoff``."""
    return select(HelpOffer).where(
        HelpOffer.kind == OfferKind.VOLUNTEER,
        HelpOffer.status.in_(PURGED_OFFER_STATES),
        HelpOffer.anonymised_at.is_(None),
        HelpOffer.updated_at < cutoff,
    )


def purge_closed(
    session: Session, days: int, today: date | None = None, *, dry_run: bool = False
) -> PurgeResult:
    """Anonymise closed help requests and closed or rejected volunteers' offers older than
    ``days``. Safe to run twice (anonymised records are not picked again) and from cron.
    ``dry_run`` counts what would be purged and changes nothing."""
    cutoff = cutoff_for(days, today)
    now = utcnow()
    requests = list(session.scalars(purgeable_requests(cutoff)))
    offers = list(session.scalars(purgeable_offers(cutoff)))
    notes = 0
    if dry_run:
        chosen = purgeable_requests(cutoff).with_only_columns(HelpRequest.id).scalar_subquery()
        notes = int(
            session.scalar(
                select(func.count(ContactAttempt.id)).where(
                    ContactAttempt.request_id.in_(chosen), ContactAttempt.note.is_not(None)
                )
            )
            or 0
        )
        return PurgeResult(len(requests), len(offers), notes, cutoff, dry_run=True)
    for request in requests:
        notes += anonymise_request(session, request, now)
    for offer in offers:
        anonymise_offer(offer, now)
    session.flush()
    return PurgeResult(len(requests), len(offers), notes, cutoff)


def compact(session: Session) -> bool:
    """On SQLite, rewrite the database file (``VACUUM``) and empty the write-ahead log, so the
    values a purge or an erasure removed do not linger in free pages. Returns False (nothing
    done) on PostgreSQL, whose own vacuum reclaims old row versions: docs/data-protection.md,
    "Removed from the database, not hidden". Call it outside a unit of work: it commits."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return False
    session.commit()
    engine = bind.engine if hasattr(bind, "engine") else bind
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return True
