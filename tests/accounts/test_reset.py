"""Forgotten passwords: the link arrives, works once, expires, signs out old sessions, and
the page never says whether an address has an account."""

from __future__ import annotations

import pytest

from directory.accounts.models import User
from tests.accounts.conftest import NEW_PASSWORD, PASSWORD, link_in, page_text, sign_in


@pytest.fixture
def amy(make_user) -> User:
    return make_user("amy@example.org", organization_id="org-1")


def ask(client, email="amy@example.org", **extra):
    return client.post("/account/reset", data={"email": email, **extra})


def choose(client, link, password=NEW_PASSWORD, confirm=None):
    return client.post(link, data={"password": password, "confirm": confirm or password})


class TestReset:
    def test_reset_end_to_end_signs_out_old_sessions(self, app, client, inbox, amy):
        elsewhere = app.test_client()
        assert sign_in(elsewhere).status_code == 303
        assert elsewhere.get("/account/").status_code == 200

        response = ask(client)
        assert response.status_code == 303
        assert response.headers["Location"] == "/account/reset/check-your-email"
        [message] = inbox.messages
        assert message.rcpt_tos == ["amy@example.org"]
        assert message.message["Subject"].startswith("Reset your password")
        assert "works once and for 1 hour" in message.part("plain")
        link = link_in(message, "/account/reset/")

        form = client.get(link)
        assert form.status_code == 200 and "Choose a new password" in page_text(form)
        done = choose(client, link)
        assert done.status_code == 303 and done.headers["Location"] == "/account/sign-in"
        assert "Your password has been changed" in page_text(client.get("/account/sign-in"))

        assert elsewhere.get("/account/").status_code == 302, "the old session is signed out"
        assert "Enter a correct email address" in page_text(sign_in(client, password=PASSWORD))
        assert sign_in(client, password=NEW_PASSWORD).status_code == 303
        notice = inbox.messages[-1]
        assert notice.message["Subject"].startswith("Your password has been changed")

    def test_the_link_works_once(self, client, inbox, amy):
        ask(client)
        link = link_in(inbox.messages[0], "/account/reset/")
        choose(client, link)
        again = client.get(link)
        assert again.status_code == 410
        assert "This link has already been used" in page_text(again)
        assert choose(client, link, "yet another good one").status_code == 410
        assert "Ask for a new link" in page_text(again)

    def test_an_expired_link_is_refused_with_a_way_on(self, make_app, inbox):
        app = make_app(PASSWORD_RESET_MAX_AGE_HOURS=-1)
        client = app.test_client()
        with app.app_context():
            from directory.db import db
            from tests.auth import create_user

            create_user(db.session, "amy@example.org", password=PASSWORD)
        ask(client)
        response = client.get(link_in(inbox.messages[0], "/account/reset/"))
        assert response.status_code == 410
        text = page_text(response)
        assert "This link has expired" in text and "Ask for a new link" in text

    def test_the_new_password_must_be_a_good_one(self, client, inbox, amy):
        ask(client)
        link = link_in(inbox.messages[0], "/account/reset/")
        text = page_text(choose(client, link, "password1234"))
        assert "Password is too easy to guess" in text
        text = page_text(choose(client, link, NEW_PASSWORD, "something else entirely"))
        assert "The passwords do not match" in text
        text = page_text(choose(client, link, "amy@example.org"))
        assert "must not be your email address" in text

    def test_a_reset_lifts_a_lock_and_confirms_the_address(self, make_user, client, inbox, db_run):
        user = make_user("new@example.org", verified=False)
        for _ in range(5):
            sign_in(client, "new@example.org", "wrong password")
        ask(client, "new@example.org")
        choose(client, link_in(inbox.messages[-1], "/account/reset/"))
        state = db_run(
            lambda s: (s.get(User, user.id).locked_until, s.get(User, user.id).email_verified_at)
        )
        assert state[0] is None and state[1] is not None
        assert sign_in(client, "new@example.org", NEW_PASSWORD).status_code == 303


class TestNoEnumeration:
    def test_known_and_unknown_addresses_get_the_same_page(self, client, inbox, amy):
        known = ask(client, "amy@example.org")
        unknown = ask(client, "nobody@example.org")
        assert known.status_code == unknown.status_code == 303
        assert known.headers["Location"] == unknown.headers["Location"]
        assert [m.rcpt_tos for m in inbox.messages] == [["amy@example.org"]]
        page = page_text(client.get(known.headers["Location"]))
        assert "If there is an account for the address you gave" in page

    def test_honeypot(self, client, inbox, amy):
        response = ask(client, website="filled by a bot")
        assert response.status_code == 303
        assert response.headers["Location"] == "/account/reset/check-your-email"
        assert inbox.messages == []

    def test_bad_address_says_how_to_fix(self, client):
        text = page_text(ask(client, "not an address"))
        assert "Enter an email address in the correct format" in text
