"""Who may do what: the one home for permission rules, used by views, templates and tests.

* Staff (moderator or admin) see every listing, proposal, claim and report.
* Only an admin manages staff accounts and organisation trust or suspension.
* An organisation member sees and changes only their own organisations' proposals, listings
  and reports; an owner also manages the organisation's people.

Views use the decorators :func:`staff_required` and :func:`member_required`; they send an
anonymous visitor to sign in and answer 403 to someone signed in without the right.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from directory.accounts.models import MemberRole, StaffRole, User
from directory.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


def is_moderator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.staff_role in (
        StaffRole.MODERATOR,
        StaffRole.ADMIN,
    )


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.staff_role == StaffRole.ADMIN


def organization_ids(user: Any) -> set[str]:
    """The organisations ``user`` is a member of (empty for anonymous visitors)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return {m.organization_id for m in user.memberships}


def can_manage_organization(user: Any, organization_id: str | None) -> bool:
    """Members change their organisation's listings; staff may change any."""
    if organization_id is None:
        return is_moderator(user)
    return is_moderator(user) or organization_id in organization_ids(user)


def can_manage_people(user: Any, organization_id: str) -> bool:
    """Only an owner (or an admin) adds and removes an organisation's people."""
    if is_admin(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return any(
        m.organization_id == organization_id and m.role == MemberRole.OWNER
        for m in user.memberships
    )


def staff_required(role: StaffRole = StaffRole.MODERATOR) -> Callable[[F], F]:
    """Anonymous: to sign in. Signed in without the role: 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            allowed = (
                is_admin(current_user) if role == StaffRole.ADMIN else is_moderator(current_user)
            )
            if not allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_staff_role = role  # type: ignore[attr-defined]  (read by route sweeps)
        return wrapped  # type: ignore[return-value]

    return decorator


def member_required(view: F) -> F:
    """Any signed-in person with a verified email (staff included): to sign in otherwise."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.email_verified_at:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def user_label(user: User | None) -> str:
    """How staff screens name a person: their name, else their email."""
    if user is None:
        return "a deleted account"
    return user.name or user.email
