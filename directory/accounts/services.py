"""Accounts as plain functions: sign up, verify, sign in, reset, change password, sign out
everywhere, and the staff accounts the command line makes.

Each function changes the session and queues its email; the caller owns the unit of work
(:func:`directory.core.uow.unit_of_work`), so "create the account and send the link" happens
together or not at all. Functions that email a link build it from ``PUBLIC_BASE_URL``
(:func:`directory.core.urls.external_url`), never from the request's Host, so they work the
same in a request and in a command.

Security choices (docs/accounts.md):

* No account enumeration: :func:`sign_up` and :func:`start_reset` behave alike for known and
  unknown addresses (same page, a password hash either way, one email queued either way: a
  stand-in with no address where there is nobody to write to), and :func:`authenticate` gives
  one outcome for "no such account", "wrong password", "disabled" and "locked". No email is
  sent inside the request (:mod:`directory.core.outbox`), so the mail server cannot tell the
  two apart by time either.
* Throttling per account: ``SIGN_IN_MAX_FAILURES`` wrong passwords or codes in a row lock it
  for ``SIGN_IN_LOCK_MINUTES``; rate limits per address are on the views.
* Nothing personal in logs: account ids only.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from directory.accounts import passwords
from directory.accounts.models import MemberRole, Membership, StaffRole, User
from directory.accounts.notify import (
    describe_hours,
    log_staff_action,
    send_account_mail,
    token_link,
)
from directory.accounts.people import (  # noqa: F401  (one import for every account function)
    LastOwnerError,
    PeopleError,
    accept_invitation,
    change_member_role,
    invite_member,
    remove_member,
)
from directory.accounts.queries import (  # noqa: F401
    find_user,
    members,
    normalise_email,
    organization_name,
)
from directory.accounts.tokens import Purpose, max_age_hours
from directory.accounts.totp import (  # noqa: F401
    disable_totp,
    enable_totp,
    provisioning_uri,
    start_totp_setup,
    verify_totp,
)
from directory.core.ids import new_id, utcnow

log = logging.getLogger(__name__)

DEFAULT_MAX_FAILURES = 5
DEFAULT_LOCK_MINUTES = 15


class AccountError(ValueError):
    """A request the accounts cannot carry out; the message says how to put it right."""


class Outcome(enum.StrEnum):
    SIGNED_IN = "signed_in"
    NEEDS_CODE = "needs_code"  # password right; the person has TOTP on
    UNVERIFIED = "unverified"  # password right; email not confirmed yet (a new link is sent)
    FAILED = "failed"  # one outcome for every other case (no enumeration)


@dataclass(frozen=True)
class SignInResult:
    outcome: Outcome
    user: User | None = None


# Sign up and verify ---------------------------------------------------------------------


def sign_up(
    session: Session, *, organisation_name: str, name: str, email: str, password: str
) -> User | None:
    """A new organisation: an account, an owner's membership of a new organisation id, and a
    link to confirm the address. For an address that already has an account, nothing is
    created and its owner is told someone tried (the page the visitor sees is the same).
    Returns the new user, or None when the address was taken."""
    password_hash = passwords.hash_password(password)  # in both branches: same time taken
    existing = find_user(session, email)
    if existing is not None:
        send_account_mail(
            session,
            existing,
            "Someone tried to sign up",
            "exists",
            deliver=not existing.is_disabled,
        )
        return None
    user = User(
        id=new_id(),
        email=normalise_email(email),
        name=name.strip(),
        password_hash=password_hash,
        staff_role=StaffRole.NONE,
    )
    user.memberships.append(
        Membership(
            organization_id=new_id(),
            role=MemberRole.OWNER,
            organization_name=organisation_name.strip(),
        )
    )
    session.add(user)
    session.flush()
    send_verification(session, user, organisation_name=organisation_name.strip())
    log.info("Account %s signed up", user.id)
    return user


def send_verification(session: Session, user: User, **context: Any) -> None:
    send_account_mail(
        session,
        user,
        "Confirm your email address",
        "verify",
        link=token_link("accounts.verify", user, Purpose.VERIFY),
        expires_in=describe_hours(max_age_hours(Purpose.VERIFY)),
        **context,
    )


def verify_email(user: User, now: datetime | None = None) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = now or utcnow()
        log.info("Account %s verified its email address", user.id)


# Sign in --------------------------------------------------------------------------------


def _limits() -> tuple[int, timedelta]:
    config = current_app.config
    failures = int(config.get("SIGN_IN_MAX_FAILURES", DEFAULT_MAX_FAILURES))
    minutes = float(config.get("SIGN_IN_LOCK_MINUTES", DEFAULT_LOCK_MINUTES))
    return failures, timedelta(minutes=minutes)


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def record_failure(session: Session, user: User, now: datetime | None = None) -> None:
    """One more wrong password or code; at the limit the account locks for a while."""
    now = now or utcnow()
    max_failures, lock = _limits()
    user.failed_sign_ins = User.failed_sign_ins + 1  # counted in SQL: safe under concurrency
    session.flush()
    session.refresh(user, ["failed_sign_ins"])
    if user.failed_sign_ins >= max_failures:
        user.locked_until = now + lock
        user.failed_sign_ins = 0
        log.warning("Account %s locked after %d failed sign-ins", user.id, max_failures)


def authenticate(
    session: Session, email: str, password: str, now: datetime | None = None
) -> SignInResult:
    """Check an email and password. Every failure looks the same to the caller."""
    now = now or utcnow()
    user = find_user(session, email)
    if user is None:
        passwords.check_password(None, password)
        return SignInResult(Outcome.FAILED)
    matches = passwords.check_password(user.password_hash, password)
    if user.is_disabled or is_locked(user, now):
        return SignInResult(Outcome.FAILED)
    if not matches:
        record_failure(session, user, now)
        return SignInResult(Outcome.FAILED)
    if user.email_verified_at is None:
        send_verification(session, user)
        return SignInResult(Outcome.UNVERIFIED, user)
    if user.totp_enabled:
        return SignInResult(Outcome.NEEDS_CODE, user)
    return SignInResult(Outcome.SIGNED_IN, user)


def complete_sign_in(user: User, now: datetime | None = None) -> None:
    """The person is in (after the code, for those with TOTP): clear the failure count."""
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now or utcnow()


# Passwords and sessions ------------------------------------------------------------------


def start_reset(session: Session, email: str) -> None:
    """Email a reset link if the address has an account. For any other address the same
    work is done for a stand-in account that is never stored (a link made, the email
    rendered, one row queued), and the queued row has no address: nothing is sent."""
    user = find_user(session, email)
    deliver = user is not None and not user.is_disabled
    if user is None:
        user = User(
            id=new_id(), email=normalise_email(email), name="", password_hash=passwords.UNUSABLE
        )
    send_account_mail(
        session,
        user,
        "Reset your password",
        "reset",
        deliver=deliver,
        link=token_link("accounts.reset_with_token", user, Purpose.RESET),
        expires_in=describe_hours(max_age_hours(Purpose.RESET)),
    )


def _set_password(user: User, new_password: str) -> None:
    problem = passwords.password_problem(new_password, user.email)
    if problem:
        raise AccountError(problem)
    user.password_hash = passwords.hash_password(new_password)
    user.session_version = (user.session_version or 1) + 1


def reset_password(session: Session, user: User, new_password: str) -> None:
    """Set a new password from a reset link: every session signs out, the lock lifts, and the
    address counts as confirmed (the link reached it)."""
    _set_password(user, new_password)
    user.failed_sign_ins = 0
    user.locked_until = None
    verify_email(user)
    send_account_mail(session, user, "Your password has been changed", "password_changed")
    log.info("Account %s reset its password", user.id)


def change_password(session: Session, user: User, current: str, new_password: str) -> None:
    """Change a password knowing the current one; other sessions sign out."""
    if not passwords.check_password(user.password_hash, current):
        raise AccountError("Your current password is not right. Enter it again")
    _set_password(user, new_password)
    send_account_mail(session, user, "Your password has been changed", "password_changed")
    log.info("Account %s changed its password", user.id)


def sign_out_everywhere(user: User) -> None:
    """Every session cookie issued so far stops working, on every device."""
    user.session_version = (user.session_version or 1) + 1
    log.info("Account %s signed out everywhere", user.id)


# Staff accounts (the command line) ----------------------------------------------------------


def create_user(
    session: Session, email: str, password: str, *, role: StaffRole, name: str = ""
) -> User:
    """A staff account, ready to sign in (its address counts as confirmed)."""
    address = normalise_email(email)
    if "@" not in address or len(address) > 254:
        raise AccountError("Enter an email address in the correct format, like name@example.com")
    if find_user(session, address) is not None:
        raise AccountError("An account with that email address already exists")
    problem = passwords.password_problem(password, address)
    if problem:
        raise AccountError(problem)
    user = User(
        id=new_id(),
        email=address,
        name=name.strip(),
        password_hash=passwords.hash_password(password),
        staff_role=role,
        email_verified_at=utcnow(),
    )
    session.add(user)
    session.flush()
    log_staff_action(session, None, "user.create", user, role=str(role))
    return user


def set_staff_role(session: Session, user: User, role: StaffRole, *, by: User | None) -> None:
    if user.staff_role == role:
        return
    log_staff_action(session, by, "user.set_role", user, old=str(user.staff_role), new=str(role))
    user.staff_role = role
    user.session_version = (user.session_version or 1) + 1  # new rights on a fresh sign-in


def set_disabled(session: Session, user: User, disabled: bool, *, by: User | None) -> None:
    if user.is_disabled == disabled:
        return
    user.is_disabled = disabled
    user.session_version = (user.session_version or 1) + 1
    log_staff_action(session, by, "user.disable" if disabled else "user.enable", user)
