"""Export to ORUK JSON and the CSV package, and the round trip back into a fresh database."""

from __future__ import annotations

import csv
import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text

from directory import create_app
from directory import migrate as migrations
from directory.db import db
from directory.listings.exporter import export_directory
from directory.listings.importer import import_path
from directory.listings.serialise import service_json
from directory.models import ChangeRecord, ListingStatus, Service
from tests.conftest import POSTGRES_ADMIN_URL, _app_config
from tests.factories import make_directory
from tests.listings.fixtures.gazetteer import import_gazetteer  # noqa: F401
from tests.listings.test_import import MESSY
from tests.listings.test_import_csv import MESSY_CSV


def _api_output(app: Flask) -> dict[str, dict]:
    with app.app_context():
        db.session.expire_all()
        return {s.id: service_json(s) for s in db.session.scalars(select(Service))}


@pytest.fixture
def source_app(any_app: Flask, import_gazetteer: str) -> Flask:  # noqa: F811
    """A directory with everything: the factory's 41 listings and both messy imports."""
    any_app.config["GAZETTEER_PATH"] = import_gazetteer
    with any_app.app_context():
        make_directory(db.session)
        db.session.commit()
        import_path(db.session, MESSY)
        import_path(db.session, MESSY_CSV)
    return any_app


@pytest.fixture
def fresh_app(
    any_app: Flask,
    tmp_path: Path,
    migrated_sqlite_template: Path,
    import_gazetteer: str,  # noqa: F811
) -> Iterator[Callable[[], Flask]]:
    """Makes a second app on a new, freshly migrated database of the same kind."""
    made: list[tuple[Flask, str | None]] = []
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def make() -> Flask:
        name = None
        if any_app.config["DATABASE_URL"].startswith("sqlite"):
            path = tmp_path / f"fresh-{len(made)}.sqlite"
            shutil.copy(migrated_sqlite_template, path)
            url = f"sqlite:///{path}"
        else:
            name = f"directory_import_{uuid.uuid4().hex[:12]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = admin.url.set(database=name).render_as_string(hide_password=False)
            migrations.upgrade(url)
        config = _app_config(url, tmp_path) | {"GAZETTEER_PATH": import_gazetteer}
        app = create_app(config)
        made.append((app, name))
        return app

    yield make
    for app, name in made:
        app.extensions["database"].engine.dispose()
        if name:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_export_writes_the_api_json_and_a_described_csv_package(source_app, tmp_path):
    with source_app.app_context():
        summary = export_directory(db.session, tmp_path / "out")
        expected = [
            service_json(s) for s in db.session.scalars(select(Service).order_by(Service.id))
        ]
    out = tmp_path / "out"

    services = json.loads((out / "services.json").read_text())
    assert services == expected
    statuses = {s["x_listing_status"] for s in services}
    assert statuses == {"active", "draft", "pending", "closed"}
    assert summary.counts["services.json"] == len(expected)
    taxonomies = json.loads((out / "taxonomies.json").read_text())
    assert any(t.get("taxonomy_terms") for t in taxonomies["taxonomies"])
    assert sorted(t["name"] for t in taxonomies["taxonomy_terms"]) == ["Food", "Loneliness"]

    package = json.loads((out / "csv" / "datapackage.json").read_text())
    assert package["profile"] == "tabular-data-package"
    for resource in package["resources"]:
        with (out / "csv" / resource["path"]).open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == [f["name"] for f in resource["schema"]["fields"]]
    services_table = next(r for r in package["resources"] if r["name"] == "service")
    fields = {f["name"]: f for f in services_table["schema"]["fields"]}
    assert fields["id"] == {"name": "id", "type": "string", "format": "uuid"}
    assert fields["last_modified"]["type"] == "datetime"
    assert fields["x_listing_status"]["type"] == "string"
    with (out / "csv" / "services.csv").open(encoding="utf-8", newline="") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == len(expected)


@pytest.mark.parametrize("form", ["json", "csv"])
def test_export_then_import_into_a_fresh_database_gives_the_same_api_output(
    source_app, fresh_app, tmp_path, form
):
    with source_app.app_context():
        export_directory(db.session, tmp_path / "out")
    before = _api_output(source_app)
    source = tmp_path / "out" if form == "json" else tmp_path / "out" / "csv"
    target = fresh_app()

    with target.app_context():
        report = import_path(db.session, source)
    assert not report.errors, [str(e) for e in report.errors]

    after = _api_output(target)
    assert len(after) == len(before) > 40
    for service_id, expected in before.items():
        assert after[service_id] == expected
    with target.app_context():
        hidden = db.session.scalars(
            select(Service).where(Service.listing_status != ListingStatus.ACTIVE)
        ).all()
        assert {s.listing_status for s in hidden} == {
            ListingStatus.DRAFT,
            ListingStatus.PENDING,
            ListingStatus.CLOSED,
        }


@pytest.mark.parametrize("form", ["json", "csv"])
def test_importing_an_export_back_into_its_own_database_changes_nothing(source_app, tmp_path, form):
    with source_app.app_context():
        export_directory(db.session, tmp_path / "out")
        count = db.session.scalar(select(func.count()).select_from(ChangeRecord))
        source = tmp_path / "out" if form == "json" else tmp_path / "out" / "csv"

        report = import_path(db.session, source)

        assert not report.changed
        assert db.session.scalar(select(func.count()).select_from(ChangeRecord)) == count
