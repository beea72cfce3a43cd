"""Running the site: health and readiness endpoints, logs, rate-limit keys and the request
guards of issue 14 (trusted hosts, defensive sessions, body size, no-store on safety pages).

:func:`configure` runs before the extensions are bound (it checks settings and sets what they
read); :func:`init_app` after the blueprints are registered. Both are called by
:func:`directory.web.init_app`. The guide is docs/operations.md; the why of each guard is in
docs/security.md, "Hardening (issue 14)".
"""

from __future__ import annotations

import io
from typing import Any

from flask import Flask, Response, abort, current_app, g, request

from directory.config import ConfigError
from directory.core import sessions, urls
from directory.ops import logs, outages, ratelimits

#: Pages a person may need to hide: the cover-your-tracks advice. Pages rendered with the
#: "Exit this page" button (``show_exit``: a safety search, a refuge's listing, a list or a
#: journey about abuse) are found by :func:`_note_safety_page`.
SAFETY_ENDPOINTS = frozenset({"public.cover_your_tracks"})


def configure(app: Flask) -> None:
    """Check and derive settings before the limiter and the session are bound."""
    check_day_counts(app.config)
    logs.configure(app)
    ratelimits.configure(app)
    app.config["TRUSTED_HOSTS"] = urls.trusted_hosts(app.config)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config.get("MAX_CONTENT_LENGTH") or 1024 * 1024)


def check_day_counts(config: Any) -> None:
    """Every ``*_DAYS`` count is 1 or more: a purge reads "keep for -1 days" as "delete
    everything now" (``feedback purge --days -1`` once blanked every reply address)."""
    for name, value in config.items():
        counted = isinstance(value, int) and not isinstance(value, bool)
        if name.endswith("_DAYS") and counted and value < 1:
            raise ConfigError(f"{name} must be 1 or more, got {value}")


def init_app(app: Flask) -> None:
    """Install the guards, hooks and the health blueprint's checks."""
    from flask import before_render_template

    from directory.extensions import limiter

    limiter._storage_dead = False  # a fresh app's storage is not known to be down
    sessions.init_app(app)
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_streamed_body)
    logs.init_app(app)  # its timer goes first of all
    ratelimits.check_routes(app)
    outages.init_app(app)  # a database outage answers 503, not 500 (docs/reliability.md)
    app.after_request(ratelimits.watch_storage)
    app.after_request(_no_store_safety_pages)
    before_render_template.connect(_note_safety_page, app)
    app.add_template_global(_ratelimit_count_lifetime, "ratelimit_count_lifetime")
    app.wsgi_app = urls.TrustedHostsMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, app.config["TRUSTED_HOSTS"]
    )


def _limit_streamed_body() -> None:
    """A chunked body (no Content-Length) over ``MAX_CONTENT_LENGTH`` gets the 413 page too.

    Werkzeug stops reading such a body at the limit but then parses what it read as if it
    were all, so a 200 MB upload became a 1 MB form. Read at most one byte over the limit
    here, before anything parses the form: too much is refused; otherwise the body read so
    far is put back as an ordinary one with a length."""
    environ = request.environ
    if request.content_length is not None or not environ.get("wsgi.input_terminated"):
        return
    limit = int(current_app.config["MAX_CONTENT_LENGTH"])
    body = environ["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        abort(413)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)


def _ratelimit_count_lifetime() -> str:
    """The privacy notice's "these counts are deleted within ...", from the limits in force."""
    hours = ratelimits.longest_count_hours(current_app.config)
    if hours >= 48 and hours % 24 == 0:
        return f"{hours // 24} days"
    return f"{hours} hour{'s' if hours != 1 else ''}"


def _note_safety_page(_app: Flask, template: Any, context: dict[str, Any], **_: Any) -> None:
    """A page rendered with the "Exit this page" button is about safety: remember it, so the
    response is not kept by the browser's cache or back button."""
    if context.get("show_exit"):
        g.safety_page = True


def _no_store_safety_pages(response: Response) -> Response:
    """``Cache-Control: no-store`` on safety pages and searches (someone sharing a device with
    an abuser must be able to leave no trace in the cache) and on cover-your-tracks."""
    if g.get("safety_page") or request.endpoint in SAFETY_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response
