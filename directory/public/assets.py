"""Fingerprinted static assets: ``asset_url('app.css')`` and the ``/assets/`` route.

``scripts/build_assets.py`` writes ``directory/static/dist/`` with files named after a hash of
their content and a ``manifest.json`` mapping logical names to them. Because a changed file gets
a new name, the route can tell browsers to keep every file for a year without ever serving a
stale one. Files the build compressed are sent as Brotli or gzip when the browser accepts it.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, Response, abort, current_app, request, send_file, url_for

from directory import config

log = logging.getLogger(__name__)

DIST_DIR = config.PROJECT_ROOT / "directory" / "static" / "dist"
ONE_YEAR = 31_536_000
_ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


@dataclass
class Manifest:
    """The build's manifest, re-read when the file changes (a rebuild while running)."""

    directory: Path
    entries: dict[str, str] = field(default_factory=dict)
    files: frozenset[str] = frozenset()
    mtime: float | None = None
    warned: bool = False
    #: When the file was last looked at: at most once a second, not for each of the ten
    #: asset links on every page (a stat each).
    checked: float = -1.0

    @property
    def path(self) -> Path:
        return self.directory / "manifest.json"

    def refresh(self) -> None:
        now = time.monotonic()
        if self.mtime is not None and now - self.checked < 1.0:
            return
        self.checked = now
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            if not self.warned:
                log.warning("%s is missing: run `make assets` to build the CSS and JS", self.path)
                self.warned = True
            self.entries, self.files, self.mtime = {}, frozenset(), None
            return
        if mtime != self.mtime:
            self.entries = json.loads(self.path.read_text())
            self.files = frozenset(self.entries.values())
            self.mtime = mtime

    def lookup(self, name: str) -> str:
        self.refresh()
        return self.entries.get(name, name)


def init_app(app: Flask) -> None:
    """Register ``asset_url`` and the route that serves the built files."""
    manifest = Manifest(Path(app.config.get("ASSETS_DIST_DIR") or DIST_DIR))
    app.extensions["asset_manifest"] = manifest
    app.add_url_rule("/assets/<path:filename>", "assets", serve_asset)
    app.jinja_env.globals["asset_url"] = asset_url


def asset_url(name: str) -> str:
    """URL of a built asset by its logical name, e.g. ``asset_url('app.css')``.

    Before the first build the unhashed name is used, so pages still render (unstyled) and
    the log says what to run.
    """
    manifest: Manifest = current_app.extensions["asset_manifest"]
    return url_for("assets", filename=manifest.lookup(name))


def serve_asset(filename: str) -> Response:
    """Send a fingerprinted file with a year-long, immutable cache lifetime."""
    manifest: Manifest = current_app.extensions["asset_manifest"]
    manifest.refresh()
    if filename not in manifest.files:
        abort(404)
    path = manifest.directory / filename
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if mimetype.startswith("text/") or mimetype.endswith(("javascript", "json", "svg+xml")):
        mimetype += "; charset=utf-8"
    encoding = None
    for name, suffix in _ENCODINGS:
        compressed = path.with_name(path.name + suffix)
        if name in request.accept_encodings and compressed.exists():
            path, encoding = compressed, name
            break
    response = send_file(path, mimetype=mimetype, conditional=True, etag=True, max_age=ONE_YEAR)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.vary.add("Accept-Encoding")
    if encoding:
        response.content_encoding = encoding
    return response
