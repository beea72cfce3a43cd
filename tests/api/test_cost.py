"""The API's cost grows with the answer, not with the directory.

Each search used to read the id of every public service (``set(session.scalars(allowed))``)
to keep those the filters allow: 110 ms at 100,000 services even for a hundred matches. Now
the index ranks, SQL reads the page's rows (``id IN (...)``), a taxonomy term's services are
read from the term's side, and other filters the index cannot apply walk the ranked list a
page at a time. Here the same searches run on 200 and then on
2,000 services (the 1,800 added match none of them) and must read exactly as many rows.

Rows are counted as the database hands them over: a SQLAlchemy ``before_cursor_execute``
event gives each SQLite cursor a row factory that counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, insert, select

from directory.core.ids import new_id
from directory.db import db
from directory.models import Location, Organization, Service, ServiceAtLocation, TaxonomyTerm
from search_index.sync import get_sync
from tests.factories import make_organization, make_service

SEARCHES = [
    ("/services", {"search": "befriending", "per_page": 5}),
    ("/services", {"search": "befriending", "per_page": 5, "page": 2}),
    ("/service_at_locations", {"search": "befriending", "per_page": 5}),
    ("/services", {"postcode": "CH1 2HJ", "proximity": 5000, "per_page": 5}),
    ("/service_at_locations", {"postcode": "CH1 2HJ", "proximity": 5000, "per_page": 5}),
    # Filters the index cannot apply: SQL walks the ranked list a page at a time.
    ("/services", {"search": "befriending", "maximum_age": 16, "per_page": 2}),
    ("/services", {"search": "befriending", "organization_id": "ORG", "per_page": 3}),
    ("/service_at_locations", {"search": "befriending", "day": "MO", "per_page": 5}),
    # A taxonomy term: its services are read from the term's side, then the ranked list.
    ("/services", {"search": "befriending", "taxonomy_term_id": "TERM", "per_page": 5}),
    ("/services", {"search": "befriending", "taxonomy_term_id": "TERM", "maximum_age": 16}),
    ("/service_at_locations", {"search": "befriending", "taxonomy_term_id": "TERM", "day": "MO"}),
]


@contextmanager
def rows_read(app) -> Iterator[list[int]]:
    """Counts every row SQLite returns while the block runs (``counted[0]``)."""
    counted = [0]

    def counting(_cursor, row):
        counted[0] += 1
        return row

    def give_factory(_conn, cursor, *_args) -> None:
        cursor.row_factory = counting

    engine = app.extensions["database"].engine
    event.listen(engine, "before_cursor_execute", give_factory)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", give_factory)


def _add_unrelated_services(count: int) -> None:
    """Services far from Chester that match none of ``SEARCHES`` (rows inserted in bulk)."""
    org_id = new_id()
    db.session.execute(insert(Organization), [{"id": org_id, "name": "Cornwall Food Network"}])
    services, locations, sals = [], [], []
    for n in range(count):
        service_id, location_id = new_id(), new_id()
        services.append(
            {
                "id": service_id,
                "organization_id": org_id,
                "name": f"Truro Food Bank {n}",
                "description": "Food parcels and a community larder.",
                "status": "active",
                "listing_status": "active",
                "delivery_modes": ["in_person"],
            }
        )
        locations.append({"id": location_id, "name": f"Truro Hall {n}", "latitude": 50.263,
                          "longitude": -5.051, "kind": "venue"})  # fmt: skip
        sals.append({"id": new_id(), "service_id": service_id, "location_id": location_id})
    for model, rows in ((Service, services), (Location, locations), (ServiceAtLocation, sals)):
        db.session.execute(insert(model), rows)
    db.session.commit()


def _measure(client, app, org_id: str, term_id: str) -> dict[str, tuple[int, int]]:
    """(rows read, total_items) per search; the least of three runs, so a periodic read
    (the index's catch-up check) cannot tip one size over the other."""
    out = {}
    for path, params in SEARCHES:
        named = {"ORG": org_id, "TERM": term_id}
        params = {k: named.get(v, v) if isinstance(v, str) else v for k, v in params.items()}
        key = f"{path}?{sorted(params.items())}"
        runs = []
        for _ in range(3):
            with rows_read(app) as counted:
                response = client.get(f"/api{path}", query_string=params)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            runs.append((counted[0], response.get_json()["total_items"]))
        out[key] = min(runs)
    return out


@pytest.fixture
def sqlite_api_app(app, gazetteer_path):
    app.config["GAZETTEER_PATH"] = gazetteer_path
    return app


def test_rows_read_per_search_do_not_grow_with_the_directory(sqlite_api_app):
    app = sqlite_api_app
    client = app.test_client()
    with app.app_context():
        orgs = [make_organization(db.session, f"Befriending Network {n}") for n in range(2)]
        for n in range(12):
            make_service(db.session, f"Befriending Circle {n:02d}", organization=orgs[n % 2],
                         places=("chester", "hoole") if n % 3 else ("blacon",),
                         minimum_age=18 if n % 4 else None,
                         schedules=[{"byday": "MO" if n % 2 else "TU", "freq": "WEEKLY",
                                     "opens_at": "10:00", "closes_at": "12:00"}])  # fmt: skip
        org_id = orgs[1].id
        term_id = db.session.scalar(
            select(TaxonomyTerm.id).where(TaxonomyTerm.name == "Befriending")
        )
        db.session.commit()
        _add_unrelated_services(200 - 12)
        get_sync(app).rebuild(procs=1)
    _measure(client, app, org_id, term_id)  # warm: searcher, vocabulary, gazetteer
    small = _measure(client, app, org_id, term_id)

    with app.app_context():
        _add_unrelated_services(1800)
        get_sync(app).rebuild(procs=1)
    _measure(client, app, org_id, term_id)
    large = _measure(client, app, org_id, term_id)

    assert large == small
    for key, (rows, total) in large.items():
        assert total > 0, key
        assert rows < 100, (key, rows)
