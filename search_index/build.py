"""Writing a new generation's documents: in this process, or split between worker processes.

Whoosh indexing is pure Python, so one process per core is the only way to use both cores.
Each worker reads its share of the services from the database, builds their documents and
writes one segment with ``BulkWriter`` (``search_index.bulk``); the parent then commits one
table of contents listing them all, and writes the merged spelling dictionary. The rebuild
(``IndexSync.rebuild``) publishes the generation afterwards.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import multiprocessing
import os
import queue
import resource
import signal
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from whoosh.filedb.filestore import FileStorage

from directory.allocator import tune_for_bulk
from search_index.bulk import BulkWriter, write_spelling

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
#: Services per ``documents_for_services`` call in a build worker: each call checks the
#: taxonomy again and starts a new document builder (with empty caches of opening hours
#: and postcodes), so fewer, larger calls.
WORKER_BATCH = 2000
#: ``prctl`` option: the signal the kernel sends this process when its parent dies.
PR_SET_PDEATHSIG = 1
#: How often a build worker's watchdog checks that its parent is still there (seconds).
WATCHDOG_INTERVAL = 1.0


@dataclass(slots=True)
class WorkerReport:
    """Where one build worker's time and memory went (seconds of wall clock; ``cpu`` is the
    worker's own CPU time, ``peak_mb`` its peak resident memory)."""

    services: int
    documents: int
    start: float  # imports, database engine, empty segment
    read: float  # reading records from the database
    build: float  # documents from records
    index: float  # analysis and collecting postings
    write: float  # writing the segment's postings, arrays and columns
    cpu: float
    peak_mb: float

    def line(self) -> str:
        return (
            f"{self.services:,} services, {self.documents:,} documents: start {self.start:.1f} s, "
            f"read {self.read:.1f} s, build {self.build:.1f} s, index {self.index:.1f} s, "
            f"write {self.write:.1f} s; CPU {self.cpu:.1f} s; peak {self.peak_mb:.0f} MB"
        )


@dataclass(slots=True)
class BuildReport:
    """The last parallel build in this process: its workers' reports and the parent's own
    steps, for ``flask reindex`` and ``bench/rebuild_bench.py`` to print."""

    workers: list[WorkerReport] = field(default_factory=list)
    wait: float = 0.0  # from starting the workers to the last one's segment
    commit: float = 0.0  # the table of contents and the merged spelling dictionary


#: Filled by ``build_parallel``; empty until a parallel build ran in this process.
last_build = BuildReport()


