"""The Flask extensions, created once here and bound to each app in ``create_app`` (flaskr
style), so any module can import ``csrf``, ``limiter``, ``login_manager`` or ``mail`` without
reaching for ``current_app.extensions``.

The limiter keeps its counters in Redis when ``REDIS_URL`` is set (shared by every process)
and in memory otherwise; its default limits are set here and in :mod:`directory.web`, its key
(``RATELIMIT_KEY``) and per-route limits (``RATELIMIT_ROUTES``) in :mod:`directory.ops.ratelimits`.
"""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from directory.core.mail import Mailer
from directory.db import db
from directory.ops.ratelimits import client_key, route_limit

__all__ = ["csrf", "db", "limiter", "login_manager", "mail"]


def _current_limit() -> str:
    """Forms get a tighter limit than reading; the API a looser one for data consumers. A
    route named in ``RATELIMIT_ROUTES`` gets its own (:func:`route_limit`)."""
    if request.blueprint == "api":
        return route_limit("RATELIMIT_API")
    if request.method == "POST":
        return route_limit("RATELIMIT_FORMS")
    return route_limit("RATELIMIT_PAGES")


#: Endpoints outside the default limits: static files, and the my-list buttons, which only
#: change the visitor's own session cookie (a link worker adds a dozen services in a minute).
#: Sending email has its own, tighter limit in directory/mylist.
_UNLIMITED_ENDPOINTS = frozenset(
    {"assets", "static", "mylist.add", "mylist.remove", "mylist.note", "mylist.clear"}
)


def _exempt_from_default_limit() -> bool:
    return request.endpoint in _UNLIMITED_ENDPOINTS


csrf = CSRFProtect()
limiter = Limiter(
    key_func=client_key,
    default_limits=[_current_limit],
    default_limits_exempt_when=_exempt_from_default_limit,
    default_limits_per_method=True,
    strategy="sliding-window-counter",
    headers_enabled=True,
    swallow_errors=True,
    in_memory_fallback_enabled=True,
)
login_manager = LoginManager()
mail = Mailer()
