"""Every endpoint answers with valid ORUK 3.0 JSON, on SQLite and PostgreSQL.

Each list is checked on its first, a middle and its last page, item by item against the ORUK
schema for that endpoint; each single-record endpoint is checked for a sample of records.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import DirectoryApi
from tests.api.schema import assert_valid

PAGE_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}

# endpoint, item schema, per_page giving at least three pages
LISTS = [
    ("/services", "service_list", 10),
    ("/service_at_locations", "service_at_location_list", 10),
    ("/taxonomies", "taxonomy", 1),
    ("/taxonomy_terms", "taxonomy_term", 5),
]


def _pages(api: DirectoryApi, path: str, per_page: int) -> list[dict]:
    first = api.get(path, per_page=per_page)
    last_number = first["total_pages"]
    assert last_number >= 3, "the test data should give first, middle and last pages"
    middle = api.get(path, per_page=per_page, page=last_number // 2 + 1)
    last = api.get(path, per_page=per_page, page=last_number)
    return [first, middle, last]


@pytest.mark.parametrize(("path", "schema", "per_page"), LISTS[:2])
def test_pages_ranked_by_the_search_index_are_valid_oruk(directory_api, path, schema, per_page):
    for query in ({"search": "befriending"}, {"postcode": "CH1 2HJ", "proximity": 20_000}):
        first = directory_api.get(path, per_page=3, **query)
        last_number = first["total_pages"]
        assert last_number >= 3
        for page in (1, last_number // 2 + 1, last_number):
            body = directory_api.get(path, per_page=3, page=page, **query)
            assert set(body) == PAGE_KEYS
            assert body["size"] == len(body["contents"]) > 0
            for item in body["contents"]:
                assert_valid(item, schema)


@pytest.mark.parametrize(("path", "schema", "per_page"), LISTS)
def test_first_middle_and_last_pages_are_valid_oruk(directory_api, path, schema, per_page):
    for body in _pages(directory_api, path, per_page):
        assert set(body) == PAGE_KEYS
        assert body["size"] == len(body["contents"]) > 0
        for item in body["contents"]:
            assert_valid(item, schema)


@pytest.mark.parametrize(("path", "schema", "per_page"), LISTS)
def test_page_envelope_counts_add_up(directory_api, path, schema, per_page):
    first, middle, last = _pages(directory_api, path, per_page)
    total = first["total_items"]
    assert first["total_pages"] == -(-total // per_page)
    assert (first["first_page"], first["last_page"]) == (True, False)
    assert (middle["first_page"], middle["last_page"]) == (False, False)
    assert (last["first_page"], last["last_page"]) == (False, True)
    assert last["size"] == total - per_page * (last["total_pages"] - 1)
    assert not any(body["empty"] for body in (first, middle, last))
    every_id = [
        item["id"]
        for n in range(1, first["total_pages"] + 1)
        for item in directory_api.get(path, per_page=per_page, page=n)["contents"]
    ]
    assert len(every_id) == len(set(every_id)) == total


def test_services_come_in_name_order_and_only_public(directory_api):
    body = directory_api.get("/services", per_page=200)
    names = [s["name"] for s in body["contents"]]
    assert names == [s.name for s in directory_api.directory.public]
    assert body["total_items"] == 38
    assert not any(name.startswith("Hidden") for name in names)


def test_page_past_the_end_is_empty_with_true_totals(directory_api):
    body = directory_api.get("/services", per_page=10, page=9)
    assert body == {
        "total_items": 38,
        "total_pages": 4,
        "page_number": 9,
        "size": 0,
        "first_page": False,
        "last_page": True,
        "empty": True,
        "contents": [],
    }


def test_default_page_is_the_first_fifty(directory_api):
    body = directory_api.get("/services")
    assert (body["page_number"], body["size"], body["total_pages"]) == (1, 38, 1)


def test_each_public_service_is_valid_fully_nested(directory_api):
    for service in directory_api.directory.public:
        body = directory_api.get(f"/services/{service.id}")
        assert_valid(body, "service")
        assert body["id"] == service.id
    sample = directory_api.get(
        f"/services/{directory_api.directory.services['Blacon Food Bank'].id}"
    )
    assert sample["organization"]["name"] == "Cheshire Community Action"
    assert sample["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "CH1 5BE"
    assert sample["contacts"][0]["phones"][0]["number"].startswith("01632 960")
    assert sample["schedules"][0]["byday"] == "FR"
    assert sample["service_areas"][0]["extent"] == "E06000050"
    assert [a["taxonomy_term"]["name"] for a in sample["attributes"]] == ["Food"]


def test_each_service_at_location_is_valid_fully_nested(directory_api):
    listing = directory_api.get("/service_at_locations", per_page=200)["contents"]
    assert len(listing) == 37  # every public service but the phone-only one
    for item in listing:
        body = directory_api.get(f"/service_at_locations/{item['id']}")
        assert_valid(body, "service_at_location")
        assert body["service"]["id"] == item["service_id"]
        assert "service_at_locations" not in body["service"]
        assert body["location"]["addresses"]


def test_taxonomies_and_terms_by_id(directory_api):
    for taxonomy in directory_api.get("/taxonomies")["contents"]:
        body = directory_api.get(f"/taxonomies/{taxonomy['id']}")
        assert_valid(body, "taxonomy")
        assert body == taxonomy
    terms = directory_api.get("/taxonomy_terms", per_page=200)["contents"]
    assert len(terms) == 16
    for term in terms:
        body = directory_api.get(f"/taxonomy_terms/{term['id']}")
        assert_valid(body, "taxonomy_term")
        assert body == term
    lonely = next(t for t in terms if t["name"] == "Loneliness and isolation")
    assert lonely["x_synonyms"] == ["lonely", "lonley", "isolated"]


def test_taxonomy_terms_of_one_taxonomy(directory_api):
    taxonomies = directory_api.get("/taxonomies")["contents"]
    venue = next(t for t in taxonomies if t["name"] == "Venue facilities")
    terms = directory_api.get("/taxonomy_terms", taxonomy_id=venue["id"])["contents"]
    assert [t["name"] for t in terms] == ["Free parking", "Hearing loop", "Step-free access"]


def test_root_describes_the_api_and_its_openapi(directory_api):
    body = directory_api.get("/")
    assert body["version"] == "HSDS-UK-3.0"
    assert body["profile"].startswith("https://openreferraluk.org/")
    assert body["openapi_url"] == "http://localhost/api/openapi.json"
    assert directory_api.client.get("/api").get_json() == body


def test_openapi_document_points_at_this_server(directory_api):
    """From PUBLIC_BASE_URL, whatever the request's Host (issue 14: Host header poisoning)."""
    directory_api.app.config["PUBLIC_BASE_URL"] = "https://directory.example.org/"
    response = directory_api.client.get("/api/openapi.json", base_url="http://127.0.0.1:8000")
    document = response.get_json()
    assert document["servers"][0]["url"] == "https://directory.example.org/api"
    assert document["openapi"].startswith("3.")
    assert "/services/{id}" in document["paths"]
    root = directory_api.client.get("/api/")
    assert root.get_json()["openapi_url"] == "https://directory.example.org/api/openapi.json"


@pytest.mark.parametrize(
    "path",
    ["/api/", "/api/services", "/api/services?page=0", "/api/nowhere", "/api/openapi.json"],
)
def test_every_response_is_json_with_open_cors(directory_api, path):
    response = directory_api.client.get(path)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.mimetype == "application/json"
    assert response.get_json() is not None


def test_head_gives_headers_without_a_body(directory_api):
    response = directory_api.client.head("/api/services")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.get_data() == b""


def test_cors_preflight_is_answered(directory_api):
    response = directory_api.client.options(
        "/api/services",
        headers={"Origin": "https://other.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_site_pages_outside_the_api_get_no_cors_header(directory_api):
    response = directory_api.client.get("/not-the-api")
    assert "Access-Control-Allow-Origin" not in response.headers
