"""Each list filter returns exactly the services it should (on SQLite and PostgreSQL).

The data is :func:`tests.factories.make_directory`; the expected names below are read off its
table, so a wrong answer names the service that should or should not be there.
"""

from __future__ import annotations

import itertools

import pytest

SCHEMES = {f"Chester Befriending Scheme {n:02d}" for n in range(1, 11)}


def _ids(api, kind: str) -> dict[str, str]:
    """Taxonomy or term ids by name."""
    body = api.get(f"/{kind}", per_page=200)
    return {item["name"]: item["id"] for item in body["contents"]}


def _org_id(api, name: str) -> str:
    services = api.get("/services", per_page=200)["contents"]
    return next(s["organization"]["id"] for s in services if s["organization"]["name"] == name)


def test_taxonomy_term_includes_every_descendant_term(directory_api):
    terms = _ids(directory_api, "taxonomy_terms")
    befriending = {
        "Blacon Friendship Café",
        "Ellesmere Port Lunch Club",
        "Neston Memory Café",
        "Tarporley Good Neighbours",
        *SCHEMES,
    }
    telephone = {"Winsford Evening Helpline", "Silver Line Chester"}
    lonely = {"Chester Walking Football", "Hoole Knit and Natter", "Neston Men's Shed",
              "Whitby Warm Space"}  # fmt: skip
    names = lambda term: set(directory_api.names("/services", taxonomy_term_id=terms[term]))  # noqa: E731
    assert names("Telephone befriending") == telephone
    assert names("Befriending") == befriending | telephone
    assert names("Loneliness and isolation") == lonely | befriending | telephone


def test_taxonomy_id_matches_any_term_of_that_taxonomy(directory_api):
    taxonomies = _ids(directory_api, "taxonomies")
    needs = directory_api.names("/services", taxonomy_id=taxonomies["Community needs"])
    assert len(needs) == 38
    # Facilities are attributes of venues, not of services.
    assert directory_api.names("/services", taxonomy_id=taxonomies["Venue facilities"]) == []
    groups = set(directory_api.names("/services", taxonomy_id=taxonomies["Who the service is for"]))
    assert {"Northwich Young Carers", "Crewe Carers Hub", *SCHEMES} <= groups
    assert not {"Blacon Food Bank", "Upton Baby Massage"} & groups


AGE_LIMITED = {
    "Blacon Friendship Café": (50, None),
    "Boughton Toddler Group": (0, 4),
    "Ellesmere Port Youth Zone": (11, 19),
    "Northwich Young Carers": (8, 17),
    "Tarporley Good Neighbours": (65, None),
    "Upton Baby Massage": (0, 1),
    "Winsford Talking Therapies": (16, 64),
}


@pytest.mark.parametrize(
    ("params", "admitted"),
    [
        # A 16-year-old: ranges that contain 16.
        ({"minimum_age": 16, "maximum_age": 16},
         {"Ellesmere Port Youth Zone", "Northwich Young Carers", "Winsford Talking Therapies"}),
        # Babies and toddlers, 0 to 2: ranges that overlap 0-2.
        ({"minimum_age": 0, "maximum_age": 2}, {"Boughton Toddler Group", "Upton Baby Massage"}),
        # Anyone 70 or over: services with no upper limit below 70.
        ({"minimum_age": 70}, {"Blacon Friendship Café", "Tarporley Good Neighbours"}),
        # Anyone up to 10: services whose lower limit is 10 or less.
        ({"maximum_age": 10},
         {"Boughton Toddler Group", "Northwich Young Carers", "Upton Baby Massage"}),
    ],
)  # fmt: skip
def test_ages_return_services_whose_eligibility_overlaps(directory_api, params, admitted):
    names = set(directory_api.names("/services", **params))
    assert names & set(AGE_LIMITED) == admitted
    assert {"Blacon Food Bank", "Silver Line Chester"} <= names  # no age limits at all


@pytest.mark.parametrize("day", ["SU", "su", "Sunday", "SUN"])
def test_day_matches_schedules_on_that_weekday(directory_api, day):
    names = set(directory_api.names("/services", day=day))
    assert names == SCHEMES | {"Silver Line Chester", "Winsford Evening Helpline"}


