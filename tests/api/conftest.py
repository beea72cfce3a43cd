"""Fixtures for the API tests: a gazetteer, and a directory built once per module per database.

Building the 38-service directory takes about a second, so read-only tests share one copy per
module and database (``directory_api``), parametrised over SQLite and PostgreSQL like
``any_app``. Tests that change data use ``any_app`` itself and live in their own modules, so a
PostgreSQL truncate from one never empties the shared copy under another.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from directory import create_app
from directory.db import db
from directory.places.build import build_gazetteer, is_complete
from directory.places.paths import default_path
from tests.conftest import _app_config, _truncate_postgres
from tests.factories import Directory, make_directory


@pytest.fixture(scope="session")
def gazetteer_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The built gazetteer if this machine has one covering C postcodes, else a C-only build."""
    built = default_path()
    if is_complete(built, "C"):
        return str(built)
    path = tmp_path_factory.mktemp("gazetteer") / "gazetteer.sqlite"
    build_gazetteer(path, "C")
    return str(path)


@dataclass
class DirectoryApi:
    """A client on an app whose database holds :func:`tests.factories.make_directory`."""

    app: Flask
    client: FlaskClient
    directory: Directory

    def get(self, path: str, **params: object) -> dict:
        """GET a path under /api and return the JSON body, asserting a 200."""
        response = self.client.get(f"/api{path}", query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def names(self, path: str, **params: object) -> list[str]:
        """Every service name a list endpoint returns for these filters (all pages)."""
        body = self.get(path, per_page=200, **params)
        assert body["total_pages"] <= 1
        return [item.get("service", item)["name"] for item in body["contents"]]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def directory_api(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    migrated_sqlite_template: Path,
    gazetteer_path: str,
) -> Iterator[DirectoryApi]:
    """The full test directory on each database, shared by a module's read-only tests."""
    tmp = tmp_path_factory.mktemp("directory_api")
    if request.param == "sqlite":
        shutil.copy(migrated_sqlite_template, tmp / "directory.sqlite")
        url = f"sqlite:///{tmp / 'directory.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
        _truncate_postgres(url)
    app = create_app(_app_config(url, tmp) | {"GAZETTEER_PATH": gazetteer_path})
    with app.app_context():
        directory = make_directory(db.session)
        db.session.commit()
    try:
        yield DirectoryApi(app=app, client=app.test_client(), directory=directory)
    finally:
        app.extensions["database"].engine.dispose()


@pytest.fixture
def api_app(any_app: Flask, gazetteer_path: str) -> Flask:
    """``any_app`` with the gazetteer configured, for tests that build their own data."""
    any_app.config["GAZETTEER_PATH"] = gazetteer_path
    return any_app
