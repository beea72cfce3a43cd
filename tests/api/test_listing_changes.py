"""API behaviour that depends on changing data: publishing, where schedules hang, query counts.

These build their own data on ``any_app`` (SQLite and PostgreSQL), so they live apart from the
shared read-only directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time

import pytest
from sqlalchemy import event, text

from directory.db import db
from directory.models import ListingStatus, Schedule
from tests.api.schema import assert_valid
from tests.factories import make_organization, make_service


@contextmanager
def count_queries(app) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = app.extensions["database"].engine

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_only_active_listings_are_visible_and_publishing_shows_them(api_app):
    client = api_app.test_client()
    with api_app.app_context():
        service = make_service(db.session, "Lache Lunch Club", listing_status=ListingStatus.DRAFT,
                               places=("chester",))  # fmt: skip
        db.session.commit()
        service_id, sal_id = service.id, service.service_at_locations[0].id
    for status in (ListingStatus.DRAFT, ListingStatus.PENDING, ListingStatus.CLOSED):
        with api_app.app_context():
            db.session.get(type(service), service_id).listing_status = status
            db.session.commit()
        assert client.get(f"/api/services/{service_id}").status_code == 404
        assert client.get(f"/api/service_at_locations/{sal_id}").status_code == 404
        assert client.get("/api/services").get_json()["total_items"] == 0
        assert client.get("/api/service_at_locations").get_json()["total_items"] == 0
    with api_app.app_context():
        db.session.get(type(service), service_id).listing_status = ListingStatus.ACTIVE
        db.session.commit()
    body = client.get(f"/api/services/{service_id}").get_json()
    assert_valid(body, "service")
    assert body["x_listing_status"] == "active"
    assert client.get("/api/services").get_json()["total_items"] == 1
    sal = client.get(f"/api/service_at_locations/{sal_id}").get_json()
    assert_valid(sal, "service_at_location")


def test_schedules_held_by_a_location_or_by_the_service(api_app):
    """A schedule tied only to one location matches there; a service-wide one everywhere."""
    client = api_app.test_client()
    with api_app.app_context():
        service = make_service(db.session, "Two Town Advice", places=("chester", "northwich"),
                               schedules=[])  # fmt: skip
        chester, northwich = service.service_at_locations
        chester.schedules.append(Schedule(byday="MO", freq="WEEKLY", opens_at=_t("09:00"),
                                          closes_at=_t("12:00")))  # fmt: skip
        service.schedules.append(Schedule(byday="FR", freq="WEEKLY", opens_at=_t("13:00"),
                                          closes_at=_t("15:00")))  # fmt: skip
        db.session.commit()
        chester_id, northwich_id = chester.id, northwich.id

    def sal_ids(**params) -> set[str]:
        body = client.get("/api/service_at_locations", query_string=params).get_json()
        return {item["id"] for item in body["contents"]}

    assert sal_ids(day="MO") == {chester_id}
    assert sal_ids(day="FR", start_time="14:00") == {chester_id, northwich_id}
    assert sal_ids(day="MO", start_time="13:00") == set()
    for day in ("MO", "FR"):
        names = client.get("/api/services", query_string={"day": day}).get_json()["contents"]
        assert [s["name"] for s in names] == ["Two Town Advice"]


def _t(value: str):
    return time.fromisoformat(value)


def test_a_county_service_area_covers_its_districts(api_app):
    client = api_app.test_client()
    with api_app.app_context():
        make_service(db.session, "Essex Carers Line", places=(), service_areas=("E10000012",))
        make_service(db.session, "Chelmsford Food Bank", places=(), service_areas=("E07000070",))
        make_service(db.session, "Cambridge Night Shelter", places=(),
                     service_areas=("E07000008",))  # fmt: skip
        db.session.commit()
    body = client.get("/api/services", query_string={"postcode": "CM1 1QH"}).get_json()
    assert [s["name"] for s in body["contents"]] == ["Chelmsford Food Bank", "Essex Carers Line"]


def test_a_page_of_services_takes_a_fixed_handful_of_queries(api_app):
    client = api_app.test_client()
    with api_app.app_context():
        org = make_organization(db.session)
        for n in range(55):
            make_service(db.session, f"Neighbourhood Help Point {n:02d}", organization=org,
                         places=("hoole", "upton"))  # fmt: skip
        db.session.commit()
        small_id = make_service(db.session, "Zz One Venue", organization=org).id
        big_id = make_service(db.session, "Zz Three Venues", organization=org,
                              places=("hoole", "upton", "blacon")).id  # fmt: skip
        db.session.commit()
    counts = {}
    for per_page in (5, 50):
        for path in ("/api/services", "/api/service_at_locations"):
            with count_queries(api_app) as statements:
                assert client.get(path, query_string={"per_page": per_page}).status_code == 200
            counts[path, per_page] = len(statements)
    assert counts["/api/services", 5] == counts["/api/services", 50] <= 6
    assert counts["/api/service_at_locations", 5] == counts["/api/service_at_locations", 50] <= 6
    # One query per nested collection, however many venues, contacts or schedules.
    single = []
    for service_id in (small_id, big_id):
        with count_queries(api_app) as statements:
            assert client.get(f"/api/services/{service_id}").status_code == 200
        single.append(len(statements))
    assert single[0] == single[1] <= 20


def test_per_page_maximum_comes_from_config(api_app):
    api_app.config["API_MAX_PER_PAGE"] = 20
    client = api_app.test_client()
    assert client.get("/api/services?per_page=20").status_code == 200
    response = client.get("/api/services?per_page=21")
    assert response.status_code == 400
    assert response.get_json()["message"] == "per_page must be between 1 and 20."


def test_postcode_search_without_a_gazetteer_is_a_503(api_app, tmp_path):
    api_app.config["GAZETTEER_PATH"] = str(tmp_path / "never-built.sqlite")
    response = api_app.test_client().get("/api/services?postcode=CH1%202HJ")
    assert response.status_code == 503
    assert response.get_json()["parameter"] == "postcode"


@pytest.mark.parametrize(
    "path", ["/api/taxonomies", "/api/taxonomies/11111111-1111-4111-8111-111111111111"]
)
def test_a_failing_database_gives_a_json_500_without_internals(app, path):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("DROP TABLE taxonomy"))
    response = app.test_client().get(path)
    assert response.status_code == 500
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert body["error"] == "internal_server_error"
    assert "taxonomy" not in body["message"].lower()
