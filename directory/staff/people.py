"""Accounts as admins see them at /staff/people: find people, give or take a staff role, and
disable or enable an account.

Plain functions over a session; the caller owns the unit of work. The changes themselves are
:func:`directory.accounts.services.set_staff_role` and
:func:`~directory.accounts.services.set_disabled` (which sign the person out everywhere and
write the staff log); this module adds the rules that keep the site manageable:

* the site always keeps at least one admin who can sign in: the last one cannot lose the role
  or be disabled (``users set-role`` from the command line is the way back if it ever happens);
* nobody disables their own account from here (they would lock themselves out mid-action).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from directory.accounts import services as accounts
from directory.accounts.models import MemberRole, Membership, StaffRole, User
from directory.listings.models import Organization

#: The most accounts one page lists; a search narrows it down.
LIST_LIMIT = 200
SEARCH_MAX_LENGTH = 200
UNLISTED = "An organisation not yet listed"
ROLE_LABELS = {StaffRole.NONE: "None", StaffRole.MODERATOR: "Moderator", StaffRole.ADMIN: "Admin"}
#: The staff log's account actions, in words for the person page.
ACTION_WORDS = {
    "user.create": "created the account",
    "user.set_role": "changed the staff role",
    "user.disable": "disabled the account",
    "user.enable": "enabled the account",
    "user.reset_totp": "turned off two-step verification",
}


class PeopleRefused(ValueError):
    """A change that would break a rule; the message says why, for the admin to read."""


@dataclass(frozen=True)
class OrganisationPlace:
    organization_id: str
    name: str
    role: MemberRole
    listed: bool  # the organisation has a row in the directory (a staff page to link to)


@dataclass(frozen=True)
class Person:
    """One account as the list and the person page show it."""

    user: User
    organisations: list[OrganisationPlace]

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.user.staff_role, str(self.user.staff_role))

    @property
    def verified(self) -> bool:
        return self.user.email_verified_at is not None

    @property
    def last_sign_in(self) -> datetime | None:
        return self.user.last_sign_in_at


def _like(words: str) -> str:
    """A LIKE pattern matching ``words`` anywhere, with LIKE's own wildcards taken literally."""
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def clean_words(words: str | None) -> str:
    """A search as typed, on one line and of a sensible length."""
    text = "".join(ch for ch in (words or "") if ch.isprintable())
    return " ".join(text.split())[:SEARCH_MAX_LENGTH]


def find_people(session: Session, words: str = "", limit: int = LIST_LIMIT) -> list[Person]:
    """Accounts whose email, name or organisation's name contains ``words`` (all accounts when
    empty): staff first, then by email address."""
    query = select(User).options(selectinload(User.memberships))
    words = clean_words(words)
    if words:
        pattern = _like(words)
        in_named_org = select(Membership.user_id).where(
            or_(
                func.lower(Membership.organization_name).like(pattern, escape="\\"),
                Membership.organization_id.in_(
                    select(Organization.id).where(
                        func.lower(Organization.name).like(pattern, escape="\\")
                    )
                ),
            )
        )
        query = query.where(
            or_(
                func.lower(User.email).like(pattern, escape="\\"),
                func.lower(User.name).like(pattern, escape="\\"),
                User.id.in_(in_named_org),
            )
        )
    rank = (User.staff_role == StaffRole.NONE).label("not_staff")
    users = list(session.scalars(query.order_by(rank, User.email).limit(limit)))
    return describe(session, users)


def describe(session: Session, users: list[User]) -> list[Person]:
    """Each account with its organisations' names (the directory's name once listed, else the
    name given at sign-up)."""
    org_ids = {m.organization_id for u in users for m in u.memberships}
    listed = (
        dict(
            session.execute(
                select(Organization.id, Organization.name).where(Organization.id.in_(org_ids))
            ).all()
        )
        if org_ids
        else {}
    )
    people = []
    for user in users:
        places = [
            OrganisationPlace(
                organization_id=m.organization_id,
                name=listed.get(m.organization_id) or m.organization_name or UNLISTED,
                role=m.role,
                listed=m.organization_id in listed,
            )
            for m in user.memberships
        ]
        people.append(Person(user, sorted(places, key=lambda p: p.name.lower())))
    return people


def person(session: Session, user_id: str) -> Person | None:
    user = session.get(User, user_id[:64])
    return describe(session, [user])[0] if user is not None else None


def _enabled_admins(session: Session) -> list[str]:
    """Ids of admins who can sign in, locked for the rest of the transaction where the database
    can (PostgreSQL), so two admins demoting each other at once cannot both succeed."""
    query = (
        select(User.id)
        .where(User.staff_role == StaffRole.ADMIN, User.is_disabled.is_(False))
        .with_for_update()
    )
    return list(session.scalars(query))


def _keeps_an_admin(session: Session, target: User) -> None:
    if target.staff_role != StaffRole.ADMIN or target.is_disabled:
        return
    if [uid for uid in _enabled_admins(session) if uid != target.id]:
        return
    raise PeopleRefused(
        "This is the only admin who can sign in, so they must stay an admin. Make someone "
        "else an admin first"
    )


def change_role(session: Session, target: User, role: StaffRole, *, by: User) -> bool:
    """Give ``target`` a staff role (or none). Returns whether anything changed. Raises
    :class:`PeopleRefused` for the last admin."""
    if target.staff_role == role:
        return False
    if role != StaffRole.ADMIN:
        _keeps_an_admin(session, target)
    accounts.set_staff_role(session, target, role, by=by)
    return True


def change_access(session: Session, target: User, disabled: bool, *, by: User) -> bool:
    """Disable (signing the person out everywhere) or enable an account. Returns whether
    anything changed. Raises :class:`PeopleRefused` for one's own account or the last admin."""
    if target.is_disabled == disabled:
        return False
    if disabled:
        if target.id == by.id:
            raise PeopleRefused(
                "You cannot disable your own account. Ask another admin if it must be done"
            )
        _keeps_an_admin(session, target)
    accounts.set_disabled(session, target, disabled, by=by)
    return True
