"""Claims ("Is this you? Ask to manage it"): an organisation member asks to manage a listing
already in the directory; a moderator approves (the claimant joins the listing's organisation)
or rejects it with a reason that is emailed. Plain functions; none commits (see
:mod:`directory.moderation.services` for the unit of work they run in).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.accounts.models import MemberRole, Membership, User
from directory.core.ids import utcnow
from directory.listings.models import Service
from directory.moderation.models import Claim, ClaimState
from directory.moderation.services import (
    ModerationError,
    clean_reason,
    email,
    listing_url,
    log_action,
    organisation_name,
    waiting_words,
)


@dataclass(frozen=True)
class ClaimEntry:
    claim: Claim
    service_name: str
    organisation: str
    waiting: str


def claim_queue(session: Session) -> list[ClaimEntry]:
    """Open claims, the longest-waiting first."""
    rows = session.scalars(
        select(Claim).where(Claim.state == ClaimState.OPEN).order_by(Claim.created_at, Claim.id)
    )
    now = utcnow()
    out = []
    for claim in rows:
        service = session.get(Service, claim.service_id)
        out.append(
            ClaimEntry(
                claim,
                service.name if service else "A deleted listing",
                organisation_name(session, claim.organization_id),
                waiting_words(claim.created_at, now),
            )
        )
    return out


def _open(claim: Claim) -> None:
    if claim.state != ClaimState.OPEN:
        raise ModerationError(f"This claim was already {claim.state.value}")


def _claimant(session: Session, claim: Claim) -> User | None:
    return session.get(User, claim.user_id) if claim.user_id else None


def approve_claim(session: Session, claim: Claim, moderator: User) -> Membership:
    """Make the claimant a member of the listing's organisation (owner if it has no members
    yet, else editor). Nothing else is created: no organisation row, no listing."""
    _open(claim)
    service = session.get(Service, claim.service_id)
    if service is None or not service.organization_id:
        raise ModerationError(
            "This listing has no organisation to join: edit the listing to give it one first"
        )
    user = _claimant(session, claim)
    if user is None:
        raise ModerationError("The person who made this claim no longer has an account")
    org_id = service.organization_id
    membership = session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.organization_id == org_id
        )
    )
    if membership is None:
        has_members = session.scalar(
            select(Membership.id).where(Membership.organization_id == org_id).limit(1)
        )
        membership = Membership(
            user_id=user.id,
            organization_id=org_id,
            role=MemberRole.EDITOR if has_members else MemberRole.OWNER,
        )
        if hasattr(Membership, "organization_name") and service.organization is not None:
            membership.organization_name = service.organization.name[:200]
        session.add(membership)
    now = utcnow()
    claim.state, claim.decided_by, claim.decided_at = ClaimState.APPROVED, moderator.id, now
    log_action(session, moderator, "claim.approve", "claim", claim.id,
               service_id=service.id, organization_id=org_id)  # fmt: skip
    if user.email_verified_at is not None:
        name = " ".join(service.name.split())
        email(session, [user.email], "moderation_claim_approved",
               f"You can now manage {name}", name=name,
               listing_url=listing_url(service.id, service.name))  # fmt: skip
    session.flush()
    return membership


def reject_claim(session: Session, claim: Claim, moderator: User, reason: str | None) -> None:
    """Refuse a claim; the reason is emailed to the person who made it."""
    _open(claim)
    reason = clean_reason(reason)
    claim.state, claim.decided_by, claim.decided_at = ClaimState.REJECTED, moderator.id, utcnow()
    claim.reason = reason
    log_action(session, moderator, "claim.reject", "claim", claim.id,
               service_id=claim.service_id, reason=reason)  # fmt: skip
    user = _claimant(session, claim)
    service = session.get(Service, claim.service_id)
    if user is not None and user.email_verified_at is not None:
        name = " ".join((service.name if service else "the listing").split())
        email(session, [user.email], "moderation_claim_rejected",
               f"Your request to manage {name}", name=name, reason=reason)  # fmt: skip
    session.flush()
