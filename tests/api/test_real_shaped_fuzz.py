"""No request answers 500 over a directory imported from real-shaped councils' feeds.

The directory holds what councils really publish, through the real importer: an ORUK 1.0
council feed (HTML descriptions, no locations for most listings, empty names, repeated
records, odd phones, integer ids), an Outpost page, a spreadsheet, and hand-made hostile
records (no organisation, a `javascript:` web address, a huge description, a location with
no address, junk Unicode in every field, the same service twice under two ids). Hypothesis
then drives every ORUK API endpoint and the public pages with real and made-up ids and
parameters; every page of every imported listing is also visited once.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from directory import create_app
from directory.db import db
from directory.listings.feed_import import ImportOptions, run_import
from directory.models import Location, Organization, Service, ServiceAtLocation, TaxonomyTerm
from tests.conftest import _app_config
from tests.listings.fixtures.feeds.generate_council_feed import generate
from tests.listings.fixtures.gazetteer import import_gazetteer  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
FEEDS = ROOT / "tests" / "listings" / "fixtures" / "feeds"

HOSTILE = [
    {"id": "9001", "name": "No Organisation Drop-in", "description": "<p>Walk in.</p>"},
    {"id": "9002", "name": "Bad Link Club", "url": "javascript:alert(1)",
     "description": "<script>alert(1)</script><img src=x onerror=alert(2)>Craft club"},
    {"id": "9003", "name": "Very Long Listing", "description": "help " * 30000},
    {"id": "9004", "name": "\u202eevil\u202c \U0001f600 \x00\x07 name",
     "description": "\ud800 lone surrogate? " + "\u0000" * 3, "email": "not an email",
     "contacts": [{"id": "c9004", "phones": [{"id": "p9004", "number": "call reception!!"}]}]},
    {"id": "9005", "name": "Chester Memory Cafe", "description": "Memory cafe.",
     "service_at_locations": [{"id": "s9005", "location": {"id": "l9005", "name": "Hall"}}]},
    {"id": "9006", "name": "Memory Café (Chester)", "description": "Memory cafe.",
     "service_at_locations": [{"id": "s9006", "location": {
         "id": "l9006", "name": "Somewhere", "latitude": 123, "longitude": -500,
         "addresses": [{"id": "a9006", "address_1": "", "postal_code": "ZZ99 9ZZ"}]}}]},
]  # fmt: skip


@pytest.fixture(scope="module")
def real(
    migrated_sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    import_gazetteer: str,  # noqa: F811
) -> Iterator[SimpleNamespace]:
    folder = tmp_path_factory.mktemp("real-shaped")
    shutil.copy(migrated_sqlite_template, folder / "db.sqlite")
    config = _app_config(f"sqlite:///{folder / 'db.sqlite'}", folder)
    app: Flask = create_app(
        config | {"GAZETTEER_PATH": import_gazetteer, "RATELIMIT_ENABLED": False}
    )
    council = folder / "council.json"
    council.write_text(json.dumps(generate(150, seed=7) + HOSTILE))
    with app.app_context():
        session = db.session
        run_import(session, str(ROOT / "seeds" / "taxonomy.json"), ImportOptions())
        for path, feed in (
            (council, "council"),
            (FEEDS / "outpost_page_1.json", "outpost"),
            (FEEDS / "council_spreadsheet.csv", "spreadsheet"),
        ):
            run_import(session, str(path), ImportOptions(feed=feed))
        ids = SimpleNamespace(
            services=list(session.scalars(select(Service.id))),
            organisations=list(session.scalars(select(Organization.id))),
            locations=list(session.scalars(select(Location.id))),
            sals=list(session.scalars(select(ServiceAtLocation.id))),
            terms=list(session.scalars(select(TaxonomyTerm.id))),
        )
    yield SimpleNamespace(app=app, client=app.test_client(), ids=ids)
    app.extensions["database"].engine.dispose()


def _ok(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]


def test_the_feeds_really_hold_hostile_shapes(real):
    with real.app.app_context():
        session = db.session
        no_org = session.scalar(select(Service).where(Service.organization_id.is_(None)))
        html = session.scalar(select(Service).where(Service.description.contains("<p>")))
        no_location = session.scalar(select(Service).where(~Service.service_at_locations.any()))
    assert no_org is not None and html is not None and no_location is not None
    assert len(real.ids.services) > 150


def test_every_listing_page_and_api_object_answers(real):
    client = real.client
    for service_id in real.ids.services:
        _ok(client.get(f"/services/{service_id}", follow_redirects=True))
        _ok(client.get(f"/api/services/{service_id}"))
    for sal_id in real.ids.sals:
        _ok(client.get(f"/api/service_at_locations/{sal_id}"))
    for org_id in real.ids.organisations:
        _ok(client.get(f"/organisations/{org_id}", follow_redirects=True))
    for location_id in real.ids.locations:
        _ok(client.get(f"/places/{location_id}", follow_redirects=True))
        _ok(client.get(f"/places/{location_id}/sessions.ics"))
    for path in ("/", "/hubs", "/lets-talk", "/api/", "/api/taxonomies", "/api/taxonomy_terms"):
        _ok(client.get(path))


def _id_of(kind: str) -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=40), st.sampled_from(["", "0", "-1", "%00", "../x"]))


TEXT = st.one_of(
    st.text(max_size=120),
    st.sampled_from(["memory cafe", "lunch club today", "CH1 2HJ", "blacon", "let's talk",
                     "my partner hits me", "upton", "whitby", "\"knit\" AND", "*", "food bank"]),
)  # fmt: skip
VALUE = st.one_of(st.text(max_size=30), st.integers(-(10**6), 10**6).map(str), st.just(""))
API_PARAMS = st.dictionaries(
    st.sampled_from(["page", "per_page", "search", "postcode", "proximity", "taxonomy_term_id",
                     "taxonomy_id", "organization_id", "minimum_age", "maximum_age", "day",
                     "start_time", "end_time", "modified_after", "full", "format"]),
    st.one_of(VALUE, TEXT),
    max_size=5,
)  # fmt: skip
PAGE_PARAMS = st.dictionaries(
    st.sampled_from(["q", "where", "need", "group", "area", "age", "free", "mode", "open",
                     "day", "sort", "page", "radius", "urgent", "who"]),
    st.one_of(VALUE, TEXT),
    max_size=6,
)  # fmt: skip
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(
    path=st.sampled_from(["/api/services", "/api/service_at_locations", "/api/taxonomies",
                          "/api/taxonomy_terms"]),
    params=API_PARAMS,
    real_id=st.integers(0, 10**6),
)  # fmt: skip
def test_api_lists_never_answer_500(real, path, params, real_id):
    ids = real.ids
    if "taxonomy_term_id" in params and real_id % 2:
        params["taxonomy_term_id"] = ids.terms[real_id % len(ids.terms)]
    if "organization_id" in params and real_id % 2:
        params["organization_id"] = ids.organisations[real_id % len(ids.organisations)]
    _ok(real.client.get(path, query_string=params))


@FUZZ
@given(
    path=st.sampled_from(["/api/services/", "/api/service_at_locations/", "/api/taxonomies/",
                          "/api/taxonomy_terms/", "/services/", "/organisations/", "/places/"]),
    ident=_id_of("any"),
)  # fmt: skip
def test_made_up_ids_never_answer_500(real, path, ident):
    _ok(real.client.get(path + ident.replace("/", "_")))


@FUZZ
@given(params=PAGE_PARAMS)
def test_search_pages_never_answer_500(real, params):
    _ok(real.client.get("/search", query_string=params))
    _ok(real.client.get("/find-help/where", query_string=params))
    _ok(real.client.get("/hubs", query_string={"where": params.get("where", "")}))


@FUZZ
@given(q=TEXT)
def test_place_lookup_never_answers_500(real, q):
    response = real.client.get("/places/lookup", query_string={"q": q})
    _ok(response)
    assert response.is_json


@settings(FUZZ, max_examples=8)  # each example renders two PDFs
@given(picks=st.lists(st.integers(0, 10**6), min_size=1, max_size=4))
def test_a_list_of_real_shaped_listings_hands_over_without_error(real, picks):
    client = real.app.test_client()
    for pick in picks:
        service_id = real.ids.services[pick % len(real.ids.services)]
        _ok(client.post("/my-list/add", data={"service_id": service_id, "next": "/my-list"}))
    for path in ("/my-list", "/my-list/print", "/my-list/easy-read", "/my-list/handover.pdf",
                 "/my-list/easy-read.pdf"):  # fmt: skip
        _ok(client.get(path))
