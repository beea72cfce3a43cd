"""My list in real headless Chromium: every page without WCAG 2.2 AA violations (axe-core) at
phone and desktop widths, the whole journey by keyboard alone with and without JavaScript, the
print styles, the Easy Read layout and sending by email to a real SMTP server.

The site here is the shared browser-test site (same listings) with a mail server configured and
two share links made in advance, one of them expired. Screenshots go to
``test-artifacts/screenshots/mylist-*.png``.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from directory import create_app
from directory.config import PROJECT_ROOT
from directory.core.ids import utcnow
from directory.mylist.services import create_shared_list
from tests.browser.conftest import Site, _page_paths, run_axe, screenshot
from tests.mylist.smtp import Inbox, mail_config, smtp_server
from tests.public.conftest import build_public_data

pytestmark = pytest.mark.browser

NOTE = "Ask for Sam on reception. Bring a letter from the GP."
EMAIL = "link.worker.client@example.net"


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def site(
    migrated_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, inbox: Inbox
) -> Iterator[Site]:
    """The browser-test site, plus a mail server and a live and an expired share link."""
    if not (PROJECT_ROOT / "directory" / "static" / "dist" / "manifest.json").exists():
        pytest.fail("The CSS and JavaScript are not built: run `make assets` first.")
    folder = tmp_path_factory.mktemp("mylist-site")
    db_path = folder / "directory.sqlite"
    shutil.copy(migrated_sqlite_template, db_path)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-test-secret",
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SEARCH_INDEX_DIR": str(folder / "search_index"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            **mail_config(inbox),
        }
    )
    with app.app_context():
        from directory.db import db

        data = build_public_data(db.session)
        paths = _page_paths(data)
        ids = [data.demo.id, data.service("Blacon Food Bank").id, data.refuge.id]
        live = create_shared_list(db.session, ids, days=28)
        expired = create_shared_list(db.session, ids, days=1, now=utcnow() - timedelta(days=2))
        db.session.commit()
        paths |= {
            "demo_id": data.demo.id,
            "food_bank_id": data.service("Blacon Food Bank").id,
            "silver_line_id": data.service("Silver Line Chester").id,
            "shared": f"/my-list/shared/{live.token}",
            "shared_expired": f"/my-list/shared/{expired.token}",
        }
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Absolute links (share links, emails) come from PUBLIC_BASE_URL: the live server's own.
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", paths)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["database"].engine.dispose()


def fill_list(page, site: Site) -> None:
    """A list as a link worker leaves it: a demo lunch club with a note, a food bank, a phone
    line. Posted through the page's own cookie jar, as the buttons would."""
    for key in ("demo_id", "food_bank_id", "silver_line_id"):
        page.request.post(site.url("/my-list/add"), form={"service_id": site.pages[key]})
    page.request.post(site.url(f"/my-list/{site.pages['demo_id']}/note"), form={"note": NOTE})


def _describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in violations
    )


def check_page(page, name: str, width: int) -> None:
    violations = run_axe(page)
    screenshot(page, f"mylist-{name}-{width}")
    assert violations == [], _describe(violations)
    assert page.problems == []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name} scrolls sideways at {width}px ({scroll_width}px)"


FILLED_PAGES = {
    "list": ("/my-list", 200),
    "note": ("/my-list/{demo_id}/note", 200),
    "clear": ("/my-list/clear", 200),
    "handover": ("/my-list/print", 200),
    "easy-read": ("/my-list/easy-read", 200),
    "email": ("/my-list/email", 200),
    "share": ("/my-list/share", 200),
}
OPEN_PAGES = {
    "empty": ("/my-list", 200),
    "shared": ("{shared}", 200),
    "shared-created": ("{shared}?created=1", 200),
    "expired": ("{shared_expired}", 410),
    "link-not-found": ("/my-list/shared/" + "x" * 43, 404),
}


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("name", [*FILLED_PAGES, *OPEN_PAGES])
def test_no_accessibility_violations(open_page, site: Site, name: str, width: int):
    page = open_page(width=width)
    if name in FILLED_PAGES:
        fill_list(page, site)
    path, status = {**FILLED_PAGES, **OPEN_PAGES}[name]
    response = page.goto(site.url(path.format(**site.pages)))
    assert response.status == status
    page.wait_for_load_state("load")
    check_page(page, name, width)


def test_form_errors_and_email_sent_are_accessible(open_page, site: Site, inbox: Inbox):
    page = open_page(width=320)
    fill_list(page, site)
    page.goto(site.url("/my-list/email"))
    page.get_by_role("button", name="Send email").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error: ")
    check_page(page, "email-error", 320)
    page.goto(site.url(f"/my-list/{site.pages['demo_id']}/note"))
    page.get_by_label("Your note").fill("x" * 201)
    page.get_by_role("button", name="Save note").click()
    page.locator(".govuk-error-summary").wait_for()
    assert (
        "Your note must be 200 characters or fewer"
        in page.locator(".govuk-error-summary").inner_text()
    )
    check_page(page, "note-error", 320)
    sent_before = len(inbox.messages)
    page.goto(site.url("/my-list/email"))
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_role("button", name="Send email").click()
    page.wait_for_url("**/my-list/email/sent")
    assert len(inbox.messages) == sent_before + 1
    check_page(page, "email-sent", 320)


