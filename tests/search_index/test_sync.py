"""Keeping the index in step with the database inside one process.

Same-request updates through the session hooks, the catch-up over ``listing_change`` (with
PostgreSQL-style gaps), rebuilds that swap generations under a live searcher, and repair at
start-up.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from whoosh.qparser import QueryParser

from directory.db import db
from directory.models import ListingChange, ListingStatus, Service
from search_index import search
from search_index.api import SearchRequest
from search_index.store import IndexStore, SyncState
from search_index.sync import IndexSync, get_sync
from search_index.updater import Updater
from tests.factories import make_service


def found(sync: IndexSync, word: str) -> set[str]:
    """Service ids whose indexed name has ``word``, through the store's cached searcher (the
    index finds the word anywhere in a listing; the stored name says which version of the
    listing's document it found)."""
    searcher = sync.store.searcher()
    query = QueryParser("all", searcher.schema).parse(word)
    hits = searcher.search(query, limit=None)
    return {hit["service_id"] for hit in hits if word in hit["row"]["name"].lower()}


@pytest.fixture
def sync(app, session) -> IndexSync:
    """The app's sync with its index built, as in a web process that has served a search."""
    sync = get_sync(app)
    sync.ready_store()
    return sync


def test_commits_before_any_index_exists_cost_nothing_and_the_first_search_has_them(app, session):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    sync = get_sync(app)
    assert sync.store.current_generation() is None
    assert found(sync, "larder") == {service.id}


def _fresh(sync: IndexSync) -> IndexSync:
    """The same directory and database seen by a process that has not opened them yet."""
    return IndexSync(IndexStore(sync.store.root, sync.store.schema_factory), sync.session_factory)


def test_a_new_service_is_searchable_right_after_commit(sync, session):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    assert found(sync, "larder") == {service.id}
    state = sync.store.read_state()
    assert state.last_seq == session.scalar(select(func.max(ListingChange.seq)))


def test_an_edit_replaces_the_old_words(sync, session):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    service.name = "Lache Community Pantry"
    session.commit()
    assert found(sync, "pantry") == {service.id}
    assert found(sync, "larder") == set()


def test_a_listing_that_stops_being_public_leaves_the_index(sync, session):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    service.listing_status = ListingStatus.DRAFT
    session.commit()
    assert found(sync, "larder") == set()


def test_a_rolled_back_change_never_reaches_the_index(sync, session):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    service.name = "Lache Community Pantry"
    session.flush()
    session.rollback()
    assert found(sync, "pantry") == set()
    assert found(sync, "larder") == {service.id}


def _silent_change(app, service_id: str, name: str | None, seq: int | None = None) -> int:
    """Change a service the way another machine would: the row lands, our hooks never hear."""
    with db.new_session() as other:
        other.info["skip_change_tracking"] = True
        if name is not None:
            other.get(Service, service_id).name = name
        change = ListingChange(seq=seq, service_id=service_id)
        other.add(change)
        other.flush()
        seq = change.seq
        other.info.pop("search_index.pending", None)
        other.commit()
    return seq


def test_catch_up_applies_changes_made_elsewhere(app, sync, session):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    _silent_change(app, service.id, "Lache Soup Kitchen")
    assert found(sync, "soup") == set()
    assert sync.catch_up() == 1
    assert found(sync, "soup") == {service.id}


def test_a_search_never_catches_up_itself(app, sync, session):
    """Catching up is the background updater's job (search_index.updater): a search made
    after another machine's edit answers from the index as it is, at once."""
    service = make_service(session, "Lache Community Larder")
    session.commit()
    _silent_change(app, service.id, "Lache Soup Kitchen")
    assert found(sync, "soup") == set()
    sync.maybe_catch_up()  # what the updater runs
    assert found(sync, "soup") == {service.id}


def test_the_background_thread_catches_up_without_any_search(app, sync, session):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    seq = _silent_change(app, service.id, "Lache Soup Kitchen")
    updater = Updater(sync, None, interval=0.05).start()  # SQLite: polling only
    try:
        deadline = time.monotonic() + 10
        while sync.store.read_state().last_seq < seq and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        updater.stop()
    assert sync.store.read_state().last_seq == seq
    assert found(sync, "soup") == {service.id}


