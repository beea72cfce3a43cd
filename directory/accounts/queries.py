"""Reading accounts: find a person by address, an organisation's people and its name."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.accounts.models import MemberRole, Membership, User


def normalise_email(email: str | None) -> str:
    """Addresses are kept lower-cased: the sign-in name ignores case."""
    return (email or "").strip().lower()


def find_user(session: Session, email: str | None) -> User | None:
    address = normalise_email(email)
    if not address or not address.isprintable():
        return None  # a NUL or control character names no account (and PostgreSQL refuses it)
    return session.scalar(select(User).where(func.lower(User.email) == address))


def members(session: Session, organization_id: str) -> list[Membership]:
    """An organisation's people, owners first, then in the order they joined."""
    rows = session.scalars(
        select(Membership)
        .where(Membership.organization_id == organization_id)
        .order_by(Membership.created_at, Membership.id)
    ).all()
    return sorted(rows, key=lambda m: m.role != MemberRole.OWNER)


def organization_name(session: Session, organization_id: str) -> str:
    """The name given at sign-up (the first non-empty one any member carries)."""
    names = session.scalars(
        select(Membership.organization_name).where(
            Membership.organization_id == organization_id, Membership.organization_name != ""
        )
    ).all()
    return names[0] if names else ""


def owner_count(session: Session, organization_id: str) -> int:
    """How many owners the organisation has, locking their rows (PostgreSQL) so two owners
    demoting each other at once cannot leave none."""
    owners = session.scalars(
        select(Membership.id)
        .where(
            Membership.organization_id == organization_id,
            Membership.role == MemberRole.OWNER,
        )
        .with_for_update()
    ).all()
    return len(owners)
