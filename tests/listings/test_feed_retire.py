"""A scheduled re-import of the same feed updates, adds and retires listings: retired is not
public and not deleted, comes back when the feed does, never re-opens what staff closed, and
never happens after a partial run or for more than half of a feed at once unless asked."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from directory.listings.feed_import import ImportOptions, run_import
from directory.models import FeedListing, ListingStatus, Service
from tests.listings.feed_server import feed_server


@pytest.fixture
def session(feed_session):
    return feed_session


def _service(n: int, name: str | None = None) -> dict:
    return {
        "id": f"6a7b0000-0000-4000-8000-{n:012d}",
        "name": name or f"Listing {n}",
        "description": "A community group.",
        "status": "active",
    }


@pytest.fixture
def feed(tmp_path):
    """Writes the feed file with the given listings and returns its path."""
    path = tmp_path / "council.json"

    def write(*numbers: int) -> str:
        path.write_text(json.dumps([_service(n) for n in numbers]))
        return str(path)

    return write


def _status(session, n: int) -> ListingStatus:
    session.expire_all()
    return session.get(Service, _service(n)["id"]).listing_status


def test_a_listing_gone_from_the_feed_is_retired_and_comes_back_with_it(session, feed, app):
    run_import(session, feed(1, 2, 3), ImportOptions())

    report = run_import(session, feed(1, 2), ImportOptions())

    assert report.retired == [f"Listing 3 ({_service(3)['id']})"]
    assert "1 listing(s) retired (gone from the feed):" in report.lines()
    assert _status(session, 3) == ListingStatus.RETIRED
    assert app.test_client().get(f"/api/services/{_service(3)['id']}").status_code == 404
    row = session.get(FeedListing, (report_feed(session), _service(3)["id"]))
    assert row.retired_at is not None

    back = run_import(session, feed(1, 2, 3), ImportOptions())
    assert not back.retired
    assert _status(session, 3) == ListingStatus.ACTIVE
    assert app.test_client().get(f"/api/services/{_service(3)['id']}").status_code == 200


def report_feed(session) -> str:
    return session.scalars(select(FeedListing.feed)).first()


def test_a_listing_staff_closed_is_never_reopened_by_the_feed(session, feed):
    run_import(session, feed(1, 2, 3), ImportOptions())
    service = session.get(Service, _service(2)["id"])
    service.listing_status = ListingStatus.CLOSED
    session.commit()

    gone = run_import(session, feed(1, 3), ImportOptions())
    assert not gone.retired
    run_import(session, feed(1, 2, 3), ImportOptions())
    assert _status(session, 2) == ListingStatus.CLOSED


def test_more_than_half_gone_at_once_is_refused_unless_allowed(session, feed):
    run_import(session, feed(1, 2, 3, 4), ImportOptions())

    refused = run_import(session, feed(1), ImportOptions())

    assert refused.retire_refused and not refused.retired
    assert any("3 of this feed's 4 active listings are gone" in n for n in refused.notes)
    assert {_status(session, n) for n in (2, 3, 4)} == {ListingStatus.ACTIVE}

    allowed = run_import(session, feed(1), ImportOptions(allow_mass_retire=True))
    assert len(allowed.retired) == 3
    assert {_status(session, n) for n in (2, 3, 4)} == {ListingStatus.RETIRED}


def test_exactly_half_is_retired_without_asking(session, feed):
    run_import(session, feed(1, 2), ImportOptions())
    assert len(run_import(session, feed(1), ImportOptions()).retired) == 1


def test_the_cli_exits_3_when_it_refuses_to_retire(feed_app, feed):
    app = feed_app
    runner = app.test_cli_runner()
    assert runner.invoke(args=["import-hsds", feed(1, 2, 3)]).exit_code == 0
    result = runner.invoke(args=["import-hsds", feed(1)])
    assert result.exit_code == 3, result.output
    assert "--allow-mass-retire" in result.output
    result = runner.invoke(args=["import-hsds", "--allow-mass-retire", feed(1)])
    assert result.exit_code == 0
    assert "RETIRED Listing 2" in result.output


def test_a_strict_run_with_errors_retires_nothing(session, feed, tmp_path):
    run_import(session, feed(1, 2, 3), ImportOptions())
    path = tmp_path / "council.json"
    path.write_text(json.dumps([_service(1), {**_service(2), "name": ""}]))
    report = run_import(session, str(path), ImportOptions(strict=True))
    assert not report.written and not report.retired
    assert _status(session, 3) == ListingStatus.ACTIVE


def test_a_skipped_record_still_counts_as_in_the_feed(session, feed, tmp_path):
    run_import(session, feed(1, 2, 3), ImportOptions())
    path = tmp_path / "council.json"
    path.write_text(json.dumps([_service(1), _service(3), {**_service(2), "name": ""}]))
    report = run_import(session, str(path), ImportOptions())
    assert report.errors and not report.retired
    assert _status(session, 2) == ListingStatus.ACTIVE


def test_feeds_are_told_apart_by_path_unless_named(session, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps([_service(1), _service(2)]))
    second.write_text(json.dumps([_service(1)]))
    run_import(session, str(first), ImportOptions())
    assert not run_import(session, str(second), ImportOptions()).retired
    run_import(session, str(first), ImportOptions(feed="weekly-export"))
    named = run_import(session, str(second), ImportOptions(feed="weekly-export"))
    assert [line.split(" (")[0] for line in named.retired] == ["Listing 2"]


def test_an_empty_page_from_a_broken_feed_does_not_empty_the_directory(session):
    with feed_server() as server:
        server.serve("/feed?page=1", {"content": [_service(n) for n in (1, 2, 3)], "last": True})
        run_import(session, server.url("/feed"), ImportOptions(all_pages=True, delay=0))
        server.serve("/feed?page=1", {"content": [], "totalElements": 0, "last": True})
        report = run_import(session, server.url("/feed"), ImportOptions(all_pages=True, delay=0))
    assert report.retire_refused and not report.retired
    assert {_status(session, n) for n in (1, 2, 3)} == {ListingStatus.ACTIVE}
