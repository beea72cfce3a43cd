"""Moderation decisions as plain functions: approve, reject or ask for changes to a proposal;
approve or reject a claim. Callable without a request (tests, commands).

None of them commits. The caller wraps each decision in one
:func:`directory.core.uow.unit_of_work` with the moderator as actor, so "write the listing,
mark the proposal approved, log the staff action, email the organisation" happens as one: if
the mail server refuses the email, the listing is not written either, and the moderator is
told to try again. Emails are rendered here (they need an app context; links are absolute).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.accounts.models import Membership, User
from directory.core import urls
from directory.core.ids import normalise_uuid, utcnow
from directory.core.uow import QueuedMail, queue_mail
from directory.listings.models import Organization, Service
from directory.moderation.apply import apply_proposal
from directory.moderation.models import (
    Proposal,
    ProposalKind,
    ProposalState,
)
from directory.staff.models import StaffAction

KIND_LABELS = {
    ProposalKind.NEW: "New listing",
    ProposalKind.EDIT: "Edit",
    ProposalKind.RESTORE: "Restore",
}
STATE_LABELS = {
    ProposalState.DRAFT: "Draft",
    ProposalState.SUBMITTED: "Waiting for a moderator",
    ProposalState.CHANGES_REQUESTED: "Changes requested",
    ProposalState.APPROVED: "Approved",
    ProposalState.REJECTED: "Rejected",
    ProposalState.WITHDRAWN: "Withdrawn",
}


class ModerationError(ValueError):
    """A decision that cannot be made; the message says why, for the moderator."""


# -- reading ------------------------------------------------------------------------------


def proposal_name(proposal: Proposal) -> str:
    """The listing's name as the proposal gives it, on one line."""
    return " ".join(str((proposal.payload or {}).get("name") or "Unnamed listing").split())


def organisation_name(session: Session, organization_id: str | None, payload: Any = None) -> str:
    """An organisation's name: the directory's row, else the proposal's record, else the name
    given at sign-up (a group's first listing has no row yet)."""
    if organization_id:
        org = session.get(Organization, organization_id)
        if org is not None:
            return org.name
    named = (payload or {}).get("organization") if isinstance(payload, dict) else None
    if isinstance(named, dict) and named.get("name"):
        return " ".join(str(named["name"]).split())
    if organization_id and hasattr(Membership, "organization_name"):
        found = session.scalar(
            select(Membership.organization_name).where(
                Membership.organization_id == organization_id,
                Membership.organization_name != "",
            )
        )
        if found:
            return found
    return "An organisation not yet in the directory"


def waiting_words(since: datetime | None, now: datetime | None = None) -> str:
    """How long something has waited, roughly: "3 days", "5 hours", "under an hour"."""
    if since is None:
        return "not known"
    delta: timedelta = (now or utcnow()) - since
    days, hours = delta.days, delta.seconds // 3600
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''}"
    if hours >= 1:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return "under an hour"


@dataclass(frozen=True)
class QueueEntry:
    proposal: Proposal
    kind: str
    name: str
    organisation: str
    waiting: str


def proposal_queue(session: Session) -> list[QueueEntry]:
    """Proposals waiting for a moderator, the longest-waiting first."""
    rows = session.scalars(
        select(Proposal)
        .where(Proposal.state == ProposalState.SUBMITTED)
        .order_by(Proposal.submitted_at.asc(), Proposal.id)
    )
    now = utcnow()
    return [
        QueueEntry(
            p,
            KIND_LABELS.get(p.kind, str(p.kind)),
            proposal_name(p),
            organisation_name(session, p.organization_id, p.payload),
            waiting_words(p.submitted_at, now),
        )
        for p in rows
    ]


# -- shared -------------------------------------------------------------------------------


def log_action(
    session: Session, user: User, action: str, target_type: str, target_id: str, **detail: Any
) -> StaffAction:
    """Record a staff action: ids, states and reasons only, never personal data."""
    entry = StaffAction(
        user_id=user.id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail={k: v for k, v in detail.items() if v is not None},
        at=utcnow(),
    )
    session.add(entry)
    return entry


def member_addresses(session: Session, organization_id: str | None) -> list[str]:
    """Verified, enabled members of an organisation: who hears about its listings."""
    if not organization_id:
        return []
    rows = session.scalars(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organization_id == organization_id,
            User.email_verified_at.is_not(None),
            User.is_disabled.is_(False),
        )
        .order_by(User.email)
    )
    return list(dict.fromkeys(rows))


def site_url(path: str) -> str:
    """An absolute link to ``path`` on this site (emails need absolute links), from
    ``PUBLIC_BASE_URL``, never the request's Host (:mod:`directory.core.urls`)."""
    return urls.site_url(path)


def listing_url(service_id: str, name: str) -> str:
    from directory.public.views import listing_slug

    return urls.external_url("public.service", service_id=service_id, slug=listing_slug(name))


