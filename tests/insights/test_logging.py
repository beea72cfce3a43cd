"""Every search leaves one anonymous row, from each door: the results page, the end of the
guided journey, the ORUK API; nothing personal in it; and logging never costs a search."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import select, text

from directory.db import db
from directory.insights.logging import log_search, search_entry
from directory.insights.models import SearchLog
from tests.insights.conftest import World


def logged(app: Flask) -> list[SearchLog]:
    with app.app_context():
        rows = db.session.scalars(select(SearchLog).order_by(SearchLog.id)).all()
        db.session.expunge_all()
        return list(rows)


def new_rows(app: Flask, before: int) -> list[SearchLog]:
    return logged(app)[before:]


def test_the_issue_example_through_the_search_page(world_app: Flask, world: World) -> None:
    client = world_app.test_client()
    before = len(logged(world_app))
    typed = "my name is Jane Smith, call 07700 900123 at CH2 3AW, jane@example.org"
    response = client.get("/search", query_string={"q": typed}, environ_base={
        "REMOTE_ADDR": "203.0.113.77", "HTTP_USER_AGENT": "Secret-Agent/1.0"})  # fmt: skip
    assert response.status_code == 200
    (row,) = new_rows(world_app, before)
    assert row.outcode == "CH2"
    assert row.channel == "site"
    stored = " ".join(str(v) for v in (row.query, row.outcode, row.needs, row.channel, row.at))
    for secret in ("Jane", "jane", "Smith", "07700", "900123", "3AW", "example.org", "203.0.113",
                   "Secret-Agent"):  # fmt: skip
        assert secret not in stored
    assert (row.at.minute, row.at.second, row.at.microsecond) == (0, 0, 0)
    assert {c.name for c in SearchLog.__table__.columns} == {
        "id", "at", "query", "outcode", "needs", "results", "zero_results", "channel"
    }  # fmt: skip


def test_a_search_records_its_needs_outcode_and_results(world_app: Flask, world: World) -> None:
    client = world_app.test_client()
    before = len(logged(world_app))
    assert client.get("/search?q=hungry&where=CH2+3AE").status_code == 200
    assert client.get("/search?q=hungry&where=CH2+3AE&page=2").status_code == 200  # not again
    assert client.get("/search?q=zebra+grooming").status_code == 200
    food = world.terms["Food"].id
    first, second = new_rows(world_app, before)
    assert (first.query, first.outcode, first.channel) == ("hungry", "CH2", "site")
    assert food in first.needs  # "hungry" is a saying of Food
    assert first.results >= 1 and not first.zero_results
    assert (second.query, second.results, second.zero_results) == ("zebra grooming", 0, True)


def test_the_guided_journey_results_are_the_guided_channel(world_app: Flask, world: World) -> None:
    client = world_app.test_client()
    before = len(logged(world_app))
    response = client.get("/search?need=food&who=me&where=CH2+3AE")
    assert response.status_code == 200
    (row,) = new_rows(world_app, before)
    assert row.channel == "guided"
    assert row.needs == [world.terms["Food"].id]
    assert (row.query, row.outcode) == ("", "CH2")


def test_the_api_search_is_logged_once(world_app: Flask, world: World) -> None:
    client = world_app.test_client()
    before = len(logged(world_app))
    assert client.get("/api/services?search=food+for+Mrs+Okonkwo").status_code == 200
    assert client.get("/api/services?search=food&page=2").status_code == 200  # a later page
    assert client.get("/api/services").status_code == 200  # a feed, not a search
    (row,) = new_rows(world_app, before)
    assert (row.channel, row.query) == ("api", "food for")


def test_logging_off(world_app: Flask, world: World) -> None:
    world_app.config["SEARCH_LOGGING"] = False
    before = len(logged(world_app))
    assert world_app.test_client().get("/search?q=food").status_code == 200
    assert new_rows(world_app, before) == []


def test_a_failing_log_never_fails_the_search(world_app: Flask, world: World, caplog) -> None:
    """With the table gone, the search still answers; the warning names the error type only."""
    with world_app.app_context():
        db.session.execute(text("DROP TABLE search_log"))
        db.session.commit()
    with caplog.at_level(logging.WARNING, logger="directory.insights.logging"):
        response = world_app.test_client().get("/search?q=food+for+Ottoline+Spragg")
    assert response.status_code == 200
    messages = [r.getMessage() for r in caplog.records if r.name == "directory.insights.logging"]
    assert messages and "OperationalError" in messages[0]
    assert not any("Spragg" in m or "Ottoline" in m for m in messages)


def test_the_ask_channel_and_hostile_values(world_app: Flask, world: World) -> None:
    with world_app.app_context():
        assert log_search(text="help with food", where="CW9 5AA", need_ids=["x" * 99, 7, "ok"],
                          results=-3, channel="ask")  # fmt: skip
        assert log_search(text="x", channel="made-up")
    ask, other = logged(world_app)[-2:]
    assert (ask.channel, ask.outcode, ask.results, ask.zero_results) == ("ask", "CW9", 0, True)
    assert "ok" in ask.needs and all(len(n) <= 36 for n in ask.needs)
    assert other.channel == "site"


def test_search_entry_is_a_plain_function() -> None:
    entry = search_entry(text="Bill Jones rang about rent", where="ch11aa", results=4,
                         now=datetime(2026, 5, 4, 13, 47, 12, tzinfo=UTC))  # fmt: skip
    assert entry.at == datetime(2026, 5, 4, 13, 0, tzinfo=UTC)
    assert (entry.query, entry.outcode, entry.results) == ("rang about rent", "CH1", 4)


def test_a_locked_database_costs_the_row_not_the_search(
    world_app: Flask, world: World, caplog
) -> None:
    """Another process (an import, say) holds SQLite's write lock: the search answers, its row
    is given up after a short wait, and the pooled connection gets its normal wait back."""
    import sqlite3

    path = world_app.config["DATABASE_URL"].removeprefix("sqlite:///")
    before = len(logged(world_app))
    holder = sqlite3.connect(path, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with caplog.at_level(logging.WARNING, logger="directory.insights.logging"):
            assert world_app.test_client().get("/search?q=food").status_code == 200
    finally:
        holder.rollback()
        holder.close()
    assert "OperationalError" in caplog.text
    assert len(logged(world_app)) == before
    with world_app.app_context():
        waits = {
            db.session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar()
            for _ in range(3)
        }
    assert waits == {30_000}