def tab_to(page, pattern: str | None = None, *, selector: str | None = None) -> None:
    """Press Tab until the focused element's text matches ``pattern`` (or it matches the CSS
    ``selector``), as a keyboard user moves through the page."""
    wanted = re.compile(pattern) if pattern else None
    for _ in range(120):
        page.keyboard.press("Tab")
        if selector and page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        label = page.evaluate("() => (document.activeElement.innerText || '').trim()")
        if wanted and wanted.search(label):
            return
    pytest.fail(f"never reached {pattern or selector!r} with the Tab key")


def press_enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_whole_journey_by_keyboard(open_page, site: Site, javascript: bool):
    page = open_page(width=1280, javascript=javascript)
    page.goto(site.url("service"))
    service_name = page.locator("h1").inner_text()

    tab_to(page, r"^Add to my list")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == service_name, "back on the service page"

    tab_to(page, r"^My list \(1\)$")
    press_enter_and_wait(page)
    assert page.url.endswith("/my-list")
    assert service_name in page.locator(".govuk-summary-card__title").first.inner_text()

    tab_to(page, r"^Add a note")
    press_enter_and_wait(page)
    tab_to(page, selector="textarea#note")
    page.keyboard.type(NOTE)
    tab_to(page, r"^Save note$")
    press_enter_and_wait(page)
    assert "/my-list" in page.url
    banner = page.locator(".govuk-notification-banner--success")
    assert f"Saved your note for {service_name}" in banner.inner_text()
    assert NOTE in page.locator(".app-mylist-note").first.inner_text()

    tab_to(page, r"^Print your list$")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == "Your list of services"
    assert NOTE in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Print this page").is_visible() is javascript

    tab_to(page, r"^Easy Read version$")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == "My list of services"
    assert (
        "This is a demonstration listing. It is not a real service."
        in page.locator("main").inner_text()
    )
    if not javascript:
        assert "js-enabled" not in (page.get_attribute("body", "class") or "")


def test_print_styles(open_page, site: Site):
    page = open_page(width=1280)
    fill_list(page, site)
    page.goto(site.url("/my-list/print"))
    page.emulate_media(media="print")
    for selector in (
        ".govuk-template__header",
        ".govuk-service-navigation",
        ".govuk-footer",
        ".govuk-back-link",
        ".app-no-print",
    ):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("h1").is_visible()
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.app-handover__details')).fontSize)"
    )
    assert size >= 18.6, f"printed text is {size}px, under 14pt"
    assert NOTE in page.locator("main").inner_text()


def test_printed_sheet_uses_the_paper_width_and_lines_up_its_labels(open_page, site: Site):
    """On paper the sheet was squeezed into the screen's two-thirds column, and each service
    sized its own label column, so the facts jumped left and right from one to the next."""
    page = open_page(width=1000)
    fill_list(page, site)
    page.goto(site.url("/my-list/print"))
    page.emulate_media(media="print")
    main = page.locator("main").bounding_box()
    sheet = page.locator(".app-handover__service").first.bounding_box()
    assert sheet["width"] >= 0.95 * main["width"], (sheet, main)
    starts = page.evaluate(
        "[...document.querySelectorAll('.app-handover__details dd')]"
        ".map(dd => Math.round(dd.getBoundingClientRect().left))"
    )
    assert len(starts) > 6 and len(set(starts)) == 1, starts


@pytest.mark.parametrize(("width", "smallest"), [(320, 19), (1280, 24)])
def test_easy_read_layout(open_page, site: Site, width: int, smallest: int):
    page = open_page(width=width)
    fill_list(page, site)
    page.goto(site.url("/my-list/easy-read"))
    sentences = page.locator(".app-easy-read__sentence")
    assert sentences.count() > 20
    for index in range(sentences.count()):
        sentence = sentences.nth(index)
        size = float(sentence.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
        assert size >= smallest
        icon = sentence.locator("svg")
        if icon.count():
            assert icon.get_attribute("aria-hidden") == "true"
            text_box = sentence.locator(".app-easy-read__text").bounding_box()
            assert icon.bounding_box()["x"] + icon.bounding_box()["width"] <= text_box["x"]
    heading = float(
        page.locator("h2").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    )
    assert heading > smallest


def test_copy_link_button_needs_javascript(open_page, site: Site):
    with_js = open_page(width=320)
    with_js.goto(site.url(site.pages["shared"] + "?created=1"))
    assert with_js.get_by_role("button", name="Copy link").is_visible()
    without = open_page(width=320, javascript=False)
    without.goto(site.url(site.pages["shared"] + "?created=1"))
    assert not without.get_by_role("button", name="Copy link").is_visible()
    assert without.get_by_label("Link to this list").input_value().startswith(site.base_url)
