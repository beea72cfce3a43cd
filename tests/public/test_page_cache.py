"""Whole pages kept per process (directory/public/page_cache.py): a kept page is served only
to visitors with nothing of their own on it, never carries another visitor's CSRF token or
another response's nonce, never outlives the index version or the minute it was made in,
and a search answered from it is still logged."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from directory.accounts.models import StaffRole
from directory.db import db
from directory.insights.models import SearchLog
from directory.models import Service
from directory.public import pages
from directory.public.page_cache import Kept, PageCache
from tests.auth import create_user, sign_in_as
from tests.public.conftest import build_public_data


@pytest.fixture
def food_bank(app: Flask) -> str:
    """The public test directory, made in an app context that is closed again: requests must
    not share one (Flask would reuse it, and with it ``g``, across the test client's requests,
    which real requests never do). Returns the food bank's id."""
    with app.app_context():
        data = build_public_data(db.session)
        return data.service("Blacon Food Bank").id


@pytest.fixture
def client(app: Flask, food_bank: str) -> FlaskClient:
    return app.test_client()


TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
NONCE = re.compile(r'nonce="([^"]+)"')


def _cache(client: FlaskClient) -> PageCache:
    return client.application.extensions["page_cache"]


def _with_csrf(client: FlaskClient) -> FlaskClient:
    client.application.config["WTF_CSRF_ENABLED"] = True
    return client


