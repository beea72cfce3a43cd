"""``flask seed``: the taxonomy and starter listings, loaded through the importer, twice safely."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory.db import db
from directory.models import ChangeRecord, ListingChange, Service, TaxonomyTerm
from directory.seeding import seed_database
from tests.listings.fixtures.gazetteer import import_gazetteer  # noqa: F401

FIXTURES = Path(__file__).parent / "listings" / "fixtures"


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A small seeds folder in the real shapes: a taxonomy with ``terms`` and a listings file."""
    folder = tmp_path / "seeds"
    (folder / "listings").mkdir(parents=True)
    taxonomy = {
        "taxonomies": [
            {
                "id": "5e2b7c10-0000-4000-8000-000000000001",
                "name": "Community needs",
                "description": "What people need help with.",
                "terms": [
                    {
                        "id": "a2000000-0000-4000-8000-000000000001",
                        "name": "Food",
                        "description": "Food banks, larders and community meals",
                        "x_synonyms": ["skint", "food bank"],
                        "x_phrases": ["I can't afford to eat"],
                    }
                ],
            }
        ]
    }
    (folder / "taxonomy.json").write_text(json.dumps(taxonomy))
    shutil.copy(FIXTURES / "messy_services.json", folder / "listings" / "brief.json")
    return folder


def _counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Service, ChangeRecord, ListingChange)
    )


def test_seed_loads_the_files_and_a_second_run_changes_nothing(app, seeds_dir, import_gazetteer):  # noqa: F811
    app.config["GAZETTEER_PATH"] = import_gazetteer
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--dir", str(seeds_dir)])
    assert first.exit_code == 0, first.output
    assert "Not found, skipped: listings/demo.json" in first.output
    assert "taxonomy_term: 1 created" in first.output
    assert "service: 4 created" in first.output
    with app.app_context():
        term = db.session.get(TaxonomyTerm, "a2000000-0000-4000-8000-000000000001")
        assert term.synonyms == ["skint", "food bank"]
        assert term.taxonomy_id == "5e2b7c10-0000-4000-8000-000000000001"
        before = _counts()

    second = runner.invoke(args=["seed", "--dir", str(seeds_dir)])

    assert second.exit_code == 0
    assert "created" in second.output and " 0 updated" in second.output
    assert "1 created" not in second.output and "4 created" not in second.output
    with app.app_context():
        assert _counts() == before
        assert db.session.get(TaxonomyTerm, term.id).synonyms == ["skint", "food bank"]


def test_seed_without_any_files_fails_clearly(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["seed", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "No seed files" in result.output


@pytest.mark.slow
def test_the_repository_seeds_load_cleanly_and_idempotently(any_app, import_gazetteer):  # noqa: F811
    any_app.config["GAZETTEER_PATH"] = import_gazetteer
    with any_app.app_context():
        reports = seed_database(db.session)
        assert not [str(e) for r in reports for e in r.errors]
        assert db.session.scalar(select(func.count()).select_from(Service)) > 300
        before = _counts()
        again = seed_database(db.session)
        assert not any(r.changed for r in again)
        assert _counts() == before
