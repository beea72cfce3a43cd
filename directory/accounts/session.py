"""What a sign-in writes into the session cookie (one place, so tests and views agree)."""

from __future__ import annotations

from typing import Any

from directory.accounts.models import User
from directory.core.ids import utcnow


def session_keys(user: User) -> dict[str, Any]:
    """Flask-Login's keys plus when the person signed in (sessions expire, see
    ``SESSION_MAX_AGE_HOURS``)."""
    return {
        "_user_id": user.get_id(),
        "_fresh": True,
        "signed_in_at": utcnow().isoformat(),
    }