def die_with_parent(parent_pid: int) -> None:
    """Make this process exit when ``parent_pid`` (the process that started it) dies, even
    by ``kill -9``, which runs no clean-up in the parent.

    A build worker whose ``flask reindex`` was killed used to hang on for ever (blocked on
    its result queue, 140 to 700 MB each). On Linux the kernel kills it at once
    (``prctl(PR_SET_PDEATHSIG, SIGKILL)``, through ctypes); everywhere, a daemon thread
    checks every second that the parent is still its parent and exits if not (an orphan is
    adopted by another process, so ``getppid`` changes).
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no libc symbol: the watchdog still works
            log.debug("prctl(PR_SET_PDEATHSIG) unavailable; relying on the parent watchdog")
    if os.getppid() != parent_pid:  # the parent died before the signal was asked for
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(WATCHDOG_INTERVAL)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def build_serial(
    path: str,
    documents: Iterable[dict[str, Any]],
    total_services: int,
    progress: Progress | None,
) -> int:
    """Write ``documents`` into the empty generation at ``path`` as one segment, with its
    spelling dictionary (``search_index.bulk``: the postings are held in memory, about 12
    bytes each, and written in order at the end)."""
    storage = FileStorage(path)
    writer = BulkWriter(storage.open_index())
    count = services = 0
    last = None
    try:
        for doc in documents:
            writer.add_document(**doc)
            count += 1
            if doc.get("service_id") != last:
                last = doc.get("service_id")
                services += 1
                if progress and services % 1000 == 0:
                    progress("index", services, total_services)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    write_spelling(storage, writer.spelling)
    if progress:
        progress("index", total_services, total_services)
    return count


def build_parallel(
    path: str,
    database_url: str,
    service_ids: list[str],
    documents_for_services: Callable[..., Mapping[str, list[dict[str, Any]]]],
    procs: int,
    progress: Progress | None,
) -> int:
    """Split the services between ``procs`` processes, each reading the database and writing
    its own segment into ``path``; then commit one TOC listing them all.

    Whoosh indexing is pure Python, so one process per core is the only way to use both
    cores; each worker also does its share of the database reads and document building.
    """
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    size = -(-len(service_ids) // procs)
    workers = [
        ctx.Process(
            target=_build_part,
            args=(
                i,
                path,
                database_url,
                service_ids[i * size : (i + 1) * size],
                documents_for_services,
                results,
                os.getpid(),
            ),
            daemon=True,
        )
        for i in range(procs)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    done = [0] * procs
    parts: dict[int, tuple[Any, int, dict[str, int], WorkerReport]] = {}
    try:
        while len(parts) < procs:
            try:
                kind, part, payload = results.get(timeout=1.0)
            except queue.Empty:
                if any(w.exitcode not in (0, None) for w in workers):
                    raise RuntimeError("an index build worker died") from None
                continue
            if kind == "error":
                raise RuntimeError(f"index build worker {part} failed:\n{payload}")
            if kind == "progress":
                done[part] = payload
                if progress:
                    progress("index", sum(done), len(service_ids))
            else:
                parts[part] = payload
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
    built = time.perf_counter()
    segments = [parts[i][0] for i in range(procs) if parts[i][0] is not None]
    storage = FileStorage(path)
    writer = storage.open_index().writer()
    writer.commit(mergetype=lambda _writer, existing: existing + segments)
    spelling: Counter[str] = Counter()
    for _segment, _count, words, _report in parts.values():
        spelling.update(words)
    write_spelling(storage, spelling)
    last_build.workers = [parts[i][3] for i in range(procs)]
    last_build.wait = built - started
    last_build.commit = time.perf_counter() - built
    return sum(count for _segment, count, _words, _report in parts.values())


def _build_part(
    part: int,
    path: str,
    database_url: str,
    service_ids: list[str],
    documents_for_services: Callable[..., Mapping[str, list[dict[str, Any]]]],
    results: Any,
    parent_pid: int,
) -> None:
    """One build worker: its own engine and an unlocked segment writer (as Whoosh's MpWriter
    does); the parent owns the generation until it is published. It exits with its parent
    (``die_with_parent``).

    The worker sets the C allocator for bulk work (``directory.allocator``: zlib calls and
    numpy arrays by the hundred thousand cost it a sixth of its time with glibc's defaults)
    and turns the cyclic garbage collector off: it only allocates (millions of
    postings, which every full collection walked again: 18% of a worker's time at 100,000
    services) and exits when done. Only the postings outlive a batch: the batch's records
    and documents are dropped, and so are the texts the analysis cached for them
    (``analysis.forget_texts``). It reports where its time went (``WorkerReport``)."""
    die_with_parent(parent_pid)
    gc.disable()
    tune_for_bulk()
    try:
        started = time.perf_counter()
        from sqlalchemy.orm import sessionmaker

        import directory.models  # noqa: F401  (every mapper, before the first query)
        from directory.db import make_engine
        from search_index import documents
        from search_index.analysis import forget_texts

        engine = make_engine(database_url)
        writer = BulkWriter(FileStorage(path).open_index(), _lk=False)
        count = 0
        index_seconds = 0.0
        ready = time.perf_counter()
        with sessionmaker(bind=engine)() as session:
            for start in range(0, len(service_ids), WORKER_BATCH):
                batch = service_ids[start : start + WORKER_BATCH]
                docs = documents_for_services(session, batch)
                began = time.perf_counter()
                for service_id in batch:
                    for doc in docs.get(service_id, ()):
                        writer.add_document(**doc)
                        count += 1
                index_seconds += time.perf_counter() - began
                del docs
                forget_texts()
                session.expunge_all()
                results.put(("progress", part, start + len(batch)))
        engine.dispose()
        documents.forget_builder()  # its caches are no use while the segment is written
        indexed = time.perf_counter()
        if count:
            segment = writer._finalize_segment()
        else:
            writer._close_segment()
            segment = None
        spelling = dict(writer.spelling)
        report = WorkerReport(
            services=len(service_ids),
            documents=count,
            start=ready - started,
            read=documents.phase_seconds["read"],
            build=documents.phase_seconds["build"],
            index=index_seconds,
            write=time.perf_counter() - indexed,
            cpu=time.process_time(),
            peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        )
        results.put(("done", part, (segment, count, spelling, report)))
    except BaseException:
        results.put(("error", part, traceback.format_exc()))
