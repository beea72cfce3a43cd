"""An app over the seed directory (every seed listing, the curated need taxonomy, a built
search index and the offline gazetteer) for the "Ask for help" tests, each test on its own
copy of the database so requests and visits written by one test are not seen by the next.

``walk(client, ...)`` answers the questions the way a browser without JavaScript would; each
step's answers can be changed by keyword.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from directory import create_app
from tests.mylist.smtp import Inbox, smtp_server
from tests.public.test_search_page import seeded_site

#: A Chester postcode (Northgate Street), in the gazetteer and among the seed listings.
POSTCODE = "CH1 2HJ"
CONTACT = {
    "name": "Jo Bloggs",
    "phone": "07700 900982",
    "email": "jo.bloggs@example.net",
    "contact_by": "either",
    "contact_times": "Weekday mornings",
    "urgency": "this_week",
}


def copy_of_seeds(folder: Path, **overrides: Any) -> Flask:
    site = seeded_site()
    database = folder / "directory.sqlite"
    shutil.copy(site.database_url.removeprefix("sqlite:///"), database)
    shutil.copytree(site.index_dir, folder / "search_index")
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "ask-for-help-tests",
            "DATABASE_URL": f"sqlite:///{database}",
            "SEARCH_INDEX_DIR": str(folder / "search_index"),
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "MAIL_FILE_DIR": str(folder / "mail"),
            **overrides,
        }
    )


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        folder = tmp_path / f"site{len(apps)}"
        folder.mkdir()
        app = copy_of_seeds(folder, **overrides)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["database"].engine.dispose()


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as box:
        yield box


def text_of(html: str | bytes) -> str:
    """The words of a page as a reader meets them."""
    if isinstance(html, bytes):
        html = html.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def post(client: FlaskClient, path: str, data: dict | None = None, status: int = 303):
    response = client.post(path, data=data or {})
    assert response.status_code == status, (
        path,
        response.status_code,
        text_of(response.data)[:600],
    )
    return response


def location(response) -> str:
    return re.sub(r"^https?://[^/]+", "", response.headers["Location"])


def walk(
    client: FlaskClient,
    *,
    details: str = "I can't get to the shops for food",
    need: list[str] | None = None,
    confirm: list[str] | None = None,
    for_whom: str = "me",
    postcode: str = POSTCODE,
    until: str = "sent",
    **contact: str,
):
    """Answer every question up to ``until`` ("services", "check" or "sent"); ``confirm``
    None keeps every need the confirmation page offers ticked."""
    post(client, "/ask-for-help/safety", {"urgent": "no"})
    post(client, "/ask-for-help/need", {"details": details, "need": need or []})
    page = client.get("/ask-for-help/confirm-need").get_data(as_text=True)
    if confirm is None:
        confirm = re.findall(r'name="need" type="checkbox" value="([^"]+)" checked', page)
    post(client, "/ask-for-help/confirm-need", {"need": confirm})
    post(client, "/ask-for-help/who", {"for_whom": for_whom})
    post(client, "/ask-for-help/postcode", {"postcode": postcode})
    services = client.get("/ask-for-help/services")
    assert services.status_code == 200
    if until == "services":
        return services
    post(client, "/ask-for-help/contact", {**CONTACT, **contact})
    post(client, "/ask-for-help/consent", {"consent": "y"})
    check = client.get("/ask-for-help/check")
    assert check.status_code == 200
    if until == "check":
        return check
    sent = post(client, "/ask-for-help/check", {})
    assert location(sent) == "/ask-for-help/sent"
    return client.get("/ask-for-help/sent")
