"""Email with a real SMTP server (aiosmtpd on a free localhost port): what arrives, what is
never kept, the notes choice, errors, rate limits and a site with no mail server."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from directory import create_app
from tests.mylist.conftest import add, load_data, text
from tests.mylist.smtp import Inbox, free_port, mail_config

ADDRESS = "jo.bloggs+list@example.net"
SUBJECT = "Your list of services from Find help in your community"


@pytest.fixture
def mail_app(make_app, inbox: Inbox):
    return make_app(**mail_config(inbox))


@pytest.fixture
def mail_client(mail_app):
    data = load_data(mail_app)
    client = mail_app.test_client()
    add(client, data.demo.id, "/")
    add(client, data.service("Blacon Food Bank").id, "/")
    client.post(f"/my-list/{data.demo.id}/note", data={"note": "Ask for Sam on reception"})
    client.data = data
    return client


def send(client, address: str = ADDRESS, **extra):
    return client.post("/my-list/email", data={"email": address, **extra})


class TestSending:
    def test_the_message_that_arrives(self, mail_client, inbox: Inbox):
        response = send(mail_client)
        assert response.status_code == 303
        assert response.headers["Location"] == "/my-list/email/sent"
        assert len(inbox.messages) == 1
        received = inbox.messages[0]
        assert received.rcpt_tos == [ADDRESS]
        assert received.mail_from == "lists@directory.example.org"
        message = received.message
        assert message["To"] == ADDRESS
        assert message["Subject"] == SUBJECT
        assert message["Message-ID"].endswith("@directory.example.org>")
        assert message.get_content_type() == "multipart/alternative"
        plain, html = received.part("plain"), received.part("html")
        for body in (plain, html):
            assert "Hoole Demonstration Lunch Club" in body
            assert "Blacon Food Bank" in body
            assert "What to do next" in body
            assert "01632 960001" in body
            assert "Ask for Sam" not in body, "notes are left out unless asked for"
        assert "DEMONSTRATION LISTING: not a real service." in plain
        assert "Every Friday, midday to 3pm" in plain
        assert '<html lang="en-GB">' in html
        assert "We have not kept it." in plain
        page = text(mail_client, "/my-list/email/sent")
        assert "Email sent" in page and "We have not kept the email address." in page

    def test_notes_are_included_when_asked_for(self, mail_client, inbox: Inbox):
        page = text(mail_client, "/my-list/email")
        assert "Include the notes" in page
        send(mail_client, include_notes="y")
        received = inbox.messages[0]
        assert "Note: Ask for Sam on reception" in received.part("plain")
        assert "Ask for Sam on reception" in received.part("html")

    def test_the_address_is_not_kept_anywhere(self, mail_app, mail_client, inbox, caplog):
        caplog.set_level(logging.DEBUG)
        response = send(mail_client)
        assert ADDRESS not in str(response.headers)
        cookie = mail_client.get_cookie("session").value
        serializer = mail_app.session_interface.get_signing_serializer(mail_app)
        assert ADDRESS not in str(serializer.loads(cookie))
        ours = [r for r in caplog.records if not r.name.startswith("mail.log")]
        assert not [r for r in ours if ADDRESS in r.getMessage()], "aiosmtpd's own log aside"
        database = Path(mail_app.config["DATABASE_URL"].removeprefix("sqlite:///"))
        for path in database.parent.glob(database.name + "*"):
            assert ADDRESS.encode() not in path.read_bytes()
        assert ADDRESS not in text(mail_client, "/my-list/email")
        assert len(inbox.messages) == 1

    def test_safety_warning_for_domestic_abuse_services(self, mail_client, inbox):
        add(mail_client, mail_client.data.refuge.id, "/")
        page = text(mail_client, "/my-list/email")
        assert "Think about whether email is safe." in page


class TestRefused:
    @pytest.mark.parametrize(
        ("address", "message"),
        [
            ("", "Enter an email address"),
            ("jo.bloggs", "Enter an email address in the correct format, like name@example.com"),
            ("jo@bloggs", "Enter an email address in the correct format"),
            ("jo@example.net\r\nBcc: spy@example.org", "Enter an email address in the correct"),
            ("jo bloggs@example.net", "Enter an email address in the correct format"),
            ("x" * 250 + "@example.net", "Email address must be 254 characters or fewer"),
        ],
    )
    def test_invalid_addresses(self, mail_client, inbox: Inbox, address, message):
        response = send(mail_client, address)
        assert response.status_code == 200
        page = text_of_response(response)
        assert "There is a problem" in page
        assert message in page
        assert inbox.messages == []

    def test_mail_server_down(self, make_app, caplog):
        app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
        data = load_data(app)
        client = app.test_client()
        add(client, data.demo.id, "/")
        caplog.set_level(logging.DEBUG)
        response = send(client)
        assert response.status_code == 503
        assert "Sorry, we could not send the email." in text_of_response(response)
        assert "Could not send an email: ConnectionRefusedError" in caplog.text
        assert ADDRESS not in caplog.text

    def test_email_is_rate_limited(self, make_app, inbox: Inbox):
        app = make_app(
            RATELIMIT_ENABLED=True,
            RATELIMIT_FORMS="100 per minute",
            MYLIST_EMAIL_RATELIMIT="2 per minute",
            **mail_config(inbox),
        )
        data = load_data(app)
        client = app.test_client()
        add(client, data.demo.id, "/")
        statuses = [send(client).status_code for _ in range(3)]
        assert statuses == [303, 303, 429]
        assert len(inbox.messages) == 2
        assert client.get("/my-list/email").status_code == 200, "reading the form is not limited"

    def test_empty_list(self, mail_app, inbox: Inbox):
        client = mail_app.test_client()
        load_data(mail_app)
        assert "There are no services on your list to send." in text(client, "/my-list/email")
        send(client)
        assert inbox.messages == []


class TestNotConfigured:
    def test_page_says_email_is_not_available(self, client, data, inbox: Inbox):
        add(client, data.demo.id, "/")
        page = text(client, "/my-list/email")
        assert "Sending lists by email is not available on this website." in page
        assert "Email address" not in page
        assert send(client).status_code == 200
        assert inbox.messages == []

    def test_settings_come_from_the_environment(self, monkeypatch, tmp_path):
        monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
        monkeypatch.setenv("MAIL_PORT", "587")
        monkeypatch.setenv("MAIL_USE_TLS", "true")
        monkeypatch.setenv("SHARED_LIST_DAYS", "14")
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite'}",
                "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            }
        )
        assert app.config["MAIL_SERVER"] == "smtp.example.org"
        assert app.config["MAIL_PORT"] == 587
        assert app.config["MAIL_USE_TLS"] is True
        assert app.config["SHARED_LIST_DAYS"] == 14
        assert app.config["MYLIST_MAX_ITEMS"] == 30
        app.extensions["database"].engine.dispose()


def text_of_response(response) -> str:
    from tests.public.conftest import text_of

    return text_of(response.data)


def test_the_form_says_once_that_the_address_is_not_kept(mail_client):
    """The paragraph above the field and the field's hint said the same thing twice."""
    page = text(mail_client, "/my-list/email")
    assert page.count("We do not keep it.") == 1
