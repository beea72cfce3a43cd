"""What staff do with offers: the list by status, and approve, reject, pause, close or change
capacity. Plain functions, callable without a request; each records a ``StaffAction`` (ids and
states only, never the offer's personal details) and none commits: the view's unit of work
does, so the change and its log row are kept together or not at all.

Which change is allowed from which status:

* approve: a pending offer (checked, now ACTIVE), or a paused one (active again);
* reject: a pending offer, with a reason (kept on the offer, not in the staff log, since
  staff may type anything);
* pause: an active offer (full, or away for a while): matching stops using it;
* close: any offer not already closed or rejected;
* capacity: any offer not closed or rejected, never below the people it is helping now.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.accounts.models import User
from directory.core.ids import utcnow
from directory.help_offers.models import HelpOffer, OfferStatus
from directory.help_offers.services import MAX_CAPACITY, OfferError
from directory.staff.models import StaffAction

#: The list's tabs, in order: what needs a decision first.
STATUS_ORDER = (
    OfferStatus.PENDING_CHECK,
    OfferStatus.ACTIVE,
    OfferStatus.PAUSED,
    OfferStatus.CLOSED,
    OfferStatus.REJECTED,
)
STATUS_LABELS = {
    OfferStatus.PENDING_CHECK: "Waiting for a check",
    OfferStatus.ACTIVE: "Active",
    OfferStatus.PAUSED: "Paused",
    OfferStatus.CLOSED: "Closed",
    OfferStatus.REJECTED: "Rejected",
}
ALLOWED_FROM = {
    "approve": {OfferStatus.PENDING_CHECK, OfferStatus.PAUSED},
    "reject": {OfferStatus.PENDING_CHECK},
    "pause": {OfferStatus.ACTIVE},
    "close": {OfferStatus.PENDING_CHECK, OfferStatus.ACTIVE, OfferStatus.PAUSED},
    "capacity": {OfferStatus.PENDING_CHECK, OfferStatus.ACTIVE, OfferStatus.PAUSED},
}
TARGET_TYPE = "help_offer"
_DONE = {"approve": "approved", "reject": "rejected", "pause": "paused", "close": "closed"}


def status_counts(session: Session) -> dict[OfferStatus, int]:
    rows = session.execute(
        select(HelpOffer.status, func.count(HelpOffer.id)).group_by(HelpOffer.status)
    )
    counts = dict.fromkeys(STATUS_ORDER, 0)
    counts.update((status, count) for status, count in rows)
    return counts


def offers_in_status(
    session: Session, status: OfferStatus, *, page: int = 1, per_page: int = 50
) -> list[HelpOffer]:
    """One page of the offers in ``status``, oldest first (the longest waiting at the top)."""
    query = (
        select(HelpOffer)
        .where(HelpOffer.status == status)
        .order_by(HelpOffer.created_at, HelpOffer.id)
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    )
    return list(session.scalars(query))


def may(action: str, offer: HelpOffer) -> bool:
    return offer.status in ALLOWED_FROM.get(action, set())


def _log(session: Session, user: User, action: str, offer: HelpOffer, **detail: Any) -> None:
    session.add(
        StaffAction(
            user_id=user.id,
            action=f"offer.{action}",
            target_type=TARGET_TYPE,
            target_id=offer.id,
            detail={k: v for k, v in detail.items() if v is not None},
            at=utcnow(),
        )
    )


def _move(session: Session, offer: HelpOffer, user: User, action: str, to: OfferStatus) -> None:
    if not may(action, offer):
        raise OfferError(
            f"This offer is {STATUS_LABELS[offer.status].lower()}, so it cannot be {_DONE[action]}"
        )
    before = offer.status
    offer.status = to
    _log(session, user, action, offer, **{"from": before.value, "to": to.value})


def approve(session: Session, offer: HelpOffer, user: User) -> None:
    """Checked and fine: matching may use it from now on."""
    was_pending = offer.status == OfferStatus.PENDING_CHECK
    _move(session, offer, user, "approve", OfferStatus.ACTIVE)
    if was_pending:
        offer.checked_by, offer.checked_at = user.id, utcnow()


def reject(session: Session, offer: HelpOffer, user: User, reason: str) -> None:
    if not reason.strip():
        raise OfferError("Enter why the offer is rejected")
    _move(session, offer, user, "reject", OfferStatus.REJECTED)
    offer.checked_by, offer.checked_at = user.id, utcnow()
    offer.extra = {**(offer.extra or {}), "rejected_reason": reason.strip()}


def pause(session: Session, offer: HelpOffer, user: User) -> None:
    _move(session, offer, user, "pause", OfferStatus.PAUSED)


def close(session: Session, offer: HelpOffer, user: User) -> None:
    _move(session, offer, user, "close", OfferStatus.CLOSED)


def set_capacity(session: Session, offer: HelpOffer, user: User, capacity: int | None) -> None:
    """How many people at once (None: no set limit); never fewer than it helps now."""
    if not may("capacity", offer):
        raise OfferError(
            f"This offer is {STATUS_LABELS[offer.status].lower()}, so its capacity cannot change"
        )
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise OfferError(f"Enter a number from 1 to {MAX_CAPACITY}")
    if capacity is not None and capacity < (offer.in_use or 0):
        raise OfferError(
            f"It is helping {offer.in_use} people now: enter {offer.in_use} or more, and it "
            "will take nobody new"
        )
    before = offer.capacity
    offer.capacity = capacity
    _log(session, user, "capacity", offer, before=before, after=capacity)


def history(session: Session, offer: HelpOffer) -> list[StaffAction]:
    """What staff have done to this offer, oldest first."""
    query = (
        select(StaffAction)
        .where(StaffAction.target_type == TARGET_TYPE, StaffAction.target_id == offer.id)
        .order_by(StaffAction.at, StaffAction.id)
    )
    return list(session.scalars(query))
