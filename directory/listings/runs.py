"""A record of every import run, and which listings each feed has brought in.

An import that dies part-way (``kill -9``, a power cut, a lost connection) must never leave a
half-applied import that nobody knows about. So each run gets an ``import_run`` row, committed
on its own *before* any data is written: if the process dies, the row stays ``running`` with
the process that owned it, and the next run of the same feed sees that process is gone, marks
the run ``interrupted`` and says so. A file import writes all its data in one transaction, so
a dead run left nothing behind; a paged feed commits each page together with the run's cursor,
so the next run resumes from exactly the page after the last one committed (see
``docs/adr/0001-import-transactions.md``).

``feed_listing`` remembers which services came from which feed, and in which walk of the feed
each was last seen, so a scheduled re-import can retire the listings a feed has dropped.

The import is the owner of its units of work (ADR 0013): the commits here and in
:mod:`directory.listings.feed_import` are its deliberate commit points, and nothing else in the
directory commits for it or around it.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from directory.core.ids import new_id, utcnow
from directory.core.types import UTCDateTime
from directory.db import Base

RUNNING, COMPLETED, FAILED, INTERRUPTED = "running", "completed", "failed", "interrupted"
#: A run on another machine that has said nothing for this long is taken to be dead (outside
#: an app; in one, the app's ``IMPORT_STALE_HOURS``: :func:`stale_after`).
STALE_AFTER = timedelta(hours=6)


def stale_after() -> timedelta:
    """How long a silent run on another machine may go before it counts as dead."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return STALE_AFTER
    return timedelta(hours=float(current_app.config.get("IMPORT_STALE_HOURS") or 6))


class ImportRun(Base):
    """One run of ``import-hsds`` (or of the importer from code), whatever became of it."""

    __tablename__ = "import_run"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    feed: Mapped[str] = mapped_column(String(1024), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="file")
    #: The run that began this walk of the feed (itself, unless it resumed another run).
    walk_id: Mapped[str] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(16), default=RUNNING, index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: ``host:pid:start-time`` of the process running it, to tell a dead run from a live one.
    process: Mapped[str] = mapped_column(String(255), default="")
    ran_by: Mapped[str] = mapped_column(String(255), default="import")
    strict: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Paged feeds: ``{"next": url, "pages": n, "records": n}`` after the last committed page.
    cursor: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: True once every page (or the whole file) was read: only then may listings be retired.
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    retired: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)


class FeedListing(Base):
    """A service that a feed has held; ``retired_at`` is set while the feed has dropped it."""

    __tablename__ = "feed_listing"

    feed: Mapped[str] = mapped_column(String(1024), primary_key=True)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_walk_id: Mapped[str] = mapped_column(String(36), index=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeedBusy(Exception):
    """Another live process is importing the same feed."""


def _start_ticks(pid: int) -> str | None:
    """The process's start time in clock ticks (Linux), so a reused pid is not mistaken for
    the process that started the run; None where /proc is not available."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def this_process() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid) or ''}"


def process_alive(process: str) -> bool | None:
    """True or False for a process on this machine; None when it ran on another machine."""
    host, _, rest = process.partition(":")
    pid_text, _, ticks = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    if ticks and Path("/proc").is_dir():
        return _start_ticks(pid) == ticks
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def notice_dead_runs(session: Session, feed: str) -> list[ImportRun]:
    """Mark this feed's ``running`` runs whose process is gone as interrupted (committed);
    raise :class:`FeedBusy` when one is still alive. Returns the runs just marked."""
    marked = []
    runs = session.scalars(
        select(ImportRun).where(ImportRun.feed == feed, ImportRun.status == RUNNING)
    ).all()
    for run in runs:
        alive = process_alive(run.process)
        if alive is None:
            last = run.heartbeat_at or run.started_at
            alive = utcnow() - last < stale_after()
        if alive:
            raise FeedBusy(
                f"another import of {feed} is running (run {run.id}, started "
                f"{run.started_at:%Y-%m-%d %H:%M} UTC by process {run.process})"
            )
        run.status = INTERRUPTED
        run.finished_at = utcnow()
        run.message = "the process running it stopped before it finished"
        marked.append(run)
    if marked:
        session.commit()
    return marked


def resumable_run(session: Session, feed: str) -> ImportRun | None:
    """The latest run of a paged feed that stopped part-way with a cursor to go on from."""
    latest = session.scalars(
        select(ImportRun).where(ImportRun.feed == feed).order_by(ImportRun.started_at.desc())
    ).first()
    if latest is None or latest.status not in (INTERRUPTED, FAILED) or latest.kind != "url":
        return None
    return latest if latest.cursor and latest.cursor.get("next") else None


def start_run(
    session: Session,
    feed: str,
    *,
    kind: str,
    ran_by: str,
    strict: bool,
    resumes: ImportRun | None = None,
) -> ImportRun:
    """Insert the run row and commit it before any data is written."""
    run = ImportRun(
        id=new_id(),
        feed=feed,
        kind=kind,
        status=RUNNING,
        started_at=utcnow(),
        heartbeat_at=utcnow(),
        process=this_process(),
        ran_by=ran_by,
        strict=strict,
    )
    if resumes is not None and resumes.cursor:
        run.cursor = dict(resumes.cursor)
    run.walk_id = resumes.walk_id if resumes is not None else run.id
    session.add(run)
    session.commit()
    return run


def finish_run(
    run: ImportRun, status: str, *, counts: dict[str, Any] | None, message: str | None = None
) -> None:
    """Set the run's outcome; the caller commits (with the data, when there is any)."""
    run.status = status
    run.finished_at = utcnow()
    run.heartbeat_at = run.finished_at
    run.counts = counts
    if message:
        run.message = message[:4000]
