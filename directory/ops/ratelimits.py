"""What a rate limit counts, per-route limits, and rate limiting when Redis is away.

Settings (directory/config.py, docs/operations.md):

* ``RATELIMIT_KEY``: ``ip`` (default) counts each client address. ``ip+session`` counts each
  browser session behind an address, for a contact centre or a library where many people
  share one address: a browser gets a random id in its (signed) session cookie on its first
  request, counted against the address alone, and is counted on its own after that. Giving
  out ids is itself limited per address (:data:`NEW_SESSION_LIMIT`), so a bot that throws its
  cookie away cannot multiply its allowance. The API is always counted per address (API
  clients do not keep cookies).
* ``RATELIMIT_ROUTES``: a JSON object of endpoint to limit, ``{"public.search": "300 per
  minute"}``, replacing that route's own limit setting (RATELIMIT_PAGES, _FORMS, _REPORTS,
  _ACCOUNT, _MANAGE, _STAFF, _API). Unknown endpoints and bad limits stop the app at start-up.
* ``REDIS_TIMEOUT``: seconds to wait for Redis (connect and each command, no retries). Before
  this a hung Redis held every request 5-10 seconds (redis-py retries three times with
  backoff) and nothing was logged. Now the first failure costs one timeout, the limiter counts
  in this process's memory (fail open: pages are served), and a warning is logged once per
  process per outage (:func:`watch_storage`); Flask-Limiter retries Redis now and then.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session
from flask_limiter.util import get_remote_address
from limits import parse_many

from directory.config import ConfigError

log = logging.getLogger(__name__)

KEYS = ("ip", "ip+session")
#: The session key holding a browser's rate-limit id (random; not linked to anything).
SESSION_KEY = "_rl"
#: How many new browser ids one address may be given (``ip+session`` only).
NEW_SESSION_LIMIT = "30 per minute;300 per hour"
_ID = re.compile(r"[A-Za-z0-9_-]{16}")


def client_key() -> str:
    """The limiter's key function: the client address, or address and browser id."""
    cached = g.get("_ratelimit_key")
    if cached is None:
        cached = g._ratelimit_key = _key()
    return cached


def _key() -> str:
    address = get_remote_address() or "unknown"
    if current_app.config.get("RATELIMIT_KEY") != "ip+session" or request.blueprint == "api":
        return address
    browser = session.get(SESSION_KEY)
    if isinstance(browser, str) and _ID.fullmatch(browser):
        return f"{address}|{browser}"
    if _may_start_session(address):
        session[SESSION_KEY] = secrets.token_urlsafe(12)
    return address


def _may_start_session(address: str) -> bool:
    """Whether ``address`` may be given another browser id now (counted by the limiter's own
    storage, so in Redis when the site uses it)."""
    from directory.extensions import limiter

    try:
        strategy = limiter.limiter
        return all(
            strategy.hit(item, "ratelimit-new-session", address)
            for item in parse_many(NEW_SESSION_LIMIT)
        )
    except Exception:  # storage trouble: count against the address, as "ip" does
        return False


def route_overrides(app: Flask) -> dict[str, str]:
    """``RATELIMIT_ROUTES`` parsed once per app (checked by :func:`configure`)."""
    found = app.extensions.get("ratelimit_routes")
    if found is None:
        found = app.extensions["ratelimit_routes"] = _parse_routes(
            app.config.get("RATELIMIT_ROUTES")
        )
    return found


def route_limit(setting: str, default: str = "") -> str:
    """The limit for this request's route: its ``RATELIMIT_ROUTES`` entry if it has one, else
    the ``setting`` (else ``default``). Every limit callable calls this."""
    override = route_overrides(current_app).get(request.endpoint or "")
    return override or str(current_app.config.get(setting) or default)


