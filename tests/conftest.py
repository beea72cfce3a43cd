"""Shared fixtures: an app on SQLite (every test) and, where a test asks, on PostgreSQL too.

PostgreSQL tests use a throwaway database created for this run and dropped at the end, so runs
cannot see each other's data. Where no server is reachable they are skipped with a message,
except under CI (``CI`` set), where a missing server is a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from directory import create_app
from directory import migrate as migrations
from directory.db import Base

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _app_config(database_url: str, tmp_path: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        # The test client's own address: absolute links are built from it (issue 14).
        "PUBLIC_BASE_URL": "http://localhost",
        "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        # Beside the index: apps of one test share it, as the workers of a machine do.
        "PAGE_CACHE_DIR": str(tmp_path / "page-cache"),
        "WTF_CSRF_ENABLED": False,
        # A command run in-process (the CLI runner) would lower the test process's own
        # priority for the rest of the run (directory/priority.py); tests/test_bulk_nice.py
        # runs the commands in processes of their own to test it.
        "BULK_JOB_NICE": 0,
    }


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate one SQLite file per run with Alembic; each test copies it (much faster)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    migrations.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A freshly created, migrated PostgreSQL database for this test run."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver or network error means "no server here"
        admin.dispose()
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc.__class__.__name__}"
        if os.environ.get("CI"):
            pytest.fail(message + " (required when CI is set)")
        pytest.skip(message + " (set TEST_POSTGRES_URL to run these tests)")
    name = f"directory_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        migrations.upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Flask]:
    """The app on a fresh, migrated SQLite database."""
    db_path = tmp_path / "directory.sqlite"
    shutil.copy(migrated_sqlite_template, db_path)
    application = create_app(_app_config(f"sqlite:///{db_path}", tmp_path))
    yield application
    application.extensions["database"].engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The app on each supported database in turn, for tests of database behaviour."""
    if request.param == "sqlite":
        yield request.getfixturevalue("app")
        return
    url = request.getfixturevalue("postgres_url")
    _truncate_postgres(url)
    application = create_app(_app_config(url, tmp_path))
    yield application
    application.extensions["database"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A database session on the SQLite app, inside an app context."""
    with app.app_context():
        from directory.db import db

        yield db.session


@pytest.fixture
def any_session(any_app: Flask) -> Iterator[Session]:
    with any_app.app_context():
        from directory.db import db

        yield db.session
