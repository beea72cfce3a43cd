"""The index directory: generations, the atomic pointer, locks, sync state and cached searchers.

These tests use a three-field schema of their own, so they say nothing about the engine's
schema and run without a database.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import QueryParser

from search_index.build import build_serial
from search_index.engine import _searcher_for
from search_index.store import (
    MAX_GAPS,
    IndexStore,
    IndexUnavailable,
    LockTimeout,
    SyncState,
    file_lock,
)

SERVICES = {
    "svc-food": "Chester Food Bank emergency food parcels",
    "svc-debt": "Blacon Debt Advice money and benefits help",
    "svc-walk": "Hoole Walking Group gentle walks for older people",
}


def tiny_schema() -> Schema:
    return Schema(
        doc_id=ID(unique=True, stored=True), service_id=ID(stored=True), name=TEXT(stored=True)
    )


def _docs(services: dict[str, str]) -> list[dict]:
    return [{"doc_id": sid, "service_id": sid, "name": text} for sid, text in services.items()]


def _published(store: IndexStore, services: dict[str, str] = SERVICES) -> str:
    name = store.create_generation()
    build_serial(str(store.generation_path(name)), _docs(services), len(services), None)
    store.write_state(name, SyncState(0, schema=store.fingerprint))
    store.publish(name)
    return name


def _find(searcher, words: str) -> set[str]:
    query = QueryParser("name", searcher.schema).parse(words)
    return {hit["service_id"] for hit in searcher.search(query, limit=None)}


@pytest.fixture
def store(tmp_path: Path) -> IndexStore:
    return IndexStore(tmp_path / "search_index", tiny_schema)


def _hold_lock(path: str, held: multiprocessing.Event, release: multiprocessing.Event) -> None:
    with file_lock(Path(path), timeout=5):
        held.set()
        release.wait(10)


def test_the_write_lock_excludes_another_process_until_it_lets_go(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    held, release = ctx.Event(), ctx.Event()
    lock_path = tmp_path / "write.lock"
    holder = ctx.Process(target=_hold_lock, args=(str(lock_path), held, release))
    holder.start()
    try:
        assert held.wait(30)
        started = time.monotonic()
        with pytest.raises(LockTimeout), file_lock(lock_path, timeout=0.3):
            pass
        assert time.monotonic() - started >= 0.3
        release.set()
        with file_lock(lock_path, timeout=10):
            pass
    finally:
        release.set()
        holder.join(10)


def test_the_write_lock_excludes_another_thread_of_the_same_process(tmp_path):
    lock_path = tmp_path / "write.lock"
    with file_lock(lock_path, timeout=1), pytest.raises(LockTimeout), file_lock(lock_path, 0.1):
        pass


def test_state_remembers_gaps_and_forgets_them_when_filled():
    state = SyncState(last_seq=10).advance({13, 14}, now=100.0, checked=False, gap_timeout=60)
    assert state.last_seq == 14
    assert state.gaps == {11: 100.0, 12: 100.0}
    state = state.advance({12}, now=101.0, checked=True, gap_timeout=60)
    assert state.last_seq == 14
    assert state.gaps == {11: 100.0}


def test_a_gap_expires_only_after_a_check_made_once_it_is_old_enough():
    state = SyncState(last_seq=10).advance({12}, now=100.0, checked=False, gap_timeout=60)
    unchecked = state.advance({13}, now=500.0, checked=False, gap_timeout=60)
    assert 11 in unchecked.gaps
    young = state.advance(set(), now=130.0, checked=True, gap_timeout=60)
    assert 11 in young.gaps
    old = state.advance(set(), now=161.0, checked=True, gap_timeout=60)
    assert old.gaps == {}


def test_gaps_are_capped_to_the_newest():
    state = SyncState(last_seq=0).advance({3 * MAX_GAPS}, now=1.0, checked=False, gap_timeout=60)
    assert len(state.gaps) == MAX_GAPS
    assert max(state.gaps) == 3 * MAX_GAPS - 1


def test_state_round_trips_through_json():
    state = SyncState(7, {5: 1.5}, schema="abc", built_at="2025-01-01T00:00:00+00:00")
    assert SyncState.from_json(state.to_json()) == state


def test_publish_points_current_at_the_new_generation(store):
    first = _published(store)
    assert store.current_generation() == first
    assert (store.root / "CURRENT").read_text().strip() == first
    second = _published(store, {"svc-new": "Ellesmere Port Men's Shed"})
    assert store.current_generation() == second
    assert store.check() is None


def test_searcher_is_cached_until_the_index_changes(store):
    name = _published(store)
    first = store.searcher()
    assert store.searcher() is first
    writer = store.open_index(name).writer()
    writer.add_document(doc_id="svc-shed", service_id="svc-shed", name="Neston Men's Shed")
    writer.commit()
    refreshed = store.searcher()
    assert refreshed is not first
    assert _find(refreshed, "shed") == {"svc-shed"}
    assert store.searcher() is refreshed


def test_a_refreshed_searcher_shows_no_deleted_documents(store):
    """Whoosh's own refresh() brings deleted documents back; ours must not."""
    name = _published(store)
    store.searcher()
    for round_ in range(3):
        writer = store.open_index(name).writer()
        writer.delete_by_term("service_id", "svc-food")
        writer.add_document(
            doc_id="svc-food", service_id="svc-food", name=f"Chester Food Bank round{round_}"
        )
        writer.commit()
        searcher = store.searcher()
        assert len(searcher.search(QueryParser("name", searcher.schema).parse("food"))) == 1
        assert _find(searcher, f"round{round_}") == {"svc-food"}
    assert searcher.doc_count() == len(SERVICES)