def test_the_same_page_again_comes_from_the_cache_with_this_visitors_token(
    app: Flask, food_bank: str
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    first, second = app.test_client(), app.test_client()
    cache = _cache(first)
    a = first.get("/search?q=food")
    hits = cache.hits
    b = second.get("/search?q=food")
    assert cache.hits == hits + 1  # the second visitor was served the kept page
    token_a = set(TOKEN.findall(a.get_data(as_text=True)))
    token_b = set(TOKEN.findall(b.get_data(as_text=True)))
    assert len(token_a) == len(token_b) == 1 and token_a != token_b
    assert cache.token_mark not in b.get_data(as_text=True)

    # Everything but the token and the nonce is the same page.
    def same(html: str) -> str:
        return NONCE.sub("", TOKEN.sub("", html))

    assert same(a.get_data(as_text=True)) == same(b.get_data(as_text=True))
    assert NONCE.findall(a.get_data(as_text=True)) != NONCE.findall(b.get_data(as_text=True))
    # The second visitor's token is really theirs: their "Add to my list" works with it, and
    # the first visitor cannot use it.
    theirs = token_b.pop()
    refused = first.post("/my-list/add", data={"service_id": food_bank, "csrf_token": theirs})
    assert refused.status_code == 400
    added = second.post("/my-list/add", data={"service_id": food_bank, "csrf_token": theirs})
    assert added.status_code == 303


def test_a_kept_page_carries_the_nonce_its_own_header_allows(
    client: FlaskClient, food_bank: str
) -> None:
    url = client.get(f"/services/{food_bank}").headers["Location"]
    client.get(url)
    hits = _cache(client).hits
    kept = client.get(url)
    assert _cache(client).hits == hits + 1
    html = kept.get_data(as_text=True)
    nonces = set(NONCE.findall(html))
    assert len(nonces) == 1
    assert f"'nonce-{nonces.pop()}'" in kept.headers["Content-Security-Policy"]
    assert _cache(client).nonce_mark not in html


def test_an_edit_is_on_the_next_page_not_the_kept_one(client: FlaskClient, food_bank: str) -> None:
    page_url = client.get(f"/services/{food_bank}").headers["Location"]
    assert "Blacon Food Bank" in client.get("/search?q=food").get_data(as_text=True)
    assert "community larder" not in client.get(page_url).get_data(as_text=True)
    with client.application.app_context():
        edited = db.session.get(Service, food_bank)
        edited.description = "A community larder open every Friday afternoon."
        db.session.commit()
    assert "community larder" in client.get(page_url).get_data(as_text=True)
    with client.application.app_context():
        edited = db.session.get(Service, food_bank)
        edited.name = "Blacon Community Larder"
        db.session.commit()
    results = client.get("/search?q=food").get_data(as_text=True)
    assert "Blacon Community Larder" in results
    assert ">Blacon Food Bank<" not in results


def test_a_visitor_with_a_list_gets_their_own_page_and_it_is_not_kept(
    client: FlaskClient, food_bank: str
) -> None:
    cache = _cache(client)
    client.post("/my-list/add", data={"service_id": food_bank})
    client.get("/search?q=food")  # the flash of "added" is shown here
    before = (cache.hits, len(cache))
    mine = client.get("/search?q=food").get_data(as_text=True)
    assert "Remove from my list" in mine
    assert (cache.hits, len(cache)) == before  # neither served from nor kept
    stranger = client.application.test_client().get("/search?q=food").get_data(as_text=True)
    assert "Remove from my list" not in stranger


def test_a_message_waiting_to_be_shown_is_never_served_from_the_cache(
    client: FlaskClient, food_bank: str
) -> None:
    client.get("/search?q=food")
    client.post("/my-list/add", data={"service_id": food_bank})
    client.post("/my-list/remove", data={"service_id": food_bank})
    html = client.get("/search?q=food").get_data(as_text=True)
    assert "removed" in html.lower()  # the flash, which a kept page would not have


def test_signed_in_people_always_get_their_own_page(client: FlaskClient, food_bank: str) -> None:
    client.get("/search?q=food")  # kept for visitors
    with client.application.app_context():
        sign_in_as(client, create_user(db.session, staff_role=StaffRole.MODERATOR))
    hits = _cache(client).hits
    html = client.get("/search?q=food").get_data(as_text=True)
    assert _cache(client).hits == hits
    assert "Sign out" in html


def test_a_new_minute_is_a_new_page(
    client: FlaskClient, food_bank: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [datetime(2026, 12, 7, 9, 0, 5, tzinfo=pages.LONDON)]
    monkeypatch.setattr(pages, "london_now", lambda: clock[0])
    client.get("/search?q=food")
    hits = _cache(client).hits
    client.get("/search?q=food")
    assert _cache(client).hits == hits + 1
    clock[0] = clock[0].replace(minute=1)
    client.get("/search?q=food")
    assert _cache(client).hits == hits + 1  # made anew


def test_a_search_served_from_the_cache_is_still_logged(
    client: FlaskClient, food_bank: str
) -> None:
    client.application.config["SEARCH_LOGGING"] = True
    client.get("/search?q=food")
    client.application.test_client().get("/search?q=food")
    with client.application.app_context():
        logged = db.session.scalar(select(func.count()).select_from(SearchLog))
    assert logged == 2


def test_pages_are_made_for_everyone_when_the_cache_is_off(
    app: Flask, food_bank: str, tmp_path
) -> None:
    from directory import create_app
    from tests.conftest import _app_config

    config = _app_config(app.config["DATABASE_URL"], tmp_path) | {"PAGE_CACHE_MB": 0}
    off = create_app(config)
    assert off.extensions["page_cache"] is None
    client = off.test_client()
    assert client.get("/search?q=food").status_code == 200
    assert client.get("/search?q=food").status_code == 200


def test_the_cache_keeps_at_most_its_bytes_least_recently_used_first() -> None:
    cache = PageCache(max_bytes=30)
    for key in ("a", "b", "c"):
        cache.put(key, Kept(html=key * 10))
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("d", Kept(html="d" * 10))
    assert cache.get("b") is None and cache.get("a") is not None
    assert cache.size_bytes <= 30 and len(cache) == 3
    cache.put("big", Kept(html="x" * 31))  # larger than the whole cache: not kept
    assert cache.get("big") is None and len(cache) == 3


# Service pages: kept until what they say about time changes --------------------------------


@pytest.fixture
def monday_club(app: Flask) -> str:
    """A club open on Mondays 10am to midday (7 December 2026 is a Monday); its page's path."""
    from directory.public.views import listing_slug
    from tests.factories import make_service

    with app.app_context():
        club = make_service(
            db.session,
            "Monday Craft Club",
            schedules=[{"byday": "MO", "opens_at": "10:00", "closes_at": "12:00"}],
        )
        db.session.commit()
        return f"/services/{club.id}/{listing_slug(club.name)}"


def _at(monkeypatch: pytest.MonkeyPatch, hour: int, minute: int = 0) -> None:
    moment = datetime(2026, 12, 7, hour, minute, tzinfo=pages.LONDON)
    monkeypatch.setattr(pages, "london_now", lambda: moment)


def test_a_service_page_is_kept_across_minutes_until_its_status_changes(
    app: Flask, monday_club: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept until the club closes, for five minutes at most (LONGEST_SECONDS)."""
    client = app.test_client()
    cache = app.extensions["page_cache"]

    def visit(hour: int, minute: int) -> tuple[str, bool]:
        _at(monkeypatch, hour, minute)
        hits = cache.hits
        html = client.get(monday_club).get_data(as_text=True)
        return html, cache.hits == hits + 1

    open_page, kept = visit(10, 30)
    assert "Open" in open_page and not kept
    again, kept = visit(10, 33)  # another minute, the same status
    assert kept and NONCE.sub("", again) == NONCE.sub("", open_page)
    assert visit(10, 36)[1] is False  # five minutes on: made anew
    assert visit(11, 58)[1] is False
    assert visit(11, 59)[1] is True
    closed_page, kept = visit(12, 0)  # closed now, two minutes after it was made
    assert not kept and closed_page != open_page


def test_valid_until_is_the_status_turning_point_or_midnight() -> None:
    from directory.listings.opening import OpenStatus

    now = datetime(2026, 12, 7, 10, 30, tzinfo=pages.LONDON)

    def until(status: OpenStatus) -> datetime:
        return pages.valid_until(type("Page", (), {"status": status})(), now)

    closes = now.replace(hour=12, minute=0)
    opens = now.replace(hour=14, minute=15)
    midnight = datetime(2026, 12, 8, 0, 0, tzinfo=pages.LONDON)
    assert until(OpenStatus(True, closes, None, "Open until 12pm")) == closes
    assert until(OpenStatus(False, None, opens, "Opens today at 2:15pm")) == opens
    assert until(OpenStatus(False, None, None, "")) == midnight
    next_week = now.replace(day=14)
    assert until(OpenStatus(False, None, next_week, "Opens next Monday")) == midnight


# Shared by the processes of a machine -------------------------------------------------------


def test_a_page_one_worker_made_is_served_by_another(app: Flask, food_bank: str, tmp_path) -> None:
    """Two apps on one database and one index folder are two gunicorn workers."""
    from directory import create_app
    from tests.conftest import _app_config

    other = create_app(_app_config(app.config["DATABASE_URL"], tmp_path))
    assert (
        other.extensions["page_cache"].shared.folder == app.extensions["page_cache"].shared.folder
    )
    app.config["WTF_CSRF_ENABLED"] = other.config["WTF_CSRF_ENABLED"] = True
    made = app.test_client().get("/search?q=food").get_data(as_text=True)
    served = other.test_client().get("/search?q=food").get_data(as_text=True)
    cache = other.extensions["page_cache"]
    assert cache.shared_hits == 1
    assert NONCE.sub("", TOKEN.sub("", made)) == NONCE.sub("", TOKEN.sub("", served))
    assert TOKEN.findall(made) != TOKEN.findall(served)
    assert cache.token_mark not in served and cache.nonce_mark not in served


def test_an_unreadable_shared_page_is_a_miss(tmp_path) -> None:
    from directory.public.page_store import SharedPages

    store = SharedPages(tmp_path / "pages")
    store.put(("search", "u", 1), Kept(html="<p>kept</p>", extra=(("food",), 3)))
    assert store.get(("search", "u", 1)) == Kept(html="<p>kept</p>", extra=(["food"], 3))
    for path in (tmp_path / "pages").iterdir():
        path.write_bytes(b"\xff\xfe not json\n<p>")
    assert store.get(("search", "u", 1)) is None
    assert store.get(("search", "other", 1)) is None


def test_the_shared_folder_is_swept_of_old_and_surplus_pages(tmp_path) -> None:
    import os
    import time

    from directory.public.page_store import SharedPages

    store = SharedPages(tmp_path / "pages", max_files=3, max_age=60)
    for n in range(5):
        store.put(("k", n), Kept(html=f"<p>{n}</p>"))
        path = store._path(("k", n))
        os.utime(path, (time.time() - 100 + n * 10, time.time() - 100 + n * 10))
    # Ages now 100, 90, 80, 70 and 60 s: all past max_age.
    store.put(("k", "new"), Kept(html="<p>new</p>"))
    assert store.sweep() == 5
    assert [p.name for p in (tmp_path / "pages").iterdir()] == [store._path(("k", "new")).name]
    for n in range(5):
        store.put(("k", n), Kept(html=f"<p>{n}</p>"))
    store.sweep()
    assert len(list((tmp_path / "pages").iterdir())) == 3


def test_the_shared_folder_is_on_memory_by_default_and_one_per_instance(tmp_path) -> None:
    from directory.public.page_cache import default_folder

    one, two = default_folder(str(tmp_path / "a")), default_folder(str(tmp_path / "b"))
    assert one != two and one == default_folder(str(tmp_path / "a"))
    if Path("/dev/shm").is_dir():
        assert one.parent == Path("/dev/shm")
