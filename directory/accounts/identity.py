"""Sessions: how a signed session cookie becomes a :class:`User`.

The cookie keeps ``"<user id>:<session_version>"`` (``User.get_id``). Raising the user's
``session_version`` (sign out everywhere, password change or reset) makes every cookie issued
before it worthless, on every machine, because the check reads the database.
"""

from __future__ import annotations

from flask import Flask

from directory.accounts.models import User
from directory.db import db
from directory.extensions import login_manager


def load_user(token: str) -> User | None:
    user_id, _, version = (token or "").partition(":")
    if not user_id or not version.isdigit():
        return None
    user = db.session.get(User, user_id)
    if user is None or user.is_disabled or user.session_version != int(version):
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
