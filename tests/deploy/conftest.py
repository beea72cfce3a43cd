"""Apps on fresh copies of the migrated SQLite template, with settings of the test's own."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from directory import create_app
from tests.conftest import _app_config


@pytest.fixture
def make_app(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """``make_app(replica=False, **settings)``: with ``replica``, ``DATABASE_REPLICA_URL`` is
    the same file, opened read-only (``PRAGMA query_only``). Rate limits are off unless the
    settings turn them on."""
    apps: list[Flask] = []

    def build(replica: bool = False, **overrides: Any) -> Flask:
        path = tmp_path / f"db{len(apps)}.sqlite"
        shutil.copy(migrated_sqlite_template, path)
        config = _app_config(f"sqlite:///{path}", tmp_path / f"app{len(apps)}")
        if replica:
            config["DATABASE_REPLICA_URL"] = f"sqlite:///{path}"
        app = create_app(config | {"RATELIMIT_ENABLED": False, **overrides})
        apps.append(app)
        return app

    yield build
    for app in apps:
        state = app.extensions["database"]
        state.engine.dispose()
        if state.replica is not None:
            state.replica.dispose()
