""" "Ask for help" in real headless Chromium: the whole journey to a request without
JavaScript (CSRF on, a real SMTP server), the "This is what I needed" path, the urgent help
branch with "Exit this page", and every page of the journey without WCAG 2.2 AA violations
(axe-core) at phone and desktop widths, with no sideways scrolling on a phone.

The site is the shared browser-test data (tests/public/conftest.py) served with CSRF on.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from directory import create_app
from directory.config import PROJECT_ROOT
from directory.db import db
from directory.help_requests.models import HelpRequest, SelfServed
from tests.browser.conftest import CHROMIUM_ARGS, EXIT_PAGE, run_axe  # noqa: F401
from tests.mylist.smtp import Inbox, mail_config, smtp_server
from tests.public.conftest import build_public_data

pytestmark = pytest.mark.browser

EMAIL = "asker@example.net"


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def ask_site(
    migrated_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, inbox: Inbox
) -> Iterator[tuple[str, object]]:
    if not (PROJECT_ROOT / "directory" / "static" / "dist" / "manifest.json").exists():
        pytest.fail("The CSS and JavaScript are not built: run `make assets` first.")
    folder = tmp_path_factory.mktemp("ask-site")
    db_path = folder / "directory.sqlite"
    shutil.copy(migrated_sqlite_template, db_path)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-ask-secret",
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SEARCH_INDEX_DIR": str(folder / "search_index"),
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": False,
            **mail_config(inbox),
        }
    )
    with app.app_context():
        build_public_data(db.session)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["database"].engine.dispose()


@pytest.fixture
def new_page(browser, ask_site):
    base_url, _ = ask_site
    contexts = []

    def make(width: int = 1280, javascript: bool = True):
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            java_script_enabled=javascript,
            base_url=base_url,
        )
        contexts.append(context)
        context.route(
            lambda url: not url.startswith(base_url),
            lambda route: (
                route.fulfill(status=200, content_type="text/html", body="<title>BBC</title>")
                if route.request.url.startswith(EXIT_PAGE)
                else route.abort()
            ),
        )
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
        page.on(
            "console",
            lambda m: page.problems.append(m.text) if "Content Security Policy" in m.text else None,
        )
        return page

    yield make
    for context in contexts:
        context.close()


def rows(app, model) -> list:
    with app.app_context():
        found = list(db.session.scalars(select(model)))
        db.session.expunge_all()
        return found


def click(page, text: str) -> None:
    page.get_by_role("button", name=text, exact=True).first.click()
    page.wait_for_load_state()


def answer_up_to_services(page, visit=lambda label: None) -> None:
    """From the start page to the services, as a person would: labels, not field names.
    ``visit(label)`` is called on every page reached."""
    page.goto("/ask-for-help")
    visit(page.url)
    page.get_by_role("button", name="Start now").click()
    page.wait_for_load_state()
    visit(page.url)
    click(page, "Continue")  # nothing chosen: the error summary
    assert page.locator(".govuk-error-summary").is_visible()
    visit("safety, with its error")
    page.get_by_label("No", exact=True).check()
    click(page, "Continue")
    visit(page.url)
    page.get_by_label("Tell us in your own words").fill("I feel lonely and nobody ever visits me")
    click(page, "Continue")
    visit(page.url)
    assert "Is this what you need help with?" in page.inner_text("h1")
    click(page, "Continue")
    visit(page.url)
    page.get_by_label("Me", exact=True).check()
    click(page, "Continue")
    visit(page.url)
    page.get_by_label("What is your postcode?").fill("ch1 2hj")
    click(page, "Continue")
    visit(page.url)
    assert page.url.endswith("/ask-for-help/services")


def test_the_whole_journey_without_javascript_sends_a_request(new_page, ask_site, inbox):
    _, app = ask_site
    page = new_page(javascript=False)
    answer_up_to_services(page)
    assert "Services that could help you now" in page.inner_text("h1")
    assert page.locator(".app-card-list__item").count() >= 1
    click(page, "I still want someone to contact me")  # a link drawn as a button
    page.get_by_label("Your name").fill("Sam Asker")
    page.get_by_label("Email address (optional)").fill(EMAIL)
    page.get_by_label("By email").check()
    page.get_by_label("This week").check()
    click(page, "Continue")
    page.get_by_label("I agree to you keeping my answers").check()
    click(page, "Continue")
    assert "Check your answers" in page.inner_text("h1")
    assert "Sam Asker" in page.inner_text("main")
    click(page, "Send request")
    assert page.url.endswith("/ask-for-help/sent")
    reference = re.search(r"H2H-\w{4}-\w{2}", page.inner_text(".govuk-panel")).group(0)
    [request] = [r for r in rows(app, HelpRequest) if r.reference == reference]
    assert request.name == "Sam Asker" and request.email == EMAIL
    assert request.needs, "the words were mapped to a need"
    assert any(reference in m.message["Subject"] for m in inbox.messages)


def test_this_is_what_i_needed_keeps_nothing_about_the_person(new_page, ask_site):
    _, app = ask_site
    before = len(rows(app, SelfServed))
    page = new_page()
    answer_up_to_services(page)
    page.locator(".app-card-list__item").first.get_by_role("button").click()
    page.wait_for_load_state()
    assert "/ask-for-help/services" in page.url
    click(page, "This is what I needed")
    assert page.url.endswith("/ask-for-help/thank-you")
    assert "We are glad you found what you needed" in page.inner_text("h1")
    assert len(rows(app, SelfServed)) == before + 1
    assert "My list (1)" in page.inner_text("header")


def test_danger_goes_to_the_numbers_and_exit_this_page(new_page):
    page = new_page()
    page.goto("/ask-for-help/safety")
    page.get_by_label("Yes", exact=True).check()
    click(page, "Continue")
    assert page.url.endswith("/ask-for-help/urgent-help")
    main = page.inner_text("main")
    for number in ("999", "111", "116 123", "0808 2000 247"):
        assert number in main
    assert page.locator("form", has=page.locator("input:not([type=hidden])")).count() == 0
    page.get_by_role("button", name="Exit this page").click()
    page.wait_for_url(EXIT_PAGE + "**")


def _walk_everything(page, visit) -> None:
    """Every page of the journey, in order, each visited once (errors included)."""
    answer_up_to_services(page, visit)
    click(page, "I still want someone to contact me")  # a link drawn as a button
    click(page, "Continue")  # nothing filled in: every error
    visit("contact, with its errors")
    page.get_by_label("Your name").fill("Axe Tester")
    page.get_by_label("Phone number (optional)").fill("01632 960001")
    page.get_by_label("By phone", exact=True).check()
    page.get_by_label("Today").check()
    click(page, "Continue")
    visit(page.url)
    page.get_by_label("I agree to you keeping my answers").check()
    click(page, "Continue")
    visit(page.url)
    click(page, "Send request")
    visit(page.url)
    page.goto("/ask-for-help/urgent-help")
    visit(page.url)


@pytest.mark.parametrize("width", [320, 1280])
def test_every_page_has_no_accessibility_violations(new_page, width):
    """Each page as the journey reaches it (so with its answers), checked by axe-core."""
    page = new_page(width=width)
    problems = []
    seen = []

    def check(label: str) -> None:
        seen.append(label)
        violations = run_axe(page)
        if violations:
            problems.append((label, [(v["id"], v["nodes"]) for v in violations]))
        if width == 320:
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                problems.append((label, f"scrolls sideways by {overflow}px"))

    _walk_everything(page, check)
    assert len(seen) == 13, seen
    assert not problems, problems
    assert not page.problems, page.problems
