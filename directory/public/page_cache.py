"""Whole public pages kept per process, for visitors who have nothing of their own on them.

Residents ask the same things again and again ("food bank", "dementia", the home page, a
popular service): rendering each of those pages anew was most of the site's CPU under load
(docs/search-pages.md, "Throughput"). A results page, the home page or a service page is
kept here once rendered and served again to the next visitor who asks for **the same
address, against the same index, in the same minute**:

* **the key** is the full URL (host, path and query string as sent: links on the page, such
  as where "Add to my list" comes back to, are made from it), the version of the search
  index this thread reads (its generation and commit: every applied edit, import or rebuild
  gives a new one, so there is nothing to invalidate) and the London minute (open-now
  statuses and "not checked for over a year" change with the clock);
* **only visitors with nothing of their own on the page** share it: not signed in, nothing
  on their list, no message waiting to be shown. Everyone else gets a page rendered for them;
* **what belongs to one response** is put back on the way out: the CSRF token of the list
  buttons (each visitor's own) and the CSP nonce (each response's own) are kept as
  placeholders and replaced, so a kept page never carries another visitor's token.

A service page is read from the database, the index only follows it: an edit shows on a kept
service page once this process's index has applied it (the change feed's lag, under a second;
docs/adr/0018-change-feed.md), as it does in search results. The editor is signed in and so
always sees their own edit at once.

Each process keeps at most ``PAGE_CACHE_MB`` of pages (least recently used dropped first);
``PAGE_CACHE_MB = 0`` turns the cache off. ``app.extensions["page_cache"]`` counts hits and
misses.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, g, request, session
from flask_login import current_user

from directory.public import pages
from directory.public.page_store import Kept, SharedPages
from directory.public.timing import measure

log = logging.getLogger(__name__)

#: Flask's key for messages waiting to be shown ("flash"): a page that shows one is personal.
_FLASHES = "_flashes"


class PageCache:
    """Pages by key, at most ``max_bytes`` of text (least recently used dropped first)."""

    def __init__(
        self, max_bytes: int, *, secret: bytes = b"", shared: SharedPages | None = None
    ) -> None:
        self.max_bytes = max_bytes
        self.shared = shared
        self._pages: OrderedDict[Hashable, Kept] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.shared_hits = 0
        self.misses = 0
        # Secret (made from the app's secret key, the same in every process that shares the
        # folder), so no page text can hold them by chance or by design.
        seed = secret or secrets.token_bytes(32)
        self.token_mark = "pc-token-" + hmac.new(seed, b"token", "sha256").hexdigest()[:24]
        self.nonce_mark = "pc-nonce-" + hmac.new(seed, b"nonce", "sha256").hexdigest()[:24]

    def get(self, key: Hashable, now: float | None = None) -> Kept | None:
        """The page kept under ``key`` and still right at ``now`` (seconds since the epoch)."""
        now = time.time() if now is None else now
        with self._lock:
            found = self._pages.get(key)
            if found is not None and found.fresh(now):
                self._pages.move_to_end(key)
                self.hits += 1
                return found
        found = self.shared.get(key) if self.shared is not None else None
        if found is None or not found.fresh(now):
            with self._lock:
                self.misses += 1
            return None
        self._put_here(key, found)
        with self._lock:
            self.hits += 1
            self.shared_hits += 1
        return found

    def put(self, key: Hashable, kept: Kept) -> None:
        self._put_here(key, kept)
        if self.shared is not None:
            self.shared.put(key, kept)

    def _put_here(self, key: Hashable, kept: Kept) -> None:
        size = len(kept.html)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= len(old.html)
            self._pages[key] = kept
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped.html)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0
        if self.shared is not None:
            self.shared.clear()

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._pages)


def install(bp: Blueprint) -> None:
    """One cache per app the blueprint is registered on (so one per gunicorn worker), sized
    by ``PAGE_CACHE_MB``, at ``app.extensions["page_cache"]`` (None when off)."""

    def register(state) -> None:  # type: ignore[no-untyped-def]
        app: Flask = state.app
        config = app.config
        megabytes = max(0.0, float(config.get("PAGE_CACHE_MB") or 0))
        size = int(megabytes * 1024 * 1024)
        if size <= 0:
            app.extensions["page_cache"] = None
            return
        shared = None
        if config.get("PAGE_CACHE_SHARED", True):
            folder = Path(config.get("PAGE_CACHE_DIR") or default_folder(app.instance_path))
            try:
                shared = SharedPages(folder)
            except OSError as exc:
                log.warning("page cache: no shared folder at %s (%s); per process", folder, exc)
        secret = str(config.get("SECRET_KEY") or "").encode()
        app.extensions["page_cache"] = PageCache(size, secret=secret, shared=shared)

    bp.record_once(register)


def default_folder(instance_path: str) -> Path:
    """Memory, not disk: every rendered page is written there (about 10 MB a second at full
    load), and kept for minutes at most. ``/dev/shm`` where the machine has it, in a folder
    of this instance's own; else the instance folder."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        digest = hashlib.sha256(str(Path(instance_path).resolve()).encode()).hexdigest()[:12]
        return shm / f"directory-pages-{digest}"
    return Path(instance_path) / "page-cache"


