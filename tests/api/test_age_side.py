"""Ages read from their own side keep the SQL filter's meaning, fractions and NULLs included.

A ranked request with ``minimum_age`` or ``maximum_age`` drops from the index's list the
services the ages rule out (``directory.api.filters.age_side``), rather than checking every
match's row. Here the services' own ages are fractional or missing, on and either side of the
ages asked, and both paths (``narrow`` True and False) must give the same page and total as
the documented rule: a service matches when its eligible ages overlap the asked range, a
missing bound being no limit (docs/api.md, "Parameters"). Its own module: it writes data.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.api.filters import ServiceFilters, age_side
from directory.api.queries import Paging, _narrowed, list_service_at_locations, list_services
from directory.api.ranked import SEPARATOR, ranked_ids, side_keys
from directory.db import db
from directory.listings.models import ListingStatus
from tests.factories import make_service

#: (minimum age, maximum age) of each public "befriending" service.
STORED = [
    (None, None), (None, 17.4), (17.4, None), (17.4, 17.5), (0.5, 4.25), (0.0, 0.0),
    (16.999, 18.001), (18.0, 25.0), (64.99, None), (None, 0.0), (25.0, 18.0), (150.0, 150.0),
    (17.45, 17.45), (None, 64.99), (11.0, None), (2.5, 99.5),
]  # fmt: skip
#: Asked ages on every stored bound, and between and beside them.
ASKED = sorted(
    {bound for pair in STORED for bound in pair if bound is not None}
    | {0.25, 1.0, 17.0, 17.41, 17.449, 17.46, 18.0005, 30.0, 64.9, 65.0, 100.0, 149.99}
)


@pytest.fixture
def ages_app(api_app):
    """``api_app`` (SQLite and PostgreSQL) with the services of ``STORED``, one place each,
    and a hidden one with no ages that no answer may count."""
    with api_app.app_context():
        for n, (low, high) in enumerate(STORED):
            make_service(db.session, f"Befriending Group {n:02d}", places=("chester",),
                         minimum_age=low, maximum_age=high)  # fmt: skip
        make_service(db.session, "Hidden Befriending Group", places=("chester",),
                     listing_status=ListingStatus.DRAFT)  # fmt: skip
        db.session.commit()
    return api_app


def _expected(minimum_age: float | None, maximum_age: float | None) -> list[str]:
    """The names the rule selects, worked out here rather than by SQL."""
    names = []
    for n, (low, high) in enumerate(STORED):
        if minimum_age is not None and high is not None and high < minimum_age:
            continue
        if maximum_age is not None and low is not None and low > maximum_age:
            continue
        names.append(f"Befriending Group {n:02d}")
    return names


def _check(app, minimum_age: float | None, maximum_age: float | None, per_page: int) -> None:
    """Every page, both paths, both lists: the same answer, and the rule's."""
    filters = ServiceFilters(search="befriending", minimum_age=minimum_age,
                             maximum_age=maximum_age)  # fmt: skip
    expected = _expected(minimum_age, maximum_age)
    with app.app_context():
        for listing, name_of in (
            (list_services, lambda item: item.name),
            (list_service_at_locations, lambda item: item.service.name),
        ):
            for narrow in (True, False):
                names, page = [], 1
                while True:
                    got = listing(db.session, filters, Paging(page, per_page), narrow=narrow)
                    assert got.total_items == len(expected), (minimum_age, maximum_age, narrow)
                    names += [name_of(item) for item in got.items]
                    if page * per_page >= got.total_items:
                        break
                    page += 1
                assert sorted(names) == expected, (minimum_age, maximum_age, narrow)
                assert len(set(names)) == len(names)


def test_fractional_and_missing_ages_answer_as_the_sql_filter_does(ages_app):
    for asked in ASKED:
        _check(ages_app, asked, None, 5)
        _check(ages_app, None, asked, 5)
        _check(ages_app, asked, asked, 50)
    for low, high in [(0.5, 17.4), (17.41, 17.449), (17.5, 64.99), (4.25, 11.0), (0.0, 0.0)]:
        _check(ages_app, low, high, 3)


def test_the_ages_side_is_the_one_taken(ages_app):
    with ages_app.app_context():
        filters = ServiceFilters(search="befriending", minimum_age=17.45, maximum_age=17.45)
        for level in ("service", "service_at_location"):
            ranked = ranked_ids(filters, level)
            kept, left = _narrowed(db.session, filters, ranked, True,
                                   location_level=level != "service")  # fmt: skip
            assert (left.minimum_age, left.maximum_age) == (None, None)
            assert len(kept) == len(_expected(17.45, 17.45)) < len(ranked)


def test_ids_holding_the_separator_are_read_as_rows(ages_app):
    # The side's ids come joined in one string; an id holding the separator splits into more
    # parts than there are ids, and then they are read row by row.
    odd = f"odd{SEPARATOR}id-{'0' * 29}"
    with ages_app.app_context():
        make_service(db.session, "Befriending Group Odd", id=odd, places=("chester",),
                     minimum_age=40.5)  # fmt: skip
        db.session.commit()
        side, _left = age_side(db.session, ServiceFilters(maximum_age=40.25))
        assert odd.encode() in side_keys(db.session, side)
        both = [
            list_services(db.session, ServiceFilters(search="befriending", maximum_age=40.25),
                          Paging(1, 50), narrow=narrow).total_items
            for narrow in (True, False)
        ]  # fmt: skip
    assert both == [len(_expected(None, 40.25))] * 2


AGE_SIDE = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@AGE_SIDE
@given(
    minimum_age=st.one_of(st.none(), st.sampled_from(ASKED), st.floats(0, 150)),
    maximum_age=st.one_of(st.none(), st.sampled_from(ASKED), st.floats(0, 150)),
    per_page=st.integers(1, 7),
)
def test_any_ages_give_the_rule_s_answer_either_way(ages_app, minimum_age, maximum_age, per_page):
    _check(ages_app, minimum_age, maximum_age, per_page)
