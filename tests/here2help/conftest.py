"""Fixtures for the Here2Help import: the demo directory the sample set was written against,
the seeds' taxonomy on the plain test database, and small CSV files written on the spot."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from directory import create_app
from directory.config import PROJECT_ROOT
from directory.db import db
from directory.here2help.csvfile import HEADERS, OFFERS, ORGANISATIONS, REQUESTS
from directory.listings.importer import import_path
from directory.seeding import seed_database

SAMPLE = PROJECT_ROOT / "seeds" / "here2help"
TAXONOMY = PROJECT_ROOT / "seeds" / "taxonomy.json"


def _config(url: str, tmp_path: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": url,
        "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        "WTF_CSRF_ENABLED": False,
    }


@pytest.fixture(scope="session")
def demo_template(migrated_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database holding what ``flask seed`` loads (taxonomy, brief, demo): built
    once per run, copied for each test."""
    folder = tmp_path_factory.mktemp("here2help_demo")
    path = folder / "demo.sqlite"
    shutil.copy(migrated_sqlite_template, path)
    app = create_app(_config(f"sqlite:///{path}", folder))
    with app.app_context():
        seed_database(db.session)
        db.session.commit()
    app.extensions["database"].engine.dispose()
    return path


@pytest.fixture
def demo_app(demo_template: Path, tmp_path: Path) -> Iterator[Flask]:
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_template, path)
    app = create_app(_config(f"sqlite:///{path}", tmp_path))
    yield app
    app.extensions["database"].engine.dispose()


@pytest.fixture
def demo_session(demo_app: Flask) -> Iterator[Session]:
    with demo_app.app_context():
        yield db.session


def with_taxonomy(session: Session) -> Session:
    """The seeds' need and client-group taxonomies in ``session``'s database."""
    report = import_path(session, TAXONOMY)
    assert not report.errors
    session.commit()
    return session


@pytest.fixture
def tax_session(session: Session) -> Session:
    return with_taxonomy(session)


def csv_text(rows: list[dict[str, str]], columns: list[str] | tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue()


def write_folder(
    folder: Path,
    *,
    requests: list[dict[str, str]] | None = None,
    offers: list[dict[str, str]] | None = None,
    organisations: list[dict[str, str]] | None = None,
    bom: bool = False,
) -> Path:
    """Write the files given (with the documented columns) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in ((REQUESTS, requests), (OFFERS, offers), (ORGANISATIONS, organisations)):
        if rows is not None:
            text = csv_text(rows, HEADERS[name])
            (folder / name).write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return folder


def request_row(reference: str = "H2H-1", **cells: str) -> dict[str, str]:
    row = {
        "reference": reference,
        "created": "2026-03-04",
        "need": "Shopping",
        "details": "Cannot get to the shops this week.",
        "postcode": "CH2 3AE",
        "name": "Sample Person 1",
        "phone": "01632 960901",
        "email": "sample.person.1@example.org",
        "status": "open",
        "outcome": "",
        "matched_offer": "",
    }
    row.update(cells)
    return row


def offer_row(reference: str = "OFF-1", **cells: str) -> dict[str, str]:
    row = {
        "reference": reference,
        "created": "2026-02-01",
        "name": "Sample Volunteer 1",
        "needs": "shopping; prescriptions",
        "postcode": "CH1 2HJ",
        "radius_km": "5",
        "capacity": "2",
        "phone": "07700 900901",
        "email": "sample.volunteer.1@example.org",
        "status": "open",
    }
    row.update(cells)
    return row


def organisation_row(name: str = "Sample Hoole Good Neighbours", **cells: str) -> dict[str, str]:
    row = {
        "name": name,
        "postcode": "CH2 3AE",
        "phone": "01632 960850",
        "email": "hello@hoole-good-neighbours.example.net",
        "website": "https://hoole-good-neighbours.example.net",
        "description": "Made-up volunteers who help neighbours with shopping.",
    }
    row.update(cells)
    return row
