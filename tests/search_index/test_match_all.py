"""``match_all`` (every match, unpaged: the ORUK API and matching) on directories shaped like
councils' feeds, where many services have no venue at all."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from directory import create_app
from directory.db import db
from directory.models import Service
from search_index import SearchRequest
from search_index.documents import build_memory_index
from search_index.engine import build_context, match_documents
from tests.factories import make_service, make_taxonomy


@pytest.fixture
def no_venue_app(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Flask]:
    shutil.copy(migrated_sqlite_template, tmp_path / "db.sqlite")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        }
    )
    yield app
    app.extensions["database"].engine.dispose()


def test_services_without_any_venue_are_matched_without_error(no_venue_app):
    """An index whose every document is an area document has no service-at-location column;
    reading it gave None and every text search through the API answered 500."""
    with no_venue_app.app_context():
        session = db.session
        make_taxonomy(session)
        for name in ("Memory Cafe", "Memory Lane History Society"):
            make_service(session, name, places=(), needs=(), client_groups=())
        session.commit()
        index = build_memory_index(session)
        with index.searcher() as searcher:
            found = match_documents(
                searcher, SearchRequest(text="memory"), build_context(session, app=no_venue_app)
            )
        ids = set(session.scalars(select(Service.id)))
    assert len(found.matches) == 2
    assert all(m.service_at_location_id is None for m in found.matches)
    assert {m.service_id for m in found.matches} == ids
