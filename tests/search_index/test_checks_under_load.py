"""The catch-up and start-up checks under concurrent writers: no spurious rebuild.

Both checks compare the index's state (the highest change applied) with the database's highest
change number. They read the database first, then the state: a change committed and applied
by another process in between made the index look "ahead of the database", and each time the
whole index was rebuilt (22 rebuilds in 40 s during an import). The start-up check also
opened the index while writers committed, and a table of contents deleted under it read as
"index unreadable". Here two writer processes edit listings without a pause, each edit
applied to the index by its own same-request update, while this process runs the catch-up
check in a thread and the start-up check in a loop. The index must never be rebuilt (the
code before the fix failed this, with two to four rebuilds in eight seconds).
"""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest

from directory import create_app
from directory.db import db
from directory.models import Service
from search_index.store import IndexStore
from search_index.sync import IndexSync, get_sync
from tests.factories import make_service

CTX = multiprocessing.get_context("spawn")
WRITERS = 2


def _writer(config: dict, service_ids: list[str], ready, stop, done) -> None:
    """Another process editing listings non-stop, each commit applied to the index."""
    app = create_app(config)
    get_sync(app).ready_store()
    edits = 0
    with app.app_context():
        ready.set()
        while not stop.is_set():
            service = db.session.get(Service, service_ids[edits % len(service_ids)])
            service.name = f"Community Larder edit {edits}"
            db.session.commit()
            db.session.close()
            edits += 1
    done.put(edits)


@pytest.mark.slow
def test_checks_during_concurrent_edits_never_rebuild(app, session):
    ids = [make_service(session, f"Community Larder {n}").id for n in range(4)]
    session.commit()
    sync = get_sync(app)
    sync.ready_store()  # builds the index (the first repair)
    repairs = sync.repairer.repairs
    root = sync.store.root
    generation = sync.store.current_generation()
    config = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SEARCH_INDEX_DIR": str(root),
        "SEARCH_WRITE_LOCK_TIMEOUT": 30,
    }
    ready, stop, done = CTX.Event(), CTX.Event(), CTX.Queue()
    writers = [
        CTX.Process(target=_writer, args=(config, ids[n::WRITERS], ready, stop, done))
        for n in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    catch_ups = [0]

    def catch_up_non_stop() -> None:  # the catch-up check (which applies what it finds)
        while not stop.is_set():
            sync.maybe_catch_up()
            catch_ups[0] += 1

    checks = problems = 0
    try:
        assert ready.wait(120)
        checker = threading.Thread(target=catch_up_non_stop)
        checker.start()
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            # The start-up check, as a process that has not opened the index yet runs it.
            fresh = IndexSync(IndexStore(root, sync.store.schema_factory), sync.session_factory)
            if fresh.problem() is not None:
                problems += 1
            checks += 1
    finally:
        stop.set()
        edits = sum(done.get(timeout=120) for _ in writers)
        for writer in writers:
            writer.join(60)
    checker.join(60)
    repairer = sync.repairer
    if repairer.running():
        repairer.wait(120)
    assert edits > 20 and checks > 100 and catch_ups[0] > 10
    assert problems == 0
    assert repairer.repairs == repairs
    assert sync.store.current_generation() == generation
    assert sync.store.generations() == [generation]
