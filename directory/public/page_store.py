"""Kept pages as files in one folder, shared by the processes of one machine.

Each gunicorn worker keeps its own pages in memory (:mod:`directory.public.page_cache`); with
two workers each sees only about half the traffic, so a popular page is rendered once per
worker. This folder is the second level: a page one worker rendered is there for the others.
Every key already holds the index version and (for results) the minute, so a file is never
wrong, only useless once its minute or version has passed: files older than ``max_age``
seconds are swept, at most every ``sweep_every`` seconds per process, and at most
``max_files`` are kept (oldest first out).

A file is written whole under a temporary name and renamed into place, so a reader sees the
old file, the new one or none. It holds a line of JSON (the key, for the rare hash collision,
and what :class:`Kept` carries) and the page. Anything unreadable is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kept:
    """A rendered page with its per-response parts replaced by placeholders, whatever the view
    needs to repeat its side effects on a hit (``extra``: the search log's facts), and when it
    stops being right (``expires``, seconds since the epoch; None: never, within its key)."""

    html: str
    extra: Any = None
    has_token: bool = False
    has_nonce: bool = False
    expires: float | None = None

    def fresh(self, now: float) -> bool:
        return self.expires is None or now < self.expires


class SharedPages:
    def __init__(
        self,
        folder: Path,
        *,
        max_files: int = 5000,
        max_age: float = 300.0,
        sweep_every: float = 30.0,
    ) -> None:
        self.folder = folder
        self.max_files = max_files
        self.max_age = max_age
        self.sweep_every = sweep_every
        self._next_sweep = 0.0
        self._lock = threading.Lock()
        self._failing = False
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, key: Hashable) -> Path:
        return self.folder / (hashlib.sha256(repr(key).encode()).hexdigest()[:40] + ".page")

    def get(self, key: Hashable) -> Kept | None:
        try:
            data = self._path(key).read_bytes()
            head, _, body = data.partition(b"\n")
            meta = json.loads(head)
            if meta.get("key") != repr(key):
                return None
            extra = meta.get("extra")
            return Kept(
                html=body.decode(),
                extra=tuple(extra) if isinstance(extra, list) else extra,
                has_token=bool(meta.get("token")),
                has_nonce=bool(meta.get("nonce")),
                expires=meta.get("expires"),
            )
        except (OSError, ValueError, UnicodeDecodeError):
            return None

    def put(self, key: Hashable, kept: Kept) -> None:
        extra = kept.extra
        if isinstance(extra, tuple):
            extra = [list(part) if isinstance(part, tuple) else part for part in extra]
        try:
            head = json.dumps(
                {
                    "key": repr(key),
                    "extra": extra,
                    "token": kept.has_token,
                    "nonce": kept.has_nonce,
                    "expires": kept.expires,
                }
            )
        except (TypeError, ValueError):
            return  # something that does not go in a file: the process's own cache has it
        path = self._path(key)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            temporary.write_bytes(head.encode() + b"\n" + kept.html.encode())
            os.replace(temporary, path)
            self._failing = False
        except OSError as exc:
            with contextlib.suppress(OSError):
                temporary.unlink()
            if not self._failing:  # once per run of failures, not once per page
                log.warning("page cache: cannot write to %s (%s)", self.folder, exc)
            self._failing = True
        self._maybe_sweep()

    def _maybe_sweep(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep or not self._lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + self.sweep_every
            self.sweep()
        finally:
            self._lock.release()

    def clear(self) -> None:
        """Remove every kept page (for tests and operators; nothing needs it otherwise)."""
        self.max_age, saved = -1.0, self.max_age
        try:
            self.sweep()
        finally:
            self.max_age = saved

    def sweep(self) -> int:
        """Remove files past ``max_age`` and the oldest beyond ``max_files``; the count."""
        cutoff = time.time() - self.max_age
        kept: list[tuple[float, str]] = []
        removed = 0
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return 0
        for entry in entries:
            try:
                modified = entry.stat().st_mtime
            except OSError:
                continue
            if modified < cutoff:
                removed += _remove(entry.path)
            else:
                kept.append((modified, entry.path))
        if len(kept) > self.max_files:
            kept.sort()
            for _, path in kept[: len(kept) - self.max_files]:
                removed += _remove(path)
        return removed


def _remove(path: str) -> int:
    try:
        os.unlink(path)
    except OSError:  # another process swept it first
        return 0
    return 1
