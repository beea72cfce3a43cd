"""``import-hsds URL --all-pages`` against a real local HTTP server serving fixture pages:
paging in every style, retries with backoff and Retry-After, timeouts, size limits, a polite
User-Agent, and resuming exactly after the last committed page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory.db import db
from directory.listings.feed_import import ImportOptions, run_import
from directory.listings.fetch import Fetcher
from directory.listings.paging import feed_identity, with_page
from directory.models import ImportRun, Service
from tests.listings.feed_server import Reply, feed_server
from tests.listings.fixtures.feeds.generate_council_feed import generate, pages

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
OUTPOST = [json.loads((FEEDS / f"outpost_page_{n}.json").read_text()) for n in (1, 2)]


@pytest.fixture
def session(feed_session):
    return feed_session


@pytest.fixture
def server():
    with feed_server() as running:
        yield running


class Waits(list):
    """Stands in for time.sleep: records each wait the fetcher asks for."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _fetcher(**kwargs) -> Fetcher:
    return Fetcher(**{"backoff": 0.0, "sleep": Waits(), "timeout": 2.0, **kwargs})


def _options(**kwargs) -> ImportOptions:
    return ImportOptions(**{"all_pages": True, "delay": 0.0, **kwargs})


def _services(session) -> int:
    return session.scalar(select(func.count()).select_from(Service))


def _run(session, report) -> ImportRun:
    return session.get(ImportRun, report.run_id)


def test_an_outpost_feed_is_walked_page_by_page_to_the_last(session, server):
    server.serve("/api/v1/services?page=1", OUTPOST[0])
    server.serve("/api/v1/services?page=2", OUTPOST[1])

    report = run_import(
        session, server.url("/api/v1/services"), _options(user_agent="Test directory importer")
    )

    assert report.counts["service"]["created"] == 3, report.lines()
    assert server.paths() == ["/api/v1/services?page=1", "/api/v1/services?page=2"]
    assert {h["User-Agent"] for _p, h in server.requests} == {"Test directory importer"}
    run = _run(session, report)
    assert (run.kind, run.status, run.complete) == ("url", "completed", True)
    assert run.cursor == {"next": None, "pages": 2, "records": 3}
    assert run.feed == feed_identity(server.url("/api/v1/services"))


def test_without_all_pages_only_the_first_page_is_read_and_nothing_retired(session, server):
    server.serve("/services?page=1", OUTPOST[0])
    report = run_import(session, server.url("/services"), _options(all_pages=False))
    assert _services(session) == 2
    assert server.paths() == ["/services?page=1"]
    assert any("only the first page of the feed was read" in n for n in report.notes)
    assert not _run(session, report).complete


def test_per_page_and_oruk_3_paging_fields_are_followed(session, server):
    records = generate(7, seed=5)
    for number, page in enumerate(pages(records, 3), start=1):
        body = {"total_items": page["totalElements"], "total_pages": page["totalPages"],
                "page_number": number, "size": 3, "first_page": number == 1,
                "last_page": page["last"], "empty": False, "contents": page["content"]}  # fmt: skip
        server.serve(f"/feed?page={number}&per_page=3", body)
    report = run_import(session, server.url("/feed"), _options(per_page=3))
    assert not report.failed, report.failed
    assert server.paths() == [f"/feed?page={n}&per_page=3" for n in (1, 2, 3)]
    assert report.counts["service"]["created"] + report.counts["service"]["skipped"] == 7 - sum(
        1 for w in report.warnings if "appears again" in w.message
    )
    assert _run(session, report).complete


def test_next_links_are_followed_relative_or_absolute(session, server):
    records = generate(4, seed=9)
    server.serve("/v3/services?page=1", {"contents": records[:2], "links": {"next": "/v3/next-2"}})
    server.serve("/v3/next-2", {"contents": records[2:], "links": {"next": None}})
    report = run_import(session, server.url("/v3/services"), _options())
    assert server.paths() == ["/v3/services?page=1", "/v3/next-2"]
    assert _run(session, report).complete


def test_a_spring_feed_counting_pages_from_zero_is_read_from_page_zero(session, server):
    first, second = OUTPOST
    server.serve("/spring?page=1", {**second, "number": 1, "first": False})
    server.serve("/spring?page=0", {**first, "number": 0, "first": True, "last": False})
    report = run_import(session, server.url("/spring"), _options())
    assert server.paths() == ["/spring?page=1", "/spring?page=0", "/spring?page=1"]
    assert report.counts["service"]["created"] == 3


def test_server_errors_and_429_are_retried_with_backoff_and_retry_after(session, server):
    server.serve("/busy?page=1", Reply(500), Reply(503), OUTPOST[0])
    server.serve("/busy?page=2", Reply(429, headers={"Retry-After": "7"}), OUTPOST[1])
    waits = Waits()
    fetcher = _fetcher(backoff=0.5, sleep=waits)
    report = run_import(session, server.url("/busy"), _options(), fetcher=fetcher)
    assert report.counts["service"]["created"] == 3
    assert waits == [0.5, 1.0, 7.0]
    assert sum("answered 500" in n or "answered 503" in n for n in report.notes) == 2
    assert any("answered 429" in n for n in report.notes)


