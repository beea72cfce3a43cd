"""Absolute links to our own pages, and the host names the site answers to.

Why: a link in an email, a share link or the OpenAPI ``servers`` entry built from the request
(``url_for(..., _external=True)``) takes its host from the ``Host`` header, which the sender of
the request chooses. ``Host: evil.example`` on the "email my list" form would send a real
email from us with links to the attacker's site. So every absolute link is built from the
configured ``PUBLIC_BASE_URL`` by :func:`external_url` (or :func:`site_url` for a path), never
from the request, and the same functions work outside a request (cron, CLI).

And the site answers only to the hosts it is configured for (``TRUSTED_HOSTS``; by default
the host of ``PUBLIC_BASE_URL`` plus localhost and 127.0.0.1, and ``SERVER_NAME``'s host if
set): :class:`TrustedHostsMiddleware` refuses any other ``Host`` with a plain 400 before the
app runs, so nothing else (an ``.ics`` UID, a same-site check, a redirect) can be fooled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from flask import current_app
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

#: The fallback when ``PUBLIC_BASE_URL`` is empty: the development server's address.
DEFAULT_BASE_URL = "http://127.0.0.1:5000"
#: Always trusted unless ``TRUSTED_HOSTS`` is set: the machine itself, for development,
#: health checks from the same host and the test client.
LOCAL_HOSTS = ("localhost", "127.0.0.1")


def public_base_url(config: Mapping[str, Any] | None = None) -> str:
    """``PUBLIC_BASE_URL`` without its trailing slash (``https://directory.example.org``)."""
    config = current_app.config if config is None else config
    return str(config.get("PUBLIC_BASE_URL") or DEFAULT_BASE_URL).strip().rstrip("/")


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` under ``PUBLIC_BASE_URL``, like ``url_for(endpoint,
    _external=True)`` but never from the request's ``Host``. ``endpoint`` is the full name
    ("public.service"); extra values become the query string; ``_anchor`` adds a fragment."""
    anchor = values.pop("_anchor", None)
    base = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    url = adapter.build(endpoint, values, force_external=True)
    if anchor is not None:
        url += "#" + quote(str(anchor), safe="!$&'()*+,/:;=?@-._~")
    return url


def site_url(path: str = "/") -> str:
    """The absolute URL of a path on this site (``site_url("/manage/")``)."""
    return public_base_url() + "/" + path.lstrip("/")


def site_host(config: Mapping[str, Any] | None = None) -> str:
    """The host name of ``PUBLIC_BASE_URL`` (for calendar UIDs and the like)."""
    return urlsplit(public_base_url(config)).hostname or "localhost"


def trusted_hosts(config: Mapping[str, Any]) -> list[str] | None:
    """The host names the site answers to, from ``TRUSTED_HOSTS`` (comma-separated; a leading
    dot allows every subdomain; ``*`` allows any host, for a proxy that checks it already).
    Unset: the host of ``PUBLIC_BASE_URL``, ``SERVER_NAME``'s host if set, and
    :data:`LOCAL_HOSTS`. None means any host."""
    raw = config.get("TRUSTED_HOSTS")
    names: Iterable[str]
    if isinstance(raw, list | tuple | set | frozenset):
        names = [str(name) for name in raw]
    else:
        names = str(raw or "").split(",")
    cleaned = [name.strip().lower() for name in names if name.strip()]
    if "*" in cleaned:
        return None
    if cleaned:
        return cleaned
    found = [site_host(config)]
    server_name = config.get("SERVER_NAME")
    if server_name:
        found.append(str(server_name).partition(":")[0].lower())
    found.extend(LOCAL_HOSTS)
    return list(dict.fromkeys(found))


class TrustedHostsMiddleware:
    """WSGI middleware: a request whose ``Host`` (after any ``ProxyFix``) is not trusted gets a
    plain 400 and never reaches the app. Plain text on purpose: the error pages build links,
    and a request we refuse to trust must not build anything."""

    BODY = b"Bad request: this site does not answer to that host name.\n"

    def __init__(self, app: Any, hosts: list[str] | None) -> None:
        self.app = app
        self.hosts = hosts

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.hosts is not None:
            if "HTTP_HOST" in environ:  # host names ignore case; werkzeug compares them exactly
                environ["HTTP_HOST"] = environ["HTTP_HOST"].lower()
            try:
                get_host(environ, self.hosts)
            except SecurityError:
                start_response(
                    "400 Bad Request",
                    [
                        ("Content-Type", "text/plain; charset=utf-8"),
                        ("Content-Length", str(len(self.BODY))),
                        ("Cache-Control", "no-store"),
                    ],
                )
                return [self.BODY]
        return self.app(environ, start_response)
