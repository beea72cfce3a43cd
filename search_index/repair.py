"""Repairing the index in the background, so that no request waits for a rebuild.

A missing, damaged or out-of-date index used to be rebuilt inside the request that found it.
At 100,000 services a rebuild takes a minute or more, longer than gunicorn's worker timeout:
the worker was killed mid-rebuild, the next request started again, every search answered
500 and the index was never rebuilt. Now (docs/adr/0017-background-repair-and-503.md):

* one repair thread per process (``Repairer.start`` does nothing while one runs), and one
  rebuild at a time across processes: the thread takes the rebuild lock, checks again and
  finds the index already repaired when another process got there first;
* a request that needs the index waits for a repair only until ``wait`` seconds after the
  repair began (``SEARCH_REPAIR_WAIT``, well under the worker timeout: a small directory is
  rebuilt within it and nobody notices), then every request gets ``IndexRepairing`` at
  once: the pages and the API answer 503 with ``Retry-After``;
* a search that fails on the index's files (``search_failed``) has them checked to the last
  byte; when they are damaged the repair starts and the search answers 503, not 500. An
  error the files do not explain is a bug and is raised as it is.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import TYPE_CHECKING

from search_index.store import IndexRepairing, IndexUnavailable

if TYPE_CHECKING:
    from search_index.sync import IndexSync

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait (``Retry-After``) while the index is rebuilt.
RETRY_AFTER = 30
#: After a failed repair, requests are refused this long before one is tried again.
FAILURE_PAUSE = 30.0
#: A generation whose files a deep check found whole is not checked again for this long
#: when searches keep failing (the error is then a bug, and answered as one).
VERIFIED_FOR = 300.0


class Repairer:
    """The background repair of one process's index (see the module docstring)."""

    def __init__(self, sync: IndexSync, wait: float, retry_after: int = RETRY_AFTER) -> None:
        self.sync = sync
        self.wait_seconds = wait
        self.retry_after = retry_after
        self.reason: str | None = None
        self.repairs = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._done.set()
        self._deadline = 0.0
        self._error: BaseException | None = None
        self._failed_at = -math.inf
        self._check_lock = threading.Lock()
        self._verified: dict[str, float] = {}

    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self, reason: str, *, deep: bool = False) -> bool:
        """Start the repair thread unless one is running or one failed a moment ago.
        Returns whether a repair is running now."""
        with self._lock:
            if self.running():
                return True
            if time.monotonic() - self._failed_at < FAILURE_PAUSE:
                return False
            self.reason, self._error = reason, None
            self._done = threading.Event()
            self._deadline = time.monotonic() + self.wait_seconds
            log.warning(
                "search index in %s: %s; repairing in the background", self.sync.store.root, reason
            )
            self._thread = threading.Thread(
                target=self._run, args=(self._done, deep), name="search-index-repair", daemon=True
            )
            self._thread.start()
            return True

    def _run(self, done: threading.Event, deep: bool) -> None:
        try:
            self.sync.repair(deep=deep)
            self.repairs += 1
        except BaseException as exc:  # logged, and reported to the requests that wait
            log.exception("search index repair failed")
            self._error = exc
            self._failed_at = time.monotonic()
        finally:
            done.set()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the repair: until ``timeout`` seconds (None: until ``wait`` seconds after
        it began). Raises ``IndexRepairing`` while it still runs, ``IndexUnavailable`` when it
        failed (or failed a moment ago and is not being tried again yet)."""
        done = self._done
        if timeout is None:
            timeout = self._deadline - time.monotonic()
        if timeout > 0 and not done.is_set():
            done.wait(timeout)
        if not done.is_set():
            raise IndexRepairing(
                f"the search index is being rebuilt ({self.reason})", self.retry_after
            )
        if self._error is not None or time.monotonic() - self._failed_at < FAILURE_PAUSE:
            raise IndexUnavailable(f"the search index could not be rebuilt ({self._error!r})")

    def search_failed(self, error: BaseException) -> None:
        """A search on the app's store raised ``error``. Raise ``IndexRepairing`` when the
        index's files explain it (a repair is then running); return when they are whole,
        for the caller to raise ``error`` as the bug it is."""
        if self.running():
            raise IndexRepairing("the search index is being rebuilt", self.retry_after) from error
        store = self.sync.store
        with self._check_lock:
            name = store.current_generation() or ""
            checked = self._verified.get(name)
            if checked is not None and time.monotonic() - checked < VERIFIED_FOR:
                return
            problem = self.sync.problem(deep=True)
            if problem is None:
                self._verified[name] = time.monotonic()
                return
        log.error("search failed on a damaged index (%s): %r", problem, error)
        if self.start(problem, deep=True):
            raise IndexRepairing(
                f"the search index is damaged ({problem})", self.retry_after
            ) from error
        raise IndexUnavailable(f"the search index is damaged ({problem})") from error
