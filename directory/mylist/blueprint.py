"""The ``mylist`` blueprint and what its pages share: the visitor's list, where to go back to
after a button, the stylesheet and script, and "do not keep a copy" headers.

The routes live in ``list_views``, ``handover_views`` and ``share_views``; ``views`` imports
them all so registering :data:`bp` registers every page.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, get_flashed_messages, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask.wrappers import Response
from markupsafe import Markup, escape

from directory.core.ids import normalise_uuid
from directory.mylist import icons
from directory.mylist.session_list import MyList

STATIC = Path(__file__).resolve().parent / "static"
#: A fragment kept on the way back (``#result-<id>``): an element id, nothing else.
_FRAGMENT = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,100}")

bp = Blueprint(
    "mylist",
    __name__,
    url_prefix="/my-list",
    static_folder=str(STATIC),
    static_url_path="/static",
)


def _fingerprint(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


_VERSIONS = {name: _fingerprint(name) for name in ("mylist.css", "mylist.js")}


@bp.app_template_global()
def mylist_asset(name: str) -> str:
    """The URL of our stylesheet or script, with a version so a change is fetched at once."""
    return url_for("mylist.static", filename=name, v=_VERSIONS[name])


@bp.app_template_global()
def mylist_contains(service_id: str) -> bool:
    return current_list().get(service_id) is not None


@dataclass(frozen=True)
class ButtonState:
    """What every "Add to my list" button on a page shares: worked out once per request, not
    once per button (twenty results made twenty session reads and CSRF lookups)."""

    listed: frozenset[str]
    token: str
    back: str
    add: str
    remove: str

    def has(self, service_id: str) -> bool:
        return bool(self.listed) and normalise_uuid(service_id) in self.listed

    def button(
        self, service_id: str, service_name: str, classes: str = "", anchor: str | None = None
    ) -> Markup:
        """The button's form (templates/mylist/button.html's ``mylist_button`` calls this):
        made here rather than by a macro, as a results page has twenty of them."""
        on_list = self.has(service_id)
        note = (
            '<p class="govuk-body-s govuk-!-font-weight-bold govuk-!-margin-bottom-1">'
            "On your list</p>"
            if on_list and anchor
            else ""
        )
        back = self.back + (f"#{anchor}" if anchor else "")
        label = "Remove from my list" if on_list else "Add to my list"
        return Markup(
            f'<form method="post" action="{escape(self.remove if on_list else self.add)}" '
            f'class="app-no-print {escape(classes)}">\n    {note}\n'
            f'    <input type="hidden" name="csrf_token" value="{escape(self.token)}">\n'
            f'    <input type="hidden" name="service_id" value="{escape(service_id)}">\n'
            f'    <input type="hidden" name="next" value="{escape(back)}">\n'
            '    <button type="submit" class="govuk-button govuk-button--secondary" '
            f'data-module="govuk-button">{label}<span class="govuk-visually-hidden">: '
            f"{escape(service_name)}</span>\n    </button>\n  </form>"
        )


@bp.app_template_global()
def mylist_button_state() -> ButtonState:
    state = g.get("mylist_button_state")
    if state is None:
        from flask_wtf.csrf import generate_csrf

        state = g.mylist_button_state = ButtonState(
            listed=frozenset(current_list().service_ids),
            token=generate_csrf(),
            back=request.full_path.rstrip("?"),
            add=url_for("mylist.add"),
            remove=url_for("mylist.remove"),
        )
    return state


@bp.app_template_global()
def mylist_count() -> int:
    return len(current_list())


@bp.app_template_global()
def mylist_ids() -> set[str]:
    """Ids of the services on the visitor's list, to tell which of a shared list are new."""
    return set(current_list().service_ids)


bp.add_app_template_global(icons.inline_icon, "mylist_icon")


@bp.app_template_global()
def mylist_messages() -> list[tuple[str, str]]:
    """What just happened to the list, as (category, service name), once per request: the
    banner may be included both by the site's layout and by a list page."""
    if g.get("mylist_messages_shown"):
        return []
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return []  # no cookie, no messages: leave the session untouched (no Vary: Cookie)
    g.mylist_messages_shown = True
    return [
        (category.removeprefix("mylist-"), message)
        for category, message in get_flashed_messages(with_categories=True)
        if category.startswith("mylist-")
    ]


def _session_size(data: Mapping[str, Any]) -> int:
    interface = current_app.session_interface
    if not isinstance(interface, SecureCookieSessionInterface):
        return 0
    serializer = interface.get_signing_serializer(current_app)
    return len(serializer.dumps(dict(data))) if serializer else 0


def current_list() -> MyList:
    """The visitor's list, measured against the cookie's size limit on every change."""
    return MyList(
        session, max_items=int(current_app.config["MYLIST_MAX_ITEMS"]), measure=_session_size
    )


def wants_notes() -> bool:
    """``?notes=0`` leaves the notes off a print page or PDF."""
    return request.args.get("notes", "1") not in {"0", "no", "false"}


def back_to(candidate: str | None, fallback: str) -> str:
    """A path on this site to send the visitor back to: the form's ``next``, else the page
    they came from, else ``fallback``. Anything pointing at another site is ignored."""
    for target in (candidate, request.referrer):
        path = _local_path(target)
        if path:
            return path
    return fallback


def _local_path(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    foreign = parts.scheme not in {"http", "https"} or parts.netloc != request.host
    if (parts.scheme or parts.netloc) and foreign:
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith("//") or "\\" in target:
        return None
    fragment = f"#{parts.fragment}" if _FRAGMENT.fullmatch(parts.fragment) else ""
    return path + (f"?{parts.query}" if parts.query else "") + fragment


@bp.after_request
def _private(response: Response) -> Response:
    """List pages can hold notes: no shared cache, and no copy in the browser's history cache
    for the next person at a shared computer to find with the back button."""
    if request.endpoint != "mylist.static":
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response
