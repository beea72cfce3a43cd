"""Fixtures shared by the search tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from directory import create_app
from search_index import semantic


def app_in(folder: Path, template: Path) -> Flask:
    """An app on a copy of the migrated SQLite ``template`` in ``folder``, with its own
    index folder there: module fixtures build one directory for all their tests."""
    shutil.copy(template, folder / "db.sqlite")
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite'}",
            "SEARCH_INDEX_DIR": str(folder / "index"),
        }
    )


@pytest.fixture
def fresh_app(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty, migrated SQLite database of its own, for tests that build a small
    directory shaped for one case."""
    app = app_in(tmp_path, migrated_sqlite_template)
    yield app
    app.extensions["database"].engine.dispose()


@pytest.fixture(scope="session")
def semantic_model() -> semantic.Embedder:
    """The semantic extra's real model. ``make test`` installs the extra; where it is missing
    the tests using this are skipped with a message, except under CI, where that fails."""
    if not semantic.available():
        message = "the semantic extra is not installed (make semantic)"
        if os.environ.get("CI"):
            pytest.fail(message + " (required when CI is set)")
        pytest.skip(message)
    model = semantic.default_embedder()
    assert model is not None, "the semantic model failed to load (see the log)"
    return model
