"""``GET /places/lookup``: the best match and the alternatives as JSON, clear 400s, a JSON
429 when rate-limited, and never a 500 on any input."""

from __future__ import annotations

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.places.conftest import make_places_app

FIELDS = {"name", "area_name", "latitude", "longitude", "local_authority_code", "kind", "label"}


def _get(app: Flask, q: str | None):
    client = app.test_client()
    return client.get("/places/lookup", query_string={} if q is None else {"q": q})


def test_a_home_area_name(places_app: Flask) -> None:
    response = _get(places_app, "Upton")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["query"] == "Upton"
    assert set(body["best"]) == FIELDS
    assert body["best"]["name"] == "Upton"
    assert body["best"]["area_name"] == "Chester"
    assert body["best"]["local_authority_code"] == "E06000050"
    assert body["best"]["kind"] == "suburb"
    assert 53.19 < body["best"]["latitude"] < 53.23
    assert -2.92 < body["best"]["longitude"] < -2.85
    labels = [p["label"] for p in body["alternatives"]]
    assert "Upton, Wakefield" in labels
    assert all(set(p) == FIELDS for p in body["alternatives"])
    assert "More than one place is called Upton" in body["message"]
    assert "max-age=300" in response.headers["Cache-Control"]


def test_a_postcode_and_an_outcode(places_app: Flask) -> None:
    body = _get(places_app, "ch1 1aa").get_json()
    assert body["best"]["kind"] == "postcode" and body["best"]["name"] == "CH1 1AA"
    assert body["best"]["area_name"] == "Cheshire West and Chester"
    assert _get(places_app, "CH65").get_json()["best"]["kind"] == "outcode"


def test_partial_and_misspelt_names_give_suggestions(places_app: Flask) -> None:
    body = _get(places_app, "Great Suton").get_json()
    assert body["best"] is None
    assert body["alternatives"][0]["label"] == "Great Sutton, Ellesmere Port"
    assert "Did you mean Great Sutton" in body["message"]
    body = _get(places_app, "handb").get_json()
    assert body["best"] is None
    assert body["alternatives"][0]["name"] == "Handbridge"


def test_nothing_found_is_200_with_no_best(places_app: Flask) -> None:
    response = _get(places_app, "Qqqqzzz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["best"] is None and body["alternatives"] == []
    assert "could not find" in body["message"]


def test_missing_blank_and_long_queries_are_400(places_app: Flask) -> None:
    for q in (None, "", "   "):
        response = _get(places_app, q)
        assert response.status_code == 400
        assert response.get_json()["parameter"] == "q"
        assert "Give a place" in response.get_json()["message"]
    response = _get(places_app, "x" * 101)
    assert response.status_code == 400
    assert "too long" in response.get_json()["message"]


def test_no_gazetteer_is_a_clear_503(places_app: Flask, tmp_path) -> None:
    places_app.config["GAZETTEER_PATH"] = str(tmp_path / "missing.sqlite")
    response = _get(places_app, "Upton")
    assert response.status_code == 503
    assert response.get_json()["error"] == "service_unavailable"


def test_rate_limited_like_the_other_pages(migrated_sqlite_template, tmp_path, small_build):
    app = make_places_app(
        migrated_sqlite_template, tmp_path, small_build.path, RATELIMIT_PAGES="3 per minute"
    )
    client = app.test_client()
    codes = [client.get("/places/lookup?q=Lache").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/places/lookup?q=Lache")
    assert limited.mimetype == "application/json"
    assert limited.get_json()["error"] == "too_many_requests"
    assert "Retry-After" in limited.headers
    app.extensions["database"].engine.dispose()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(q=st.text(max_size=130))
def test_never_a_500(places_app: Flask, q: str) -> None:
    response = _get(places_app, q)
    assert response.status_code in (200, 400)
    body = response.get_json()
    if response.status_code == 200:
        assert body["best"] is None or set(body["best"]) == FIELDS
        assert body["best"] is not None or body["message"]
