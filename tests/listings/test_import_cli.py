"""``flask import-hsds`` and ``flask export-hsds`` on a freshly migrated database."""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import func, select

from directory import create_app
from directory.db import db
from directory.models import Service
from tests.listings.fixtures.gazetteer import import_gazetteer  # noqa: F401
from tests.listings.test_import import MESSY
from tests.listings.test_import_csv import MESSY_CSV


@pytest.fixture
def cli_app(app, import_gazetteer):  # noqa: F811
    app.config["GAZETTEER_PATH"] = import_gazetteer
    return app


def _services(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Service))


def test_import_prints_a_summary_and_exits_0_when_some_records_went_in(cli_app):
    result = cli_app.test_cli_runner().invoke(args=["import-hsds", str(MESSY)])
    assert result.exit_code == 0, result.output
    assert "service: 4 created, 0 updated, 0 unchanged, 3 skipped" in result.output
    assert "3 record(s) skipped:" in result.output
    assert "ERROR service 6f0e6f6a-7c52-4e8b-9e1b-2b4c9a1d0004: has no name" in result.output
    assert "WARNING" in result.output
    assert _services(cli_app) == 4


def test_strict_import_exits_2_and_writes_nothing_when_a_record_has_an_error(cli_app):
    result = cli_app.test_cli_runner().invoke(args=["import-hsds", "--strict", str(MESSY_CSV)])
    assert result.exit_code == 2
    assert "service: 0 created, 0 updated, 0 unchanged, 2 skipped" in result.output
    assert "nothing was written: --strict, and 2 record(s) have errors" in result.output
    assert _services(cli_app) == 0
    without_strict = cli_app.test_cli_runner().invoke(args=["import-hsds", str(MESSY_CSV)])
    assert without_strict.exit_code == 0
    assert "service: 3 created" in without_strict.output


def test_an_unreadable_input_exits_1(cli_app, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": "6f0e6f6a-7c52-4e8b-9e1b-2b4c9a1d0001", "name": ')
    runner = cli_app.test_cli_runner()
    result = runner.invoke(args=["import-hsds", str(broken)])
    assert result.exit_code == 1
    assert "is not valid JSON" in result.output
    missing = runner.invoke(args=["import-hsds", str(tmp_path / "nothing-here.json")])
    assert missing.exit_code == 1 and "does not exist" in missing.output
    assert _services(cli_app) == 0


def test_export_then_import_through_the_cli(cli_app, tmp_path):
    runner = cli_app.test_cli_runner()
    assert runner.invoke(args=["import-hsds", str(MESSY)]).exit_code == 0
    result = runner.invoke(args=["export-hsds", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert "services.json: 4" in result.output
    assert len(json.loads((tmp_path / "backup" / "services.json").read_text())) == 4
    assert (tmp_path / "backup" / "csv" / "datapackage.json").is_file()

    again = runner.invoke(args=["import-hsds", str(tmp_path / "backup")])
    assert "service: 0 created, 0 updated, 4 unchanged, 0 skipped" in again.output


def test_commands_honour_database_url(migrated_sqlite_template, tmp_path, monkeypatch):
    database = tmp_path / "elsewhere.sqlite"
    shutil.copy(migrated_sqlite_template, database)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    monkeypatch.setenv("SEARCH_INDEX_DIR", str(tmp_path / "index"))
    app = create_app()
    try:
        result = app.test_cli_runner().invoke(args=["import-hsds", str(MESSY_CSV)])
        assert result.exit_code == 0, result.output
        assert app.config["DATABASE_URL"] == f"sqlite:///{database}"
        assert _services(app) == 3
    finally:
        app.extensions["database"].engine.dispose()
