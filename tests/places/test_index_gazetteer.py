"""Indexing reads the gazetteer search reads: the app's ``GAZETTEER_PATH``, also where no app
is running (a rebuild's worker processes), not the default file."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from directory.db import db
from directory.places.build import BuildStats
from directory.places.gazetteer import Gazetteer
from search_index.sync import get_sync
from tests.factories import make_service
from tests.places.conftest import make_places_app

#: Where the copy of the gazetteer says CH2 2DD is: Worcester, 130 km from Upton by Chester.
MOVED = (52.19301, -2.22156)


@pytest.fixture
def moved_gazetteer(small_build: BuildStats, tmp_path: Path) -> Path:
    """A copy of the small gazetteer in which one postcode lies somewhere else."""
    path = tmp_path / "elsewhere" / "gazetteer.sqlite"
    path.parent.mkdir()
    shutil.copy(small_build.path, path)
    gazetteer = Gazetteer(path)
    scale = gazetteer.scale
    gazetteer.close()
    with sqlite3.connect(path) as conn:
        changed = conn.execute(
            "UPDATE postcode SET lat = ?, lon = ? WHERE pc = 'CH22DD'",
            (round(MOVED[0] * scale), round(MOVED[1] * scale)),
        ).rowcount
    conn.close()
    assert changed == 1
    return path


def test_documents_use_the_configured_gazetteer_even_outside_the_app(
    migrated_sqlite_template: Path, tmp_path: Path, moved_gazetteer: Path
):
    app = make_places_app(migrated_sqlite_template, tmp_path, moved_gazetteer)
    with app.app_context():
        db.session.info["skip_geocoding"] = True  # the venue keeps no coordinates of its own
        service = make_service(db.session, "Upton Book Swap", places=("upton",))
        for sal in service.service_at_locations:
            sal.location.latitude = sal.location.longitude = None
        db.session.commit()
        service_id = service.id
        sync = get_sync(app)
        in_app = sync.documents_for_services(db.session, [service_id])[service_id]
    # As a rebuild worker process sees it: no app, no app config.
    with sync.session_factory() as session:
        no_app = sync.documents_for_services(session, [service_id])[service_id]
    for docs in (in_app, no_app):
        venue = next(doc for doc in docs if doc["kind"] == "venue")
        assert venue["row"]["postcode"] == "CH2 2DD"
        assert (venue["row"]["lat"], venue["row"]["lon"]) == pytest.approx(MOVED)
    app.extensions["database"].engine.dispose()
