"""Issue 13's "Done when", in one run over the seed directory, through HTTP only: a resident
asks for help and is shown what they can contact now; a group offers help and staff check it;
a moderator sees the request with ranked, explained candidates, records the outcome, and the
insights page and its CSV count it. (The browser journeys of each part are in tests/browser.)"""

from __future__ import annotations

import csv
import io
import re

from flask import Flask
from sqlalchemy import select

from directory.accounts.models import StaffRole
from directory.db import db
from directory.help_offers.models import HelpOffer, OfferStatus
from directory.help_requests.models import HelpRequest, Outcome, RequestStatus
from tests.auth import create_user, sign_in_as
from tests.help_requests.conftest import POSTCODE, location, post, text_of, walk

GROUP = "Northgate Good Neighbours"


def _offer_help(app: Flask) -> str:
    """A group without an account offers food and shopping help round Chester."""
    client = app.test_client()
    answers = {
        "who": {"kind": "organisation"},
        "needs": {"needs": ["food"]},
        "description": {"description": "We do weekly shopping for neighbours."},
        "where": {"postcode": POSTCODE, "radius": "5", "places": ""},
        "when": {"any_time": "y"},
        "capacity": {"capacity": "2"},
        "contact": {"organisation_name": GROUP, "name": "Sam Smith", "phone": "01632 960555"},
        "consent": {"consent": "y"},
    }
    url = "/offer-help/who"
    while not url.endswith("/check"):
        slug = url.rsplit("/", 1)[-1]
        url = location(post(client, f"/offer-help/{slug}", answers[slug]))
    assert location(post(client, "/offer-help/check")) == "/offer-help/sent"
    with app.app_context():
        offer = db.session.scalars(select(HelpOffer)).one()
        assert offer.status == OfferStatus.PENDING_CHECK
        return offer.id


def _outcomes(staff) -> dict[str, int]:
    response = staff.get("/staff/insights/outcomes.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    return {row[0]: int(row[1]) for row in rows[1:]}


def test_ask_offer_match_and_see_it_in_insights(app: Flask) -> None:
    # A resident asks, and before sending sees services they can contact now.
    resident = app.test_client()
    services = text_of(walk(resident, until="services").data)
    assert "services for Food and shopping near CH1 2HJ" in services
    assert "You can contact them yourself straight away" in services
    sent = text_of(walk(resident).data)
    reference = re.search(r"H2H-[A-Z0-9]{4}-[A-Z0-9]{2}", sent).group(0)

    # A group offers help; a moderator checks it, so matching may use it.
    offer_id = _offer_help(app)
    staff = app.test_client()
    with app.app_context():
        moderator = create_user(
            db.session, "mo@council.example.org", staff_role=StaffRole.MODERATOR
        )
        sign_in_as(staff, moderator)
        request_id = db.session.scalars(
            select(HelpRequest.id).where(HelpRequest.reference == reference)
        ).one()
    assert staff.post(f"/staff/offers/{offer_id}/approve").status_code == 303
    before = _outcomes(staff)

    # The moderator finds the request and sees ranked candidates with their reasons.
    assert reference in text_of(staff.get("/staff/requests/").data)
    page = staff.get(f"/staff/requests/{request_id}")
    assert page.status_code == 200
    candidates = text_of(page.data)
    assert GROUP in candidates and "Offers food and shopping" in candidates
    assert "Score" in candidates and "Helps with food and shopping" in candidates
    assert "Sam Smith Offer" not in candidates  # the group's name, not its contact's

    # The outcome is recorded...
    done = staff.post(
        f"/staff/requests/{request_id}/outcome",
        data={"outcome-outcome": "matched", "outcome-candidate": f"offer:{offer_id}"},
    )
    assert done.status_code == 303
    with app.app_context():
        request = db.session.get(HelpRequest, request_id)
        assert (request.status, request.outcome) == (RequestStatus.CLOSED, Outcome.MATCHED)
        assert request.matched_offer_id == offer_id

    # ... and the insights count it, on the page and in the CSV.
    after = _outcomes(staff)
    matched = next(key for key in after if key.startswith("Matched"))
    assert after[matched] == before.get(matched, 0) + 1
    insights = text_of(staff.get("/staff/insights/").data)
    assert "Matched with an offer or a service" in insights
    assert "Food and shopping" in insights
