"""Handovers for listings with gaps, as the real brief listings have: no phone number, email
or website, no opening times, a place known only by its name, a phone-only service, and a
referral spelled the way the seeds spell it. Every handover must say plainly what is missing,
never promise a number that is not there, and never repeat itself."""

from __future__ import annotations

from datetime import datetime

import pytest

from directory.listings.opening import LONDON
from directory.mylist.easyread import easy_sheet
from directory.mylist.handover import details
from directory.mylist.services import build_list
from directory.mylist.session_list import Item
from tests.factories import make_service
from tests.mylist.conftest import add, load_data, text
from tests.public.conftest import PublicData

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


@pytest.fixture
def brief(app, data: PublicData):
    """Like West Cheshire Autism Hub in seeds/listings/brief.json: a venue with no street
    address (its one address line is its own name), and no contacts or times."""
    with app.app_context():
        from directory.db import db

        service = make_service(
            db.session,
            "West Cheshire Autism Hub",
            places=("chester_library",),
            schedules=[],
            email=None,
            url=None,
            referral="referral_needed",
        )
        service.contacts.clear()
        location = service.service_at_locations[0].location
        location.name = "The Bluecoat"
        address = location.addresses[0]
        address.address_1, address.postal_code = "The Bluecoat", ""
        db.session.commit()
        return service.id


def _entry(app, service_id: str):
    with app.app_context():
        from directory.db import db

        listing = build_list(db.session, [Item(service_id, "", "")], now=NOW)
        return listing, details(listing.listed[0])


def test_handover_says_there_is_no_way_to_contact_them(app, brief):
    _listing, rows = _entry(app, brief)
    assert ("Contact", "No phone number, email or website given") in rows
    assert ("When", "Not given: ask the service") in rows


def test_place_name_is_not_repeated_as_its_address(app, brief):
    _listing, rows = _entry(app, brief)
    assert ("Where", "The Bluecoat, Chester") in rows


def test_phone_only_service_says_how_instead_of_where(app, data: PublicData):
    _listing, rows = _entry(app, data.service("Silver Line Chester").id)
    assert ("Where", "By phone") in rows


def test_print_sheet_and_list_page_say_the_same(client, brief):
    add(client, brief, "/")
    sheet = text(client, "/my-list/print")
    assert "Contact No phone number, email or website given" in sheet
    assert "The Bluecoat, The Bluecoat" not in sheet
    page = text(client, "/my-list")
    assert "Address The Bluecoat Chester Cost" in page


def test_easy_read_does_not_say_phone_when_there_is_no_number(app, brief):
    listing, _rows = _entry(app, brief)
    said = [s.text for s in easy_sheet(listing).services[0].sentences]
    assert "We do not have a phone number or email for them." in said
    assert "Ask them when it is open." in said
    assert not any(text.startswith("Phone") for text in said)


def test_easy_read_explains_a_referral_spelled_as_in_the_seeds(app, brief):
    """The seeds say ``referral_needed``; the page and print sheet already explained it, but
    Easy Read left it out, so the person did not learn they must be sent by someone."""
    listing, _rows = _entry(app, brief)
    said = [s.text for s in easy_sheet(listing).services[0].sentences]
    assert "Someone like your doctor or support worker must send you." in said


class TestEmailLink:
    def test_no_link_to_a_page_that_can_only_say_email_is_off(self, client, data):
        add(client, data.service("Blacon Food Bank").id, "/")
        page = text(client, "/my-list")
        assert "Send your list by email" not in page
        assert "Print, download or share your list" in page

    def test_link_when_email_works(self, make_app):
        app = make_app(MAIL_SERVER="127.0.0.1")
        data = load_data(app)
        client = app.test_client()
        add(client, data.service("Blacon Food Bank").id, "/")
        page = text(client, "/my-list")
        assert "Send your list by email" in page
