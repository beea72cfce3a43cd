"""Self-repair in the background: no request waits for a rebuild (ADR 0017).

With the index deleted and a rebuild longer than gunicorn's worker timeout, every search used
to answer 500 and the index was never rebuilt: the repair ran inside the request, and the
worker was killed mid-rebuild. Here a rebuild "takes long" because another process holds the
rebuild lock (as another worker rebuilding would): the pages and the API answer 503 with
``Retry-After`` meanwhile, and once the lock is free the repair thread rebuilds and searches
answer again.
"""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pytest

from search_index.store import IndexRepairing, IndexStore
from search_index.sync import IndexSync, get_sync
from tests.factories import make_service

CTX = multiprocessing.get_context("spawn")


def _hold_rebuild_lock(index_dir: str, held, release) -> None:
    store = IndexStore(index_dir, lambda: None)
    with store.rebuild_lock(timeout=10):
        held.set()
        release.wait(120)


def _delete_index(root: Path) -> None:
    """The generations and the pointer go; the lock files stay (as after ``rm -r gen-*``)."""
    (root / "CURRENT").unlink()
    for generation in root.glob("gen-*"):
        shutil.rmtree(generation)


@pytest.fixture
def served(app, session):
    """An app that has served searches on an index of one listing, with a short repair wait."""
    service = make_service(session, "Lache Community Larder")
    session.commit()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    assert client.get("/api/services", query_string={"search": "larder"}).status_code == 200
    sync = get_sync(app)
    sync.repairer.wait_seconds = 0.2
    return app, client, sync, service.id


@pytest.mark.slow
def test_a_deleted_index_answers_503_while_another_process_rebuilds_then_searches_again(served):
    app, client, sync, service_id = served
    root = Path(app.config["SEARCH_INDEX_DIR"])
    held, release = CTX.Event(), CTX.Event()
    holder = CTX.Process(target=_hold_rebuild_lock, args=(str(root), held, release))
    holder.start()
    try:
        assert held.wait(60)
        _delete_index(root)
        for _ in range(3):
            page = client.get("/search", query_string={"q": "larder"})
            assert page.status_code == 503
            assert int(page.headers["Retry-After"]) > 0
            assert "search is not working at the moment" in page.get_data(as_text=True)
            api = client.get("/api/services", query_string={"search": "larder"})
            assert api.status_code == 503
            assert int(api.headers["Retry-After"]) > 0
            assert api.get_json()["error"] == "service_unavailable"
        assert sync.repairer.running()  # one repair thread, waiting for the lock
    finally:
        release.set()
        holder.join(60)
    sync.repairer.wait(120)
    assert sync.store.current_generation() is not None
    page = client.get("/search", query_string={"q": "larder"})
    assert page.status_code == 200 and "Lache Community Larder" in page.get_data(as_text=True)
    api = client.get("/api/services", query_string={"search": "larder"})
    assert [s["id"] for s in api.get_json()["contents"]] == [service_id]


def test_a_process_starting_on_a_missing_index_answers_at_once_and_repairs_behind(app, session):
    make_service(session, "Lache Community Larder")
    session.commit()
    sync = get_sync(app)
    sync.repairer.wait_seconds = 0
    root = Path(app.config["SEARCH_INDEX_DIR"])
    root.mkdir(parents=True)
    with sync.store.rebuild_lock(timeout=1):  # another process is rebuilding
        with pytest.raises(IndexRepairing) as raised:
            sync.ready_store()
        assert raised.value.retry_after > 0
        with pytest.raises(IndexRepairing):  # a second request does not start a second repair
            sync.ready_store()
        assert sync.repairer.running()
    sync.repairer.wait(120)
    assert sync.ready_store() is sync.store and sync.store.check() is None


def test_processes_repairing_at_once_build_one_generation(app, session):
    """Three processes find the index missing together: one rebuilds, the others find it
    repaired when they get the rebuild lock, and build nothing."""
    make_service(session, "Lache Community Larder")
    session.commit()
    sync = get_sync(app)
    root, schema = sync.store.root, sync.store.schema_factory
    others = [
        IndexSync(IndexStore(root, schema), sync.session_factory, repair_wait=0) for _ in range(3)
    ]
    for other in others:
        other.repairer.start("no index yet")
    for other in others:
        other.repairer.wait(120)
    assert len(sync.store.generations()) == 1
    assert sum(other.repairer.repairs for other in others) == len(others)  # each finished


def test_a_user_commit_never_waits_for_a_repair(app, session):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    sync = get_sync(app)
    sync.ready_store()
    fresh = IndexSync(IndexStore(sync.store.root, sync.store.schema_factory), sync.session_factory,
                      repair_wait=30)  # fmt: skip
    _delete_index(Path(sync.store.root))
    (Path(sync.store.root) / "CURRENT").write_text("gen-gone\n")
    with sync.store.rebuild_lock(timeout=1):
        assert fresh.apply({10**6: service.id}) is False  # left to the repair, at once
        assert fresh.repairer.running()
    fresh.repairer.wait(120)
    assert fresh.store.check() is None
