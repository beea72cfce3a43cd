"""Several real processes on one database: none loses an update, none shows a lock error.

Each worker is a separate interpreter (multiprocessing "spawn") running its own app, as
gunicorn workers or a second machine would.
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from whoosh.qparser import QueryParser

from directory import create_app
from directory.db import db
from directory.models import ListingChange, Service
from search_index.store import IndexStore
from search_index.sync import get_sync
from search_index.updater import start_updater
from tests.conftest import _truncate_postgres
from tests.factories import make_service

WORKERS = 4
ROUNDS = 5
CTX = multiprocessing.get_context("spawn")


def _config(database_url: str, index_dir: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": index_dir,
        **extra,
    }


def _names_in(index_dir: Path, word: str) -> set[str]:
    """Service ids matching ``word`` in the live generation, read straight from disk."""
    store = IndexStore(index_dir, lambda: None)
    with store.open_index().searcher() as searcher:
        query = QueryParser("all", searcher.schema).parse(word)
        return {hit["service_id"] for hit in searcher.search(query, limit=None)}


def _edit_worker(config, service_id, word, start, results) -> None:
    app = create_app(config)
    get_sync(app).ready_store()
    with app.app_context():
        start.wait(60)
        for round_ in range(ROUNDS):
            service = db.session.get(Service, service_id)
            service.name = f"Community Larder {word}{round_}"
            db.session.commit()
            db.session.close()
    results.put(service_id)


def _make_services(session, count: int) -> list[str]:
    ids = [make_service(session, f"Community Larder number {n}").id for n in range(count)]
    session.commit()
    return ids


@pytest.mark.slow
def test_concurrent_writers_queue_and_lose_nothing(app, session, tmp_path):
    ids = _make_services(session, WORKERS)
    get_sync(app).ready_store()
    # A generous lock timeout: this test is about writers queueing, not about giving up
    # (the next test covers that), and this machine can be very busy.
    config = _config(
        app.config["DATABASE_URL"], app.config["SEARCH_INDEX_DIR"], SEARCH_WRITE_LOCK_TIMEOUT=60
    )
    start, results = CTX.Event(), CTX.Queue()
    words = [f"edition{chr(97 + n)}" for n in range(WORKERS)]
    procs = [
        CTX.Process(target=_edit_worker, args=(config, sid, word, start, results))
        for sid, word in zip(ids, words, strict=True)
    ]
    for proc in procs:
        proc.start()
    start.set()
    done = {results.get(timeout=120) for _ in procs}
    for proc in procs:
        proc.join(30)
        assert proc.exitcode == 0
    assert done == set(ids)
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    for sid, word in zip(ids, words, strict=True):
        assert _names_in(index_dir, f"{word}{ROUNDS - 1}") == {sid}
        assert _names_in(index_dir, f"{word}0") == set()
    state = IndexStore(index_dir, lambda: None).read_state()
    assert state.last_seq == session.scalar(select(func.max(ListingChange.seq)))
    assert state.gaps == {}


def _hold_write_lock(index_dir, held, release) -> None:
    store = IndexStore(index_dir, lambda: None)
    with store.write_lock(timeout=10):
        held.set()
        release.wait(60)


@pytest.mark.slow
def test_a_busy_lock_leaves_the_change_to_the_catch_up_without_an_error(app, session):
    (service_id,) = _make_services(session, 1)
    sync = get_sync(app)
    sync.ready_store()
    sync.lock_timeout = 0.3
    held, release = CTX.Event(), CTX.Event()
    holder = CTX.Process(
        target=_hold_write_lock, args=(app.config["SEARCH_INDEX_DIR"], held, release)
    )
    holder.start()
    try:
        assert held.wait(60)
        service = session.get(Service, service_id)
        service.name = "Community Pantry"
        started = time.monotonic()
        session.commit()  # no exception: the change is in the database
        assert time.monotonic() - started < 5
        assert _names_in(Path(app.config["SEARCH_INDEX_DIR"]), "pantry") == set()
    finally:
        release.set()
        holder.join(30)
    sync.maybe_catch_up()  # the background updater's check
    searcher = sync.store.searcher()
    hits = searcher.search(QueryParser("all", searcher.schema).parse("pantry"))
    assert {hit["service_id"] for hit in hits} == {service_id}


def _searching_machine(config, word, ready, results) -> None:
    """A second machine: its own index directory, catching up only from listing_change (its
    background updater, as a web process runs it)."""
    app = create_app(config)
    sync = get_sync(app)
    sync.ready_store()
    start_updater(app)
    ready.set()
    deadline = time.time() + 60
    while time.time() < deadline:
        searcher = sync.store.searcher()
        hits = searcher.search(QueryParser("all", searcher.schema).parse(word))
        if hits:
            results.put(("found", time.time(), [hit["service_id"] for hit in hits]))
            return
        time.sleep(0.05)
    results.put(("timeout", time.time(), []))


def _editing_machine(config, service_id, name, results) -> None:
    app = create_app(config)
    get_sync(app).ready_store()
    with app.app_context():
        db.session.get(Service, service_id).name = name
        db.session.commit()
        results.put(("committed", time.time(), [service_id]))


@pytest.mark.slow
@pytest.mark.postgres
def test_a_machine_sees_another_machines_edit(postgres_url, tmp_path):
    _truncate_postgres(postgres_url)
    setup = create_app(_config(postgres_url, str(tmp_path / "setup_index")))
    with setup.app_context():
        (service_id,) = _make_services(db.session, 1)
    setup.extensions["database"].engine.dispose()
    interval = 1.0
    machine_a = _config(postgres_url, str(tmp_path / "a"), SEARCH_SYNC_INTERVAL=interval)
    machine_b = _config(postgres_url, str(tmp_path / "b"), SEARCH_SYNC_INTERVAL=interval)
    ready, results = CTX.Event(), CTX.Queue()
    searcher = CTX.Process(target=_searching_machine, args=(machine_b, "pantry", ready, results))
    searcher.start()
    assert ready.wait(120)
    editor = CTX.Process(
        target=_editing_machine, args=(machine_a, service_id, "Community Pantry", results)
    )
    editor.start()
    events = {kind: (at, ids) for kind, at, ids in (results.get(timeout=120) for _ in range(2))}
    editor.join(30)
    searcher.join(30)
    assert "found" in events, events
    assert events["found"][1] == [service_id]
    # How soon is measured by bench/feed_bench.py (docs/index-operations.md), not asserted:
    # the searching machine found the edit without a search of its own catching up.
    assert events["found"][0] >= events["committed"][0]
