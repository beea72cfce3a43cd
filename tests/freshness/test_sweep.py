"""The daily sweep records a change for exactly the listings that crossed the stale or hidden
line since the last sweep, once; ``send-reminders`` runs it too."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from directory.freshness.models import FreshnessSweep
from directory.listings.models import ListingChange
from tests.freshness.conftest import listing, run, setup, today


def _changes(app, after: int) -> dict[str, dict]:
    with setup(app) as session:
        rows = session.scalars(select(ListingChange).where(ListingChange.seq > after))
        return {row.service_id: row.extra for row in rows}


def _last_seq(app) -> int:
    with setup(app) as session:
        return max(session.scalars(select(ListingChange.seq)), default=0)


def _listings(app) -> dict[str, str]:
    day = today()
    long_ago = day - timedelta(days=900)
    with setup(app) as session:
        made = {
            key: listing(session, name, day - timedelta(days=age), created=long_ago)
            for key, name, age in (
                ("turns_stale", "Turns Stale", 366),
                ("was_stale", "Was Stale", 400),
                ("turns_hidden", "Turns Hidden", 457),
                ("was_hidden", "Was Hidden", 500),
            )
        }
        made["fresh"] = listing(session, "Fresh Club", day - timedelta(days=30))
        return {key: service.id for key, service in made.items()}


def test_the_first_sweep_records_every_stale_or_hidden_listing_and_a_second_nothing(app):
    ids = _listings(app)
    start = _last_seq(app)
    first = run(app, "freshness", "sweep")
    assert first.exit_code == 0, first.output
    assert "last sweep: never" in first.output
    assert _changes(app, start) == {
        ids["turns_stale"]: {"reason": "freshness", "now": "stale"},
        ids["was_stale"]: {"reason": "freshness", "now": "stale"},
        ids["turns_hidden"]: {"reason": "freshness", "now": "hidden"},
        ids["was_hidden"]: {"reason": "freshness", "now": "hidden"},
    }
    middle = _last_seq(app)
    second = run(app, "freshness", "sweep")
    assert "changes recorded for the search indexes: 0" in second.output
    assert _changes(app, middle) == {}


def test_a_daily_sweep_records_only_the_listings_that_crossed_a_line(app):
    ids = _listings(app)
    yesterday = today() - timedelta(days=1)
    run(app, "freshness", "sweep", "--today", yesterday.isoformat())
    start = _last_seq(app)
    result = run(app, "freshness", "sweep")
    assert f"last sweep: {yesterday.isoformat()}" in result.output
    assert "now not checked for over a year (ranked lower): 1" in result.output
    assert "now hidden until checked: 1" in result.output
    assert _changes(app, start) == {
        ids["turns_stale"]: {"reason": "freshness", "now": "stale"},
        ids["turns_hidden"]: {"reason": "freshness", "now": "hidden"},
    }
    with setup(app) as session:
        assert session.get(FreshnessSweep, 1).swept_on == today()


def test_a_dry_run_records_nothing_and_send_reminders_sweeps_too(app):
    _listings(app)
    start = _last_seq(app)
    dry = run(app, "freshness", "sweep", "--dry-run")
    assert "changes to record for the search indexes: 4" in dry.output
    assert _changes(app, start) == {}
    with setup(app) as session:
        assert session.get(FreshnessSweep, 1) is None

    result = run(app, "send-reminders")
    assert result.exit_code == 0, result.output
    assert "Freshness sweep for" in result.output
    assert len(_changes(app, start)) == 4
