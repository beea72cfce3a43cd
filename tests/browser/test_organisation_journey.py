"""Issue 12's whole journey in real Chromium, without JavaScript (the forms must work on the
plainest browser): a group signs up, confirms its email, registers a service with a weekly
session at a community hub, a moderator approves it, a resident finds it in search, the
six-month reminder arrives and one click confirms it, a resident's problem report reaches
staff and is resolved, and the listing's history shows every step with who did it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from directory.core.ids import utcnow
from tests.auth import PASSWORD
from tests.browser.private_site import PrivateSite, sign_in

pytestmark = pytest.mark.browser

GROUP_EMAIL = "hello@blacon-bounce.example.org"
SERVICE_NAME = "Baby Bounce and Rhyme"


def _link(site: PrivateSite, to: str, pattern: str) -> str:
    """The one link matching ``pattern`` in the newest email to ``to``."""
    messages = [m for m in site.inbox.messages if to in m.rcpt_tos]
    assert messages, f"no email to {to}"
    found = re.findall(pattern, messages[-1].part("plain"))
    assert found, messages[-1].part("plain")
    return found[0]


def _continue(page) -> None:
    """Press the main button of the page's POST form (the last form in <main>)."""
    form = page.locator('main form[method="post"]').last
    form.locator("button[type=submit].govuk-button, input[type=submit].govuk-button").first.click()
    page.wait_for_load_state()


def _fill(page, fields: dict) -> None:
    for name, value in fields.items():
        if isinstance(value, list):
            for item in value:
                page.check(f'main input[name="{name}"][value="{item}"]')
            continue
        target = page.locator(f'main [name="{name}"]').first
        kind = target.get_attribute("type")
        if kind == "radio":
            page.check(f'main input[name="{name}"][value="{value}"]')
        else:
            target.fill(value)


def _step(page, fields: dict, *, expect_error: bool = False) -> None:
    _fill(page, fields)
    _continue(page)
    problems = page.locator(".govuk-error-summary").count()
    assert bool(problems) == expect_error, page.locator("main").inner_text()[:1500]


@pytest.fixture
def plain_page(browser, private_site):
    contexts = []

    def make():
        context = browser.new_context(java_script_enabled=False, base_url=private_site.base_url)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_sign_up_to_history(private_site: PrivateSite, plain_page):
    site = private_site
    group = plain_page()

    # 1. Sign up and confirm the email address.
    group.goto("/account/sign-up")
    _fill(
        group,
        {
            "organisation_name": "Blacon Baby Bounce",
            "name": "Bea Bounce",
            "email": GROUP_EMAIL,
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    _continue(group)
    assert "check your email" in group.locator("h1").inner_text().lower(), group.locator(
        "main"
    ).inner_text()[:800]
    group.goto(_link(site, GROUP_EMAIL, r"https?://\S+/account/verify/\S+"))
    assert group.locator(".govuk-error-summary").count() == 0

    # 2. Sign in and register a listing: a free weekly session at a community hub.
    site.emails["group"] = GROUP_EMAIL
    sign_in(group, site, "group")
    assert "/manage/" in group.url
    group.click("text=Register a new listing")
    _continue(group)  # "Start now"
    _step(group, {"name": "", "email": "not an address"}, expect_error=True)
    _step(
        group,
        {
            "name": "Blacon Baby Bounce",
            "description": "Parents and volunteers in Blacon.",
            "email": GROUP_EMAIL,
            "phone": "01632 960777",
        },
    )
    _step(
        group,
        {
            "name": SERVICE_NAME,
            "description": "Befriending for lonely and isolated new parents: a friendly weekly "
            "group with songs, rhymes and a chat for parents and carers with babies.",
        },
    )
    if "/matches" in group.url:  # "Is this you?": none of these is ours
        _continue(group)
    _step(group, {"maximum_age": "5"})
    _step(group, {"cost": "free"})
    _step(group, {"access": "drop_in"})
    _step(group, {"contact_name": "Bea", "phone": "01632 960777"})
    _step(group, {"mode": "place"})
    group.fill('input[name="q"]', "Blacon")
    group.locator('form[role="search"] button').click()
    group.wait_for_load_state()
    hub = group.locator('input[name="location_id"]').first
    hub_label = group.locator(f'label[for="{hub.get_attribute("id")}"]').inner_text()
    hub.check()
    _continue(group)
    if group.locator('main [name="frequency"]').count() == 0:
        group.click("main a:has-text('Add a session')")
    _step(group, {"frequency": "weekly", "days": ["TU"], "opens": "10am", "closes": "11:30am"})
    while "/check" not in group.url:  # the remaining questions keep their suggested answers
        _continue(group)
        assert group.locator(".govuk-error-summary").count() == 0, group.url
    assert SERVICE_NAME in group.locator("main").inner_text()
    _continue(group)  # "Send for checking"
    assert "/submitted" in group.url

    # 3. A moderator approves it from the queue, after reading the diff.
    moderator = plain_page()
    sign_in(moderator, site, "moderator")
    moderator.goto("/staff/moderation/")
    moderator.click(f"main a:has-text('{SERVICE_NAME}')")
    assert "Tuesday" in moderator.locator("main").inner_text()
    _step(moderator, {"decision": "approve"})
    assert any(GROUP_EMAIL in m.rcpt_tos for m in site.inbox.messages[-3:])

    # 4. A resident finds it in search, at the hub.
    resident = plain_page()
    resident.goto("/search?q=baby+rhyme&where=Blacon")
    results = resident.locator("main").inner_text()
    assert SERVICE_NAME in results
    resident.click(f"main a:has-text('{SERVICE_NAME}')")
    service_url = resident.url
    assert hub_label.split("\n")[0].split(",")[0] in resident.locator("main").inner_text()

    # 5. Six months on, the reminder arrives and one click confirms the listing.
    with site.app.app_context():
        from directory.db import db
        from directory.freshness.reminders import send_reminders

        report = send_reminders(db.session, (utcnow() + timedelta(days=190)).date())
    assert report.sent[6] >= 1
    group.goto(_link(site, GROUP_EMAIL, r"https?://\S+/freshness/confirm/\S+"))
    _continue(group)
    assert "thank" in group.locator("main").inner_text().lower()

    # 6. A resident reports a problem; staff see it and resolve it.
    resident.goto(service_url)
    resident.click("text=Report a problem with this page")
    _step(resident, {"problem": "The Tuesday session has moved to 11am."})
    moderator.goto("/staff/reports")
    card = moderator.locator(".govuk-summary-card", has_text=f"Report about {SERVICE_NAME}")
    card.locator("a:has-text('Open report')").click()
    moderator.get_by_label("What was done").fill("Checked with the group: times updated.")
    moderator.get_by_role("button", name="Resolve report").click()
    moderator.wait_for_load_state()
    assert "resolved" in moderator.locator("main").inner_text().lower()

    # 7. The history shows every step with who did it.
    moderator.click("main a:has-text('History of changes')")
    history = moderator.locator("main").inner_text()
    for expected in (
        "Bea Bounce",
        "Mo Derator",
        "approved",
        "Sent the 6-month reminder",
        "Reminder link",
        "Confirmed the listing is still correct",
        "Resolved a problem report",
    ):
        assert expected.lower() in history.lower(), (expected, history[:6000])