def test_a_seq_that_commits_late_is_picked_up_from_the_gap_list(app, sync, session):
    """PostgreSQL can make seq 10 visible before seq 9; SQLite never does, so fake it."""
    first = make_service(session, "Lache Community Larder")
    second = make_service(session, "Saltney Warm Hub")
    session.commit()
    high = session.scalar(select(func.max(ListingChange.seq)))
    _silent_change(app, second.id, "Saltney Warm Space", seq=high + 2)
    sync.catch_up()
    state = sync.store.read_state()
    assert state.last_seq == high + 2
    assert set(state.gaps) == {high + 1}
    _silent_change(app, first.id, "Lache Community Pantry", seq=high + 1)
    assert sync.catch_up() == 1
    assert found(sync, "pantry") == {first.id}
    assert sync.store.read_state().gaps == {}


def test_a_gap_that_never_fills_expires(app, sync, session):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    high = session.scalar(select(func.max(ListingChange.seq)))
    _silent_change(app, service.id, None, seq=high + 2)
    sync.catch_up()
    assert set(sync.store.read_state().gaps) == {high + 1}
    sync.gap_timeout = 0
    sync.catch_up()
    assert sync.store.read_state().gaps == {}


def test_reindex_swaps_in_a_new_generation_under_a_live_searcher(sync, session):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    old_name = sync.store.current_generation()
    old = sync.store.searcher()
    report = sync.rebuild()
    assert report.generation != old_name
    assert sync.store.current_generation() == report.generation
    assert report.services == 1 and report.documents >= 1
    assert {h["service_id"] for h in old.search(QueryParser("all", old.schema).parse("larder"))}
    assert found(sync, "larder") == {service.id}
    assert sync.store.searcher() is not old


def test_changes_committed_during_a_rebuild_are_replayed(app, session):
    """Edit a service after the rebuild has read its documents but before it swaps."""
    service = make_service(session, "Lache Community Larder")
    session.commit()
    real_sync = get_sync(app)
    real_sync.ready_store()
    all_documents = real_sync.iter_all_documents

    def documents_then_edit(doc_session, batch_size=500):
        yield from all_documents(doc_session, batch_size=batch_size)
        thread = threading.Thread(target=_edit_in_app, args=(app, service.id))
        thread.start()
        thread.join()

    real_sync.iter_all_documents = documents_then_edit
    report = real_sync.rebuild(procs=1)
    assert report.replayed >= 1
    assert found(real_sync, "pantry") == {service.id}
    assert found(real_sync, "larder") == set()


def _edit_in_app(app, service_id: str) -> None:
    with app.app_context():
        db.session.get(Service, service_id).name = "Lache Community Pantry"
        db.session.commit()


def test_a_deleted_index_is_rebuilt_on_first_use(app, sync, session):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    shutil.rmtree(sync.store.root)
    fresh = _fresh(sync)
    assert found(fresh, "larder") == {service.id}


@pytest.mark.parametrize("suffix", [".toc", ".seg"])
def test_a_corrupt_index_is_rebuilt_on_first_use(app, sync, session, suffix):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    path = Path(sync.store.generation_path(sync.store.current_generation()))
    for file in path.iterdir():
        if file.name.endswith(suffix):
            file.write_bytes(b"\x00garbage" * 64)
    fresh = _fresh(sync)
    fresh.ready_store()
    assert fresh.store.current_generation() != path.name
    assert found(fresh, "larder") == {service.id}


def test_an_index_ahead_of_the_database_is_rebuilt(app, sync, session):
    service = make_service(session, "Lache Community Larder")
    session.commit()
    store = sync.store
    name = store.current_generation()
    store.write_state(name, SyncState(10**6, schema=store.fingerprint))
    fresh = _fresh(sync)
    fresh.ready_store()
    assert fresh.store.read_state().last_seq < 10**6
    assert found(fresh, "larder") == {service.id}


def test_the_engine_finds_an_edit_at_once_and_survives_a_deleted_index(app, sync, session):
    """Through ``search_index.search`` as a view calls it (the app's store, ``db.session``)."""
    service = make_service(session, "Lache Community Larder")
    session.commit()
    assert [hit.service_id for hit in search(SearchRequest(text="larder")).hits] == [service.id]
    service.name = "Lache Community Pantry"
    session.commit()
    assert [hit.service_id for hit in search(SearchRequest(text="pantry")).hits] == [service.id]
    shutil.rmtree(sync.store.root)
    assert [hit.service_id for hit in search(SearchRequest(text="pantry")).hits] == [service.id]
