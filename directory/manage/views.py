"""Pages under /manage/ (issue 12)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/manage")
