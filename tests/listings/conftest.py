"""Fixtures shared by the import tests: a session on a fresh database with the gazetteer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from directory.db import db
from tests.listings.fixtures.gazetteer import import_gazetteer  # noqa: F401


@pytest.fixture
def feed_app(app: Flask, import_gazetteer: str) -> Flask:  # noqa: F811
    """The app on a fresh SQLite database, placing postcodes with the real gazetteer."""
    app.config["GAZETTEER_PATH"] = import_gazetteer
    return app


@pytest.fixture
def feed_session(feed_app: Flask) -> Iterator[Session]:
    with feed_app.app_context():
        yield db.session
