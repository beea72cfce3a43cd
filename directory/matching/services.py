"""What staff do with a request: look at it, assign it, log a contact attempt, record the
outcome. Plain functions, callable without a web request; none commits (the caller's unit of
work does), and each leaves a ``StaffAction`` row with ids and states only, never the
person's details or the note's words. Every look at a person's details, and every attempt
to contact them, is logged through :func:`directory.privacy.services.log_access`.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from directory.accounts.models import User
from directory.core.ids import utcnow
from directory.help_offers.models import HelpOffer, OfferStatus
from directory.help_requests.models import ContactAttempt, HelpRequest, Outcome, RequestStatus
from directory.listings.models import Service
from directory.listings.visibility import is_public
from directory.privacy.services import log_access
from directory.staff.models import StaffAction

RECORD_TYPE = "help_request"
CONTACT_METHODS = {"phone": "Phone", "email": "Email", "text": "Text message", "letter": "Letter"}
OUTCOME_LABELS = {
    Outcome.MATCHED: "Matched to an offer or a listed service",
    Outcome.SIGNPOSTED: "Signposted: given services to contact themselves",
    Outcome.SELF_SERVED: "Found help themselves",
    Outcome.NO_MATCH: "No match: nobody could help",
    Outcome.WITHDRAWN: "Withdrawn: they no longer need help",
}
NOTE_MAX_LENGTH = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class MatchingError(ValueError):
    """An action that cannot be done as asked; the message says why, for the page."""


def clean_note(value: str | None) -> str | None:
    """A note as stored: control characters out, line endings plain, trimmed, cut to
    ``NOTE_MAX_LENGTH``; None when nothing is left."""
    if value is None:
        return None
    text = _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n")).strip()
    return text[:NOTE_MAX_LENGTH] or None


def _log(
    session: Session, user_id: str, action: str, request: HelpRequest, **detail: object
) -> None:
    session.add(
        StaffAction(
            user_id=user_id,
            action=action,
            target_type=RECORD_TYPE,
            target_id=request.id,
            detail={"reference": request.reference, **detail},
        )
    )


def viewed(session: Session, request: HelpRequest, user_id: str) -> None:
    """Staff were shown the person's details (the request page)."""
    if request.anonymised_at is None:
        log_access(session, user_id, RECORD_TYPE, request.id, "view")


def assign(
    session: Session, request: HelpRequest, assignee_id: str | None, by_user_id: str
) -> None:
    """Give the request to a member of staff (None: back to the open list)."""
    if request.status == RequestStatus.CLOSED:
        raise MatchingError("This request is closed, so it cannot be assigned.")
    if assignee_id is not None:
        assignee = session.get(User, assignee_id)
        if assignee is None or not assignee.is_staff or assignee.is_disabled:
            raise MatchingError("Choose a member of staff whose account is active.")
    if request.assigned_to == assignee_id:
        return
    request.assigned_to = assignee_id
    request.status = RequestStatus.ASSIGNED if assignee_id else RequestStatus.OPEN
    _log(session, by_user_id, "help_request.assign", request, assigned_to=assignee_id)


def log_contact_attempt(
    session: Session,
    request: HelpRequest,
    by_user_id: str,
    method: str,
    succeeded: bool,
    note: str | None = None,
    at: datetime | None = None,
) -> ContactAttempt:
    """Staff tried to reach the person. The note is kept with the request and removed with
    the rest of its personal data; the staff log holds only the method and the result."""
    if method not in CONTACT_METHODS:
        raise MatchingError("Choose how you tried to contact them.")
    if request.anonymised_at is not None:
        raise MatchingError("This request's contact details have been removed.")
    attempt = ContactAttempt(
        request_id=request.id,
        at=at or utcnow(),
        by=by_user_id,
        method=method,
        succeeded=bool(succeeded),
        note=clean_note(note),
    )
    request.attempts.append(attempt)
    log_access(session, by_user_id, RECORD_TYPE, request.id, "contact")
    _log(
        session,
        by_user_id,
        "help_request.contact_attempt",
        request,
        method=method,
        succeeded=bool(succeeded),
    )
    return attempt


def _take_place(session: Session, offer_id: str) -> None:
    """One more person matched to the offer, in one UPDATE that only succeeds while it is
    active and has a place free: two staff matching the last place cannot both have it."""
    taken = session.execute(
        update(HelpOffer)
        .where(
            HelpOffer.id == offer_id,
            HelpOffer.status == OfferStatus.ACTIVE,
            or_(HelpOffer.capacity.is_(None), HelpOffer.in_use < HelpOffer.capacity),
        )
        .values(in_use=HelpOffer.in_use + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise MatchingError("That offer is no longer active or has no place free. Choose another.")
    offer = session.get(HelpOffer, offer_id)
    if offer is not None:
        session.refresh(offer, ["in_use"])


def _public_service(session: Session, service_id: str) -> Service:
    service = session.get(Service, service_id)
    if service is None or not is_public(service):
        raise MatchingError("That listing is not on the public directory any more.")
    return service


def record_outcome(
    session: Session,
    request: HelpRequest,
    by_user_id: str,
    outcome: Outcome,
    *,
    offer_id: str | None = None,
    service_id: str | None = None,
    now: datetime | None = None,
) -> None:
    """Close the request with its outcome.

    Matched needs exactly one offer or listing (an offer gains one place in use); signposted
    may name the listing given; the other outcomes name nothing."""
    if request.status == RequestStatus.CLOSED:
        raise MatchingError("This request is already closed.")
    if outcome not in (Outcome.MATCHED, Outcome.SIGNPOSTED):
        offer_id = service_id = None
    if outcome == Outcome.MATCHED and bool(offer_id) == bool(service_id):
        raise MatchingError("Choose the offer or listing they were matched to.")
    if outcome == Outcome.SIGNPOSTED and offer_id:
        raise MatchingError("Signposting is to a listed service: choose a listing, or none.")
    if service_id:
        _public_service(session, service_id)
    if offer_id:
        _take_place(session, offer_id)
    request.outcome = outcome
    request.status = RequestStatus.CLOSED
    request.closed_at = now or utcnow()
    request.matched_offer_id = offer_id
    request.matched_service_id = service_id
    _log(
        session,
        by_user_id,
        "help_request.outcome",
        request,
        outcome=outcome.value,
        offer_id=offer_id,
        service_id=service_id,
    )
