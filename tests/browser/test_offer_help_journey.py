"""/offer-help in real Chromium with our scripts refused (the page as a browser without
JavaScript shows it): a volunteer offers help from start to reference number with axe run on
every page at phone width, a moderator approves it, and an organisation member's offer linked
to their listing is active at once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from directory.help_offers.models import HelpOffer, OfferStatus
from tests.browser.conftest import as_without_javascript, run_axe, without_our_scripts
from tests.browser.private_site import sign_in

pytestmark = pytest.mark.browser


def _page(browser, site, width: int = 320):
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=site.base_url)
    context.route(lambda url: not url.startswith(site.base_url), lambda route: route.abort())
    page = context.new_page()
    without_our_scripts(page)
    return context, page


def _checked(page, where: str) -> None:
    """No axe violations and no sideways scrolling on a phone, as JavaScript-less browsers
    see the page."""
    as_without_javascript(page)
    violations = run_axe(page)
    assert not violations, f"{where}: {violations}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{where} scrolls sideways by {overflow}px"


def _continue(page) -> None:
    page.click("main button:has-text('Continue')")
    page.wait_for_load_state()


def _offer(site, reference: str) -> HelpOffer:
    with site.app.app_context():
        from directory.db import db

        offer = db.session.scalar(select(HelpOffer).where(HelpOffer.reference == reference))
        db.session.expunge(offer)
        return offer


def test_a_volunteer_offers_help_and_a_moderator_approves_it(browser, private_site):
    context, page = _page(browser, private_site)
    try:
        page.goto("/offer-help")
        _checked(page, "start")
        page.click("text=Start now")
        page.wait_for_load_state()
        _continue(page)  # nothing chosen: the error summary
        assert page.locator(".govuk-error-summary").is_visible()
        _checked(page, "who (error)")
        page.check("input[name=kind][value=volunteer]")
        _continue(page)

        _checked(page, "needs")
        page.locator("input[name=needs]").first.check()
        _continue(page)
        _checked(page, "description")
        page.fill("textarea[name=description]", "I can do weekly shopping on Mondays.")
        _continue(page)
        _checked(page, "where")
        page.fill("input[name=postcode]", "CH1 5BE")
        page.fill("input[name=radius]", "4")
        _continue(page)
        _checked(page, "when")
        page.check("#availability")  # Monday morning
        _continue(page)
        _checked(page, "capacity")
        page.fill("input[name=capacity]", "2")
        _continue(page)
        _checked(page, "contact")
        page.fill("input[name=name]", "Val Browser")
        page.fill("input[name=phone]", "07700 900982")
        _continue(page)
        _checked(page, "consent")
        page.check("input[name=consent]")
        _continue(page)

        assert "/offer-help/check" in page.url
        _checked(page, "check")
        assert page.locator("text=Within 4 km of CH1 5BE").is_visible()
        page.click("main button:has-text('Send offer')")
        page.wait_for_load_state()
        _checked(page, "sent")
        reference = re.search(r"OFF-\w{4}-\w{2}", page.inner_text(".govuk-panel")).group(0)
    finally:
        context.close()
    assert _offer(private_site, reference).status == OfferStatus.PENDING_CHECK

    context, page = _page(browser, private_site, width=1280)
    try:
        sign_in(page, private_site, "moderator")
        page.goto("/staff/")
        page.click("a:has-text('Check')")
        page.wait_for_load_state()
        page.click(f"a:has-text('{reference}')")
        page.wait_for_load_state()
        assert page.locator("text=Val Browser").is_visible()
        page.click("button:has-text('Approve')")
        page.wait_for_load_state()
        assert page.locator(f"text=Offer {reference} is active").first.is_visible()
        _checked(page, "staff offer after approval")
    finally:
        context.close()
    assert _offer(private_site, reference).status == OfferStatus.ACTIVE


def test_an_organisation_member_links_their_listing(browser, private_site):
    context, page = _page(browser, private_site, width=1280)
    try:
        sign_in(page, private_site, "member")
        page.goto("/offer-help/who")
        page.check("input[name=kind][value=organisation]")
        _continue(page)
        assert "/offer-help/listing" in page.url
        _checked(page, "listing")
        page.check("input[name=listing] >> nth=0")
        _continue(page)
        page.locator("input[name=needs]").first.check()
        _continue(page)
        page.fill("textarea[name=description]", "Food parcels delivered to your door.")
        _continue(page)
        page.check("input[name=area_codes] >> nth=0")
        _continue(page)
        page.check("input[name=any_time]")
        _continue(page)
        _continue(page)  # no set limit
        assert page.input_value("input[name=name]") == "Olive Owner"  # from the account
        page.fill("input[name=phone]", "01632 960001")
        _continue(page)
        page.check("input[name=consent]")
        _continue(page)
        page.click("main button:has-text('Send offer')")
        page.wait_for_load_state()
        assert page.locator("text=it is active now").is_visible()
        reference = re.search(r"OFF-\w{4}-\w{2}", page.inner_text(".govuk-panel")).group(0)
    finally:
        context.close()
    offer = _offer(private_site, reference)
    assert offer.status == OfferStatus.ACTIVE and offer.service_id == private_site.ids["live"]
