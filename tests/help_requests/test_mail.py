"""The confirmation email, through a real SMTP server: what arrives, nothing sent without an
address, and a mail server that is down never loses the request."""

from __future__ import annotations

import re

from sqlalchemy import select

from directory.db import db
from directory.help_requests.models import HelpRequest
from tests.help_requests.conftest import CONTACT, text_of, walk
from tests.mylist.smtp import free_port, mail_config


def test_the_confirmation_that_arrives(make_app, inbox):
    app = make_app(**mail_config(inbox))
    page = text_of(walk(app.test_client(), details="my mum is lonely since dad died").data)
    assert "We have sent you an email with your reference number" in page
    reference = re.search(r"H2H-\w{4}-\w{2}", page).group(0)
    [received] = inbox.messages
    assert received.rcpt_tos == [CONTACT["email"]]
    assert received.message["Subject"] == f"We have your request for help: {reference}"
    plain, html = received.part("plain"), received.part("html")
    for body in (plain, html):
        assert reference in body
        assert "Hello Jo Bloggs" in body
        assert "Feeling lonely or cut off" in body and "Bereavement" in body
        assert "within 3 working days" in body
        assert "116 123" in body
        # Their own words, phone and postcode are not sent back over email.
        assert "lonely since dad died" not in body
        assert "07700" not in body and "CH1 2HJ" not in body


def test_no_email_address_no_email(make_app, inbox):
    app = make_app(**mail_config(inbox))
    page = text_of(walk(app.test_client(), email="", contact_by="phone").data)
    assert inbox.messages == []
    assert "Please write down your reference number" in page
    with app.app_context():
        [row] = db.session.scalars(select(HelpRequest)).all()
        assert row.email is None and row.contact_by == "phone"


def test_a_mail_server_that_is_down_loses_nothing(make_app):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    page = text_of(walk(app.test_client()).data)
    assert "We could not send you a confirmation email, but we have your request" in page
    reference = re.search(r"H2H-\w{4}-\w{2}", page).group(0)
    with app.app_context():
        [row] = db.session.scalars(select(HelpRequest)).all()
        assert row.reference == reference and row.email == CONTACT["email"]
