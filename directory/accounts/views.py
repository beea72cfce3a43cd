"""Pages under /account/ (issue 12)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/account")