def email(
    session: Session, addresses: list[str], template: str, subject: str, **context: Any
) -> None:
    from directory.extensions import mail

    context.setdefault("manage_url", site_url("/manage/"))
    text, html = mail.render(template, **context)
    for address in addresses:
        queue_mail(session, QueuedMail(address, subject, text, html))


def _site_name() -> str:
    return str(current_app.config.get("SERVICE_NAME") or "the directory")


def clean_reason(reason: str | None) -> str:
    """A reason as stored and emailed: printable text, trimmed; required where it is asked."""
    cleaned = "".join(ch for ch in (reason or "") if ch in "\n\t" or ch.isprintable()).strip()
    if not cleaned:
        raise ModerationError("Enter a reason: the organisation is told it by email")
    return cleaned


# -- proposals ----------------------------------------------------------------------------


def _waiting(proposal: Proposal) -> None:
    if proposal.state != ProposalState.SUBMITTED:
        state = STATE_LABELS.get(proposal.state, str(proposal.state)).lower()
        raise ModerationError(f"This proposal is not waiting for a decision: it is {state}")


def _same_id(a: Any, b: Any) -> bool:
    return (normalise_uuid(a) or a) == (normalise_uuid(b) or b)


def check_ownership(session: Session, proposal: Proposal) -> None:
    """An organisation may only propose for its own listings and under its own name."""
    payload = proposal.payload or {}
    named = payload.get("organization") if isinstance(payload.get("organization"), dict) else {}
    payload_org = named.get("id") or payload.get("organization_id")
    if (
        proposal.organization_id
        and payload_org
        and not _same_id(payload_org, proposal.organization_id)
    ):
        raise ModerationError(
            "The proposal names a different organisation from the one that sent it"
        )
    live = session.get(Service, proposal.service_id)
    if proposal.kind == ProposalKind.NEW:
        if live is not None:
            raise ModerationError("A listing with this id is already in the directory")
        return
    if live is None:
        raise ModerationError("The listing this proposal changes is no longer in the directory")
    if (
        proposal.organization_id
        and live.organization_id
        and not _same_id(live.organization_id, proposal.organization_id)
    ):
        raise ModerationError("The listing belongs to another organisation")


def approve(session: Session, proposal: Proposal, moderator: User) -> Service:
    """Write the proposal to the live listing, mark it approved, log it, email the members.

    A new listing gets its needs inferred straight away (``infer_services`` does not commit,
    so that is part of the same unit of work). Raises :class:`ModerationError` or
    :class:`directory.moderation.apply.ProposalInvalid`."""
    _waiting(proposal)
    check_ownership(session, proposal)
    service = apply_proposal(session, proposal)
    now = utcnow()
    proposal.state = ProposalState.APPROVED
    proposal.decided_by, proposal.decided_at, proposal.reason = moderator.id, now, None
    log_action(session, moderator, "proposal.approve", "proposal", proposal.id,
               service_id=service.id, kind=str(proposal.kind))  # fmt: skip
    if proposal.kind == ProposalKind.NEW:
        from directory.inference.services import infer_services

        infer_services(session, [service.id])
    name = " ".join(service.name.split())
    email(
        session,
        member_addresses(session, proposal.organization_id),
        "moderation_approved",
        f"{name} is now on {_site_name()}",
        name=name,
        kind=proposal.kind.value,
        listing_url=listing_url(service.id, service.name),
    )
    session.flush()
    return service


def _send_back(
    session: Session,
    proposal: Proposal,
    moderator: User,
    reason: str | None,
    state: ProposalState,
) -> None:
    _waiting(proposal)
    reason = clean_reason(reason)
    proposal.state = state
    proposal.decided_by, proposal.decided_at, proposal.reason = moderator.id, utcnow(), reason
    action = "proposal.reject" if state == ProposalState.REJECTED else "proposal.request_changes"
    log_action(session, moderator, action, "proposal", proposal.id,
               service_id=proposal.service_id, reason=reason)  # fmt: skip
    name = proposal_name(proposal)
    rejected = state == ProposalState.REJECTED
    subject = (
        f"{name} was not approved"
        if rejected
        else f"Changes needed to {name} before it is published"
    )
    email(
        session,
        member_addresses(session, proposal.organization_id),
        "moderation_rejected" if rejected else "moderation_changes",
        subject,
        name=name,
        reason=reason,
        kind=proposal.kind.value,
    )
    session.flush()


def reject(session: Session, proposal: Proposal, moderator: User, reason: str | None) -> None:
    """Refuse the proposal for good; the live listing is untouched; the reason is emailed."""
    _send_back(session, proposal, moderator, reason, ProposalState.REJECTED)


def request_changes(
    session: Session, proposal: Proposal, moderator: User, reason: str | None
) -> None:
    """Send the proposal back so the organisation can edit and resubmit it."""
    _send_back(session, proposal, moderator, reason, ProposalState.CHANGES_REQUESTED)
