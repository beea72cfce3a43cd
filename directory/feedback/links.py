"""Links from report pages to pages other parts of the site own.

The staff history of a listing (``/staff/services/<id>/history``) and the edit form
(``/manage/services/<id>/edit``) are built elsewhere; their paths are part of the issue's
agreed URLs, so they are written here once rather than looked up by endpoint name.
"""

from __future__ import annotations

from typing import Any

from flask import request

from directory.listings.visibility import is_public


def history_url(service_id: str) -> str:
    return f"{request.script_root}/staff/services/{service_id}/history"


def edit_url(service_id: str) -> str:
    return f"{request.script_root}/manage/services/{service_id}/edit"


def link_context() -> dict[str, Any]:
    """Template helpers for report pages."""
    return {"history_url": history_url, "edit_url": edit_url, "is_listed": is_public}
