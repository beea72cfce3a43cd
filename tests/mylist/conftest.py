"""My list tests: the app on a fresh SQLite database with the public-page listings (the
realistic directory, a demonstration listing, a closed service and a domestic abuse service).

Rate limits are off here except where a test turns them on, because building a list means many
quick POSTs from one address; ``make_app`` builds an app with any other settings.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from directory import create_app
from tests.mylist.smtp import Inbox, smtp_server
from tests.public.conftest import PublicData, build_public_data, text_of


@pytest.fixture
def make_app(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator:
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
            "PUBLIC_BASE_URL": "http://localhost",
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
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


def load_data(app: Flask) -> PublicData:
    with app.app_context():
        from directory.db import db

        return build_public_data(db.session)


@pytest.fixture
def data(app: Flask) -> PublicData:
    return load_data(app)


def add(client: FlaskClient, service_id: str, next_path: str | None = None):
    form = {"service_id": service_id}
    if next_path is not None:
        form["next"] = next_path
    return client.post("/my-list/add", data=form)


def text(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return text_of(response.data)


def csrf_token(html: bytes) -> str:
    match = re.search(rb'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1).decode()
