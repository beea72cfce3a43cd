"""Opt-in CPU timing of a request, sent back as a ``Server-Timing`` header (``SERVER_TIMING``).

``bench/load_bench.py`` sums the header over thousands of pages to split a worker's CPU per
result page into searching, working out the page and rendering it; the rest of the request
(sessions, CSRF, security headers, logging) is what the whole request costs beyond them.
Durations are CPU milliseconds of the request's thread (``time.thread_time``), not wall time,
so waiting on PostgreSQL or for the core does not count: the figures add up to the worker CPU
that ``/proc/<pid>/stat`` shows. Off by default: it would tell anyone how long a search took.

Parts: ``search`` (the engine, every call in the request), ``page`` (building the results page
around it), ``render`` (the template), ``cached`` (a page served from the page cache,
``directory/public/page_cache.py``, instead of the three) and ``app`` (the whole request, from
the first before-request hook to the header being set).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, Flask, Response, current_app, g

_KEY = "_server_timing"


def install(bp: Blueprint) -> None:
    """Time every request of the app the blueprint is registered on, when the setting is on:
    the start as the first before-request hook, the header in an after-request hook."""

    def register(state) -> None:  # type: ignore[no-untyped-def]
        app: Flask = state.app
        app.before_request_funcs.setdefault(None, []).insert(0, _start)
        app.after_request(_header)

    bp.record_once(register)


def _start() -> None:
    if current_app.config.get("SERVER_TIMING"):
        setattr(g, _KEY, {"app": time.thread_time()})


@contextmanager
def measure(part: str) -> Iterator[None]:
    """Add the CPU time spent in the block to ``part`` (a no-op unless timing is on)."""
    parts = g.get(_KEY) if g else None
    if parts is None:
        yield
        return
    began = time.thread_time()
    try:
        yield
    finally:
        parts[part] = parts.get(part, 0.0) + time.thread_time() - began


def _header(response: Response) -> Response:
    parts = g.get(_KEY)
    if parts is None:
        return response
    app = time.thread_time() - parts.pop("app")
    if "build" in parts:  # the page around the search: the builder's time less the engine's
        parts["page"] = parts.pop("build") - parts.get("search", 0.0)
    shown = [*(f"{name};dur={1000 * seconds:.3f}" for name, seconds in parts.items())]
    response.headers["Server-Timing"] = ", ".join([*shown, f"app;dur={1000 * app:.3f}"])
    return response
