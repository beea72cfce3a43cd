"""App-wide web setup for the HTML site: templates, CSRF, rate limits, security headers,
error pages, assets and template filters.

``init_app(app)`` is called once by the app factory after the blueprints are registered. Settings
it reads (all typed and defaulted in :mod:`directory.config`, listed in docs/configuration.md):

* ``RATELIMIT_PAGES`` (default "120 per minute"), ``RATELIMIT_FORMS`` ("10 per minute;60 per
  hour", for POSTs) and ``RATELIMIT_API`` ("600 per minute", for ``/api``), counted per client
  address and per page; ``RATELIMIT_ENABLED`` (Flask-Limiter's own switch).
* ``REDIS_URL``: counters live in Redis, shared by every process, instead of each process's
  memory. If Redis is unreachable, pages are still served and the error is logged.
* ``TRUSTED_PROXY_COUNT`` (default 0): how many reverse proxies set ``X-Forwarded-For``, so
  rate limits count real clients rather than the proxy.
* ``MAP_TILE_URL`` / ``MAP_TILE_ATTRIBUTION``: the tile server for place maps ("" turns maps
  off); its origin is allowed in the Content Security Policy.
* ``EXIT_PAGE_URL``: where "Exit this page" goes (default BBC Weather).
* Issue 14's guards and operations (:mod:`directory.ops`): ``TRUSTED_HOSTS``, the defensive
  session reader, ``MAX_CONTENT_LENGTH`` (413 page), no-store on safety pages, ``/healthz``
  and ``/readyz``, ``LOG_FORMAT``, ``RATELIMIT_KEY``, ``RATELIMIT_ROUTES``, ``REDIS_TIMEOUT``.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader, Template
from jinja2.environment import TemplateModule
from jinja2.runtime import Context
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

from directory import ops
from directory.config import as_bool
from directory.extensions import csrf, limiter, mail
from directory.public import assets, formatting

log = logging.getLogger(__name__)

ERROR_TEMPLATES = {
    400: "errors/400.html",
    404: "errors/404.html",
    413: "errors/413.html",
    429: "errors/429.html",
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(self), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), browsing-topics=()"
)


def init_app(app: Flask) -> None:
    """Wire the HTML site's cross-cutting pieces into ``app``."""
    _settings(app)
    _templates(app)
    csrf.init_app(app)
    mail.init_app(app)
    WTFormsHelpers(app)
    _rate_limits(app)
    assets.init_app(app)
    ops.init_app(app)  # before ProxyFix wraps the app, so the host checked is the forwarded one
    if app.config["TRUSTED_PROXY_COUNT"]:
        count = int(app.config["TRUSTED_PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    app.after_request(_security_headers)
    app.after_request(_no_store_private_pages)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)


def _settings(app: Flask) -> None:
    """Flask-Limiter's own settings, derived from ours once the factory's overrides are in."""
    ops.configure(app)
    app.config["RATELIMIT_ENABLED"] = as_bool(app.config["RATELIMIT_ENABLED"], "RATELIMIT_ENABLED")
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")


def _templates(app: Flask) -> None:
    """Our templates first, then the GOV.UK Frontend macros under their package prefixes."""
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(app.template_folder),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    env = app.jinja_env
    env.template_class = _Template
    # Every template the site has, kept once loaded: Jinja's default LRU of 400 moves each
    # hit along a deque (an O(n) remove), twenty-odd times a page.
    env.cache = {}
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.globals["csp_nonce"] = csp_nonce
    env.filters.update(
        {
            "format_date": formatting.format_date,
            "format_time": formatting.format_time,
            "format_time_range": formatting.format_time_range,
            "format_money": formatting.format_money,
            "tel_href": formatting.tel_href,
            "directions_url": formatting.directions_url,
            "slug": formatting.slug,
            "join_words": formatting.join_words,
            "paragraphs": formatting.paragraphs,
            "safe_html": formatting.safe_html,
            "plain_text": formatting.plain_text,
            "safe_url": formatting.safe_url,
        }
    )

    @app.context_processor
    def _page_globals() -> dict[str, Any]:
        return {
            "cspNonce": csp_nonce(),
            "service_name": current_app.config["SERVICE_NAME"],
            "map_provider": map_provider(current_app.config.get("MAP_TILE_URL")),
        }


class _Template(Template):
    """Jinja's template with a cheaper check on each ``{% import %}``/``{% from %}`` (a results
    page runs seventeen): Jinja tests each of the importer's globals against the imported
    template's ``ChainMap`` one Python call at a time; ``set.difference`` reads the map's keys
    once. Same answer, about a third of a millisecond less per page."""

    def _get_default_module(self, ctx: Context | None = None) -> TemplateModule:
        if ctx is not None and not self.environment.is_async:
            keys = ctx.globals_keys.difference(self.globals)
            if keys:
                return self.make_module({k: ctx.parent[k] for k in keys})
            ctx = None
        return super()._get_default_module(ctx)


def map_provider(tile_url: str | None) -> str | None:
    """The host map tiles come from ("tile.openstreetmap.org"), named in the privacy notice."""
    if not tile_url:
        return None
    return urlsplit(tile_url.replace("{s}.", "")).hostname


def csp_nonce() -> str:
    """One random nonce per response for the few inline scripts the CSP allows."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def _rate_limits(app: Flask) -> None:
    """Bind the shared limiter (``directory.extensions``); each ``init_app`` gives the app
    fresh counters, so tests that build many apps do not share them."""
    limiter.init_app(app)


def content_security_policy(nonce: str, *, tile_url: str | None, secure: bool) -> str:
    """Scripts only from our own origin or carrying this response's nonce; nothing inline
    otherwise. Map tiles are the one outside source, and only when maps are configured."""
    images = ["'self'", "data:"]
    if tile_url:
        parts = urlsplit(tile_url)
        if parts.scheme and parts.netloc:
            images.append(f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}")
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        f"img-src {' '.join(images)}",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if secure:
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


def _security_headers(response: Response) -> Response:
    config = current_app.config
    secure = bool(config.get("SESSION_COOKIE_SECURE"))
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        content_security_policy(csp_nonce(), tile_url=config.get("MAP_TILE_URL"), secure=secure),
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


#: Pages that are someone's own or staff's: never kept by a cache or the back button.
PRIVATE_PREFIXES = ("/manage", "/staff", "/account")


def _no_store_private_pages(response: Response) -> Response:
    """``Cache-Control: no-store`` on account, manage and staff pages, and on any page shown to
    someone signed in, so the next person at a shared computer (a library, a community hub)
    cannot bring them back with the back button. Signed in is read from what the page already
    loaded (``g._login_user``), so static files cost no extra database query."""
    user = g.get("_login_user")
    signed_in = bool(getattr(user, "is_authenticated", False))
    path = request.path
    private = any(path == p or path.startswith(p + "/") for p in PRIVATE_PREFIXES)
    if private or (signed_in and response.mimetype == "text/html"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _http_error(exc: HTTPException) -> Response | HTTPException:
    """Real pages in plain English for the site's errors (the API answers its own in JSON)."""
    code = exc.code or 500
    if code < 400:
        return exc
    if code == 503:  # a planned "not now" (maintenance, repair): say so, keep Retry-After
        response = Response(render_template("errors/503.html", status=503), status=503)
        response.headers["Cache-Control"] = "no-store"
        for name, value in exc.get_headers():
            if name.lower() == "retry-after":
                response.headers[name] = value
        return response
    if code >= 500:
        return _server_error(exc)
    template = ERROR_TEMPLATES.get(code, "errors/400.html")
    context: dict[str, Any] = {"status": code, "csrf_expired": isinstance(exc, CSRFError)}
    response = Response(render_template(template, **context), status=code)
    # Flask-Limiter adds Retry-After itself; a 405 must still say which methods are allowed.
    for name, value in exc.get_headers():
        if name.lower() == "allow":
            response.headers[name] = value
    return response


def _server_error(_exc: Exception) -> Response:
    """The 500 page: rendered without touching the database, which may be what failed."""
    return Response(render_template("errors/500.html", status=500), status=500)
