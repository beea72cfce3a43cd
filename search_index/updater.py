"""The index updater: one background thread per serving process keeps its index in step.

Requests never catch up with other processes' changes themselves (that cost a user up to
0.9 s). Instead each serving process runs one daemon thread that:

- on PostgreSQL, holds its own connection to the **primary** database (``DATABASE_URL``, never
  a read replica: a replica's feed lags) and runs ``LISTEN listing_change``. Migration 0017's
  trigger notifies that channel, with the statement's highest ``seq``, whenever any writer
  (web, CLI import, another machine) inserts a change row; PostgreSQL delivers it at commit.
  The thread waits in ``select()`` on that connection (and on a pipe, so ``stop`` and
  ``wake`` are instant), waits ``debounce`` more for the rest of a burst, then runs the
  existing catch-up check (``IndexSync.maybe_catch_up``);
- every ``interval`` seconds runs the same check anyway (the fallback: a notification sent
  while the connection was down is lost, and the ``listing_change`` table is the truth);
- reconnects with backoff (0.5 s doubling to 30 s) when PostgreSQL goes away, logging one line
  when it goes and one when it is back, and checks at once after reconnecting;
- on SQLite (or with ``SEARCH_FEED`` off) only polls every ``interval`` seconds.

``serve(app)`` starts it once per process (gunicorn's ``post_worker_init`` via
``search_index.warm``, or the first request of a process that serves): never in a CLI
one-shot command nor under ``TESTING``, unless ``SEARCH_SYNC_THREAD`` asks for it.
Decisions: docs/adr/0018-change-feed-listen-notify.md.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import select
import threading
import time
import weakref
from typing import TYPE_CHECKING

import psycopg
from sqlalchemy.engine import make_url

from directory.config import as_bool
from search_index.feed import CHANNEL

if TYPE_CHECKING:
    from flask import Flask

    from search_index.sync import IndexSync

log = logging.getLogger(__name__)

#: The seq of a notification whose payload is not a number: "check", never skipped.
UNKNOWN = 1 << 62
#: After a notification, how long to wait for the rest of a burst before one catch-up.
DEBOUNCE = 0.02
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0
_KEY = "search_index.updater"
_live: weakref.WeakSet[Updater] = weakref.WeakSet()
_start_lock = threading.Lock()


def listen_conninfo(database_url: str) -> str | None:
    """A libpq connection string for ``database_url``, or None when it is not PostgreSQL
    (SQLite processes poll)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Updater:
    """The background thread of one process's index (see the module docstring)."""

    def __init__(
        self,
        sync: IndexSync,
        conninfo: str | None,
        *,
        interval: float,
        debounce: float = DEBOUNCE,
        backoff_max: float = BACKOFF_MAX,
    ) -> None:
        self.sync = sync
        self.conninfo = conninfo
        self.interval = interval
        self.debounce = debounce
        self.backoff_max = backoff_max
        self.pid = os.getpid()
        #: Counters, for tests and the bench: checks run, notifications read, connections made.
        self.checks = 0
        self.notifications = 0
        self.connections = 0
        self.listening = threading.Event()
        self._stop = threading.Event()
        self._pipe_lock = threading.Lock()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._conn: psycopg.Connection | None = None
        self._thread: threading.Thread | None = None
        self._next_poll = 0.0  # check at once: changes made while this process was down
        self._next_connect = 0.0
        self._backoff = BACKOFF_FIRST
        self._outage = False  # the feed's connection is down (logged once)
        self._failing = False  # the check fails (logged once)

    # Control ------------------------------------------------------------------------------

    def start(self) -> Updater:
        self._thread = threading.Thread(target=self._run, name="search-index-updater", daemon=True)
        self._thread.start()
        _live.add(self)
        return self

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self.pid == os.getpid()

    def wake(self) -> None:
        """Run a check now (as a notification would)."""
        with self._pipe_lock:
            if self._wake_w < 0:
                return  # stopped
            with contextlib.suppress(BlockingIOError):  # full: a wake is already pending
                os.write(self._wake_w, b"x")

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and close its connection; returns once it has ended (or after
        ``timeout``: it is a daemon, so it never holds up the exit)."""
        self._stop.set()
        self.wake()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        if self._thread is None or not self._thread.is_alive():
            with self._pipe_lock:  # closed here, never while the thread may still select()
                for fd in (self._wake_r, self._wake_w):
                    if fd >= 0:
                        os.close(fd)
                self._wake_r = self._wake_w = -1

    @property
    def backend_pid(self) -> int | None:
        """The PostgreSQL backend of the LISTEN connection, while there is one."""
        conn = self._conn
        return conn.info.backend_pid if conn is not None and not conn.closed else None

    # The loop -----------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    self._step()
                except Exception:  # a bug here must not end the thread for good
                    log.exception("search index updater failed; going on")
                    self._stop.wait(self.interval)
        finally:
            self._disconnect()

    def _step(self) -> None:
        """Connect if due, wait for a notification, a wake or the poll, then check."""
        now = time.monotonic()
        if self.conninfo and self._conn is None and now >= self._next_connect:
            if self._connect():
                self._backoff, self._next_poll = BACKOFF_FIRST, 0.0  # missed notifications
            else:
                self._next_connect = now + self._backoff
                self._backoff = min(self._backoff * 2, self.backoff_max)
        timeout = max(0.0, self._next_poll - time.monotonic())
        if self.conninfo and self._conn is None:
            timeout = min(timeout, max(0.0, self._next_connect - time.monotonic()))
        seqs, woken = self._wait(timeout)
        if self._stop.is_set():
            return
        due = woken or time.monotonic() >= self._next_poll
        if seqs and not due:
            self._stop.wait(self.debounce)  # the rest of the burst
            more, woken = self._wait(0.0)
            seqs += more
            if not woken and self._applied(max(seqs)):
                return  # this process's own edit, applied in its request
        elif not due:
            return  # a reconnect is due, or the connection just went
        elif self._conn is not None and not seqs:
            self._ping()
        self._check()
        self._next_poll = time.monotonic() + self.interval

    def _wait(self, timeout: float) -> tuple[list[int], bool]:
        """Wait up to ``timeout`` s; returns the notified seqs and whether ``wake`` was
        called."""
        had_connection = self._conn is not None
        seqs = self._drain()  # notifications read while pinging are buffered by psycopg
        if seqs or (had_connection and self._conn is None):
            return seqs, False  # notified, or the connection just went: reconnect first
        fds = [self._wake_r] + ([self._conn.fileno()] if self._conn is not None else [])
        try:
            ready, _, _ = select.select(fds, [], [], timeout)
        except (OSError, ValueError) as exc:  # the connection's socket went away
            self._lost(exc)
            return [], False
        woken = self._wake_r in ready
        if woken:
            with contextlib.suppress(BlockingIOError):
                os.read(self._wake_r, 4096)
        return self._drain(), woken

    def _drain(self) -> list[int]:
        conn = self._conn
        if conn is None:
            return []
        try:
            payloads = [n.payload for n in conn.notifies(timeout=0)]
        except psycopg.Error as exc:
            self._lost(exc)
            return []
        self.notifications += len(payloads)
        return [int(p) if p.isdigit() else UNKNOWN for p in payloads]

    def _applied(self, seq: int) -> bool:
        """True when the live generation already has every change up to ``seq``."""
        try:
            state = self.sync.store.read_state()
        except Exception:  # no index yet, or being replaced: let the check decide
            return False
        return seq <= state.last_seq and not state.gaps

    def _check(self) -> None:
        try:
            self.sync.maybe_catch_up()
        except Exception as exc:
            if not self._failing:
                log.warning("search index: catch-up failed (%s); retrying every %.0f s",
                            exc.__class__.__name__, self.interval, exc_info=True)  # fmt: skip
            self._failing = True
            return
        if self._failing:
            log.info("search index: catch-up works again")
        self._failing = False
        self.checks += 1

    # The connection -----------------------------------------------------------------------

    def _connect(self) -> bool:
        assert self.conninfo is not None
        conn = None
        try:
            conn = psycopg.connect(
                self.conninfo,
                autocommit=True,
                connect_timeout=5,
                application_name="search-index-updater",
                # A peer that vanished without closing is noticed within about 25 s.
                keepalives=1,
                keepalives_idle=10,
                keepalives_interval=5,
                keepalives_count=3,
            )
            conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            if conn is not None:
                conn.close()
            if not self._outage:
                log.warning("search index feed: cannot listen (%s); polling every %.0f s "
                            "and reconnecting", _reason(exc), self.interval)  # fmt: skip
            self._outage = True
            return False
        if self._outage:
            log.info("search index feed: listening again")
        self._outage = False
        self._conn = conn
        self.connections += 1
        self.listening.set()
        return True

    def _ping(self) -> None:
        """At each poll: a connection that died quietly is found and replaced."""
        assert self._conn is not None
        try:
            self._conn.execute("SELECT 1")
        except psycopg.Error as exc:
            self._lost(exc)

    def _lost(self, exc: BaseException) -> None:
        if not self._outage:
            log.warning("search index feed: connection lost (%s); polling and reconnecting",
                        _reason(exc))  # fmt: skip
        self._outage = True
        self._disconnect()

    def _disconnect(self) -> None:
        self.listening.clear()
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # closing a broken connection: nothing more to do
                log.debug("search index feed: close failed", exc_info=True)


def _reason(exc: BaseException) -> str:
    first = str(exc).strip().splitlines()
    return f"{exc.__class__.__name__}: {first[0]}" if first else exc.__class__.__name__


# Per process ------------------------------------------------------------------------------


def start_updater(app: Flask) -> Updater:
    """This process's updater for ``app``, started if it is not running (a forked child
    starts its own)."""
    from search_index.sync import get_sync

    with _start_lock:
        current: Updater | None = app.extensions.get(_KEY)
        if current is not None and current.alive():
            return current
        config = app.config
        url = str(config["DATABASE_URL"])  # the primary: never read the feed from a replica
        feed = as_bool(config.get("SEARCH_FEED", True), "SEARCH_FEED")
        updater = Updater(
            get_sync(app),
            listen_conninfo(url) if feed else None,
            interval=float(config["SEARCH_SYNC_INTERVAL"]),
        )
        app.extensions[_KEY] = updater.start()
        return updater


def serving(app: Flask) -> bool:
    """Whether a process of ``app`` that serves requests runs the updater: always, except
    under ``TESTING`` (tests start their own), unless ``SEARCH_SYNC_THREAD`` is on."""
    return not app.testing or as_bool(app.config.get("SEARCH_SYNC_THREAD"), "SEARCH_SYNC_THREAD")


def serve(app: Flask) -> Updater | None:
    """Start the updater where this process serves (see ``serving``)."""
    return start_updater(app) if serving(app) else None


def install(app: Flask) -> None:
    """Called by ``search_index.sync.init_app``: ``SEARCH_SYNC_THREAD`` starts the updater in
    any process now (CLI commands included); otherwise the first request of a serving
    process starts it (gunicorn workers start it before that, in ``warm``)."""
    if as_bool(app.config.get("SEARCH_SYNC_THREAD"), "SEARCH_SYNC_THREAD"):
        start_updater(app)
    if serving(app):

        @app.before_request
        def _start_search_index_updater() -> None:
            current: Updater | None = app.extensions.get(_KEY)
            if current is None or current.pid != os.getpid():
                start_updater(app)


@atexit.register
def _stop_all() -> None:
    for updater in list(_live):
        if updater.pid == os.getpid():
            updater.stop(timeout=2.0)
