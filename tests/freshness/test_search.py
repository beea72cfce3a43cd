"""Freshness in search and on the public pages: a listing not checked for over 12 months ranks
below an equally matching fresh one (by ``STALE_RANK_FACTOR``) and is marked; one over 15
months leaves search, the API and its page once the sweep records it, and comes back when it
is confirmed from the reminder."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from directory.listings.models import ListingChange, Service
from search_index import SearchRequest, search
from search_index.sync import get_sync
from tests.factories import make_organization
from tests.freshness.conftest import confirm_link, listing, months_ago, run, setup, today


def _search(app, text: str) -> list:
    with app.app_context():
        return list(search(SearchRequest(text=text, per_page=20)).hits)


def _build_index(app) -> None:
    with app.app_context():
        get_sync(app).rebuild(procs=1)


@pytest.fixture
def two_lunch_clubs(app) -> None:
    """The same listing twice, from two organisations: one checked last month, one 13 months
    ago, both in the directory for 14 months; and the index built."""
    with setup(app) as session:
        for org_name, checked in (
            ("Hoole Good Food Group", months_ago(1)),
            ("Hoole Community Kitchen", months_ago(13)),
        ):
            listing(
                session,
                "Hoole Lunch Club",
                checked,
                organization=make_organization(session, org_name),
                places=("hoole",),
                needs=("Food",),
                created=months_ago(14),
                schedules=[{"byday": "WE", "opens_at": "12:00", "closes_at": "13:30"}],
            )
    _build_index(app)


def test_a_listing_unchecked_for_over_a_year_ranks_below_an_equal_fresh_one(app, two_lunch_clubs):
    hits = _search(app, "lunch club")
    assert [h.organisation_name for h in hits[:2]] == [
        "Hoole Good Food Group",
        "Hoole Community Kitchen",
    ]
    assert hits[1].score == pytest.approx(hits[0].score * 0.7)

    app.config["STALE_RANK_FACTOR"] = 0.4
    hits = _search(app, "lunch club")
    assert hits[1].score == pytest.approx(hits[0].score * 0.4)


def test_the_stale_result_is_marked_on_the_results_page(app, client, two_lunch_clubs):
    from directory.public.formatting import format_date

    body = client.get("/search?q=lunch+club").get_data(as_text=True)
    cards = re.findall(r'<li class="app-card-list__item".*?</li>\s*</ul>', body, re.S)
    by_org = {
        org: card for card in cards for org in ("Good Food", "Community Kitchen") if org in card
    }
    assert list(by_org) == ["Good Food", "Community Kitchen"]  # fresh first
    assert (
        f"Last checked {format_date(months_ago(13))} (over a year ago)"
        in by_org["Community Kitchen"]
    )
    assert f"Last checked {format_date(months_ago(1))}</li>" in by_org["Good Food"]


def test_over_fifteen_months_is_hidden_until_checked_and_back_after_confirmation(
    app, client, inbox
):
    yesterday = today() - timedelta(days=1)
    with setup(app) as session:
        service = listing(
            session, "Blacon Memory Café", today() - timedelta(days=456),
            created=today() - timedelta(days=600), places=("blacon",), needs=("Befriending",),
            email="memory@blacon.example.org",
        )  # fmt: skip
        service_id = service.id
    _build_index(app)
    assert run(app, "freshness", "sweep", "--today", yesterday.isoformat()).exit_code == 0
    assert [h.service_id for h in _search(app, "memory cafe")] == [service_id]
    assert client.get(f"/api/services/{service_id}").status_code == 200

    # A day passes (moved back a day without touching the change feed): the listing is over
    # the line, so the pages and the API hide it at once...
    with setup(app) as session:
        session.execute(
            update(Service)
            .where(Service.id == service_id)
            .values(assured_date=today() - timedelta(days=457))
        )
    assert client.get(f"/services/{service_id}").status_code == 404
    assert client.get(f"/api/services/{service_id}").status_code == 404
    assert service_id not in client.get("/api/services").get_data(as_text=True)

    # ...and the daily sweep tells the search indexes.
    swept = run(app, "freshness", "sweep")
    assert "now hidden until checked: 1" in swept.output, swept.output
    with setup(app) as session:
        change = session.scalars(
            select(ListingChange).where(ListingChange.service_id == service_id)
            .order_by(ListingChange.seq.desc())
        ).first()  # fmt: skip
        assert change.extra == {"reason": "freshness", "now": "hidden"}
    assert _search(app, "memory cafe") == []
    again = run(app, "freshness", "sweep").output  # the same day again: nothing new
    assert "changes recorded for the search indexes: 0" in again

    # The 11-month reminder says it is hidden; confirming it brings it back everywhere.
    assert run(app, "send-reminders").exit_code == 0
    assert "hidden from the public until someone checks it" in inbox.messages[-1].part("plain")
    link = confirm_link(inbox.messages[-1])
    assert "Confirming it shows it again" in client.get(link).get_data(as_text=True)
    assert client.post(link).status_code == 200
    assert [h.service_id for h in _search(app, "memory cafe")] == [service_id]
    assert client.get(f"/api/services/{service_id}").status_code == 200
    assert client.get(f"/services/{service_id}", follow_redirects=True).status_code == 200
