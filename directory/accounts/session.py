"""What a sign-in writes into the session cookie (one place, so tests and views agree), and
when that sign-in runs out.

A sign-in lasts ``SESSION_MAX_AGE_HOURS`` (default 12) from ``signed_in_at``, whatever the
person does meanwhile: :func:`expired` is checked on every request (``identity.py``), and the
cookie itself is made to expire at the same time (``PERMANENT_SESSION_LIFETIME``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, session
from flask_login import login_user, logout_user

from directory.accounts.models import User
from directory.core.ids import utcnow

DEFAULT_MAX_AGE_HOURS = 12
#: Keys of a sign-in still waiting for its second step (the TOTP code).
PENDING_USER = "pending_user"
#: My list's key in the cookie (directory.mylist.session_list.SESSION_KEY).
MYLIST_KEY = "mylist"
PENDING_AT = "pending_at"
#: How long the second step may take.
PENDING_MINUTES = 5


def session_keys(user: User) -> dict[str, Any]:
    """Flask-Login's keys plus when the person signed in (sessions expire, see
    ``SESSION_MAX_AGE_HOURS``)."""
    return {
        "_user_id": user.get_id(),
        "_fresh": True,
        "signed_in_at": utcnow().isoformat(),
    }


def max_age() -> timedelta:
    hours = current_app.config.get("SESSION_MAX_AGE_HOURS", DEFAULT_MAX_AGE_HOURS)
    return timedelta(hours=float(hours))


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def expired(now: datetime | None = None) -> bool:
    """Whether the signed-in session is too old (or carries no sign-in time at all)."""
    started = _parse(session.get("signed_in_at"))
    return started is None or (now or utcnow()) - started > max_age()


def start(user: User) -> None:
    """Sign ``user`` in on a fresh session: whatever the cookie held before is dropped (a new
    session on every sign-in, so nothing planted before it carries over). The visitor's own
    My list is the one thing kept: it is theirs, and losing it on sign-in would surprise."""
    kept = session.get(MYLIST_KEY)
    session.clear()
    if isinstance(kept, list):
        session[MYLIST_KEY] = kept
    login_user(user)
    session.update(session_keys(user))
    session.permanent = True


def end() -> None:
    """Sign out here and forget everything the cookie held."""
    logout_user()
    session.clear()


def start_pending(user: User) -> None:
    """The password was right; the code is still to come. Nobody is signed in yet."""
    session.clear()
    session[PENDING_USER] = user.get_id()
    session[PENDING_AT] = utcnow().isoformat()


def pending_user_token(now: datetime | None = None) -> str | None:
    """The ``get_id()`` of the person half-way through signing in, if still in time."""
    started = _parse(session.get(PENDING_AT))
    token = session.get(PENDING_USER)
    if not isinstance(token, str) or started is None:
        return None
    if (now or utcnow()) - started > timedelta(minutes=PENDING_MINUTES):
        return None
    return token


def clear_pending() -> None:
    session.pop(PENDING_USER, None)
    session.pop(PENDING_AT, None)
