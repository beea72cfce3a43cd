"""The console's list: order, filters, counts, and ageing in working days, on SQLite and
PostgreSQL (the need filter reads a JSON column as text on both)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from directory.accounts.models import StaffRole
from directory.help_requests.models import Outcome, RequestStatus, Urgency
from directory.matching import queue
from tests.auth import create_user
from tests.matching.conftest import make_request

NOW = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)  # a Thursday


def at(days_ago: float) -> datetime:
    return NOW - timedelta(days=days_ago)


@pytest.fixture
def requests(any_session):
    """Five open requests of known urgency and age, one assigned, two closed."""
    session = any_session
    me = create_user(session, "me@council.example.org", staff_role=StaffRole.MODERATOR)
    open_ = {
        "old_not_urgent": (("Food",), Urgency.NOT_URGENT, 20),
        "new_today": (("Befriending",), Urgency.TODAY, 0.1),
        "old_today": (("Debt advice",), Urgency.TODAY, 3),
        "week": (("Telephone befriending",), Urgency.THIS_WEEK, 1),
    }
    made = {
        key: make_request(session, needs, urgency=urgency, created_at=at(age))
        for key, (needs, urgency, age) in open_.items()
    }
    made["mine"] = make_request(
        session,
        urgency=Urgency.THIS_WEEK,
        created_at=at(2),
        status=RequestStatus.ASSIGNED,
        assigned_to=me.id,
    )
    for key, closed, outcome in (
        ("closed_first", 5, Outcome.NO_MATCH),
        ("closed_last", 1, Outcome.MATCHED),
    ):
        made[key] = make_request(
            session,
            status=RequestStatus.CLOSED,
            outcome=outcome,
            closed_at=at(closed),
            created_at=at(9),
        )
    session.commit()
    return session, me, {key: r.reference for key, r in made.items()}


def refs(page: queue.QueuePage) -> list[str]:
    return [r.reference for r in page.requests]


def test_open_requests_most_urgent_first_then_oldest(requests):
    session, _me, ref = requests
    found = queue.request_queue(session)
    assert refs(found) == [
        ref["old_today"],
        ref["new_today"],
        ref["mine"],
        ref["week"],
        ref["old_not_urgent"],
    ]
    assert found.total == 5 and not found.has_next


def test_closed_requests_most_recently_closed_first(requests):
    session, _me, ref = requests
    assert refs(queue.request_queue(session, status="closed")) == [
        ref["closed_last"],
        ref["closed_first"],
    ]


def test_status_filters_and_their_counts(requests):
    session, me, ref = requests
    assert refs(queue.request_queue(session, status="mine", user_id=me.id)) == [ref["mine"]]
    assert refs(queue.request_queue(session, status="assigned")) == [ref["mine"]]
    assert ref["mine"] not in refs(queue.request_queue(session, status="unassigned"))
    assert queue.status_counts(session, me.id) == {
        "open": 5, "unassigned": 4, "mine": 1, "assigned": 1, "closed": 2
    }  # fmt: skip
    assert queue.open_count(session) == 5
    # An unknown filter is the default one, not an error.
    assert refs(queue.request_queue(session, status="<script>")) == refs(
        queue.request_queue(session)
    )


def test_the_need_filter_includes_the_needs_below(requests):
    session, _me, ref = requests
    from tests.factories import term

    lonely = {term(session, n).id for n in ("Loneliness and isolation", "Befriending",
                                             "Telephone befriending")}  # fmt: skip
    assert set(refs(queue.request_queue(session, need_ids=lonely))) == {
        ref["new_today"],
        ref["week"],
    }
    food = {term(session, "Food").id}
    assert refs(queue.request_queue(session, need_ids=food)) == [ref["mine"], ref["old_not_urgent"]]
    assert refs(queue.request_queue(session, need_ids={'"%_\\'})) == []


def test_paging(requests):
    session, _me, ref = requests
    first = queue.request_queue(session, per_page=2)
    second = queue.request_queue(session, per_page=2, page=2)
    assert first.has_next and second.has_next
    assert refs(first) + refs(second) == [
        ref["old_today"],
        ref["new_today"],
        ref["mine"],
        ref["week"],
    ]


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 3, 9), date(2026, 3, 9), 0),  # same day
        (date(2026, 3, 13), date(2026, 3, 16), 1),  # Friday to Monday
        (date(2026, 3, 9), date(2026, 3, 12), 3),  # Monday to Thursday
        (date(2025, 12, 24), date(2025, 12, 29), 1),  # Christmas and Boxing Day are holidays
        (date(2026, 3, 12), date(2026, 3, 9), 0),  # backwards
    ],
)
def test_working_days(start, end, days):
    assert queue.working_days_between(start, end) == days


def test_scotland_keeps_its_own_bank_holidays():
    # 2 January is a bank holiday in Scotland, not in England.
    start, end = date(2026, 1, 1), date(2026, 1, 2)
    assert queue.working_days_between(start, end, "ENG") == 1
    assert queue.working_days_between(start, end, "SCT") == 0


@pytest.mark.parametrize(
    ("created_day", "working_days", "label", "colour"),
    [
        (11, 1, None, None),
        (10, 2, None, None),  # 2 is not over 2
        (9, 3, "Over 2 working days", "orange"),
        (5, 5, "Over 2 working days", "orange"),  # 5 is not over 5
        (4, 6, "Over 5 working days", "red"),
    ],
)
def test_ageing_warnings(created_day, working_days, label, colour):
    found = queue.ageing(datetime(2026, 3, created_day, 9, tzinfo=UTC), NOW, (2, 5))
    assert (found.working_days, found.label, found.colour) == (working_days, label, colour)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2,5", (2, 5)), (" 3 , 10 ", (3, 10)), ("5,2", (2, 5)), ("x", (2, 5)), ("", (2, 5)),
     (None, (2, 5)), ("1,2,3", (2, 5))],
)  # fmt: skip
def test_ageing_thresholds_setting(value, expected):
    assert queue.ageing_thresholds(value) == expected
