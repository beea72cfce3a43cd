"""``GET /healthz`` and ``GET /readyz``, for load balancers, systemd and orchestrators.

* ``/healthz``: liveness. The process is up and answering; it touches nothing else, so a
  database outage does not make every node look dead and get restarted.
* ``/readyz``: readiness. 200 when the database answers within ``READINESS_TIMEOUT``, its
  migrations are at head and the search index reads; otherwise 503 with a JSON reason per
  check. Take a node out of the pool on 503; do not restart it.

Both answer JSON, are never cached, are exempt from rate limits (a probe every second must not
use up a visitor's allowance, nor be refused), and hold no personal data. The Host header must
still be a trusted one (TRUSTED_HOSTS; localhost and 127.0.0.1 are trusted by default).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from directory.extensions import limiter
from directory.ops import readiness

bp = Blueprint("ops", __name__)


def _json(body: dict, status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    return _json({"status": "ok"}, 200)


@bp.get("/readyz")
@limiter.exempt
def readyz() -> Response:
    checks = readiness.readiness(current_app._get_current_object())  # type: ignore[attr-defined]
    ready = all(value == "ok" for value in checks.values())
    return _json(
        {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503
    )
