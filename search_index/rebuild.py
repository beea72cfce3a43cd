"""Rebuilding an index: a new generation written from the database while searches go on.

Rebuilds write a new generation, replay what changed meanwhile and swap it in. The documents
are written in this process or split between worker processes (``search_index.build``); the
replay is the sync's own catch-up, run from a state read before any document was
(``start_state``). ``IndexSync.rebuild`` and its repair call ``rebuild_locked`` with the
rebuild lock held. Kept apart from ``search_index.index_sync`` so that module is about keeping
the live generation in step and this one about making a new generation.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.listings.models import ListingChange, Service
from search_index.build import Progress, build_parallel, build_serial
from search_index.feed import max_seq
from search_index.health import write_manifest
from search_index.store import MAX_GAPS, SyncState

if TYPE_CHECKING:
    from search_index.index_sync import IndexSync


@dataclass
class RebuildReport:
    generation: str
    services: int
    documents: int
    replayed: int
    procs: int
    build_seconds: float
    seconds: float
    size_bytes: int
    removed: list[str] = field(default_factory=list)


def rebuild_locked(
    sync: IndexSync, procs: int | None, progress: Progress | None, batch_size: int
) -> RebuildReport:
    """Build, replay and publish a new generation of ``sync``'s store (the rebuild lock held).

    ``procs`` None uses the sync's configured number of processes for large directories only;
    a number asks for exactly that many build processes. ``batch_size`` services are read
    from the database at a time by a serial build.
    """
    started = time.perf_counter()
    store = sync.store
    with sync.session_factory() as session:
        state = start_state(session, store.fingerprint)
        service_ids = list(session.scalars(select(Service.id).order_by(Service.id)))
    if procs is None:
        procs = sync.procs if len(service_ids) >= sync.parallel_min_services else 1
    procs = max(1, min(procs, len(service_ids)))
    name = store.create_generation()
    try:
        path = str(store.generation_path(name))
        if procs > 1:
            url = sync.session_factory.kw["bind"].url.render_as_string(hide_password=False)
            documents = build_parallel(
                path,
                url,
                service_ids,
                sync.documents_for_services,
                procs,
                progress,
            )
        else:
            with sync.session_factory() as session:
                documents = build_serial(
                    path,
                    sync.iter_all_documents(session, batch_size=batch_size),
                    len(service_ids),
                    progress,
                )
        build_seconds = time.perf_counter() - started
        if progress:
            progress("replay", 0, 0)
        write_manifest(store.generation_path(name))
        with store.write_lock(timeout=120):
            store.write_state(name, state)
            replayed = sync._catch_up_locked(name, state)
            store.publish(name)
    except BaseException:
        shutil.rmtree(store.generation_path(name), ignore_errors=True)
        raise
    removed = store.retire_old_generations(sync.retire_grace)
    return RebuildReport(
        generation=name,
        services=len(service_ids),
        documents=documents,
        replayed=replayed,
        procs=procs,
        build_seconds=build_seconds,
        seconds=time.perf_counter() - started,
        size_bytes=store.size_bytes(name),
        removed=removed,
    )


def start_state(session: Session, fingerprint: str) -> SyncState:
    """Where the new generation's replay starts: read BEFORE any document is read.

    Seqs of the last ``MAX_GAPS`` not visible yet may belong to transactions still open,
    so they start as gaps and are replayed when they commit.
    """
    high = max_seq(session)
    visible = set(
        session.scalars(select(ListingChange.seq).where(ListingChange.seq > high - MAX_GAPS))
    )
    now = time.time()
    gaps = {s: now for s in range(max(1, high - MAX_GAPS + 1), high) if s not in visible}
    built_at = datetime.now(UTC).isoformat(timespec="seconds")
    return SyncState(high, gaps, schema=fingerprint, built_at=built_at)
