"""Freshness: the one-click "still correct" link and /staff/freshness (issue 12)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("freshness", __name__)
