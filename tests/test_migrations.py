"""The Alembic migrations create exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import directory.models  # noqa: F401
from directory import migrate
from directory.db import Base


def _diff(url: str) -> list:
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return diff


def test_sqlite_migrations_match_models(migrated_sqlite_template):
    assert _diff(f"sqlite:///{migrated_sqlite_template}") == []


def test_postgres_migrations_match_models(postgres_url):
    assert _diff(postgres_url) == []


def test_upgrade_and_downgrade_round_trip(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    assert "service" in inspect(engine).get_table_names()
    migrate.downgrade(url, "base")
    assert "service" not in inspect(engine).get_table_names()
    migrate.upgrade(url)
    assert "service" in inspect(engine).get_table_names()
    engine.dispose()
