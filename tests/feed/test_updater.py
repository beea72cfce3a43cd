"""The index updater (``search_index.updater``) on a real PostgreSQL database.

Each test edits a listing through a second "machine" (an app with its own index folder), so
the only way the first machine's index can learn of it is its updater: woken by the
notification of migration 0017's trigger, or by its polling interval. Polling intervals are
set to an hour where a test shows that a notification did the work. Deadlines only stop a
broken build from hanging; nothing here asserts how fast anything was.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from directory.db import db
from directory.models import Service
from search_index.sync import get_sync
from search_index.updater import Updater, listen_conninfo, start_updater
from tests.factories import make_service
from tests.feed.conftest import ids_matching

pytestmark = pytest.mark.postgres

HOUR = 3600.0


def _until(condition: Callable[[], bool], seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _two_machines(pg_machines) -> tuple[Flask, Flask, str]:
    """Machine A (edits; no index of its own) and machine B (its index built), and a service."""
    a, b = pg_machines("a"), pg_machines("b")
    with a.app_context():
        service_id = make_service(db.session, "Lache Community Larder").id
        db.session.commit()
    get_sync(b).ready_store()
    return a, b, service_id


def _rename(app: Flask, service_id: str, name: str) -> None:
    with app.app_context():
        db.session.get(Service, service_id).name = name
        db.session.commit()


def _b_finds(b: Flask, word: str) -> Callable[[], bool]:
    store = get_sync(b).store
    return lambda: bool(ids_matching(store.searcher(), word))


def test_a_notification_wakes_the_catch_up(pg_machines):
    a, b, service_id = _two_machines(pg_machines)
    sync = get_sync(b)
    updater = Updater(sync, listen_conninfo(b.config["DATABASE_URL"]), interval=HOUR).start()
    try:
        assert _until(lambda: updater.listening.is_set() and updater.checks >= 1)
        _rename(a, service_id, "Lache Soup Kitchen")
        assert _until(_b_finds(b, "soup"))  # no poll for an hour: the notification did it
        assert updater.notifications >= 1
        assert ids_matching(sync.store.searcher(), "soup") == {service_id}
    finally:
        updater.stop()
    assert not updater.alive()
    assert updater.backend_pid is None  # its connection is closed


def test_polling_alone_catches_up_with_the_feed_off(pg_machines):
    a, b, service_id = _two_machines(pg_machines)
    b.config.update(SEARCH_FEED=False, SEARCH_SYNC_INTERVAL=0.1)
    updater = start_updater(b)
    assert updater.conninfo is None  # no LISTEN connection at all
    _rename(a, service_id, "Lache Soup Kitchen")
    assert _until(_b_finds(b, "soup"))
    assert updater.notifications == 0
    assert start_updater(b) is updater  # one per process


def test_the_updater_reconnects_after_its_connection_is_killed(pg_machines, caplog):
    a, b, service_id = _two_machines(pg_machines)
    updater = Updater(get_sync(b), listen_conninfo(b.config["DATABASE_URL"]), interval=HOUR)
    updater.start()
    admin = create_engine(b.config["DATABASE_URL"], isolation_level="AUTOCOMMIT")
    try:
        assert _until(lambda: updater.listening.is_set() and updater.checks >= 1)
        first = updater.backend_pid
        with caplog.at_level(logging.INFO, logger="search_index.updater"):
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
            assert _until(lambda: updater.connections >= 2 and updater.backend_pid is not None)
        assert updater.backend_pid != first
        lost = [r for r in caplog.records if "connection lost" in r.getMessage()]
        assert len(lost) == 1, caplog.text  # one line, however long it takes
        _rename(a, service_id, "Lache Soup Kitchen")
        assert _until(_b_finds(b, "soup"))  # heard on the new connection
    finally:
        updater.stop()
        admin.dispose()


def test_edits_made_while_the_connection_is_down_are_caught_up_on_reconnect(pg_machines):
    """A notification sent while nobody listens is lost; the table is the truth."""
    a, b, service_id = _two_machines(pg_machines)
    url = b.config["DATABASE_URL"]
    # A listener that cannot connect (no such database) until we point it at the real one.
    updater = Updater(get_sync(b), listen_conninfo(url + "_missing"), interval=HOUR)
    updater.backoff_max = 0.2
    updater.start()
    try:
        assert _until(lambda: updater.checks >= 1)  # the first check runs without the feed
        _rename(a, service_id, "Lache Soup Kitchen")  # its notification reaches nobody
        assert ids_matching(get_sync(b).store.searcher(), "soup") == set()
        updater.conninfo = listen_conninfo(url)  # the database is back
        assert _until(_b_finds(b, "soup"))
        assert updater.connections == 1 and updater.notifications == 0
    finally:
        updater.stop()


def test_a_testing_app_starts_no_updater_unless_asked(pg_machines):
    quiet = pg_machines("quiet")
    quiet.test_client().get("/healthz")
    assert "search_index.updater" not in quiet.extensions
    asked = pg_machines("asked", SEARCH_SYNC_THREAD=True)
    assert asked.extensions["search_index.updater"].alive()


def test_a_serving_app_starts_its_updater_on_its_first_request(pg_machines):
    serving = pg_machines("serving", TESTING=False)
    assert "search_index.updater" not in serving.extensions  # a CLI command would stop here
    serving.test_client().get("/healthz")
    updater = serving.extensions["search_index.updater"]
    assert updater.alive() and updater.conninfo is not None