def _cache() -> PageCache | None:
    return current_app.extensions.get("page_cache")


def shared_visitor() -> bool:
    """True when nothing on the page would be this visitor's own: not signed in, an empty
    list, no message waiting. (The one rule for which visitors may share a kept page.)"""
    if request.method not in ("GET", "HEAD"):
        return False
    if current_user.is_authenticated:
        return False
    if session.get(_FLASHES):
        return False
    from directory.mylist.blueprint import current_list

    return not current_list().service_ids


def index_version() -> Hashable | None:
    """The version of the search index this thread reads, or None when it cannot say (no
    index, being repaired): then nothing is kept or served, and the page says why itself."""
    from search_index.store import get_store

    try:
        return get_store(current_app).version()
    except Exception:  # the view answers for an index in trouble; the cache just stands aside
        return None


def key_for(kind: str, *, per_minute: bool = True) -> Hashable | None:
    """The key of this request's page of ``kind``, or None when it must be rendered for this
    visitor alone (or the cache is off). ``per_minute=False`` for a page that says when it
    stops being right instead (``keep(..., expires=...)``)."""
    if _cache() is None or not shared_visitor():
        return None
    version = index_version()
    if version is None:
        return None
    if not per_minute:
        return (kind, request.url, version)
    now = pages.london_now()  # through the module, so a test that moves the clock moves it
    return (kind, request.url, version, now.date(), now.hour, now.minute)


def lookup(key: Hashable | None) -> Kept | None:
    cache = _cache()
    if cache is None or key is None:
        return None
    return cache.get(key, now=pages.london_now().timestamp())


def serve(kept: Kept) -> str:
    """The kept page with this response's CSRF token and nonce put back."""
    cache = _cache()
    html = kept.html
    if cache is None:
        return html
    with measure("cached"):  # Server-Timing says the page came from here (bench/load_bench.py)
        return _restore(cache, kept)


def _restore(cache: PageCache, kept: Kept) -> str:
    html = kept.html
    if kept.has_token:
        from flask_wtf.csrf import generate_csrf

        html = html.replace(cache.token_mark, generate_csrf())
    if kept.has_nonce:
        from directory.web import csp_nonce

        html = html.replace(cache.nonce_mark, csp_nonce())
    return html


#: The longest a page is kept, whatever its key: a few things a page shows are not in the
#: index version (a need's name, a place name learnt from an address), so none stays longer.
LONGEST_SECONDS = 300.0


def _capped(expires: datetime | None) -> float:
    longest = pages.london_now().timestamp() + LONGEST_SECONDS
    return longest if expires is None else min(expires.timestamp(), longest)


def keep(
    key: Hashable | None, html: str, extra: Any = None, expires: datetime | None = None
) -> None:
    """Keep a page just rendered for a shared visitor, with its token and nonce marked."""
    cache = _cache()
    if cache is None or key is None:
        return
    # flask_wtf.csrf.generate_csrf keeps the request's signed token in g under the field name.
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    nonce = g.get("csp_nonce")
    has_token = bool(token) and token in html
    has_nonce = bool(nonce) and nonce in html
    if has_token:
        html = html.replace(token, cache.token_mark)
    if has_nonce:
        html = html.replace(nonce, cache.nonce_mark)
    cache.put(
        key,
        Kept(
            html=html,
            extra=extra,
            has_token=has_token,
            has_nonce=has_nonce,
            expires=_capped(expires),
        ),
    )
