"""Two-step verification for staff: set up with a code, then every sign-in needs one; a code
works once; turning it off needs a code too."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from directory.accounts.models import MemberRole, StaffRole, User
from tests.accounts.conftest import page_text, sign_in


def code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


@pytest.fixture
def moderator(make_user) -> User:
    return make_user("mod@example.org", staff_role=StaffRole.MODERATOR)


def set_up(client) -> str:
    """Start set-up and enter the current code; returns the secret shown on the page."""
    client.post("/account/two-factor/start")
    page = client.get("/account/two-factor")
    text = page_text(page)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.data.decode()).group(1)
    assert "otpauth://totp/" in page.data.decode()
    assert "secret=" + secret in page.data.decode().replace("&amp;", "&")
    assert "Enter this key" in text
    response = client.post("/account/two-factor", data={"code": code_at(secret)})
    assert response.status_code == 303
    return secret


class TestSetUp:
    def test_turning_it_on_then_signing_in_needs_the_code(self, app, client, moderator, db_run):
        sign_in(client, "mod@example.org")
        assert "Two-step verification Off" in page_text(client.get("/account/"))
        assert client.post("/account/two-factor/start").status_code == 303
        wrong = client.post("/account/two-factor", data={"code": "000000"})
        assert "The code is not right" in page_text(wrong)
        assert db_run(lambda s: s.get(User, moderator.id).totp_enabled) is False
        secret = db_run(lambda s: s.get(User, moderator.id).totp_secret)
        assert client.post("/account/two-factor", data={"code": code_at(secret)}).status_code == 303
        assert "Two-step verification is on" in page_text(client.get("/account/"))

        fresh = app.test_client()
        first = sign_in(fresh, "mod@example.org")
        assert first.status_code == 303
        assert first.headers["Location"] == "/account/sign-in/code"
        assert fresh.get("/account/").status_code == 302, "not signed in before the code"
        text = page_text(fresh.get("/account/sign-in/code"))
        assert "Enter your security code" in text

        bad = fresh.post("/account/sign-in/code", data={"code": "123456"})
        assert "The code is not right or was used already" in page_text(bad)
        code = code_at(secret, 1)
        done = fresh.post("/account/sign-in/code", data={"code": code[:3] + " " + code[3:]})
        assert done.status_code == 303 and done.headers["Location"] == "/staff/"
        assert fresh.get("/account/").status_code == 200

        # The same code again, on another device: refused (used once already).
        replay = app.test_client()
        sign_in(replay, "mod@example.org")
        again = replay.post("/account/sign-in/code", data={"code": code})
        assert "The code is not right or was used already" in page_text(again)

    def test_the_code_step_cannot_be_skipped_or_left_open(self, app, client, moderator):
        sign_in(client, "mod@example.org")
        set_up(client)
        fresh = app.test_client()
        response = fresh.get("/account/sign-in/code")
        assert response.status_code == 303 and response.headers["Location"] == "/account/sign-in"
        sign_in(fresh, "mod@example.org")
        with fresh.session_transaction() as cookie:
            cookie["pending_at"] = "2000-01-01T00:00:00+00:00"
        assert fresh.get("/account/sign-in/code").headers["Location"] == "/account/sign-in"

    def test_wrong_codes_count_towards_the_lock(self, make_app):
        app = make_app(SIGN_IN_MAX_FAILURES=2)
        client = app.test_client()
        with app.app_context():
            from directory.db import db
            from tests.accounts.conftest import PASSWORD
            from tests.auth import create_user

            user = create_user(
                db.session, "mod@example.org", staff_role=StaffRole.ADMIN, password=PASSWORD
            )
            user.totp_secret = pyotp.random_base32()
            user.totp_enabled = True
            db.session.commit()
            secret = user.totp_secret
        sign_in(client, "mod@example.org")
        client.post("/account/sign-in/code", data={"code": "000000"})
        client.post("/account/sign-in/code", data={"code": "000001"})
        locked = client.post("/account/sign-in/code", data={"code": code_at(secret)})
        assert locked.status_code == 303 and locked.headers["Location"] == "/account/sign-in"

    def test_turning_it_off_needs_a_code(self, client, moderator, db_run):
        sign_in(client, "mod@example.org")
        secret = set_up(client)
        wrong = client.post("/account/two-factor/turn-off", data={"code": "000000"})
        assert "The code is not right" in page_text(wrong)
        off = client.post("/account/two-factor/turn-off", data={"code": code_at(secret, 1)})
        assert off.status_code == 303
        assert db_run(lambda s: s.get(User, moderator.id).totp_enabled) is False

    def test_only_staff_have_it(self, client, make_user):
        make_user("amy@example.org", organization_id="org-1", member_role=MemberRole.OWNER)
        sign_in(client, "amy@example.org")
        assert client.get("/account/two-factor").status_code == 403
        assert "Two-step verification" not in page_text(client.get("/account/"))
