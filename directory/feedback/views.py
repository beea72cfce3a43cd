"""Problem reports for staff at /staff/reports (issue 12)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/staff/reports")