def test_day_reads_lists_and_monthly_ordinals(directory_api):
    names = set(directory_api.names("/services", day="TU"))
    assert names == {
        "Blacon Friendship Café",
        "Ellesmere Port Money Matters",
        "Northwich Debt Line",  # MO,TU,WE,TH,FR
        "Northwich Young Carers",
        "Upton Bereavement Group",  # 2TU: second Tuesday of the month
        "Winsford Cook and Eat",
        "Winsford Evening Helpline",
        "Crewe Carers Hub",
        "Silver Line Chester",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"day": "SA", "start_time": "10:30"},
         {"Chester Walking Football", "Winsford Dads' Group", "Silver Line Chester"}),
        # Day and time must hold on the same schedule: the schemes meet on Sundays at 14:00.
        ({"day": "SU", "start_time": "10:00"}, {"Silver Line Chester"}),
        # Open for the whole evening window.
        ({"start_time": "19:00", "end_time": "21:00"},
         {"Ellesmere Port Youth Zone", "Upton Bereavement Group"}),
        # The helpline runs 22:00-02:00: open at 23:00 and at 01:30, and until 02:00.
        ({"start_time": "23:00"}, {"Winsford Evening Helpline"}),
        ({"start_time": "01:30:00"}, {"Winsford Evening Helpline"}),
        ({"end_time": "02:00"}, {"Winsford Evening Helpline"}),
    ],
)  # fmt: skip
def test_times_match_schedules_open_at_those_times(directory_api, params, expected):
    assert set(directory_api.names("/services", **params)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-27", {"Winsford Talking Therapies", "Crewe Carers Hub", "Silver Line Chester"}),
        ("2025-01-27T09:00:01Z", {"Crewe Carers Hub", "Silver Line Chester"}),
        ("2025-01-27T10:00:00+01:00",
         {"Winsford Talking Therapies", "Crewe Carers Hub", "Silver Line Chester"}),
        # "+" unencoded in a URL arrives as a space.
        ("2025-01-28T10:00:00 01:00", {"Crewe Carers Hub", "Silver Line Chester"}),
        ("2025-01-29T09:00:00", {"Silver Line Chester"}),
        ("2026-01-01", set()),
    ],
)  # fmt: skip
def test_modified_after_is_on_or_after(directory_api, value, expected):
    assert set(directory_api.names("/services", modified_after=value)) == expected


def test_organization_id(directory_api):
    council = _org_id(directory_api, "Cheshire West and Chester Council")
    assert directory_api.names("/services", organization_id=council) == [
        "Chester Debt Advice Clinic",
        "Ellesmere Port Money Matters",
        "Northwich Debt Line",
    ]


DEBT = {"Chester Debt Advice Clinic", "Northwich Debt Line", "Ellesmere Port Money Matters"}


def test_search_comes_from_the_index_with_needs_and_synonyms(directory_api):
    names = directory_api.names("/services", search="debt")
    # Both services named for debt lead; Money Matters is found through its need.
    assert set(names) == DEBT
    assert set(names[:2]) == {"Chester Debt Advice Clinic", "Northwich Debt Line"}
    # Words the listings never use, found through the need vocabulary and typo tolerance.
    assert set(directory_api.names("/services", search="skint")) >= DEBT
    lonely = set(directory_api.names("/services", search="lonley"))
    assert {"Hoole Knit and Natter", "Neston Men's Shed", "Blacon Friendship Café"} <= lonely
    assert not lonely & DEBT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BLACON friendship", ["Blacon Friendship Café"]),
        ("west and chester council", sorted(DEBT)),
        ("100%", []),
        ("men_s", []),
        ("zebra crossing", []),
        ('"knit and natter" OR name:* AND (', ["Hoole Knit and Natter"]),
    ],
)  # fmt: skip
def test_search_needs_every_word(directory_api, text, expected):
    """Unlike the public site, the API never widens to listings with only some words."""
    assert sorted(directory_api.names("/services", search=text)) == expected


