"""``flask --app wsgi infer-needs``: what it prints, saves and writes."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory.inference.models import InferredTerm
from tests.inference.conftest import add_listing


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(InferredTerm))


def listings(session):
    cafe = add_listing(session, "Memory Cafe", "<p>Tea, cake and music.</p>")
    office = add_listing(session, "Parish Office", "Open weekdays 9am to 1pm.")
    session.commit()
    return cafe, office


def test_a_dry_run_prints_what_would_be_inferred_and_saves_nothing(app, db_session):
    _cafe, office = listings(db_session)
    result = app.test_cli_runner().invoke(args=["infer-needs", "--dry-run", "--no-semantic"])
    assert result.exit_code == 0, result.output
    assert "Memory Cafe" in result.output and "Memory caf\u00e9s" in result.output
    assert "vocabulary" in result.output and "(new)" in result.output
    assert "Listings per inferred term:" in result.output
    assert "Listings with nothing inferred (1):" in result.output
    assert f"Parish Office [{office.id}]" in result.output
    assert "Dry run: nothing was saved." in result.output
    db_session.expire_all()
    assert count(db_session) == 0


def test_a_run_saves_and_a_second_run_reports_no_change(app, db_session):
    listings(db_session)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["infer-needs", "--no-semantic"])
    assert first.exit_code == 0 and "added" in first.output
    db_session.expire_all()
    saved = count(db_session)
    assert saved > 0
    second = runner.invoke(args=["infer-needs", "--no-semantic"])
    assert "0 added, 0 updated, 0 removed" in second.output
    db_session.expire_all()
    assert count(db_session) == saved


def test_one_listing_and_a_csv_file(app, db_session, tmp_path: Path):
    cafe, _office = listings(db_session)
    path = tmp_path / "inferred.csv"
    result = app.test_cli_runner().invoke(
        args=["infer-needs", "--service", cafe.id, "--csv", str(path), "--no-semantic"]
    )
    assert result.exit_code == 0, result.output
    assert "Parish Office" not in result.output
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert rows and {r["service_id"] for r in rows} == {cafe.id}
    assert {r["change"] for r in rows} == {"added"}
    assert "Memory caf\u00e9s" in {r["term"] for r in rows}


def test_an_unknown_listing_or_feed_is_a_clear_error(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["infer-needs", "--service", "no-such-listing"])
    assert result.exit_code == 1 and "no listing with id no-such-listing" in result.output
    result = runner.invoke(args=["infer-needs", "--feed", "https://example.org/feed"])
    assert result.exit_code == 1 and "no listings recorded for feed" in result.output


def test_a_feeds_listings_only(app, db_session):
    runs = pytest.importorskip("directory.listings.runs")  # the importer's feed records
    FeedListing = runs.FeedListing

    _cafe, office = listings(db_session)
    now = datetime.now(UTC)
    db_session.add(FeedListing(feed="council-feed", service_id=office.id, first_seen_at=now,
                               last_seen_at=now, last_walk_id="walk-1"))  # fmt: skip
    db_session.commit()
    result = app.test_cli_runner().invoke(
        args=["infer-needs", "--feed", "council-feed", "--no-semantic"]
    )
    assert result.exit_code == 0, result.output
    assert "1 listings" in result.output and "Memory Cafe" not in result.output
