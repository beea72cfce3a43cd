"""Account tests: an app on a fresh migrated SQLite database, a real SMTP server (aiosmtpd)
for the emails, and helpers to sign up, sign in and follow the links the emails carry.

Rate limits are off except in the tests that turn them on (``make_app(RATELIMIT_ENABLED=True)``),
because these tests sign in many times from one address.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from directory import create_app
from directory.accounts.models import User
from tests.auth import create_user
from tests.delivered_inbox import DeliveredInbox
from tests.mylist.smtp import Inbox, Received, mail_config, smtp_server
from tests.public.conftest import text_of

PASSWORD = "quiet harbour lantern 42"
NEW_PASSWORD = "orange meadow bicycle 7"


@pytest.fixture
def inbox() -> Iterator[DeliveredInbox]:
    with smtp_server() as server:
        yield DeliveredInbox(server)


@pytest.fixture
def make_app(migrated_sqlite_template: Path, tmp_path: Path, inbox: Inbox) -> Iterator:
    apps: list[Flask] = []

    def build(**overrides) -> Flask:
        db_path = tmp_path / f"{uuid.uuid4().hex}.sqlite"
        shutil.copy(migrated_sqlite_template, db_path)
        config = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            **mail_config(inbox),
            **overrides,
        }
        app = create_app(config)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["database"].engine.dispose()


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask):
    """A database session for service-level tests. Do not mix it with ``client`` requests:
    requests inside a pushed app context share its ``g`` (and Flask-Login caches the signed-in
    user there). Tests of pages use :func:`db_run` and :func:`make_user` instead."""
    with app.app_context():
        from directory.db import db

        yield db.session


@pytest.fixture
def db_run(app: Flask) -> Callable:
    """Run ``fn(session)`` in its own app context (committing) and return its result."""

    def run(fn: Callable):
        with app.app_context():
            from directory.db import db

            result = fn(db.session)
            db.session.commit()
            return result

    return run


@pytest.fixture
def make_user(app: Flask) -> Callable:
    """Create a user (``tests.auth.create_user`` arguments); returns it detached, with its
    columns loaded."""

    def make(email: str, **kwargs) -> User:
        with app.app_context():
            from directory.db import db

            kwargs.setdefault("password", PASSWORD)
            user = create_user(db.session, email, **kwargs)
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


def page_text(response) -> str:
    return text_of(response.data)


def link_in(message: Received, path_part: str) -> str:
    """The path of the first link containing ``path_part`` in the plain-text part (checking
    the HTML part carries the same link)."""
    plain = message.part("plain")
    match = re.search(r"https?://\S*" + re.escape(path_part) + r"\S*", plain)
    assert match, f"no {path_part} link in: {plain}"
    url = match.group(0)
    assert url in message.part("html")
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_up(client: FlaskClient, email: str = "amy@example.org", **extra):
    form = {
        "organisation_name": "Hoole Knit and Natter",
        "name": "Amy Example",
        "email": email,
        "password": PASSWORD,
        "confirm": PASSWORD,
        **extra,
    }
    return client.post("/account/sign-up", data=form)


def sign_in(client: FlaskClient, email: str = "amy@example.org", password: str = PASSWORD):
    return client.post("/account/sign-in", data={"email": email, "password": password})


def csrf_token(html: bytes) -> str:
    match = re.search(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1).decode()
