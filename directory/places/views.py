"""``GET /places/lookup?q=TEXT``: what the gazetteer makes of a place, as JSON.

The public "where" box asks it for suggestions as someone types (``place_suggest.js``), and
anyone can use it to check how a name resolves. The answer is the best match and the others
the person may have meant, each with its name, the area that tells it from its namesakes, a
point, its council and what kind of place it is. The blueprint also keeps the names taken from
listings' addresses in step (``listing_places.sync``) before each request.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from directory.db import db
from directory.places import listing_places
from directory.places.gazetteer import Gazetteer, GazetteerError, get_gazetteer
from directory.places.place import Place
from directory.places.resolve import MAX_QUERY

bp = Blueprint("places", __name__)

#: Answers change only when the curated file or listings' addresses do.
CACHE_SECONDS = 300


def current_gazetteer() -> Gazetteer | None:
    """The app's gazetteer, or None while it is not built."""
    try:
        return get_gazetteer(current_app.config.get("GAZETTEER_PATH"))
    except GazetteerError:
        return None


def place_json(gazetteer: Gazetteer, place: Place) -> dict[str, Any]:
    return {
        "name": place.name,
        "area_name": gazetteer.area_name(place),
        "latitude": place.latitude,
        "longitude": place.longitude,
        "local_authority_code": place.la_code,
        "kind": gazetteer.place_kind(place),
        "label": gazetteer.describe(place),
    }


def _error(status: int, code: str, message: str, parameter: str | None = None) -> Response:
    body = {"error": code, "message": message}
    if parameter:
        body["parameter"] = parameter
    response = jsonify(body)
    response.status_code = status
    return response


@bp.get("/places/lookup")
def lookup() -> Response:
    """The best match for ``q`` and the alternatives, near the home area."""
    query = request.args.get("q")
    if query is None or not query.strip():
        return _error(
            400, "bad_request", "Give a place to look up, such as ?q=Upton or ?q=CH1 1AA.", "q"
        )
    if len(query) > MAX_QUERY:
        return _error(
            400,
            "bad_request",
            f"q is too long: a place name or postcode is at most {MAX_QUERY} characters.",
            "q",
        )
    gazetteer = current_gazetteer()
    if gazetteer is None:
        return _error(
            503, "service_unavailable", "Looking up places is not available at the moment."
        )
    config = current_app.config
    resolution = gazetteer.resolve(query, (config["HOME_LATITUDE"], config["HOME_LONGITUDE"]))
    best = resolution.place
    response = jsonify(
        {
            "query": query,
            "best": place_json(gazetteer, best) if best else None,
            "alternatives": [place_json(gazetteer, p) for p in resolution.alternatives],
            "message": resolution.message,
        }
    )
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    """JSON, not the site's HTML error page, for a client reading JSON (e.g. a 429)."""
    code = (exc.name or "error").lower().replace(" ", "_")
    response = _error(exc.code or 500, code, exc.description or "")
    for name, value in exc.get_headers():
        if name.lower() == "retry-after":
            response.headers[name] = value
    return response


_SKIP_SYNC = frozenset({"assets", "static"})  # files, not pages


@bp.before_app_request
def _sync_listing_places() -> None:
    """Keep place names from listings' addresses current (throttled; never fails a page)."""
    if request.endpoint in _SKIP_SYNC or request.blueprint == "api":
        return  # the API resolves postcodes; its consumers get a steady query count
    gazetteer = current_gazetteer()
    if gazetteer is None:
        return
    every = float(current_app.config["PLACE_NAMES_CHECK_SECONDS"])
    listing_places.sync(db.new_session, gazetteer, every)
