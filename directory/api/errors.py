"""JSON errors for ``/api``: a consumer's code reads a body it can parse, never an HTML page.

Every error has the same shape: ``{"error": <code>, "message": <plain English>}``, plus
``"parameter"`` when one query parameter is to blame, so a developer can fix the request without
reading our source. The site's own HTML error pages are untouched: routing errors (unknown URL,
wrong method) are answered here only when the path is under ``/api``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

API_PREFIX = "/api"


class ApiError(Exception):
    """An error the API reports to the client as JSON."""

    status = 500
    code = "internal_server_error"

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code}
        if self.parameter is not None:
            body["parameter"] = self.parameter
        body["message"] = self.message
        return body


class BadParameter(ApiError):
    """A query parameter that cannot be used: wrong type, out of range, unknown id."""

    status = 400
    code = "bad_request"

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message, parameter=parameter)


class NotFound(ApiError):
    """No public record with the id in the path."""

    status = 404
    code = "not_found"


class Unavailable(ApiError):
    """A part of the API that cannot answer right now (e.g. the gazetteer is not built, or
    the search index is being repaired: then ``retry_after`` seconds go in ``Retry-After``)."""

    status = 503
    code = "service_unavailable"

    def __init__(
        self, message: str, *, parameter: str | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(message, parameter=parameter)
        self.retry_after = retry_after


def is_api_request() -> bool:
    """True for ``/api`` and anything under it (and not for ``/apiary``)."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def error_response(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": code, "message": message})
    response.status_code = status
    return response


def _api_error(exc: ApiError) -> Response:
    response = jsonify(exc.to_json())
    response.status_code = exc.status
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _http_error(exc: HTTPException) -> Response:
    """Any other HTTP error raised inside an API view (e.g. a 404 from Werkzeug)."""
    status = exc.code or 500
    code = (exc.name or "error").lower().replace(" ", "_")
    response = error_response(status, code, exc.description or exc.name)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _server_error(_exc: InternalServerError) -> Response:
    # Flask has already logged the original exception; the client gets no internals.
    return error_response(
        500, "internal_server_error", "Something went wrong on our side. Please try again later."
    )


def _routing_error() -> Response | None:
    """Answer an unknown ``/api`` URL or a wrong method with JSON before Flask raises it.

    Routing failures have no blueprint, so blueprint error handlers never see them; an app-wide
    404 handler would take over the public site's pages too. A redirect (``RequestRedirect``,
    for a missing trailing slash) is left for Flask to follow.
    """
    exc = request.routing_exception
    if not isinstance(exc, HTTPException) or (exc.code or 0) < 400:
        return None
    if not is_api_request():
        return None
    if isinstance(exc, MethodNotAllowed):
        response = error_response(
            405, "method_not_allowed", "This API only answers GET, HEAD and OPTIONS requests."
        )
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods or ["GET", "HEAD"]))
        return response
    return error_response(exc.code or 404, "not_found", "There is no API endpoint at this address.")


def register(bp: Blueprint) -> None:
    """Attach the JSON error handlers to the API blueprint."""
    bp.register_error_handler(ApiError, _api_error)
    bp.register_error_handler(InternalServerError, _server_error)
    bp.register_error_handler(HTTPException, _http_error)
    bp.before_app_request(_routing_error)
