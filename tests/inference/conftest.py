"""Fixtures for the inference tests: the curated vocabulary without a database, and a database
holding the seeds' taxonomy with helpers to add listings as a feed would bring them."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from directory.inference.terms import CuratedTerms
from directory.inference.text import SOURCE_TERM, ListingText, plain_text
from directory.inference.vocabulary import VocabularyMatcher
from directory.listings.importer import import_path
from directory.models import Attribute, Service, Taxonomy, TaxonomyTerm
from search_index.vocabulary import terms_from_oruk
from tests.factories import make_service

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TAXONOMY_FILE = SEEDS / "taxonomy.json"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:community-directory:inference-tests")


def curated_from_seeds() -> CuratedTerms:
    data = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))
    items, kind, code = [], {}, {}
    for taxonomy in data["taxonomies"]:
        link = "need" if taxonomy["name"] == "Community needs" else "client_group"
        for term in taxonomy["terms"]:
            items.append(term)
            kind[term["id"]] = link
            code[term["id"]] = term["term"]
    return CuratedTerms.build(terms_from_oruk(items), kind, code)


@pytest.fixture(scope="session")
def curated() -> CuratedTerms:
    return curated_from_seeds()


@pytest.fixture(scope="session")
def matcher(curated: CuratedTerms) -> VocabularyMatcher:
    return VocabularyMatcher(curated)


def text_of(
    name: str = "", description: str = "", eligibility: str = "", **more: Any
) -> ListingText:
    return ListingText(
        "listing",
        name=plain_text(name),
        alternate_name=plain_text(more.get("alternate_name")),
        description=plain_text(description),
        eligibility=plain_text(eligibility),
        source_terms=tuple(more.get("source_terms", ())),
    )


def with_seed_taxonomy(session: Session) -> Session:
    report = import_path(session, TAXONOMY_FILE)
    assert not report.errors
    session.commit()
    return session


@pytest.fixture
def db_session(session: Session) -> Session:
    """The test app's session holding the seeds' need and client-group taxonomies."""
    return with_seed_taxonomy(session)


def add_listing(session: Session, name: str, description: str, **overrides: Any) -> Service:
    """A public listing with no curated terms (as a council feed brings it), unless ``needs``
    (curated term codes) are given."""
    codes = overrides.pop("needs", ())
    overrides.setdefault("eligibility_description", "")
    overrides.setdefault("places", ())
    service = make_service(
        session, name, description=description, needs=(), client_groups=(), **overrides
    )
    for code in codes:
        term = session.query(TaxonomyTerm).filter_by(term=code).one()
        service.attributes.append(Attribute(link_type="need", taxonomy_term_id=term.id))
    session.flush()
    return service


def add_source_term(session: Session, service_id: str, vocabulary: str, code: str, label: str):
    """A feed's own taxonomy term on a listing, stored the way the importer stores it
    (``docs/import.md``, "Source taxonomy terms"). Also used by ``bench/inference_eval.py``."""
    tax_id = str(uuid.uuid5(NAMESPACE, f"vocabulary|{vocabulary}"))
    term_id = str(uuid.uuid5(NAMESPACE, f"term|{vocabulary}|{code}"))
    if session.get(Taxonomy, tax_id) is None:
        session.add(Taxonomy(id=tax_id, name=vocabulary, description=""))
        session.flush()
    if session.get(TaxonomyTerm, term_id) is None:
        session.add(TaxonomyTerm(id=term_id, name=label, term=code, taxonomy=vocabulary,
                                 taxonomy_id=tax_id, description=""))  # fmt: skip
        session.flush()
    session.add(Attribute(link_id=service_id, link_entity="service", link_type=SOURCE_TERM,
                          taxonomy_term_id=term_id))  # fmt: skip
    session.flush()


@pytest.fixture
def any_db_session(any_session: Session) -> Session:
    """As ``db_session``, on SQLite and on PostgreSQL in turn."""
    return with_seed_taxonomy(any_session)
