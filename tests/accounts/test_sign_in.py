"""Sign in and out: one message for every failure, the per-account lock, where people land,
a fresh session on every sign-in, CSRF and the rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from directory.accounts import services
from directory.accounts.models import MemberRole, StaffRole, User
from directory.core.ids import utcnow
from tests.accounts.conftest import PASSWORD, csrf_token, page_text, sign_in
from tests.auth import create_user

FAILED = "Enter a correct email address and password"


@pytest.fixture
def member(make_user) -> User:
    return make_user("amy@example.org", organization_id="org-1", member_role=MemberRole.OWNER)


def _error_part(response) -> str:
    """The page without its CSRF token (which differs per session), to compare two pages."""
    text = page_text(response)
    return text[text.index("There is a problem") : text.index("Forgotten your password")]


class TestFailures:
    def test_unknown_address_and_wrong_password_read_the_same(self, client, member):
        unknown = sign_in(client, "nobody@example.org", PASSWORD)
        wrong = sign_in(client, "amy@example.org", "not the password at all")
        assert unknown.status_code == wrong.status_code == 200
        assert FAILED in page_text(unknown)
        assert _error_part(unknown) == _error_part(wrong)

    def test_a_disabled_account_reads_the_same(self, client, member, db_run):
        db_run(lambda session: setattr(session.get(User, member.id), "is_disabled", True))
        response = sign_in(client)
        assert FAILED in page_text(response)

    def test_missing_fields_say_what_to_enter(self, client):
        text = page_text(client.post("/account/sign-in", data={}))
        assert "Enter your email address" in text and "Enter your password" in text


class TestThrottling:
    def test_the_account_locks_after_the_limit_and_stays_locked(self, make_app):
        app = make_app(SIGN_IN_MAX_FAILURES=3, SIGN_IN_LOCK_MINUTES=15)
        client = app.test_client()
        with app.app_context():
            from directory.db import db

            user = create_user(db.session, "amy@example.org", password=PASSWORD)
            user_id = user.id
        for _ in range(3):
            assert FAILED in page_text(sign_in(client, password="wrong password here"))
        locked = sign_in(client)  # the right password, while locked
        assert locked.status_code == 200
        assert FAILED in page_text(locked)
        unknown = sign_in(client, "nobody@example.org", PASSWORD)
        assert _error_part(locked) == _error_part(unknown)
        with app.app_context():
            from directory.db import db

            stored = db.session.get(User, user_id)
            assert stored.locked_until is not None
            assert stored.failed_sign_ins == 0

    def test_the_lock_lifts_after_its_time(self, session, app):
        user = create_user(session, "amy@example.org", password=PASSWORD)
        now = utcnow()
        with app.test_request_context():
            for _ in range(services.DEFAULT_MAX_FAILURES):
                services.authenticate(session, user.email, "wrong password", now=now)
            session.commit()
            assert services.is_locked(user, now)
            during = services.authenticate(session, user.email, PASSWORD, now=now)
            assert during.outcome is services.Outcome.FAILED
            later = now + timedelta(minutes=services.DEFAULT_LOCK_MINUTES, seconds=1)
            after = services.authenticate(session, user.email, PASSWORD, now=later)
            assert after.outcome is services.Outcome.SIGNED_IN

    def test_a_success_clears_the_count(self, session, app):
        user = create_user(session, "amy@example.org", password=PASSWORD)
        with app.test_request_context():
            services.authenticate(session, user.email, "wrong password")
            assert user.failed_sign_ins == 1
            result = services.authenticate(session, user.email, PASSWORD)
            services.complete_sign_in(result.user)
            assert user.failed_sign_ins == 0 and user.last_sign_in_at is not None


class TestLanding:
    def test_members_go_to_manage_and_staff_to_staff(self, client, make_user, member):
        assert sign_in(client).headers["Location"] == "/manage/"
        make_user("mod@example.org", staff_role=StaffRole.MODERATOR)
        other = client.application.test_client()
        assert sign_in(other, "mod@example.org").headers["Location"] == "/staff/"

    def test_next_is_followed_only_within_the_site(self, client, member):
        ok = client.post(
            "/account/sign-in?next=/account/", data={"email": member.email, "password": PASSWORD}
        )
        assert ok.headers["Location"] == "/account/"
        for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
            client.post("/account/sign-out")
            response = client.post(
                "/account/sign-in", query_string={"next": evil},
                data={"email": member.email, "password": PASSWORD},
            )  # fmt: skip
            assert response.headers["Location"] == "/manage/", evil

    def test_signing_in_starts_a_fresh_session(self, client, member):
        with client.session_transaction() as cookie:
            cookie["planted"] = "by someone else"
        sign_in(client)
        with client.session_transaction() as cookie:
            assert "planted" not in cookie
            assert cookie["_user_id"] == member.get_id()
            assert "signed_in_at" in cookie
            assert cookie.permanent

    def test_already_signed_in_goes_straight_on(self, client, member):
        sign_in(client)
        assert client.get("/account/sign-in").headers["Location"] == "/manage/"


class TestSignOut:
    def test_the_header_button_signs_out(self, client, member):
        sign_in(client)
        home = client.get("/").data.decode()
        assert 'action="/account/sign-out"' in home
        text = page_text(client.get("/"))
        assert "Your listings" in text and "Your account" in text and "Sign out" in text
        response = client.post("/account/sign-out")
        assert response.status_code == 303
        assert "You have signed out" in page_text(client.get(response.headers["Location"]))
        assert client.get("/account/").status_code == 302

    def test_get_shows_a_page_with_the_button(self, client, member):
        sign_in(client)
        response = client.get("/account/sign-out")
        assert response.status_code == 200
        assert '<form method="post" action="/account/sign-out"' in response.data.decode()
        assert client.get("/account/").status_code == 200, "a GET does not sign out"

    def test_signed_out_visitors_see_nothing_new_in_the_header(self, client):
        html = client.get("/").data.decode()
        header = html[: html.index("</header>")]
        assert "Sign out" not in header and "Your account" not in header
        footer = html[html.index("<footer") :]
        assert 'href="/account/sign-up">List your organisation' in footer
        assert 'href="/account/sign-in">Sign in' in footer

    def test_staff_see_the_staff_link(self, client, make_user):
        make_user("mod@example.org", staff_role=StaffRole.MODERATOR)
        sign_in(client, "mod@example.org")
        header = client.get("/account/").data.decode().split("</header>")[0]
        assert 'href="/staff/"' in header and 'href="/manage/"' not in header


class TestCsrf:
    def test_posts_without_a_token_are_refused(self, make_app):
        app = make_app(WTF_CSRF_ENABLED=True)
        client = app.test_client()
        with app.app_context():
            from directory.db import db

            create_user(db.session, "amy@example.org", password=PASSWORD)
        for path in ("/account/sign-in", "/account/sign-up", "/account/reset", "/account/sign-out"):
            assert client.post(path, data={"email": "amy@example.org"}).status_code == 400, path
        page = client.get("/account/sign-in")
        token = csrf_token(page.data)
        ok = client.post(
            "/account/sign-in",
            data={"email": "amy@example.org", "password": PASSWORD, "csrf_token": token},
        )
        assert ok.status_code == 303
        # The header's sign-out button carries a token too.
        header_token = csrf_token(client.get("/account/").data)
        assert (
            client.post("/account/sign-out", data={"csrf_token": header_token}).status_code == 303
        )


class TestRateLimit:
    def test_a_flood_of_sign_ins_gets_429(self, make_app):
        app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_ACCOUNT="3 per minute")
        client = app.test_client()
        codes = [
            sign_in(client, "nobody@example.org", "whatever pass").status_code for _ in range(5)
        ]
        assert codes[:3] == [200, 200, 200]
        assert codes[3:] == [429, 429]
        assert client.get("/account/sign-in").status_code == 200, "only POSTs are limited"

    def test_sign_up_and_reset_are_limited_too(self, make_app):
        app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_ACCOUNT="2 per minute")
        client = app.test_client()
        for path in ("/account/sign-up", "/account/reset"):
            codes = [client.post(path, data={}).status_code for _ in range(3)]
            assert codes == [200, 200, 429], path