@pytest.mark.parametrize("path", ["/services", "/service_at_locations"])
def test_search_results_page_in_rank_order_without_repeats(directory_api, path):
    whole = directory_api.names(path, search="befriending")
    assert len(whole) >= 10
    paged = []
    for page in range(1, 100):
        body = directory_api.get(path, search="befriending", per_page=3, page=page)
        assert body["total_items"] == len(whole)
        paged += [item.get("service", item)["name"] for item in body["contents"]]
        if body["last_page"]:
            break
    assert paged == whole


def test_search_on_service_at_locations_gives_each_place_of_a_match(directory_api):
    body = directory_api.get("/service_at_locations", search="debt", per_page=200)
    assert {item["service"]["name"] for item in body["contents"]} == DEBT
    assert all(item["location"]["id"] == item["location_id"] for item in body["contents"])


def test_postcode_alone_means_the_service_area_covers_it(directory_api):
    chester = set(directory_api.names("/services", postcode="ch12hj"))
    assert len(chester) == 37
    assert "Crewe Carers Hub" not in chester
    assert "Silver Line Chester" in chester  # phone-only, but covers the borough
    assert directory_api.names("/services", postcode="CW1 2BJ") == ["Crewe Carers Hub"]


NEAR_TOWN_HALL = {"Chester Carers Drop-in", "Chester Debt Advice Clinic",
                  "Chester Walking Football", *SCHEMES}  # fmt: skip
HOOLE = {"Hoole Community Pantry", "Hoole Knit and Natter", "Hoole Parents' Coffee Morning"}


@pytest.mark.parametrize("path", ["/services", "/service_at_locations"])
def test_postcode_and_proximity_measure_from_the_postcode(directory_api, path):
    assert set(directory_api.names(path, postcode="CH1 2HJ", proximity=1000)) == NEAR_TOWN_HALL
    wider = set(directory_api.names(path, postcode="CH1 2HJ", proximity=1500))
    assert wider == NEAR_TOWN_HALL | HOOLE
    assert directory_api.names(path, postcode="CW1 2BJ", proximity=5000) == ["Crewe Carers Hub"]


def test_proximity_lists_nearest_first_and_reaches_beyond_the_sites_80_km(directory_api):
    from geopy.distance import geodesic

    body = directory_api.get(
        "/service_at_locations", postcode="CW1 2BJ", proximity=200_000, per_page=200
    )
    crewe = (53.0966, -2.4392)  # CW1 2BJ, near enough for ordering checks
    distances = [
        geodesic(crewe, (item["location"]["latitude"], item["location"]["longitude"])).km
        for item in body["contents"]
    ]
    # Crewe is about 30 km from Chester: beyond 80 km nothing is cut off here.
    assert body["total_items"] == len(distances) >= 30
    assert all(a <= b + 0.5 for a, b in itertools.pairwise(distances))
    assert body["contents"][0]["service"]["name"] == "Crewe Carers Hub"


def test_outcode_works_as_a_postcode(directory_api):
    names = set(directory_api.names("/services", postcode="CH1", proximity=3000))
    assert names >= NEAR_TOWN_HALL
    assert "Winsford Dads' Group" not in names


def test_service_at_locations_take_the_same_filters(directory_api):
    terms = _ids(directory_api, "taxonomy_terms")
    body = directory_api.get(
        "/service_at_locations", taxonomy_term_id=terms["Befriending"], day="SU", per_page=200
    )
    names = {item["service"]["name"] for item in body["contents"]}
    # Silver Line has no location, so it has no service-at-location.
    assert names == SCHEMES | {"Winsford Evening Helpline"}
    assert all(item["location"]["latitude"] for item in body["contents"])


def test_filters_combine_with_and(directory_api):
    terms = _ids(directory_api, "taxonomy_terms")
    names = directory_api.names(
        "/services",
        taxonomy_term_id=terms["Befriending"],
        postcode="CH1 2HJ",
        proximity=1000,
        search="scheme 05",
    )
    assert names == ["Chester Befriending Scheme 05"]


def test_unknown_parameters_are_ignored(directory_api):
    body = directory_api.get("/services", colour="blue", full="true", per_page=5)
    assert body["total_items"] == 38
