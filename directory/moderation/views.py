"""The moderation queue at /staff/moderation (issue 12)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/staff/moderation")
