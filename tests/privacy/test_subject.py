"""A person's rights, through the services: find them by what they can tell us, export
everything held about them (and nobody else's), erase it on request."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from directory.accounts.models import StaffRole
from directory.help_offers.models import HelpOffer, OfferKind, OfferStatus
from directory.help_requests.models import HelpRequest, Outcome, RequestStatus
from directory.privacy.models import PersonalDataAccess
from directory.privacy.services import REQUEST_PERSONAL, log_access
from directory.privacy.subject import (
    STAFF_COLUMNS,
    NothingToFindBy,
    delete_person,
    export_person,
    find_person,
    phone_key,
)
from directory.staff.models import StaffAction
from tests.auth import create_user
from tests.privacy.conftest import make_offer, make_request, person


@pytest.fixture
def two_people(any_session):
    """Quill: two requests (one open) and a volunteer's offer; Wren: one request."""
    session = any_session
    quill, wren = person("quill", 1), person("wren", 2)
    make_request(session, quill, "H2H-QUILL1")
    make_request(session, quill, "H2H-QUILL2", status=RequestStatus.OPEN, created_days_ago=3)
    make_offer(session, quill, "OFF-QUILL1", status=OfferStatus.ACTIVE)
    make_request(session, wren, "H2H-WREN01")
    session.commit()
    return session, quill, wren


def _references(found) -> set[str]:
    return {obj.reference for _kind, obj in found.records()}


def test_find_by_reference_email_or_phone(two_people):
    session, quill, _wren = two_people
    assert _references(find_person(session, reference=" h2h-quill1 ")) == {"H2H-QUILL1"}
    everything = {"H2H-QUILL1", "H2H-QUILL2", "OFF-QUILL1"}
    assert _references(find_person(session, email=quill.email.upper())) == everything
    assert _references(find_person(session, phone="+44 7700 901001")) == everything
    assert _references(find_person(session, phone="07700901001")) == everything
    # Any one of the details given matches.
    assert _references(find_person(session, reference="H2H-WREN01", email=quill.email)) == {
        *everything,
        "H2H-WREN01",
    }
    assert len(find_person(session, email="nobody@example.net")) == 0


def test_find_needs_something_to_find_by(two_people):
    session = two_people[0]
    with pytest.raises(NothingToFindBy):
        find_person(session)
    with pytest.raises(NothingToFindBy):
        find_person(session, reference="  ", email="", phone="no digits")


@pytest.mark.parametrize(
    ("typed", "key"),
    [("01632 960 001", "01632960001"), ("+44 (0)1632-960001", "01632960001"),
     ("0044 1632 960001", "01632960001"), ("07700 900123", "07700900123")],
)  # fmt: skip
def test_phone_numbers_compare_in_national_form(typed, key):
    assert phone_key(typed) == key


def test_export_has_everything_about_the_person_and_nothing_of_anyone_else(two_people):
    session, quill, wren = two_people
    admin = create_user(session, "ada@council.example.org", staff_role=StaffRole.ADMIN)
    first = session.scalar(select(HelpRequest).where(HelpRequest.reference == "H2H-QUILL1"))
    log_access(session, admin.id, "help_request", first.id, "view")
    session.commit()

    data = export_person(session, email=quill.email, user_id=admin.id, service_name="Find help")
    session.commit()
    body = json.dumps(data)

    assert {r["reference"] for r in data["help_requests"]} == {"H2H-QUILL1", "H2H-QUILL2"}
    assert [o["reference"] for o in data["help_offers"]] == ["OFF-QUILL1"]
    request_columns = {c.key for c in HelpRequest.__mapper__.column_attrs} - STAFF_COLUMNS
    offer_columns = {c.key for c in HelpOffer.__mapper__.column_attrs} - STAFF_COLUMNS
    for exported in data["help_requests"]:
        assert request_columns <= set(exported), request_columns - set(exported)
        assert exported["contact_attempts"][0]["note"] == quill.note
    assert offer_columns <= set(data["help_offers"][0])
    for secret in quill.secrets:
        assert secret in body, secret
    for secret in (*wren.secrets, "H2H-WREN01", admin.email, admin.id):
        assert secret not in body, secret
    assert data["access_log"] == [
        {
            "at": data["access_log"][0]["at"],
            "action": "view",
            "record_type": "help_request",
            "record_reference": "H2H-QUILL1",
            "by": "staff",
        }
    ]
    # The export itself is logged, record by record, in both logs.
    exports = session.scalars(
        select(PersonalDataAccess).where(PersonalDataAccess.action == "export")
    ).all()
    assert len(exports) == 3 and {e.user_id for e in exports} == {admin.id}
    actions = session.scalars(select(StaffAction).where(StaffAction.action == "privacy.export"))
    assert len(actions.all()) == 3


def test_delete_erases_regardless_of_age_and_closes_what_was_open(two_people):
    session, quill, wren = two_people
    admin = create_user(session, "ada@council.example.org", staff_role=StaffRole.ADMIN)

    result = delete_person(session, phone=quill.phone, user_id=admin.id)
    session.commit()

    assert (result.requests, result.offers, result.notes) == (2, 1, 2)
    rows = session.execute(
        text(
            f"SELECT reference, status, outcome, anonymised_at, {', '.join(REQUEST_PERSONAL)} "
            "FROM help_request ORDER BY reference"
        )
    ).mappings()
    by_reference = {row["reference"]: row for row in rows}
    for reference in ("H2H-QUILL1", "H2H-QUILL2"):
        row = by_reference[reference]
        assert all(row[column] is None for column in REQUEST_PERSONAL), reference
        assert row["status"] == "closed" and row["anonymised_at"] is not None
    assert by_reference["H2H-QUILL1"]["outcome"] == Outcome.MATCHED.value  # kept as it was
    assert by_reference["H2H-QUILL2"]["outcome"] == Outcome.WITHDRAWN.value
    assert by_reference["H2H-WREN01"]["name"] == wren.name  # someone else's: untouched
    offer = session.scalar(select(HelpOffer).where(HelpOffer.reference == "OFF-QUILL1"))
    assert offer.status == OfferStatus.CLOSED and offer.name is None and offer.phone is None
    deleted = session.scalars(
        select(PersonalDataAccess).where(PersonalDataAccess.action == "delete")
    ).all()
    assert len(deleted) == 3
    actions = session.scalars(select(StaffAction).where(StaffAction.action == "privacy.delete"))
    assert all(a.detail == {"reason": "request from the person"} for a in actions)
    # Found again by its reference afterwards, with nothing personal left to show.
    again = find_person(session, reference="H2H-QUILL2")
    assert again.requests[0].email is None
    assert len(find_person(session, email=quill.email)) == 0


def test_an_organisations_offer_is_erased_when_its_contact_asks(any_session):
    session = any_session
    contact = person("otto", 5)
    make_offer(session, contact, "OFF-ORG001", kind=OfferKind.ORGANISATION,
               status=OfferStatus.ACTIVE)  # fmt: skip
    session.commit()
    assert delete_person(session, email=contact.email).offers == 1
    session.commit()
    row = session.execute(text("SELECT name, email, phone FROM help_offer")).one()
    assert tuple(row) == (None, None, None)
