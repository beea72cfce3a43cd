"""Structured logs without personal data, and a request id on every request.

``LOG_FORMAT=json`` writes every log record as one JSON object per line on standard error
(``time``, ``level``, ``logger``, ``message``, ``request_id`` inside a request), at
``LOG_LEVEL``, and one line per request from the ``directory.request`` logger::

    {"time": "...", "level": "INFO", "logger": "directory.request", "message": "request",
     "request_id": "3f2a...", "method": "GET", "endpoint": "public.search", "status": 200,
     "duration_ms": 12.4}

What a request line never holds: the URL's path or query string (a search for a postcode or a
name, a share or reset token in a path), form data, cookies, email addresses or the client
address. The route's endpoint name says which page it was. Exceptions are logged with their
type and stack but not their message, which can quote the data that failed (a database error
quotes the row). ``LOG_FORMAT=text`` (the default) leaves Python's logging as it is.

The request id is the ``X-Request-ID`` header when a proxy sent a sensible one (letters,
digits, ``.``, ``_``, ``-``; up to 64), else a new random one; it is sent back in the response's
``X-Request-ID`` so a person's report of a problem can be matched to the log line.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request

from directory.config import ConfigError

FORMATS = ("text", "json")
REQUEST_LOGGER = "directory.request"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: The fields of a request line (also allowed as ``extra=`` on any record).
REQUEST_FIELDS = ("method", "endpoint", "status", "duration_ms")
request_log = logging.getLogger(REQUEST_LOGGER)


def request_id() -> str | None:
    """This request's id (None outside a request)."""
    if not has_request_context():
        return None
    found = g.get("request_id")
    if found is None:
        sent = request.headers.get("X-Request-ID", "")
        found = g.request_id = sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
    return found


class JsonFormatter(logging.Formatter):
    """One JSON object per record; exceptions as type and stack, without the message."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id()
        if rid:
            out["request_id"] = rid
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                out[name] = getattr(record, name)
        if record.exc_info and record.exc_info[0] is not None:
            kind, _value, tb = record.exc_info
            out["exception"] = kind.__name__
            out["stack"] = "".join(traceback.format_tb(tb)).rstrip()
        return json.dumps(out, ensure_ascii=False, default=str)


class _OurHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installed, so a second app does not add another."""


def configure(app: Flask) -> None:
    """Check ``LOG_FORMAT`` and ``LOG_LEVEL``; with json, install the JSON handler on the root
    logger (once per process) and quieten the development server's own access log, which
    writes whole URLs."""
    fmt = str(app.config.get("LOG_FORMAT") or "text").strip().lower()
    if fmt not in FORMATS:
        raise ConfigError(f"LOG_FORMAT must be text or json, got {fmt!r}")
    app.config["LOG_FORMAT"] = fmt
    level_name = str(app.config.get("LOG_LEVEL") or "INFO").strip().upper()
    level = logging.getLevelName(level_name)
    if not isinstance(level, int):
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level_name!r}")
    if fmt == "json":
        install_json_handler(level)


def install_json_handler(level: int, stream: Any = None) -> logging.Handler:
    """The root logger writes JSON lines at ``level`` (replacing an earlier one of ours)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(handler)
    handler = _OurHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    request_log.setLevel(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Flask's app logger writes to its own handler when none is configured; send it to ours.
    from flask.logging import default_handler

    for name in ("directory", "flask.app"):
        logging.getLogger(name).removeHandler(default_handler)
    return handler


def init_app(app: Flask) -> None:
    """Time each request (first before-request hook, so a 429 is timed too), send its id back,
    log one line for it, and log exceptions by endpoint rather than by path."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    app.log_exception = _log_exception.__get__(app)  # type: ignore[method-assign]


def _start() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _finish(response: Response) -> Response:
    rid = request_id()
    if rid:
        response.headers["X-Request-ID"] = rid
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    request_log.info(
        "request",
        extra={
            "method": request.method,
            "endpoint": request.endpoint or "-",
            "status": response.status_code,
            "duration_ms": duration,
        },
    )
    return response


def _log_exception(app: Flask, exc_info: Any) -> None:
    """Flask's ``log_exception`` quotes ``request.path`` (which can hold a token); this
    names the endpoint instead."""
    app.logger.error(
        "Exception on %s [%s]", request.endpoint or "-", request.method, exc_info=exc_info
    )
