"""A database that does not answer is an outage, not a bug: 503 with ``Retry-After``, not 500.

Found by the soak (bench/soak.py, docs/reliability.md): restarting PostgreSQL under load
(``pg_ctl restart -m fast``) made every request that needed the database in that second or
two answer 500, with an exception logged as if the code were broken. The pool's pre-ping
replaces dead connections afterwards, so nothing needs repairing: the request just came at
the wrong moment. Now any ``OperationalError`` (connection refused or cut, the server shutting
down, a statement cancelled) and any ``InterfaceError`` (a connection already closed) answers:

* on the site: the "service unavailable" page, status 503, ``Retry-After``;
* under ``/api``: the API's JSON error ``service_unavailable``, status 503, ``Retry-After``;

and logs one warning with the exception's class and the endpoint (never its message, which
can quote the data). Load balancers and well-behaved clients retry a 503; monitoring counts
500s as bugs, and these are not.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait: a restart or fail-over takes a few.
RETRY_AFTER = 5


#: SQLite's OperationalError also means a broken query ("no such column"): only these are
#: outages there (a file locked by a long writer, a missing or failing disk).
SQLITE_OUTAGES = ("database is locked", "unable to open database", "disk i/o error")


def init_app(app: Flask) -> None:
    for kind in (OperationalError, InterfaceError):
        app.register_error_handler(kind, database_unavailable)


def is_outage(exc: DBAPIError) -> bool:
    """Whether ``exc`` says the database is away or refusing work for now, rather than that
    the query is wrong. psycopg raises OperationalError for the connection classes of SQLSTATE
    (08 connection, 57 operator intervention such as a shutdown or a cancelled statement, 53
    resources, 58 system, 40 deadlock and serialisation): all worth a retry."""
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    if exc.orig is not None and exc.orig.__class__.__module__.startswith("sqlite3"):
        return str(exc.orig).lower().startswith(SQLITE_OUTAGES)
    return True


def database_unavailable(exc: DBAPIError) -> Response:
    """The 503 answer, page or JSON (see the module docstring). Other database errors (a bad
    query, a constraint) are bugs: re-raised, they are logged in full and answer 500."""
    if not is_outage(exc):
        raise exc
    log.warning(
        "database unavailable (%s) on %s: answered 503",
        exc.__class__.__name__ if exc.orig is None else exc.orig.__class__.__name__,
        request.endpoint or "-",
    )
    from directory.api.errors import error_response, is_api_request

    if is_api_request():
        response = error_response(
            503,
            "service_unavailable",
            "The directory cannot reach its database just now. Please try again in a few seconds.",
        )
    else:
        try:
            body = render_template("errors/503.html", status=503)
        except Exception:  # the page itself failed: plain words rather than a 500
            body = "Sorry, the service is unavailable. Please try again in a few seconds."
        response = Response(body, status=503)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return response
