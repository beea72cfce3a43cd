"""Signed links in account emails: verify an address, reset a password, accept an invitation.

A token is an itsdangerous signature (``SECRET_KEY``, a salt per purpose) over the user id and
a *fingerprint* of the account state the link is about to change, with a timestamp:

* verify: the address and whether it is verified yet; verifying changes it;
* reset: the password hash; setting a password changes it;
* invite: the password hash and the person's organisations; accepting sets a password, and
  removing the person before they accept kills the link.

So a link works once (after use the fingerprint no longer matches) and only until it expires,
without a table of used tokens. Tokens carry no personal data: a URL can end up in logs and
browser history, so there is no email address in it, only an opaque id.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from directory.accounts.models import User


class Purpose(enum.StrEnum):
    VERIFY = "verify"
    RESET = "reset"
    INVITE = "invite"


#: (config key, default) for how long each kind of link lasts, in hours.
MAX_AGE_HOURS = {
    Purpose.VERIFY: ("EMAIL_VERIFY_MAX_AGE_HOURS", 48),
    Purpose.RESET: ("PASSWORD_RESET_MAX_AGE_HOURS", 1),
    Purpose.INVITE: ("INVITE_MAX_AGE_HOURS", 168),
}


class TokenProblem(enum.StrEnum):
    """Why a link was refused: each has its own page that says what to do next."""

    INVALID = "invalid"  # altered, truncated or for another purpose
    EXPIRED = "expired"
    USED = "used"  # already used, or the account changed since it was sent


@dataclass(frozen=True)
class TokenCheck:
    user: User | None
    problem: TokenProblem | None


def max_age_hours(purpose: Purpose) -> float:
    key, default = MAX_AGE_HOURS[purpose]
    return float(current_app.config.get(key, default))


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"account-{purpose}")


def fingerprint(user: User, purpose: Purpose) -> str:
    """A short digest of the state the link changes (never the state itself)."""
    if purpose is Purpose.VERIFY:
        state = f"{user.email}|{user.email_verified_at is not None}"
    elif purpose is Purpose.INVITE:
        organisations = ",".join(sorted(m.organization_id for m in user.memberships))
        state = f"{user.password_hash}|{organisations}"
    else:
        state = user.password_hash or ""
    return hashlib.sha256(f"{purpose}|{user.id}|{state}".encode()).hexdigest()[:24]


def make_token(user: User, purpose: Purpose) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": fingerprint(user, purpose)})


def check_token(session: Session, token: str, purpose: Purpose) -> TokenCheck:
    """The user a link is for, or why it cannot be used."""
    serializer = _serializer(purpose)
    max_age = int(max_age_hours(purpose) * 3600)
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        return TokenCheck(None, TokenProblem.EXPIRED)
    except (BadSignature, ValueError, UnicodeError):
        return TokenCheck(None, TokenProblem.INVALID)
    if not isinstance(data, dict) or not isinstance(data.get("u"), str):
        return TokenCheck(None, TokenProblem.INVALID)
    user = session.get(User, data["u"])
    if user is None or user.is_disabled or data.get("f") != fingerprint(user, purpose):
        return TokenCheck(None, TokenProblem.USED)
    return TokenCheck(user, None)
