"""Gazetteer fixtures: a small real gazetteer (postcodes starting C or W) built once per run.

Building from the real ONSPD package data for two letters takes a few seconds, so tests check
real facts (CH1 1AA is in Cheshire West and Chester) without mocking any data. The full-UK file
is only used by the tests that say so, and they skip when it has not been built.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from directory.places.build import BuildStats, build_gazetteer, is_complete
from directory.places.gazetteer import Gazetteer
from directory.places.paths import default_path


@pytest.fixture(scope="session")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> BuildStats:
    """A gazetteer of the C and W postcodes (Chester, Worcester, Cardiff...) in a temp dir."""
    path = tmp_path_factory.mktemp("gazetteer") / "gazetteer.sqlite"
    return build_gazetteer(path, letters="CW")


@pytest.fixture(scope="session")
def gazetteer(small_build: BuildStats) -> Iterator[Gazetteer]:
    gaz = Gazetteer(small_build.path)
    yield gaz
    gaz.close()


@pytest.fixture(scope="session")
def full_gazetteer_path() -> Path:
    """The full-UK file at the default path; tests using it skip until it is built."""
    path = default_path()
    if not is_complete(path):
        pytest.skip(
            f"The full gazetteer has not been built at {path}; run `make gazetteer` "
            "(python -m directory.places.build) to include these checks."
        )
    return path


def make_places_app(template: Path, tmp_path: Path, gazetteer_path: Path, **extra):
    """The app on a copy of the migrated SQLite database and the given gazetteer, checking
    the listing-derived place names on every request (no 30-second throttle)."""
    import shutil

    from directory import create_app
    from tests.conftest import _app_config

    db_path = tmp_path / f"directory-{len(list(tmp_path.iterdir()))}.sqlite"
    shutil.copy(template, db_path)
    config = _app_config(f"sqlite:///{db_path}", tmp_path)
    return create_app(
        config | {"GAZETTEER_PATH": str(gazetteer_path), "PLACE_NAMES_CHECK_SECONDS": 0} | extra
    )


@pytest.fixture
def places_app(migrated_sqlite_template: Path, tmp_path: Path, small_build: BuildStats):
    """:func:`make_places_app` on the small gazetteer, with rate limits off (the endpoint's
    limit is tested on an app of its own)."""
    app = make_places_app(
        migrated_sqlite_template, tmp_path, small_build.path, RATELIMIT_ENABLED=False
    )
    yield app
    app.extensions["database"].engine.dispose()
