"""Pages under /account/ (issue 12): the blueprint and what its pages share.

The pages are thin: they read a form, call :mod:`directory.accounts.services` inside one unit
of work and choose what to show. They live in three modules registered on this blueprint:
``views_public`` (sign up, confirm, sign in, reset, invitations, sign out),
``views_account`` (your account, password, sign out everywhere, two-step verification) and
``views_people`` (an organisation's people).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, render_template
from werkzeug.wrappers import Response

from directory.accounts.models import User
from directory.accounts.tokens import TokenProblem
from directory.core.actor import Actor
from directory.extensions import limiter
from directory.ops.ratelimits import route_limit

bp = Blueprint("accounts", __name__, url_prefix="/account")

#: Who account changes made by someone not signed in are recorded as.
ANONYMOUS = Actor("public", "accounts")
DEFAULT_LIMIT = "5 per minute;30 per hour"
#: Where people land after signing in (the URLs the issue fixes).
STAFF_HOME = "/staff/"
MEMBER_HOME = "/manage/"


def account_limit() -> str:
    """``RATELIMIT_ACCOUNT``, or the route's own entry in ``RATELIMIT_ROUTES``."""
    return route_limit("RATELIMIT_ACCOUNT", DEFAULT_LIMIT)


def limited() -> Callable[[Any], Any]:
    """``RATELIMIT_ACCOUNT`` per client address on a page's POSTs (sign up, sign in, codes,
    resets, invitations), on top of the per-account lock."""
    return limiter.limit(account_limit, methods=["POST"])


def home_for(user: User) -> str:
    return STAFF_HOME if user.is_staff else MEMBER_HOME


def safe_next(value: str | None) -> str | None:
    """A ``next`` address only if it is a path on this site (no open redirects)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in value):
        return None
    return value


def link_problem(problem: TokenProblem, kind: str) -> tuple[str, int]:
    """A page that says why a link from an email did not work and what to do instead."""
    status = 400 if problem is TokenProblem.INVALID else 410
    page = render_template("accounts/link_problem.html", problem=str(problem), kind=kind)
    return page, status


def see_other(location: str) -> Response:
    from flask import redirect

    return redirect(location, 303)


from directory.accounts import views_account, views_people, views_public  # noqa: E402, F401
