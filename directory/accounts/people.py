"""An organisation's people: owners invite, change roles and remove; at least one owner stays.

An invitation creates the membership at once. A person new to the site gets an account with no
usable password and an emailed link (single use: :mod:`directory.accounts.tokens`) to choose
one; someone who already has an account is told they were added and signs in as usual. The
owner sees the same thing either way.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.accounts import passwords
from directory.accounts.models import MemberRole, Membership, StaffRole, User
from directory.accounts.notify import (
    describe_hours,
    log_staff_action,
    send_account_mail,
    token_link,
)
from directory.accounts.queries import find_user, normalise_email, organization_name, owner_count
from directory.accounts.tokens import Purpose, max_age_hours
from directory.core.ids import new_id, utcnow

log = logging.getLogger(__name__)


class PeopleError(ValueError):
    """A change to an organisation's people that cannot be made; the message says why."""


class LastOwnerError(PeopleError):
    pass


LAST_OWNER = (
    "An organisation needs at least one owner. Make someone else an owner first, then change "
    "or remove this person"
)


def _is_staff(user: User) -> bool:
    return user.staff_role in (StaffRole.MODERATOR, StaffRole.ADMIN)


def membership(session: Session, organization_id: str, membership_id: str) -> Membership | None:
    return session.scalar(
        select(Membership).where(
            Membership.id == membership_id, Membership.organization_id == organization_id
        )
    )


def invite_member(
    session: Session, inviter: User, organization_id: str, email: str, role: MemberRole
) -> Membership:
    """Add the person with ``email`` to the organisation and email them."""
    address = normalise_email(email)
    user = find_user(session, address)
    if user is not None and any(m.organization_id == organization_id for m in user.memberships):
        raise PeopleError("That person is already in this organisation")
    if user is None:
        user = User(id=new_id(), email=address, name="", password_hash=passwords.UNUSABLE)
        session.add(user)
    org_name = organization_name(session, organization_id)
    added = Membership(organization_id=organization_id, role=role, organization_name=org_name)
    user.memberships.append(added)
    session.flush()
    context = {
        "organisation_name": org_name,
        "inviter_name": inviter.name,
        "role": str(role),
    }
    if user.is_disabled:
        pass
    elif passwords.has_usable_password(user.password_hash):
        send_account_mail(
            session, user, "You have been added to an organisation", "added", **context
        )
    else:
        send_account_mail(
            session,
            user,
            "You have been invited to manage listings",
            "invite",
            link=token_link("accounts.accept_invite", user, Purpose.INVITE),
            expires_in=describe_hours(max_age_hours(Purpose.INVITE)),
            **context,
        )
    if _is_staff(inviter):
        log_staff_action(session, inviter, "membership.add", added, role=str(role))
    log.info("Account %s added to an organisation as %s", user.id, role)
    return added


def accept_invitation(session: Session, user: User, name: str, password: str) -> None:
    """The invited person chose a password (the link reached them: the address is confirmed)."""
    problem = passwords.password_problem(password, user.email)
    if problem:
        raise PeopleError(problem)
    user.password_hash = passwords.hash_password(password)
    user.session_version = (user.session_version or 1) + 1
    if name.strip():
        user.name = name.strip()
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    log.info("Account %s accepted an invitation", user.id)


def _keep_an_owner(session: Session, member: Membership) -> None:
    if member.role == MemberRole.OWNER and owner_count(session, member.organization_id) <= 1:
        raise LastOwnerError(LAST_OWNER)


def change_member_role(session: Session, actor: User, member: Membership, role: MemberRole) -> None:
    if member.role == role:
        return
    if role != MemberRole.OWNER:
        _keep_an_owner(session, member)
    if _is_staff(actor):
        log_staff_action(
            session, actor, "membership.set_role", member, old=str(member.role), new=str(role)
        )
    member.role = role


def remove_member(session: Session, actor: User, member: Membership) -> None:
    """Remove someone; an invited person who never set a password and belongs nowhere else is
    deleted with their address."""
    _keep_an_owner(session, member)
    if _is_staff(actor):
        log_staff_action(session, actor, "membership.remove", member, role=str(member.role))
    user = member.user
    user.memberships.remove(member)
    session.flush()
    if not user.memberships and not passwords.has_usable_password(user.password_hash):
        session.delete(user)
    log.info("A membership was removed from an organisation")
