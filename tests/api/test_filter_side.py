"""Taxonomy and age filters on a ranked request are read from their own side, and answer the
same.

With ``search`` (or ``postcode`` and ``proximity``) and a taxonomy filter, the ids linked to
the term are read in one query and the index's ranked list keeps those alone; with ages, the
ids the ages rule out are read in one query and the list drops those
(``directory.api.queries._narrowed``); the other filters are then checked down that shorter
list. Walking the whole ranked list instead (``narrow=False``, the path taken when a filter's
side outnumbers the matches) must give the same page and the same total, on SQLite and
PostgreSQL, whatever the filters (fractional ages too), page and page size. Fractional and
missing ages stored on services: tests/api/test_age_side.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.api.filters import Place, ServiceFilters, age_side
from directory.api.queries import (
    Paging,
    _narrowed,
    list_service_at_locations,
    list_services,
)
from directory.api.ranked import narrowed, ranked_ids
from directory.db import db

LISTS = {"service": list_services, "service_at_location": list_service_at_locations}
SEARCHES = ["befriending", "chester", "lonely", "club", "debt", "support", "zebra crossing"]
# CH1 2HJ (Chester town hall); the proximity tests in test_filters.py use the same postcode.
CHESTER = Place("CH1 2HJ", 53.19174, -2.89272, frozenset())


@pytest.fixture(scope="module")
def ids(directory_api) -> dict[str, str]:
    """Term, taxonomy and organisation ids by name."""
    found = {}
    for kind in ("taxonomy_terms", "taxonomies"):
        listed = directory_api.get(f"/{kind}", per_page=200)["contents"]
        found |= {item["name"]: item["id"] for item in listed}
    for service in directory_api.get("/services", per_page=200)["contents"]:
        found[service["organization"]["name"]] = service["organization"]["id"]
    return found


@pytest.fixture
def session(directory_api) -> Iterator:
    with directory_api.app.app_context():
        yield db.session


def _both(session, level: str, filters: ServiceFilters, paging: Paging):
    """(total, ids) with the filter read from its side, and by walking the ranked list."""
    answers = []
    for narrow in (True, False):
        page = LISTS[level](session, filters, paging, narrow=narrow)
        answers.append((page.total_items, [item.id for item in page.items]))
    return answers


def _cases(ids: dict[str, str]) -> list[dict]:
    befriending, lonely = ids["Befriending"], ids["Loneliness and isolation"]
    return [
        {"taxonomy_term_id": befriending},
        {"taxonomy_term_id": lonely},
        {"taxonomy_term_id": ids["Telephone befriending"]},
        {"taxonomy_term_id": lonely, "maximum_age": 17},
        {"taxonomy_term_id": lonely, "minimum_age": 60},
        {"taxonomy_term_id": befriending, "day": "MO"},
        {"taxonomy_term_id": lonely, "organization_id": ids["Cheshire Community Action"]},
        {"taxonomy_id": ids["Community needs"]},
        {"taxonomy_id": ids["Who the service is for"], "maximum_age": 30},
        {"taxonomy_term_id": befriending, "taxonomy_id": ids["Who the service is for"]},
        {"maximum_age": 17},
        {"minimum_age": 60},
        {"minimum_age": 16, "maximum_age": 16},
        {"minimum_age": 18.5, "maximum_age": 49.99},
        {"maximum_age": 10.5, "day": "TH"},
        {"minimum_age": 19.000001, "organization_id": ids["Cheshire Community Action"]},
        {"maximum_age": 0},
    ]


@pytest.mark.parametrize("level", LISTS)
def test_every_filter_gives_the_same_page_and_total_from_either_side(session, ids, level):
    compared = 0
    for asked in _cases(ids):
        for search in SEARCHES:
            for paging in (Paging(1, 3), Paging(2, 3), Paging(4, 2), Paging(1, 50)):
                filters = ServiceFilters(search=search, **asked)
                from_side, walked = _both(session, level, filters, paging)
                assert from_side == walked, (asked, search, paging)
                compared += bool(walked[0])
        near = ServiceFilters(place=CHESTER, proximity=3000, **asked)
        from_side, walked = _both(session, level, near, Paging(1, 5))
        assert from_side == walked, (asked, "near")
    assert compared > 50  # most comparisons have something to compare


def test_the_filter_side_is_taken_when_it_is_the_smaller(session, ids):
    filters = ServiceFilters(search="chester", taxonomy_term_id=ids["Telephone befriending"])
    ranked = ranked_ids(filters, "service")
    kept, left = _narrowed(session, filters, ranked, True)
    assert 0 < len(kept) < len(ranked)
    assert left.taxonomy_term_id is None and left.search == "chester"
    # Every public service has a need term: the taxonomy's side outnumbers one word's matches,
    # so the ranked list is walked as before.
    every = ServiceFilters(search="debt", taxonomy_id=ids["Community needs"])
    ranked = ranked_ids(every, "service")
    assert _narrowed(session, every, ranked, True) == (ranked, every)
    # No filter that has a side of its own: nothing to read.
    schedule = ServiceFilters(search="chester", day="MO")
    assert _narrowed(session, schedule, ranked, True) == (ranked, schedule)


@pytest.mark.parametrize("level", LISTS)
def test_the_ages_drop_what_they_rule_out_when_it_is_few(session, ids, level):
    filters = ServiceFilters(search="chester", maximum_age=17, day="MO")
    ranked = ranked_ids(filters, level)
    kept, left = _narrowed(session, filters, ranked, True, location_level=level != "service")
    assert 0 < len(kept) < len(ranked)
    assert (left.minimum_age, left.maximum_age, left.day) == (None, None, "MO")
    assert [record_id for record_id in ranked if record_id in set(kept)] == list(kept)
    # With a term as well, the term's side first, then the ages on what it left.
    both = ServiceFilters(search="chester", taxonomy_term_id=ids["Befriending"], minimum_age=60)
    ranked = ranked_ids(both, level)
    kept, left = _narrowed(session, both, ranked, True, location_level=level != "service")
    assert len(kept) < len(ranked)
    assert (left.taxonomy_term_id, left.minimum_age, left.search) == (None, None, "chester")


def test_the_ranked_list_is_walked_when_the_ages_rule_out_more(session):
    # Every service with a minimum age is ruled out by maximum_age=-1: allowed no more than
    # none per ranked id, the side gives up and the list is walked with the ages still asked.
    filters = ServiceFilters(search="chester", maximum_age=-1)
    ranked = ranked_ids(filters, "service")
    side, left = age_side(session, filters)
    assert left.maximum_age is None
    assert narrowed(session, ranked, side, keep=False, reach=0) is None
    dropped = narrowed(session, ranked, side, keep=False, reach=100)
    assert dropped is not None and len(dropped) < len(ranked)
    assert age_side(session, ServiceFilters(search="chester")) == (
        None, ServiceFilters(search="chester")
    )  # fmt: skip


#: Asked ages on and either side of the directory's bounds (0 4 11 16 18 19 50 60), and any.
AGES = st.one_of(
    st.sampled_from(
        [3.999, 4.0, 4.5, 10.99, 11.0, 16.0, 17.5, 18.0, 18.01, 19.0, 49.5, 50.0, 60.0]
    ),
    st.floats(0, 150, allow_nan=False),
)
FILTER_SIDE = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FILTER_SIDE
@given(
    level=st.sampled_from(list(LISTS)),
    search=st.sampled_from(SEARCHES),
    term=st.sampled_from(["Befriending", "Loneliness and isolation", "Telephone befriending",
                          "Community needs", None]),
    minimum_age=st.one_of(st.none(), st.integers(0, 90), AGES),
    maximum_age=st.one_of(st.none(), st.integers(0, 90), AGES),
    day=st.one_of(st.none(), st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"])),
    page=st.integers(1, 6),
    per_page=st.integers(1, 12),
)  # fmt: skip
def test_any_filters_give_the_same_answer_from_either_side(
    session, ids, level, search, term, minimum_age, maximum_age, day, page, per_page
):
    by_term = {}
    if term is not None:
        by_term = {"taxonomy_id" if term == "Community needs" else "taxonomy_term_id": ids[term]}
    filters = ServiceFilters(
        search=search, minimum_age=minimum_age, maximum_age=maximum_age, day=day,
        **by_term,
    )  # fmt: skip
    from_side, walked = _both(session, level, filters, Paging(page, per_page))
    assert from_side == walked