def test_the_engine_searcher_for_a_passed_index_shows_no_deleted_documents(store):
    """``search(request, index=ix)`` keeps a searcher per thread; after an edit it must be
    reopened like the store's, not with Whoosh's refresh()."""
    ix = store.open_index(_published(store))
    first = _searcher_for(ix)
    assert _searcher_for(ix) is first
    for round_ in range(2):
        writer = ix.writer()
        writer.delete_by_term("service_id", "svc-food")
        writer.add_document(
            doc_id="svc-food", service_id="svc-food", name=f"Chester Food Bank again{round_}"
        )
        writer.commit()
        searcher = _searcher_for(ix)
        assert searcher is not first
        assert len(searcher.search(QueryParser("name", searcher.schema).parse("food"))) == 1
        assert _find(searcher, f"again{round_}") == {"svc-food"}


def test_searchers_on_the_old_generation_keep_working_after_a_swap(store):
    old_name = _published(store)
    old = store.searcher()
    _published(store, {"svc-shed": "Neston Men's Shed"})
    store.retire_old_generations(grace_seconds=0)
    removed = store.retire_old_generations(grace_seconds=0)
    assert removed == [old_name]
    assert not store.generation_path(old_name).exists()
    assert _find(old, "food") == {"svc-food"}
    new = store.searcher()
    assert new is not old
    assert _find(new, "shed") == {"svc-shed"}
    assert _find(new, "food") == set()


def test_retiring_waits_for_the_grace_period(store):
    old_name = _published(store)
    _published(store)
    assert store.retire_old_generations(grace_seconds=60) == []
    assert store.retire_old_generations(grace_seconds=60) == []
    assert store.generation_path(old_name).exists()


def test_check_reports_a_missing_index(store):
    assert store.check() == "no index yet"
    with pytest.raises(IndexUnavailable):
        store.searcher()


def _garble(path: Path, suffix: str) -> None:
    for file in path.iterdir():
        if file.name.endswith(suffix):
            file.write_bytes(os.urandom(file.stat().st_size))


@pytest.mark.parametrize("suffix", [".toc", ".seg"])
def test_check_reports_garbage_in_index_files(store, suffix):
    name = _published(store)
    _garble(store.generation_path(name), suffix)
    assert store.check().startswith("index unreadable")


def test_check_reports_a_changed_schema(store, tmp_path):
    _published(store)
    changed = IndexStore(
        store.root, lambda: Schema(doc_id=ID(unique=True, stored=True), service_id=ID(stored=True))
    )
    assert changed.check() == "the schema has changed"


def test_searcher_calls_repair_when_the_index_is_gone(store):
    calls = []

    def repair() -> None:
        calls.append(1)
        _published(store)

    store.repair = repair
    assert _find(store.searcher(), "debt") == {"svc-debt"}
    assert calls == [1]


def test_status_describes_the_live_generation(store):
    name = _published(store)
    info = store.status()
    assert info["generation"] == name
    assert info["documents"] == 3
    assert info["last_seq"] == 0
    assert info["size_bytes"] > 0
