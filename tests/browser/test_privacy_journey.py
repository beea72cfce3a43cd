"""Issue 13 scope 6 in real Chromium on a phone-sized screen: an admin finds a person's records
by email address, downloads them as JSON, erases them after confirming, and sees it all in the
access log. Each page (results, an error, the confirmation, the banner) passes axe with our
scripts refused, and none scrolls sideways."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import as_without_javascript, run_axe, without_our_scripts
from tests.browser.private_site import PrivateSite, sign_in
from tests.browser.test_private_pages import _describe, _real
from tests.privacy.conftest import BROWSER_PERSON

pytestmark = pytest.mark.browser


def _check(page, what: str) -> None:
    as_without_javascript(page)
    violations = _real(run_axe(page))
    assert not violations, f"{what}:\n" + _describe(violations)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{what} scrolls sideways by {overflow}px on a phone"


def _press(page, label: str) -> None:
    page.click(f"main button:has-text('{label}'), main input[type=submit][value='{label}']")
    page.wait_for_load_state()


def test_find_export_and_erase_a_person(browser, private_site: PrivateSite, tmp_path):
    site = private_site
    context = browser.new_context(
        viewport={"width": 320, "height": 800}, base_url=site.base_url, accept_downloads=True
    )
    context.route(lambda url: not url.startswith(site.base_url), lambda r: r.abort())
    page = context.new_page()
    try:
        without_our_scripts(page)
        sign_in(page, site, "admin")
        page.goto(site.base_url + "/staff/privacy/")

        _press(page, "Find their records")  # nothing typed
        assert page.locator(".govuk-error-summary").count() == 1
        assert "Enter a reference, an email address or a phone number" in page.content()
        _check(page, "the search with an error")

        page.fill("input[name=email]", BROWSER_PERSON.email)
        _press(page, "Find their records")
        main = page.locator("main").inner_text()
        assert "H2H-BRAM01" in main and "OFF-BRAM01" in main and BROWSER_PERSON.name in main
        assert "@" not in page.url and "bramble" not in page.url
        _check(page, "the records found")

        with page.expect_download() as download:
            _press(page, "Download their data (JSON)")
        saved = tmp_path / "export.json"
        download.value.save_as(saved)
        data = json.loads(saved.read_text())
        assert [r["reference"] for r in data["help_requests"]] == ["H2H-BRAM01"]
        assert data["help_requests"][0]["details"] == BROWSER_PERSON.details

        _press(page, "Erase their personal data")
        assert "This cannot be undone" in page.content()
        _check(page, "the confirmation")
        _press(page, "Yes, erase their personal data")
        banner = page.locator(".govuk-notification-banner").inner_text()
        assert "Personal data erased from 1 help request and 1 offer" in banner
        _check(page, "the page after erasing")

        page.fill("input[name=email]", BROWSER_PERSON.email)
        _press(page, "Find their records")
        assert "No help request or offer of help matches" in page.content()

        page.goto(site.base_url + "/staff/privacy/access-log")
        log = page.locator("#access-log").inner_text()
        for words in ("Deleted personal data", "Exported", "Viewed", "H2H-BRAM01", "Ada Admin"):
            assert words in log, words
        assert BROWSER_PERSON.email not in page.content()
    finally:
        context.close()
