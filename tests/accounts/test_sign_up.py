"""Sign up, confirm the address, sign in: end to end through a real SMTP server, and what a
person (or a bot) gets when something is off."""

from __future__ import annotations

from sqlalchemy import select

from directory.accounts.models import MemberRole, Membership, User
from tests.accounts.conftest import PASSWORD, link_in, page_text, sign_in, sign_up
from tests.mylist.smtp import Inbox


class TestJourney:
    def test_sign_up_confirm_and_sign_in(self, client, inbox: Inbox, db_run):
        response = sign_up(client)
        assert response.status_code == 303
        assert response.headers["Location"] == "/account/sign-up/check-your-email"
        assert "Check your email" in page_text(client.get(response.headers["Location"]))

        def stored(session):
            user = session.scalar(select(User).where(User.email == "amy@example.org"))
            member = user.memberships[0]
            return (
                user.email_verified_at,
                user.password_hash,
                member.role,
                member.organization_name,
                member.organization_id,
            )

        verified_at, password_hash, role, org_name, org_id = db_run(stored)
        assert verified_at is None
        assert password_hash.startswith("scrypt:")
        assert role is MemberRole.OWNER
        assert org_name == "Hoole Knit and Natter"
        assert len(org_id) == 36

        [message] = inbox.messages
        assert message.rcpt_tos == ["amy@example.org"]
        assert message.message["Subject"].startswith("Confirm your email address")
        link = link_in(message, "/account/verify/")
        assert "amy" not in link and "example.org" not in link, "no address in the URL"

        # Not confirmed yet: a correct password is not enough, and a new link is sent.
        before = sign_in(client)
        assert before.status_code == 200
        assert "You need to confirm your email address" in page_text(before)
        assert len(inbox.messages) == 2

        confirmed = client.get(link)
        assert confirmed.status_code == 200
        assert "Email address confirmed" in page_text(confirmed)
        assert db_run(stored)[0] is not None

        signed_in = sign_in(client)
        assert signed_in.status_code == 303
        assert signed_in.headers["Location"] == "/manage/"
        account = page_text(client.get("/account/"))
        assert "Amy Example" in account and "Hoole Knit and Natter" in account

    def test_email_is_case_insensitive(self, client, inbox):
        sign_up(client, email="Amy@Example.ORG")
        client.get(link_in(inbox.messages[0], "/account/verify/"))
        assert sign_in(client, email="AMY@example.org").status_code == 303

    def test_a_link_from_the_second_email_still_works(self, client, inbox):
        sign_up(client)
        sign_in(client)  # unconfirmed: a second link
        second = link_in(inbox.messages[1], "/account/verify/")
        assert client.get(second).status_code == 200


class TestLinks:
    def test_a_confirmation_link_works_once(self, client, inbox):
        sign_up(client)
        link = link_in(inbox.messages[0], "/account/verify/")
        assert client.get(link).status_code == 200
        again = client.get(link)
        assert again.status_code == 410
        text = page_text(again)
        assert "This link has already been used" in text
        assert "sign in" in text

    def test_an_expired_link_says_so_and_what_to_do(self, make_app, inbox):
        app = make_app(EMAIL_VERIFY_MAX_AGE_HOURS=-1)
        client = app.test_client()
        sign_up(client)
        response = client.get(link_in(inbox.messages[0], "/account/verify/"))
        assert response.status_code == 410
        text = page_text(response)
        assert "This link has expired" in text
        assert "we will send you a new link" in text

    def test_an_altered_link_is_refused(self, client, inbox):
        sign_up(client)
        link = link_in(inbox.messages[0], "/account/verify/")
        response = client.get(link[:-3] + "abc")
        assert response.status_code == 400
        assert "This link does not work" in page_text(response)
        assert client.get("/account/verify/not-a-token").status_code == 400

    def test_a_reset_link_does_not_confirm_as_a_verify_link(self, client, inbox):
        sign_up(client)
        client.post("/account/reset", data={"email": "amy@example.org"})
        reset_link = link_in(inbox.messages[1], "/account/reset/")
        token = reset_link.rsplit("/", 1)[1]
        assert client.get(f"/account/verify/{token}").status_code == 400


class TestNoEnumeration:
    def test_an_address_with_an_account_gets_the_same_page_and_a_warning(
        self, client, inbox, db_run
    ):
        first = sign_up(client, email="amy@example.org")
        again = sign_up(client, email="amy@example.org", organisation_name="Another group")
        fresh = sign_up(client, email="bob@example.org")
        assert first.status_code == again.status_code == fresh.status_code == 303
        assert first.headers["Location"] == again.headers["Location"] == fresh.headers["Location"]
        another = select(Membership).where(Membership.organization_name == "Another group")
        assert db_run(lambda session: session.scalar(another)) is None

        subjects = [m.message["Subject"] for m in inbox.messages]
        assert subjects[1].startswith("Someone tried to sign up")
        warning = inbox.messages[1]
        assert warning.rcpt_tos == ["amy@example.org"]
        body = warning.part("plain")
        assert "/account/sign-in" in body and "/account/reset" in body
        assert "did not create another" in body

    def test_the_original_password_still_works(self, client, inbox):
        sign_up(client)
        client.get(link_in(inbox.messages[0], "/account/verify/"))
        sign_up(client, password="a different pass 9", confirm="a different pass 9")
        assert sign_in(client, password=PASSWORD).status_code == 303


class TestHoneypot:
    def test_a_filled_honeypot_looks_like_success_and_does_nothing(self, client, inbox, db_run):
        response = sign_up(client, website="http://spam.example")
        assert response.status_code == 303
        assert response.headers["Location"] == "/account/sign-up/check-your-email"
        assert db_run(lambda session: session.scalar(select(User))) is None
        assert inbox.messages == []

    def test_the_honeypot_is_hidden_from_people(self, client):
        html = client.get("/account/sign-up").data.decode()
        assert "<div hidden>" in html and 'name="website"' in html
        assert 'tabindex="-1"' in html


class TestValidation:
    def test_errors_say_how_to_fix_each_field(self, client, db_run):
        response = client.post(
            "/account/sign-up",
            data={"email": "not-an-address", "password": "short", "confirm": "other"},
        )
        assert response.status_code == 200
        text = page_text(response)
        assert text.strip().startswith("Error: Create an account")
        assert "There is a problem" in text
        for message in (
            "Enter the name of your organisation",
            "Enter your name",
            "Enter an email address in the correct format, like name@example.com",
            "Password must be 10 characters or more",
            "The passwords do not match",
        ):
            assert message in text
        assert 'href="#organisation_name"' in response.data.decode()
        assert db_run(lambda session: session.scalar(select(User))) is None

    def test_common_passwords_are_refused(self, client):
        for weak in ("password123", "Password2024!", "qwertyuiop", "aaaaaaaaaaaa"):
            response = sign_up(client, password=weak, confirm=weak)
            assert "Password is too easy to guess" in page_text(response), weak

    def test_the_address_is_not_a_password(self, client):
        response = sign_up(client, password="amy@example.org", confirm="amy@example.org")
        assert "must not be your email address" in page_text(response)

    def test_overlong_answers_are_refused_politely(self, client):
        long = "x" * 201
        response = sign_up(client, name=long, organisation_name=long, password=long, confirm=long)
        text = page_text(response)
        assert "Your name must be 200 characters or fewer" in text
        assert "Organisation name must be 200 characters or fewer" in text
        assert "Password must be 200 characters or fewer" in text
