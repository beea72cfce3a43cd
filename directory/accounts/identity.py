"""Sessions: how a signed session cookie becomes a :class:`User`, and when it stops doing so.

The cookie keeps ``"<user id>:<session_version>"`` (``User.get_id``). Raising the user's
``session_version`` (sign out everywhere, password change or reset) makes every cookie issued
before it worthless, on every machine, because the check reads the database.

A sign-in also expires ``SESSION_MAX_AGE_HOURS`` after it began (:mod:`.session`): checked
before every request, and the cookie is given the same lifetime.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, flash, session

from directory.accounts import session as signed_in
from directory.accounts.models import User
from directory.db import db
from directory.extensions import login_manager

EXPIRED_MESSAGE = "You have been signed out because you signed in more than {hours} hours ago."


def load_user(token: str) -> User | None:
    user_id, _, version = (token or "").partition(":")
    if not user_id or not version.isdigit():
        return None
    user = db.session.get(User, user_id)
    if user is None or user.is_disabled or user.session_version != int(version):
        return None
    return user


def expire_old_sessions() -> None:
    """Sign out a session older than its maximum age, with a message on the next page."""
    if "_user_id" not in session or not signed_in.expired():
        return
    signed_in.end()
    hours = signed_in.max_age().total_seconds() / 3600
    flash(EXPIRED_MESSAGE.format(hours=f"{hours:g}"), "info")


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    hours = float(app.config.get("SESSION_MAX_AGE_HOURS", signed_in.DEFAULT_MAX_AGE_HOURS))
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=hours)
    app.before_request(expire_old_sessions)
