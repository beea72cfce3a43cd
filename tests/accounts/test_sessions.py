"""Sessions expire, sign out everywhere reaches other devices, cookies are set safely, and the
areas behind sign-in send people to it (or answer 403)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from directory.accounts.models import MemberRole, StaffRole, User
from directory.core.ids import utcnow
from tests.accounts.conftest import NEW_PASSWORD, PASSWORD, page_text, sign_in
from tests.auth import sign_in_as


@pytest.fixture
def amy(make_user) -> User:
    return make_user("amy@example.org", organization_id="org-1", member_role=MemberRole.OWNER)


class TestExpiry:
    def test_an_old_session_is_signed_out_with_a_message(self, client, amy):
        sign_in(client)
        with client.session_transaction() as cookie:
            cookie["signed_in_at"] = (utcnow() - timedelta(hours=12, minutes=1)).isoformat()
        response = client.get("/account/")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/account/sign-in")
        text = page_text(client.get(response.headers["Location"]))
        assert "You have been signed out because you signed in more than 12 hours ago" in text
        with client.session_transaction() as cookie:
            assert "_user_id" not in cookie

    def test_a_session_within_its_time_continues(self, client, amy):
        sign_in(client)
        with client.session_transaction() as cookie:
            cookie["signed_in_at"] = (utcnow() - timedelta(hours=11)).isoformat()
        assert client.get("/account/").status_code == 200

    def test_a_session_without_a_sign_in_time_is_not_trusted(self, client, amy):
        with client.session_transaction() as cookie:
            cookie["_user_id"] = amy.get_id()
        assert client.get("/account/").status_code == 302

    def test_the_age_is_configurable_and_the_cookie_matches(self, make_app, make_user):
        app = make_app(SESSION_MAX_AGE_HOURS=2, SESSION_COOKIE_SECURE=True)
        assert app.permanent_session_lifetime == timedelta(hours=2)
        client = app.test_client()
        with app.app_context():
            from directory.db import db
            from tests.auth import create_user

            create_user(db.session, "bo@example.org", password=PASSWORD)
        response = sign_in(client, "bo@example.org")
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Expires=" in cookie
        with client.session_transaction() as data:
            data["signed_in_at"] = (utcnow() - timedelta(hours=2, seconds=5)).isoformat()
        assert client.get("/account/").status_code == 302

    def test_sign_in_as_from_tests_auth_still_works(self, client, amy):
        sign_in_as(client, amy)
        assert client.get("/account/").status_code == 200


class TestSignOutEverywhere:
    def test_another_clients_cookie_stops_working(self, app, client, amy):
        phone = app.test_client()
        sign_in(client)
        sign_in(phone)
        assert phone.get("/account/").status_code == 200
        page = client.get("/account/sign-out-everywhere")
        assert "This signs you out on every computer" in page_text(page)
        response = client.post("/account/sign-out-everywhere")
        assert response.status_code == 303 and response.headers["Location"] == "/account/sign-in"
        assert phone.get("/account/").status_code == 302
        assert client.get("/account/").status_code == 302
        assert sign_in(phone).status_code == 303, "signing in again works"

    def test_a_password_change_keeps_this_session_only(self, app, client, amy, inbox):
        phone = app.test_client()
        sign_in(client)
        sign_in(phone)
        wrong = client.post(
            "/account/password",
            data={"current": "not it at all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        )
        assert "Your current password is not right" in page_text(wrong)
        response = client.post(
            "/account/password",
            data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        )
        assert response.status_code == 303
        assert "You have been signed out everywhere else" in page_text(client.get("/account/"))
        assert phone.get("/account/").status_code == 302
        assert inbox.messages[-1].message["Subject"].startswith("Your password has been changed")

    def test_changing_the_name(self, client, amy, db_run):
        sign_in(client)
        response = client.post("/account/name", data={"name": "Amy Q. Example"})
        assert response.status_code == 303
        assert db_run(lambda s: s.get(User, amy.id).name) == "Amy Q. Example"
        assert 'value="Amy Q. Example"' in client.get("/account/name").data.decode()
        assert "Enter your name" in page_text(client.post("/account/name", data={"name": " "}))


class TestAreasBehindSignIn:
    @pytest.mark.parametrize("path", ["/manage/", "/staff/", "/account/"])
    def test_anonymous_visitors_go_to_sign_in(self, client, path):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/account/sign-in?next=")

    def test_an_organisation_user_gets_403_on_staff(self, client, amy):
        sign_in(client)
        assert client.get("/staff/").status_code == 403

    def test_staff_may_enter_staff(self, client, make_user):
        make_user("mod@example.org", staff_role=StaffRole.MODERATOR)
        sign_in(client, "mod@example.org")
        assert client.get("/staff/").status_code == 200

    def test_a_disabled_account_is_signed_out(self, client, amy, db_run):
        sign_in(client)
        db_run(lambda s: setattr(s.get(User, amy.id), "is_disabled", True))
        assert client.get("/account/").status_code == 302


def test_signing_in_keeps_the_visitors_my_list_and_nothing_else(app, client):
    """A fresh session on sign-in, except the list the visitor gathered before signing in."""
    from directory.accounts import session as account_session
    from directory.mylist.session_list import SESSION_KEY

    assert account_session.MYLIST_KEY == SESSION_KEY
    with app.test_request_context():
        from flask import session

        from directory.accounts.models import User

        user = User(id="u-1", email="a@example.org", password_hash="x", session_version=3)
        session[SESSION_KEY] = [["svc-1", "Knit and Natter", ""]]
        session["planted"] = "by someone else"
        account_session.start(user)
        assert session[SESSION_KEY] == [["svc-1", "Knit and Natter", ""]]
        assert "planted" not in session
        assert session["_user_id"] == "u-1:3"
