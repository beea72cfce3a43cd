"""Keeping each index in step with the database: same-request updates, catch-up and rebuilds.

The ``listing_change`` table is the change feed. ``directory.listings.changes`` adds a row for
every service a flush touches; the session hooks (``search_index.hooks``) hand each commit's
rows to ``IndexSync.apply``, which re-reads the services and rewrites their documents in the
same request. Anything that could not be applied then (the writer lock was busy, or the change
was made by another machine with its own index) is picked up by ``catch_up``, which reads the
rows past the generation's ``last_seq`` plus the gaps it is still waiting for (see
``SyncState``). Requests never catch up: each serving process's background updater
(``search_index.updater``) does, woken by PostgreSQL notifications or its polling interval.
Rebuilds write a new generation, replay what changed meanwhile and swap it in
(``search_index.rebuild``).

This module holds ``IndexSync``, the one object every write to an index goes through;
``search_index.sync`` makes one per app (``init_app``, ``get_sync``) and still names
everything here, so callers import it from there.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from search_index.build import Progress
from search_index.feed import changes_after, max_seq
from search_index.rebuild import RebuildReport, rebuild_locked
from search_index.repair import RETRY_AFTER, Repairer
from search_index.store import (
    MAX_GAPS,
    NO_INDEX,
    IndexStore,
    IndexUnavailable,
    LockTimeout,
    SyncState,
)

if TYPE_CHECKING:
    from whoosh.index import FileIndex

# Named as before the split from search_index.sync, for whoever filters the logs by it.
log = logging.getLogger("search_index.sync")

DocumentsFor = Callable[[Session, list[str]], Mapping[str, list[dict[str, Any]]]]
AllDocuments = Callable[..., Iterator[dict[str, Any]]]

#: Changes read per catch-up query; more than MAX_GAPS so every gap row fits in one batch.
CATCH_UP_BATCH = 2 * MAX_GAPS
#: Services re-read from the database per write.
SERVICE_BATCH = 500


def _default_documents_for_services(
    session: Session, ids: list[str], gazetteer_path: str | None = None
) -> Any:
    from search_index.documents import documents_for_services

    return documents_for_services(session, ids, gazetteer_path=gazetteer_path)


def _default_iter_all_documents(
    session: Session, batch_size: int = 500, gazetteer_path: str | None = None
) -> Any:
    from search_index.documents import iter_all_documents

    return iter_all_documents(session, batch_size=batch_size, gazetteer_path=gazetteer_path)


class IndexSync:
    """Ties one ``IndexStore`` to one database: every write to the index goes through here."""

    def __init__(
        self,
        store: IndexStore,
        session_factory: sessionmaker[Session],
        *,
        documents_for_services: DocumentsFor | None = None,
        iter_all_documents: AllDocuments | None = None,
        interval: float = 2.0,
        lock_timeout: float = 3.0,
        gap_timeout: float = 600.0,
        procs: int = 1,
        parallel_min_services: int = 5000,
        limitmb: int = 256,
        retire_grace: float = 60.0,
        repair_wait: float = 10.0,
        retry_after: int = RETRY_AFTER,
    ) -> None:
        self.store = store
        self.session_factory = session_factory
        self.documents_for_services = documents_for_services or _default_documents_for_services
        self.iter_all_documents = iter_all_documents or _default_iter_all_documents
        self.interval = interval
        self.lock_timeout = lock_timeout
        self.gap_timeout = gap_timeout
        self.procs = procs
        self.parallel_min_services = parallel_min_services
        self.limitmb = limitmb
        self.retire_grace = retire_grace
        self._ready = False
        self._ready_lock = threading.Lock()
        self._check_lock = threading.Lock()
        self.repairer = Repairer(self, repair_wait, retry_after)
        store.repair = self._repair_soon

    # Start-up -----------------------------------------------------------------------------

    def ready_store(self, wait: float | None = None) -> IndexStore:
        """The store, once its index has been checked (and repaired if need be) in this
        process. The check runs here; a repair runs in the background (``search_index.repair``)
        and is waited for up to ``wait`` seconds (None: until ``SEARCH_REPAIR_WAIT`` after it
        began), then ``IndexRepairing`` is raised for the caller to answer 503."""
        if self._ready:
            return self.store
        with self._ready_lock:
            if self._ready:
                return self.store
            if not self.repairer.running():
                problem = self.problem()
                if problem is None:
                    self._retire_old_generations()
                    self._ready = True
                    return self.store
                self.repairer.start(problem)
        self.repairer.wait(wait)
        with self._ready_lock:
            if not self._ready:
                self._retire_old_generations()
                self._ready = True
        return self.store

    def _retire_old_generations(self) -> None:
        """Delete generations a rebuild left behind, unless a rebuild is running right now."""
        try:
            with self.store.rebuild_lock(timeout=0):
                self.store.retire_old_generations(self.retire_grace)
        except LockTimeout:
            pass

    def repair(self, *, deep: bool = False) -> None:
        """Rebuild, here and now, when the index is missing, damaged, of an old schema or
        ahead of the database (``deep``: checksums too). Requests never call this: they
        start ``self.repairer``, which calls it in its thread."""
        if self.problem(deep=deep) is None:
            return
        with self.store.rebuild_lock(timeout=3600):
            reason = self.problem(deep=deep)
            if reason is None:  # another process repaired it while we waited
                return
            log.warning("search index in %s: %s; rebuilding", self.store.root, reason)
            self._rebuild_locked(procs=None, progress=None)

    def _repair_soon(self) -> None:
        """The store's hook when a searcher cannot be opened: repair in the background and
        wait as ``ready_store`` does (``IndexRepairing`` when it takes longer)."""
        if not self.repairer.running():
            problem = self.problem()
            if problem is None:
                return  # repaired meanwhile (by another process or thread)
            self.repairer.start(problem)
        self.repairer.wait()

    def search_failed(self, error: BaseException) -> None:
        """See ``Repairer.search_failed``: raises ``IndexRepairing`` when the index's files
        explain ``error``, returns when they do not."""
        self.repairer.search_failed(error)

    def database_seq(self) -> int:
        """The highest ``listing_change.seq`` in the database."""
        with self.session_factory() as session:
            return max_seq(session)

    def problem(self, *, deep: bool = False) -> str | None:
        """Why the live index must be rebuilt, or None.

        The index's state is read first and the database's change number after it. The
        other way round, a change committed and applied by another process in between made
        the index look "ahead of the database" and set off a full rebuild (22 in 40 s under
        a concurrent import). Read in this order a change the state includes is always in
        the database read after it, so "ahead" can only mean the database went back
        (restored or recreated).

        Any problem found is confirmed under the writer lock before it counts: a writer
        committing while the check opens the index deletes the table of contents the check
        was about to read, and that is not damage. Under the lock nothing moves.
        """
        reason = self._problem_now(deep)
        if reason is None or reason == NO_INDEX:
            return reason
        try:
            with self.store.write_lock(self.lock_timeout):
                return self._problem_now(deep)
        except LockTimeout:
            log.info("search index busy; %r left to the next check", reason)
            return None

    def _problem_now(self, deep: bool) -> str | None:
        reason, state = self.store.check_with_state(deep=deep)
        if reason is not None or state is None:
            return reason
        if self.database_seq() < state.last_seq:
            return "the index is ahead of the database (restored or recreated)"
        return None

    # Same-request updates -----------------------------------------------------------------

    def apply(self, changes: Mapping[int, str]) -> bool:
        """Re-index the services of ``changes`` (seq -> service id) just committed here.

        False when the writer lock stayed busy: the catch-up will apply them instead, and the
        user who saved the change never sees an error for it. Also False when this directory
        has no index yet: its first use builds one from the database, this change included
        (so a process that never searches never pays for an index).
        """
        if self.store.current_generation() is None:
            return False
        try:
            self.ready_store(wait=0)  # a user's commit never waits for a repair
        except IndexUnavailable:
            return False  # the repair's rebuild reads the database after this commit
        seen = set(changes)
        try:
            with self.store.write_lock(self.lock_timeout):
                name = self.store.current_generation()
                assert name is not None
                self._reindex_services(self.store.open_index(name), set(changes.values()))
                state = self.store.read_state(name)
                if min(seen) - state.last_seq <= MAX_GAPS:
                    state = state.advance(seen, time.time(), checked=False, gap_timeout=0)
                    self.store.write_state(name, state)
            return True
        except LockTimeout:
            log.info("search index busy; %d change(s) left to the catch-up", len(seen))
            return False

    def _reindex_services(self, ix: FileIndex, service_ids: set[str]) -> int:
        """Delete and re-add the documents of ``service_ids``, read now from the database.

        Called with the write lock held, so the read happens after every commit whose update
        has not yet been written: the last writer always writes the newest data.
        """
        written = 0
        ordered = sorted(service_ids)
        writer = ix.writer(limitmb=self.limitmb)
        try:
            with self.session_factory() as session:
                for start in range(0, len(ordered), SERVICE_BATCH):
                    batch = ordered[start : start + SERVICE_BATCH]
                    docs = self.documents_for_services(session, batch)
                    for service_id in batch:
                        writer.delete_by_term("service_id", service_id)
                        for doc in docs.get(service_id, ()):
                            writer.add_document(**doc)
                            written += 1
                    session.expunge_all()
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return written

    # Catch-up -----------------------------------------------------------------------------

    def maybe_catch_up(self) -> None:
        """The updater's check (``search_index.updater``, never a request): one cheap
        ``max(seq)`` query, and a catch-up when the database is ahead (or gaps are open).
        Returns at once if another thread is checking."""
        if not self._check_lock.acquire(blocking=False):
            return
        try:
            if self.store.current_generation() is None or self.repairer.running():
                return  # searcher() builds it, from the database as it is now
            state = self.store.read_state()  # first: see ``problem``
            db_seq = self.database_seq()
            if db_seq < state.last_seq:
                reason = self.problem()  # confirmed under the writer lock
                if reason is not None:
                    self.repairer.start(reason)  # the current index serves meanwhile
            elif db_seq > state.last_seq or state.gaps:
                self.catch_up(lock_timeout=self.lock_timeout)
        except LockTimeout:
            log.info("search index busy; catch-up deferred")
        finally:
            self._check_lock.release()

    def catch_up(self, lock_timeout: float = 30.0) -> int:
        """Apply every change past the live generation's state; returns how many were read."""
        with self.store.write_lock(lock_timeout):
            name = self.store.current_generation()
            assert name is not None
            return self._catch_up_locked(name, self.store.read_state(name))

    def _catch_up_locked(self, name: str, state: SyncState) -> int:
        ix = self.store.open_index(name)
        total = 0
        while True:
            with self.session_factory() as session:
                rows = changes_after(session, state, CATCH_UP_BATCH)
            if rows:
                self._reindex_services(ix, {service_id for _, service_id in rows})
            seen = {seq for seq, _ in rows}
            new_state = state.advance(seen, time.time(), checked=True, gap_timeout=self.gap_timeout)
            if new_state != state:
                self.store.write_state(name, new_state)
            state = new_state
            total += len(rows)
            if len(rows) < CATCH_UP_BATCH:
                return total

    # Rebuild ------------------------------------------------------------------------------

    def rebuild(self, procs: int | None = None, progress: Progress | None = None) -> RebuildReport:
        """Build a new generation from the database and swap it in while searches go on.

        ``procs`` None uses the configured number of processes for large directories only;
        a number asks for exactly that many build processes.
        """
        with self.store.rebuild_lock(timeout=3600):
            report = self._rebuild_locked(procs, progress)
        self._ready = True
        return report

    def _rebuild_locked(self, procs: int | None, progress: Progress | None) -> RebuildReport:
        return rebuild_locked(self, procs, progress, SERVICE_BATCH)