def test_a_stalled_response_times_out_and_is_tried_again(session, server):
    server.serve("/slow?page=1", Reply(body=OUTPOST[0], stall=1.5), OUTPOST[0])
    server.serve("/slow?page=2", OUTPOST[1])
    report = run_import(session, server.url("/slow"), _options(), fetcher=_fetcher(timeout=0.5))
    assert report.counts["service"]["created"] == 3
    assert any("could not be reached" in n for n in report.notes)


def test_a_client_error_is_not_retried_and_the_run_fails(session, server):
    server.serve("/gone?page=1", Reply(404))
    report = run_import(session, server.url("/gone"), _options(), fetcher=_fetcher())
    assert report.failed and "answered 404" in report.failed
    assert server.paths() == ["/gone?page=1"]
    assert _run(session, report).status == "failed"


def test_a_response_over_the_size_limit_is_refused(session, server):
    server.serve("/huge?page=1", {"content": generate(50, seed=2), "last": True})
    report = run_import(session, server.url("/huge"), _options(max_bytes=10_000))
    assert report.failed and "over the" in report.failed
    assert _services(session) == 0


def test_a_feed_that_ignores_the_page_number_is_stopped_not_walked_forever(session, server):
    page = {**OUTPOST[0], "totalPages": 50}
    for number in range(1, 4):
        server.serve(f"/stuck?page={number}", page)
    report = run_import(session, server.url("/stuck"), _options())
    assert report.failed and "returned the same records as the page before" in report.failed
    assert not _run(session, report).complete


def test_a_failed_walk_resumes_after_the_last_committed_page(session, server):
    records = generate(9, seed=21)
    feed_pages = pages(records, 3)
    for number, page in enumerate(feed_pages, start=1):
        server.serve(f"/council?page={number}", page)
    server.serve("/council?page=3", Reply(500))

    first = run_import(session, server.url("/council"), _options(), fetcher=_fetcher(retries=1))

    assert first.failed and "answered 500" in first.failed
    assert any("2 page(s) were imported and the next run resumes after them" in n
               for n in first.notes)  # fmt: skip
    run = _run(session, first)
    assert (run.status, run.cursor["next"], run.cursor["pages"]) == (
        "failed", server.url("/council?page=3"), 2)  # fmt: skip
    written_before = _services(session)
    assert written_before > 0

    server.serve("/council?page=3", feed_pages[2])
    server.requests.clear()
    second = run_import(session, server.url("/council"), _options(), fetcher=_fetcher())

    assert server.paths() == ["/council?page=3"]
    assert any("resumed the walk of run" in n for n in second.notes)
    resumed = _run(session, second)
    assert (resumed.walk_id, resumed.status, resumed.complete) == (run.id, "completed", True)
    assert resumed.cursor["pages"] == 3
    assert not second.retired  # pages 1-2 of the same walk count as seen


def test_the_cli_reads_a_url_and_says_when_a_feed_stops_part_way(feed_app, server):
    app = feed_app
    server.serve("/cli?page=1", OUTPOST[0])
    server.serve("/cli?page=2", Reply(404))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-hsds", server.url("/cli"), "--all-pages", "--delay", "0"])
    assert result.exit_code == 1, result.output
    assert "stopped:" in result.output and "answered 404" in result.output
    assert "service: 2 created" in result.output
    agent = server.requests[0][1]["User-Agent"]
    assert "importer" in agent


def test_paging_parameters_do_not_change_a_feeds_identity():
    a = feed_identity("HTTPS://Example.org/api/services/?per_page=50&page=3&vocabulary=esd")
    b = feed_identity("https://example.org/api/services?vocabulary=esd")
    assert a == b == "https://example.org/api/services?vocabulary=esd"
    assert (
        with_page("https://x.org/s?page=2&q=a", 3, 10) == "https://x.org/s?page=3&q=a&per_page=10"
    )


def test_strict_fetches_and_checks_every_page_before_writing_any(feed_app, server):
    good = OUTPOST[0]
    bad = {
        **OUTPOST[1],
        "content": [{**OUTPOST[1]["content"][0], "name": "", "organisation": None}],
    }
    server.serve("/strict?page=1", good)
    server.serve("/strict?page=2", bad)
    runner = feed_app.test_cli_runner()
    url = server.url("/strict")

    result = runner.invoke(args=["import-hsds", url, "--all-pages", "--strict", "--delay", "0"])

    assert result.exit_code == 2, result.output
    assert "nothing was written: --strict, and 1 record(s) have errors" in result.output
    assert server.paths() == ["/strict?page=1", "/strict?page=2"]
    with feed_app.app_context():
        assert _services(db.session) == 0
    server.serve("/strict?page=2", OUTPOST[1])
    result = runner.invoke(args=["import-hsds", url, "--all-pages", "--strict", "--delay", "0"])
    assert result.exit_code == 0, result.output
    assert "service: 3 created" in result.output
