"""Control characters in stored text (issue 14, scope 9): on PostgreSQL a NUL in the public
report form answered 500 (``psycopg.DataError``). One flush-time cleaner
(directory.core.cleaning, installed by directory.listeners) now strips control characters
(but tab and line breaks) and lone surrogates from every String, Text and JSON column, on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from directory.core.cleaning import clean_json, clean_text
from directory.core.ids import new_id
from directory.db import db
from directory.feedback.models import ProblemReport
from directory.listings.models import Service
from directory.moderation.models import Proposal, ProposalKind
from tests.auth import create_user
from tests.factories import make_organization, make_service

UNWANTED = [chr(c) for c in [*range(9), 11, 12, *range(14, 32), 127]]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_cleaned_text_has_no_control_characters_and_keeps_the_rest(text: str):
    cleaned = clean_text(text)
    assert not any(ch in cleaned for ch in UNWANTED)
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in cleaned)
    assert cleaned == "".join(ch for ch in text if ch not in UNWANTED)
    assert clean_text(cleaned) is cleaned  # nothing left to do: the same object back
    cleaned.encode("utf-8")


def test_tabs_and_line_breaks_stay():
    text = "Line one\r\nLine two\n\tindented"
    assert clean_text(text) is text


def test_json_strings_and_keys_are_cleaned_at_every_depth():
    value = {"a\x00": ["b\x01", {"c": "d\x7f"}], "ok": 1, "n": None}
    assert clean_json(value) == {"a": ["b", {"c": "d"}], "ok": 1, "n": None}
    untouched = {"a": ["b", {"c": "d"}]}
    assert clean_json(untouched) is untouched


def test_the_public_report_form_stores_a_nul_as_nothing(any_app):
    with any_app.app_context():
        service_id = make_service(db.session, "Upton Repair Cafe").id
        db.session.commit()
    client = any_app.test_client()
    response = client.post(
        f"/services/{service_id}/report",
        data={"problem": "The phone\x00 number\x1b[31m is wrong\r\nsince May", "email": ""},
    )
    assert response.status_code == 303, response.status_code
    with any_app.app_context():
        report = db.session.scalars(select(ProblemReport)).one()
        assert report.problem == "The phone number[31m is wrong\nsince May"


def test_every_text_column_is_cleaned_without_a_form(any_session):
    """No form in the way: a service, an account and a proposal's JSON payload written
    straight through the ORM, as an import or a command would."""
    session = any_session
    organization = make_organization(session, "Nul\x00 Trust")
    service = make_service(session, "Repair\x00 Cafe", organization=organization)
    service.description = "Bring\x00 broken\x08 things.\nWe fix them."
    user = create_user(session, "nul@example.org", name="Ann\x00 Other")
    proposal = Proposal(
        kind=ProposalKind.NEW,
        organization_id=organization.id,
        service_id=new_id(),
        payload={"name\x00": "Bad\x00 name", "contacts": [{"phones": [{"number": "0\x0012"}]}]},
    )
    session.add(proposal)
    session.commit()
    session.expire_all()

    assert session.get(Service, service.id).name == "Repair Cafe"
    assert session.get(Service, service.id).description == "Bring broken things.\nWe fix them."
    assert organization.name == "Nul Trust"
    assert user.name == "Ann Other"
    stored = session.get(Proposal, proposal.id).payload
    assert stored == {"name": "Bad name", "contacts": [{"phones": [{"number": "012"}]}]}

    service.name = "Changed\x00 again"  # an update is cleaned as well as an insert
    session.commit()
    session.expire_all()
    assert session.get(Service, service.id).name == "Changed again"


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/account/sign-in", {"email": "nul\x00@example.org", "password": "whatever it is"}),
        ("/account/reset", {"email": "nul\x00@example.org"}),
        ("/search?q=food%00bank&where=CH1%002HJ", None),
        ("/api/services?text=food%00bank&postcode=CH1%002HJ", None),
        ("/hubs?where=Blac%00on", None),
    ],
)
def test_a_nul_in_other_input_is_never_a_server_error(any_app, path, form):
    client = any_app.test_client()
    response = client.post(path, data=form) if form else client.get(path)
    assert response.status_code < 500, (path, response.status_code)
