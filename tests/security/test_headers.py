"""Cookies and caching: the session cookie is Secure (when configured), HttpOnly and
SameSite=Lax; private pages are never kept by a cache or the back button of a shared computer
(a library, a community hub), while public pages and static files stay cacheable."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from directory.accounts.models import StaffRole
from directory.db import db
from tests.auth import PASSWORD, create_user
from tests.factories import make_service


@pytest.fixture
def secure_app(make_app) -> Flask:
    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        service = make_service(db.session, "Upton Repair Cafe")
        db.session.commit()
        app.config["TEST_SERVICE"] = service.id
        create_user(db.session, "owner@example.org", organization_id=service.organization_id)
        create_user(db.session, "admin@example.org", staff_role=StaffRole.ADMIN)
    return app


def _signed_in(app: Flask, email: str):
    client = app.test_client()
    response = client.post("/account/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.status_code
    return client, response


def test_the_session_cookie_is_secure_httponly_and_samesite_lax(secure_app):
    _client, response = _signed_in(secure_app, "owner@example.org")
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    flags = {part.strip().split("=")[0].lower(): part for part in cookies[-1].split(";")}
    assert "secure" in flags
    assert "httponly" in flags
    assert flags["samesite"].strip() == "SameSite=Lax"
    assert "expires" in flags  # the sign-in's lifetime (SESSION_MAX_AGE_HOURS), not forever
    assert "Strict-Transport-Security" in response.headers


def test_private_pages_are_not_stored(secure_app):
    owner, _ = _signed_in(secure_app, "owner@example.org")
    admin, _ = _signed_in(secure_app, "admin@example.org")
    service = secure_app.config["TEST_SERVICE"]
    pages = [
        (owner, "/manage/"),
        (owner, "/account/"),
        (owner, "/staff/"),  # 403: the refusal is not cached either
        (admin, "/staff/"),
        (admin, "/staff/people/"),
        (admin, "/staff/moderation/"),
        (admin, "/staff/reports/"),
        (admin, "/staff/freshness"),
        (admin, f"/staff/services/{service}/history"),
        (secure_app.test_client(), "/account/sign-in"),
        (secure_app.test_client(), "/manage/"),  # the redirect to sign in
        # A public page shown to someone signed in carries their name and staff links.
        (admin, "/"),
        (owner, f"/services/{service}"),
    ]
    for client, path in pages:
        response = client.get(path, follow_redirects=path == f"/services/{service}")
        assert response.headers.get("Cache-Control") == "no-store", (path, response.status)


def test_public_pages_and_files_for_everyone_else_stay_cacheable(secure_app):
    anonymous = secure_app.test_client()
    assert "no-store" not in anonymous.get("/").headers.get("Cache-Control", "")
    admin, _ = _signed_in(secure_app, "admin@example.org")
    css = re.search(r'href="(/assets/[^"]+\.css)"', admin.get("/").get_data(as_text=True))
    assert css, "no stylesheet link on the home page"
    response = admin.get(css.group(1))
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "max-age" in response.headers.get("Cache-Control", "")
