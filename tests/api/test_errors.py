"""Hostile and mistaken requests get a JSON 400/404/405 naming the problem, never a 500."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.schema import assert_valid

UNKNOWN_UUID = "0b6f3a52-9a57-4c4b-8f7e-3d1f6d0f0c11"
LIST_PATHS = ["/services", "/service_at_locations"]

# (query string, parameter named in the error, words the message must contain)
HOSTILE = [
    ("page=-1", "page", "between 1 and"),
    ("page=0", "page", "between 1 and"),
    (f"page={10**30}", "page", "whole number"),
    ("page=1000000", "page", "between 1 and 100000"),
    ("page=abc", "page", "whole number"),
    ("page=1.5", "page", "whole number"),
    ("page=NaN", "page", "whole number"),
    ("page=5_000", "page", "whole number"),
    ("page=%EF%BC%95", "page", "whole number"),  # full-width digit five
    ("page=1&page=2", "page", "given 2 times"),
    ("per_page=0", "per_page", "between 1 and 200"),
    ("per_page=-5", "per_page", "between 1 and 200"),
    ("per_page=201", "per_page", "between 1 and 200"),
    (f"per_page={10**30}", "per_page", "whole number"),
    ("per_page=inf", "per_page", "whole number"),
    ("per_page=1e3", "per_page", "whole number"),
    ("minimum_age=nan", "minimum_age", "a number"),
    ("minimum_age=inf", "minimum_age", "a number"),
    ("minimum_age=-Infinity", "minimum_age", "a number"),
    ("minimum_age=1e2", "minimum_age", "a number"),
    ("minimum_age=-1", "minimum_age", "between 0 and 150"),
    ("minimum_age=151", "minimum_age", "between 0 and 150"),
    (f"minimum_age={10**30}", "minimum_age", "a number"),
    ("minimum_age=%D9%A1%D9%A8", "minimum_age", "a number"),  # Arabic-Indic 18
    ("maximum_age=eighteen", "maximum_age", "a number"),
    ("minimum_age=18&maximum_age=16", "maximum_age", "less than minimum_age"),
    ("taxonomy_term_id=not-a-uuid", "taxonomy_term_id", "UUID"),
    ("taxonomy_term_id=%27%3B%20DROP%20TABLE%20service%3B--", "taxonomy_term_id", "UUID"),
    (f"taxonomy_term_id={UNKNOWN_UUID}", "taxonomy_term_id", "no taxonomy term with id"),
    ("taxonomy_id=12345", "taxonomy_id", "UUID"),
    (f"taxonomy_id={UNKNOWN_UUID}", "taxonomy_id", "no taxonomy with id"),
    ("organization_id={}", "organization_id", "UUID"),
    (f"organization_id={UNKNOWN_UUID}", "organization_id", "no organisation with id"),
    ("day=Funday", "day", "day of the week"),
    ("day=MOTU", "day", "day of the week"),
    ("day=1", "day", "day of the week"),
    ("start_time=25:00", "start_time", "HH:MM"),
    ("start_time=12:60", "start_time", "HH:MM"),
    ("start_time=noon", "start_time", "HH:MM"),
    ("start_time=12", "start_time", "HH:MM"),
    ("start_time=12:00:00:00", "start_time", "HH:MM"),
    ("end_time=24:00", "end_time", "HH:MM"),
    ("end_time=-1:00", "end_time", "HH:MM"),
    ("modified_after=yesterday", "modified_after", "ISO 8601"),
    ("modified_after=2025-13-01", "modified_after", "ISO 8601"),
    ("modified_after=2025-02-30", "modified_after", "ISO 8601"),
    ("modified_after=12345", "modified_after", "ISO 8601"),
    ("modified_after=2025-01-01T25:00", "modified_after", "ISO 8601"),
    ("postcode=NOT%20A%20POSTCODE", "postcode", "not a UK postcode"),
    ("postcode=CH99%209ZZ", "postcode", "CH99 9ZZ was not found"),
    ("postcode=CW0", "postcode", "CW0 was not found"),
    ("proximity=1000", "proximity", "needs a postcode"),
    ("postcode=CH1%202HJ&proximity=0", "proximity", "between 1 and 1000000"),
    ("postcode=CH1%202HJ&proximity=-50", "proximity", "between 1 and 1000000"),
    ("postcode=CH1%202HJ&proximity=nan", "proximity", "a number"),
    (f"postcode=CH1%202HJ&proximity={10**30}", "proximity", "a number"),
    ("postcode=CH1%202HJ&proximity=2000000", "proximity", "between 1 and 1000000"),
    ("search=" + "a" * 201, "search", "too long"),
]


@pytest.mark.parametrize("path", LIST_PATHS)
@pytest.mark.parametrize(("query", "parameter", "words"), HOSTILE)
def test_bad_parameters_are_a_400_naming_the_parameter(directory_api, path, query, parameter,
                                                       words):  # fmt: skip
    response = directory_api.client.get(f"/api{path}?{query}")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert body["error"] == "bad_request"
    assert body["parameter"] == parameter
    assert words.lower() in body["message"].lower()


@pytest.mark.parametrize("path", ["/taxonomies", "/taxonomy_terms"])
@pytest.mark.parametrize("query", ["page=-1", "per_page=1000", f"page={10**30}", "per_page=x"])
def test_taxonomy_lists_check_paging_too(directory_api, path, query):
    response = directory_api.client.get(f"/api{path}?{query}")
    assert response.status_code == 400
    assert response.get_json()["parameter"] == query.split("=")[0]


@pytest.mark.parametrize(
    "query",
    ["page=", "per_page=%20", "day=", "postcode=", "search=%20%20", "page=%202%20", "page=+2"],
)
def test_blank_and_padded_values_are_accepted(directory_api, query):
    assert directory_api.client.get(f"/api/services?{query}").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/services/not-a-uuid",
        f"/services/{UNKNOWN_UUID}",
        "/services/" + "9" * 5000,
        "/service_at_locations/%F0%9F%92%A9",
        f"/service_at_locations/{UNKNOWN_UUID}",
        "/taxonomies/1",
        f"/taxonomies/{UNKNOWN_UUID}",
        "/taxonomy_terms/null",
        f"/taxonomy_terms/{UNKNOWN_UUID}",
        "/no_such_endpoint",
        "/services/extra/segments",
    ],
)
def test_unknown_ids_and_paths_are_a_json_404(directory_api, path):
    response = directory_api.client.get(f"/api{path}")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.get_json()["error"] == "not_found"


def test_hidden_listings_are_404_by_id_everywhere(directory_api):
    for service in directory_api.directory.hidden.values():
        response = directory_api.client.get(f"/api/services/{service.id}")
        assert response.status_code == 404, service.listing_status
        assert response.get_json() == {
            "error": "not_found",
            "message": f"There is no public service with id {service.id}.",
        }
    every_sal = directory_api.get("/service_at_locations", per_page=200)["contents"]
    assert not any(item["service"]["name"].startswith("Hidden") for item in every_sal)


def test_ids_are_accepted_in_upper_case(directory_api):
    service = directory_api.directory.services["Blacon Food Bank"]
    body = directory_api.get(f"/services/{service.id.upper()}")
    assert body["id"] == service.id


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_are_a_json_405(directory_api, method):
    response = directory_api.client.open(f"/api/services/{uuid.uuid4()}", method=method)
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200), path=st.sampled_from(LIST_PATHS))
def test_any_search_text_is_answered_never_a_500(directory_api, text, path):
    """``search`` goes to the search index: no text a client sends may break it."""
    response = directory_api.client.get(f"/api{path}", query_string={"search": text})
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    body = response.get_json()
    assert ("contents" in body) if response.status_code == 200 else body["parameter"] == "search"


@pytest.mark.parametrize(
    "text",
    ['"', "((", "AND OR NOT", "*", "name:*", "' OR 1=1 --", "\x00\x07", "🙂" * 50, "a~2^3"],
)
def test_search_syntax_is_read_as_plain_words(directory_api, text):
    nearby = directory_api.names("/services", postcode="CH1 2HJ", proximity=5000)
    body = directory_api.get(
        "/services", search=text, postcode="CH1 2HJ", proximity=5000, per_page=200
    )
    for item in body["contents"]:
        assert_valid(item, "service_list")
    names = [item["name"] for item in body["contents"]]
    # No operator widens the search: results are a subset of the proximity filter alone.
    assert set(names) <= set(nearby)
