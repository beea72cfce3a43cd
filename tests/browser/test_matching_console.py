"""The matching console in real Chromium without JavaScript: a moderator finds the request
in the list, opens it, sees the ranked candidates with their reasons, assigns it to
themselves, logs a contact attempt, matches the person to an offer (which takes one of its
places) and finds the request among the closed ones. A request of its own, so the axe sweep
of the shared site's pages is not disturbed."""

from __future__ import annotations

import pytest

from directory.db import db
from directory.help_offers.models import HelpOffer
from directory.help_requests.models import HelpRequest, Outcome, RequestStatus
from tests.browser.private_site import PrivateSite, sign_in
from tests.matching.conftest import make_offer, make_request

pytestmark = pytest.mark.browser


def test_a_moderator_matches_a_request_to_an_offer(browser, private_site: PrivateSite):
    with private_site.app.app_context():
        offer = make_offer(
            db.session, ("Befriending",), "upton", name="Upton Phone Pals", capacity=2
        )
        request = make_request(
            db.session, ("Befriending",), "upton", name="Robin Journey", reference="REQ-BROWSER"
        )
        db.session.commit()
        offer_id, request_id = offer.id, request.id
    context = browser.new_context(java_script_enabled=False, base_url=private_site.base_url)
    page = context.new_page()
    try:
        sign_in(page, private_site, "moderator")
        page.goto("/staff/")
        page.click("a:has-text('Match')")
        page.click("a:has-text('REQ-BROWSER')")
        main = page.locator("main")
        assert "Robin Journey" in main.inner_text()
        candidates = page.locator("#candidate-list").inner_text()
        assert "Upton Phone Pals" in candidates and "Offers befriending" in candidates

        page.check('input[name="assign-assignee"][value]:first-of-type')
        page.click("button:has-text('Assign')")
        assert "The request is assigned to you." in main.inner_text()

        page.check('input[name="attempt-method"][value="phone"]')
        page.check('input[name="attempt-succeeded"][value="yes"]')
        page.fill('textarea[name="attempt-note"]', "Happy to be called by a volunteer")
        page.click("button:has-text('Save contact attempt')")
        assert "Contact attempt saved." in main.inner_text()
        assert "reached them" in page.locator("#attempts").inner_text()

        page.check('input[name="outcome-outcome"][value="matched"]')
        page.check(f'input[name="outcome-candidate"][value="offer:{offer_id}"]')
        page.click("button:has-text('Record outcome and close')")
        assert "The request is closed." in main.inner_text()

        page.goto("/staff/requests/?status=closed")
        assert "REQ-BROWSER" in page.locator("main").inner_text()
    finally:
        context.close()
    with private_site.app.app_context():
        request = db.session.get(HelpRequest, request_id)
        assert (request.status, request.outcome) == (RequestStatus.CLOSED, Outcome.MATCHED)
        assert len(request.attempts) == 1
        assert db.session.get(HelpOffer, offer_id).in_use == 1
