"""Inferred terms on the ORUK API, in their own taxonomy, and through an export and import."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select

from directory import create_app
from directory.db import db
from directory.inference import INFERRED_TAXONOMY_ID
from directory.inference.mirror import ensure_inferred_taxonomy, mirror_term_id
from directory.inference.models import InferredTerm, ReviewState
from directory.inference.services import infer_services
from directory.listings.exporter import export_directory
from directory.listings.importer import import_path
from directory.models import Attribute, TaxonomyTerm
from directory.seeding import seed_database
from tests.api.schema import assert_valid
from tests.conftest import _app_config
from tests.inference.conftest import TAXONOMY_FILE, add_listing


def inferred_attributes(body: dict) -> list[dict]:
    return [a for a in body["attributes"] if a["link_type"].startswith("inferred_")]


def make_cafe(session):
    cafe = add_listing(
        session,
        "Memory Cafe",
        "<p>Tea, cake and music once a month.</p>",
        eligibility_description="For people with dementia and their families.",
        places=("hoole",),
        needs=("social-groups",),
    )
    infer_services(session, [cafe.id], semantic=False)
    session.commit()
    return cafe


def test_the_api_shows_inferred_terms_as_attributes_of_their_own_taxonomy(app, client, db_session):
    cafe = make_cafe(db_session)
    body = client.get(f"/api/services/{cafe.id}").get_json()
    assert_valid(body, "service")
    curated = [a for a in body["attributes"] if a["link_type"] == "need"]
    assert [a["taxonomy_term"]["term"] for a in curated] == ["social-groups"]
    inferred = {a["taxonomy_term"]["term"]: a for a in inferred_attributes(body)}
    assert "memory-cafes" in inferred
    memory = inferred["memory-cafes"]
    term = db_session.scalars(
        select(TaxonomyTerm).where(
            TaxonomyTerm.term == "memory-cafes", TaxonomyTerm.taxonomy_id != INFERRED_TAXONOMY_ID
        )
    ).one()
    assert memory["link_type"] == "inferred_need"
    assert memory["taxonomy_term_id"] == mirror_term_id(term.id) != term.id
    assert memory["taxonomy_term"]["taxonomy_id"] == INFERRED_TAXONOMY_ID
    assert memory["taxonomy_term"]["parent_id"] == mirror_term_id(term.parent_id)
    assert "method=vocabulary" in memory["value"] and "confidence=" in memory["value"]
    assert inferred["people-with-dementia"]["link_type"] == "inferred_client_group"


def test_the_mirror_taxonomy_and_its_terms_are_on_the_api(client, db_session):
    make_cafe(db_session)
    taxonomy = client.get(f"/api/taxonomies/{INFERRED_TAXONOMY_ID}")
    assert taxonomy.status_code == 200
    assert taxonomy.get_json()["name"] == "Inferred by this directory"
    curated = db_session.scalars(
        select(TaxonomyTerm).where(TaxonomyTerm.term == "memory-cafes")
    ).first()
    mirror = client.get(f"/api/taxonomy_terms/{mirror_term_id(curated.id)}")
    assert mirror.status_code == 200
    assert mirror.get_json()["name"] == curated.name


def test_a_rejected_term_is_not_shown(client, db_session):
    cafe = make_cafe(db_session)
    for row in db_session.scalars(select(InferredTerm).where(InferredTerm.service_id == cafe.id)):
        row.review = ReviewState.REJECTED
    db_session.commit()
    body = client.get(f"/api/services/{cafe.id}").get_json()
    assert inferred_attributes(body) == []
    assert_valid(body, "service")


def test_the_mirror_taxonomy_is_made_once_and_follows_the_curated_one(db_session):
    assert ensure_inferred_taxonomy(db_session) > 0
    db_session.commit()
    assert ensure_inferred_taxonomy(db_session) == 0
    curated = db_session.scalars(
        select(TaxonomyTerm).where(TaxonomyTerm.term == "dementia")
    ).first()
    curated.name = "Dementia and memory"
    db_session.flush()
    assert ensure_inferred_taxonomy(db_session) == 1
    assert db_session.get(TaxonomyTerm, mirror_term_id(curated.id)).name == "Dementia and memory"


def test_seeding_makes_the_mirror_taxonomy(session, tmp_path: Path):
    (tmp_path / "listings").mkdir()
    shutil.copy(TAXONOMY_FILE, tmp_path / "taxonomy.json")
    seed_database(session, tmp_path)
    mirrors = session.scalars(
        select(TaxonomyTerm).where(TaxonomyTerm.taxonomy_id == INFERRED_TAXONOMY_ID)
    ).all()
    assert len(mirrors) == 79 + 17


def test_export_then_import_never_turns_inferred_terms_into_curated_ones(
    app, db_session, tmp_path: Path, migrated_sqlite_template
):
    cafe = make_cafe(db_session)
    export_directory(db_session, tmp_path / "export")
    copy = tmp_path / "copy.sqlite"
    shutil.copy(migrated_sqlite_template, copy)
    other = create_app(_app_config(f"sqlite:///{copy}", tmp_path / "other"))
    with other.app_context():
        session = db.session
        report = import_path(session, tmp_path / "export")
        assert not report.errors, report.errors
        links = session.scalars(select(Attribute).where(Attribute.link_id == cafe.id)).all()
        assert {a.link_type for a in links} == {"need"}
        assert all(a.taxonomy_term.taxonomy_id != INFERRED_TAXONOMY_ID for a in links)
        # The import re-derives inferred terms from the words (its after-import step), as
        # inferred ones: the export's mirror attributes are never read back as curated.
        derived = session.scalars(select(InferredTerm)).all()
        assert derived and all(row.service_id == cafe.id for row in derived)
        again = infer_services(session, [cafe.id], semantic=False)
        assert session.scalars(select(InferredTerm)).all() == derived
        assert not any(listing.added for listing in again.listings)
        session.rollback()
    other.extensions["database"].engine.dispose()
