"""Accounts for tests: make a user (organisation member or staff) and sign a test client in.

``sign_in_as`` writes the session the way a real sign-in does (the accounts package owns that
format: keep the two in step), so tests of other areas do not drive the sign-in form.
"""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from directory.accounts.models import MemberRole, Membership, StaffRole, User
from directory.core.ids import new_id, utcnow

PASSWORD = "correct horse battery staple"


def create_user(
    session: Session,
    email: str | None = None,
    *,
    staff_role: StaffRole = StaffRole.NONE,
    organization_id: str | None = None,
    member_role: MemberRole = MemberRole.OWNER,
    verified: bool = True,
    password: str = PASSWORD,
    name: str = "",
) -> User:
    """A committed user; with ``organization_id``, a member of that organisation."""
    user = User(
        id=new_id(),
        email=(email or f"{new_id()[:8]}@example.org").lower(),
        name=name,
        password_hash=generate_password_hash(password),
        staff_role=staff_role,
        email_verified_at=utcnow() if verified else None,
    )
    if organization_id:
        user.memberships.append(Membership(organization_id=organization_id, role=member_role))
    session.add(user)
    session.commit()
    return user


def sign_in_as(client: FlaskClient, user: User) -> None:
    """Put ``user`` in the client's session cookie, as the sign-in page would."""
    from directory.accounts.session import session_keys

    with client.session_transaction() as cookie:
        cookie.update(session_keys(user))