def _parse_routes(raw: Any) -> dict[str, str]:
    if isinstance(raw, dict):
        data = raw
    elif not raw or not str(raw).strip():
        return {}
    else:
        try:
            data = json.loads(str(raw))
        except ValueError:
            raise ConfigError(
                'RATELIMIT_ROUTES must be a JSON object, like {"public.search": "300 per minute"}'
            ) from None
    if not isinstance(data, dict):
        raise ConfigError("RATELIMIT_ROUTES must be a JSON object of endpoint to limit")
    routes = {}
    for endpoint, limit in data.items():
        try:
            if not isinstance(limit, str) or not parse_many(limit):
                raise ValueError
        except ValueError:
            raise ConfigError(
                f"RATELIMIT_ROUTES: {endpoint!r} has a limit that cannot be read: {limit!r} "
                '(use e.g. "10 per minute;100 per hour")'
            ) from None
        routes[str(endpoint)] = limit
    return routes


@cache
def _windows(limit: str) -> tuple[int, ...]:
    return tuple(item.get_expiry() for item in parse_many(limit))


def longest_count_hours(config: Any) -> int:
    """How long, at most, a rate-limit count is kept (hours, rounded up): the sliding-window
    counter keeps the previous window's count, so twice the longest window configured. The
    privacy notice states this number, so it cannot drift from the settings."""
    limits: list[str] = [
        str(value)
        for name, value in config.items()
        if (name.startswith("RATELIMIT_") or name.endswith("_RATELIMIT"))
        and isinstance(value, str)
        and " per " in value
    ]
    limits.extend(route_overrides_from(config).values())
    limits.append(NEW_SESSION_LIMIT)
    seconds = max((w for limit in limits for w in _safe_windows(limit)), default=3600)
    return -(-2 * seconds // 3600)


def route_overrides_from(config: Any) -> dict[str, str]:
    try:
        return _parse_routes(config.get("RATELIMIT_ROUTES"))
    except ConfigError:
        return {}


def _safe_windows(limit: str) -> tuple[int, ...]:
    try:
        return _windows(limit)
    except ValueError:
        return ()


def configure(app: Flask) -> None:
    """Before the limiter is bound: check the settings, and give Redis short timeouts with no
    retries (``RATELIMIT_STORAGE_OPTIONS``, passed to redis-py)."""
    key = str(app.config.get("RATELIMIT_KEY") or "ip").strip().lower()
    if key not in KEYS:
        raise ConfigError(f"RATELIMIT_KEY must be one of {', '.join(KEYS)}, got {key!r}")
    app.config["RATELIMIT_KEY"] = key
    app.extensions.pop("ratelimit_routes", None)
    route_overrides(app)
    timeout = float(app.config.get("REDIS_TIMEOUT") or 0.25)
    if app.config.get("REDIS_URL"):
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        options = {
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "retry": Retry(NoBackoff(), 0),
            "retry_on_timeout": False,
        }
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {
            **options,
            **app.config.get("RATELIMIT_STORAGE_OPTIONS", {}),
        }


def check_routes(app: Flask) -> None:
    """After the blueprints are registered: every endpoint in ``RATELIMIT_ROUTES`` exists."""
    known = {rule.endpoint for rule in app.url_map.iter_rules()}
    unknown = sorted(set(route_overrides(app)) - known)
    if unknown:
        raise ConfigError(f"RATELIMIT_ROUTES names endpoints that do not exist: {unknown}")


def storage_label(url: str | None) -> str:
    """Where the counters live, for a log line: scheme, host and port, never a password."""
    if not url:
        return "memory"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"


def watch_storage(response: Any) -> Any:
    """After each request: log once when the shared counters become unreachable (limits then
    count in this process's memory) and once when they are back. Flask-Limiter notices and
    switches itself; it only logs to its own silent logger."""
    from directory.extensions import limiter

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    watch = app.extensions.setdefault("ratelimit_watch", {"down": False})
    down = bool(getattr(limiter, "_storage_dead", False))
    if down != watch["down"]:
        watch["down"] = down
        where = storage_label(app.config.get("REDIS_URL"))
        if down:
            log.warning(
                "Rate-limit storage %s is unreachable: rate limits are counted in this "
                "process's memory until it answers again",
                where,
            )
        else:
            log.warning("Rate-limit storage %s answers again: shared counting resumed", where)
    return response
