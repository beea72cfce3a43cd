"""A full rebuild never interrupts searching: until the swap every search answers from the
previous generation, without an error, and the swap is atomic (``CURRENT`` only ever names
a complete generation).

The searching side is a plain ``IndexStore`` on the same folder, as another web process
sees it (no catch-up hooks), so the generation a search was answered from is exactly the
one ``CURRENT`` named. No timing is asserted: the rebuilds are made to wait for the
searches where order matters.
"""

from __future__ import annotations

import threading

from directory.models import Service
from search_index import search
from search_index.api import SearchRequest
from search_index.store import IndexStore
from search_index.sync import IndexSync, get_sync
from tests.factories import make_organization, make_service


def _rename_behind_the_index(session, service_id: str, name: str) -> None:
    """Change a listing in the database without the same-request update, so only a rebuild
    puts the change into the index (and the catch-up sees nothing to do)."""
    session.get(Service, service_id).name = name
    session.flush()
    session.info.pop("search_index.pending", None)
    session.commit()


def _found(store: IndexStore, session, words: str) -> set[str]:
    return {hit.service_id for hit in search(SearchRequest(text=words), index=store.searcher(),
                                             session=session).hits}  # fmt: skip


def _names(store: IndexStore, session, words: str) -> set[str]:
    """The listing names shown for a search (as stored in the generation that answered)."""
    return {hit.name for hit in search(SearchRequest(text=words), index=store.searcher(),
                                       session=session).hits}  # fmt: skip


def _reader(sync: IndexSync) -> IndexStore:
    return IndexStore(sync.store.root, sync.store.schema_factory)


def test_a_search_during_a_rebuild_answers_from_the_old_generation(app, session):
    service = make_service(session, "Lache Zorbing Club")
    session.commit()
    sync = get_sync(app)
    sync.ready_store()
    old = sync.store.current_generation()
    _rename_behind_the_index(session, service.id, "Lache Quoiting Club")
    reader = _reader(sync)
    seen: list[tuple[str | None, set[str], set[str]]] = []
    all_documents = sync.iter_all_documents

    def documents_then_search(doc_session, batch_size=500):
        # Every document of the new generation is read, nothing is published yet.
        yield from all_documents(doc_session, batch_size=batch_size)
        generation = reader.current_generation()
        seen.append((generation, _names(reader, session, "lache"),
                     _found(reader, session, "quoiting")))  # fmt: skip

    sync.iter_all_documents = documents_then_search
    report = sync.rebuild(procs=1)
    # The old listing, from the old generation; its new words are not there yet.
    assert seen == [(old, {"Lache Zorbing Club"}, set())]
    assert report.generation != old
    assert reader.current_generation() == report.generation
    assert _found(reader, session, "quoiting") == {service.id}
    assert _names(reader, session, "lache") == {"Lache Quoiting Club"}


def test_searches_go_on_without_error_through_a_parallel_rebuild_and_its_swap(app, session):
    """Another thread searches non-stop while ``rebuild(procs=2)`` builds in worker
    processes and swaps: every search is answered, by the old generation or the new one,
    each complete; the old one first, the new one after."""
    org = make_organization(session)
    ids = {make_service(session, f"Winsford Lunch Club {n}", organization=org).id
           for n in range(40)}  # fmt: skip
    session.commit()
    sync = get_sync(app)
    sync.ready_store()
    old = sync.store.current_generation()
    reader = _reader(sync)
    served: list[tuple[str | None, int]] = []
    errors: list[BaseException] = []
    started, stop = threading.Event(), threading.Event()

    def keep_searching() -> None:
        factory = app.extensions["database"].sessionmaker
        with factory() as own:
            while not stop.is_set() or len(served) < 2:
                try:
                    generation = reader.current_generation()
                    found = search(SearchRequest(text="winsford lunch"),
                                   index=reader.searcher(), session=own)  # fmt: skip
                    served.append((generation, found.total))
                except BaseException as exc:  # the test is that none happens
                    errors.append(exc)
                    return
                started.set()

    thread = threading.Thread(target=keep_searching)
    thread.start()
    started.wait(timeout=60)
    report = sync.rebuild(procs=2)
    # A few more searches after the swap, then stop.
    after = len(served)
    while len(served) < after + 3 and thread.is_alive():
        stop.wait(0.01)
    stop.set()
    thread.join(timeout=60)
    assert not errors, errors
    assert report.procs == 2 and report.generation != old
    generations = [generation for generation, _count in served]
    assert set(generations) == {old, report.generation}
    # Old until the swap, new from then on: never back, never anything else.
    first_new = generations.index(report.generation)
    assert generations[:first_new] == [old] * first_new
    assert generations[first_new:] == [report.generation] * (len(generations) - first_new)
    assert {count for _generation, count in served} == {len(ids)}  # always complete
