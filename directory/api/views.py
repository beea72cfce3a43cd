"""The Open Referral UK 3.0 read API under ``/api``: thin views over :mod:`directory.api.queries`.

Each view parses its parameters (:mod:`directory.api.params`), runs one query function with
the request's session and serialises with :mod:`directory.listings.serialise`, the same JSON the
export uses. Every response carries ``Access-Control-Allow-Origin: *`` as ORUK requires.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from directory.api import errors, params, queries
from directory.api.errors import NotFound
from directory.api.filters import ServiceFilters
from directory.core.ids import normalise_uuid
from directory.core.urls import external_url
from directory.db import db
from directory.insights.logging import log_api_search
from directory.listings.html import harmless_html
from directory.listings.serialise import (
    service_at_location_json,
    service_json,
    service_list_json,
    taxonomy_json,
    taxonomy_term_full_json,
)

bp = Blueprint("api", __name__, url_prefix="/api")
errors.register(bp)

HSDS_VERSION = "HSDS-UK-3.0"
PROFILE_URL = "https://openreferraluk.org/specifications/3.0"
OPENAPI_FILE = Path(__file__).with_name("openapi.json")
_PREFLIGHT_HEADERS = "Accept, Accept-Language, Content-Type, If-None-Match"


@cache
def _openapi_document() -> dict[str, Any]:
    return json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))


@bp.after_app_request
def _cors(response: Response) -> Response:
    """Open CORS on every ``/api`` response, errors included; answer preflights in full."""
    if errors.is_api_request():
        response.headers["Access-Control-Allow-Origin"] = "*"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = _PREFLIGHT_HEADERS
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _page_json(page: queries.Page, serialise: Callable[[Any], dict[str, Any]]) -> Response:
    """The ORUK page envelope; ``size`` is the number of items on this page, as ORUK defines."""
    number, total_pages = page.paging.page, page.total_pages
    return jsonify(
        {
            "total_items": page.total_items,
            "total_pages": total_pages,
            "page_number": number,
            "size": len(page.items),
            "first_page": number == 1,
            "last_page": number >= total_pages,
            "empty": not page.items,
            "contents": [served(serialise(item)) for item in page.items],
        }
    )


def served(value: Any) -> Any:
    """The JSON as served: every ``description`` holding HTML made harmless (no scripts,
    event handlers or ``javascript:`` links: ``html.harmless_html``), the rest as stored."""
    if isinstance(value, dict):
        return {
            key: harmless_html(item)
            if key == "description" and isinstance(item, str)
            else served(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [served(item) for item in value]
    return value


def _paging() -> queries.Paging:
    return params.paging(request.args, current_app.config["API_MAX_PER_PAGE"])


def _service_filters() -> ServiceFilters:
    return params.service_filters(
        request.args, db.session, current_app.config.get("GAZETTEER_PATH")
    )


def _path_id(value: str, what: str) -> str:
    """Ids in paths that are not UUIDs cannot name anything: a 404, like an unknown one."""
    normal = normalise_uuid(value)
    if normal is None:
        raise NotFound(f"There is no {what} with that id: ids are UUIDs.")
    return normal


def _missing(what: str, record_id: str) -> NotFound:
    return NotFound(f"There is no public {what} with id {record_id}.")


@bp.get("/", strict_slashes=False)
def index() -> Response:
    return jsonify(
        {
            "version": HSDS_VERSION,
            "profile": PROFILE_URL,
            "openapi_url": external_url("api.openapi"),
        }
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    """The ORUK 3.0 OpenAPI document, with ``servers`` pointing at this deployment (from
    ``PUBLIC_BASE_URL``, never the request's Host)."""
    base = external_url("api.index").rstrip("/")
    document = dict(_openapi_document())
    document["servers"] = [{"url": base, "description": current_app.config["SERVICE_NAME"]}]
    return jsonify(document)


@bp.get("/services")
def services() -> Response:
    filters = _service_filters()
    page = queries.list_services(db.session, filters, _paging())
    log_api_search(filters, page)  # anonymous, never fails the request
    return _page_json(page, service_list_json)


@bp.get("/services/<service_id>")
def service(service_id: str) -> Response:
    service_id = _path_id(service_id, "service")
    found = queries.get_service(db.session, service_id)
    if found is None:
        raise _missing("service", service_id)
    return jsonify(served(service_json(found)))


@bp.get("/service_at_locations")
def service_at_locations() -> Response:
    filters = _service_filters()
    page = queries.list_service_at_locations(db.session, filters, _paging())
    return _page_json(page, lambda sal: service_at_location_json(sal, full=False))


@bp.get("/service_at_locations/<sal_id>")
def service_at_location(sal_id: str) -> Response:
    sal_id = _path_id(sal_id, "service at location")
    found = queries.get_service_at_location(db.session, sal_id)
    if found is None:
        raise _missing("service at location", sal_id)
    return jsonify(served(service_at_location_json(found, full=True)))


@bp.get("/taxonomies")
def taxonomies() -> Response:
    return _page_json(queries.list_taxonomies(db.session, _paging()), taxonomy_json)


@bp.get("/taxonomies/<taxonomy_id>")
def taxonomy(taxonomy_id: str) -> Response:
    taxonomy_id = _path_id(taxonomy_id, "taxonomy")
    found = queries.get_taxonomy(db.session, taxonomy_id)
    if found is None:
        raise _missing("taxonomy", taxonomy_id)
    return jsonify(taxonomy_json(found))


@bp.get("/taxonomy_terms")
def taxonomy_terms() -> Response:
    taxonomy_id = params.taxonomy_term_filters(request.args, db.session)
    page = queries.list_taxonomy_terms(db.session, _paging(), taxonomy_id)
    return _page_json(page, taxonomy_term_full_json)


@bp.get("/taxonomy_terms/<term_id>")
def taxonomy_term(term_id: str) -> Response:
    term_id = _path_id(term_id, "taxonomy term")
    found = queries.get_taxonomy_term(db.session, term_id)
    if found is None:
        raise _missing("taxonomy term", term_id)
    return jsonify(taxonomy_term_full_json(found))
