"""Every public page type in real Chromium: no WCAG 2.2 AA violations found by axe-core, at
phone and desktop widths, with and without JavaScript; keyboard order; the quick exit; the map
as an enhancement only. Screenshots go to ``test-artifacts/screenshots/``."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    EXIT_PAGE,
    as_without_javascript,
    run_axe,
    screenshot,
    without_our_scripts,
)

pytestmark = pytest.mark.browser

PAGE_NAMES = [
    "home",
    "service",
    "service_closed",
    "service_safety",
    "report",
    "report_sent",
    "organisation",
    "place",
    "place_empty",
    "hubs",
    "lets_talk",
    "cover_your_tracks",
    "accessibility",
    "cookies",
    "privacy",
    "not_found",
]


def _describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in violations
    )


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_no_accessibility_violations(open_page, site, name, width):
    page = open_page(width=width)
    response = page.goto(site.url(name))
    assert response.status == (404 if name == "not_found" else 200)
    page.wait_for_load_state("load")
    violations = run_axe(page)
    screenshot(page, f"{name}-{width}")
    assert violations == [], _describe(violations)
    assert page.problems == []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name} scrolls sideways at {width}px ({scroll_width}px wide)"


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_pages_work_without_javascript(open_page, site, name):
    page = open_page(width=320, javascript=False)
    response = page.goto(site.url(name))
    assert response.status == (404 if name == "not_found" else 200)
    assert "js-enabled" not in (page.get_attribute("body", "class") or "")
    assert page.locator("h1").count() == 1
    assert page.locator("h1").is_visible()
    assert page.locator(".govuk-service-navigation__list").is_visible()
    assert page.locator(".app-map--ready").count() == 0
    screenshot(page, f"{name}-320-no-js")

    checked = open_page(width=320)
    without_our_scripts(checked)
    checked.goto(site.url(name))
    as_without_javascript(checked)
    violations = run_axe(checked)
    assert violations == [], _describe(violations)
    assert checked.problems == []


def test_report_form_errors_are_accessible(open_page, site):
    page = open_page(width=320)
    page.goto(site.url("report"))
    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state("load")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error: ")
    focused = page.evaluate("document.activeElement.className")
    assert "govuk-error-summary" in focused, "the error summary takes focus (JavaScript on)"
    page.get_by_role("link", name="Enter what is wrong with this page").click()
    assert page.evaluate("document.activeElement.id") == "problem"
    violations = run_axe(page)
    screenshot(page, "report-errors-320")
    assert violations == [], _describe(violations)


def test_keyboard_reaches_skip_link_then_header_then_search(open_page, site):
    page = open_page(width=1280)
    page.goto(site.url("home"))
    order = []
    for _ in range(9):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                "(() => { const e = document.activeElement;"
                " return (e.getAttribute('name') || e.textContent || '').trim(); })()"
            )
        )
    assert order[0] == "Skip to main content"
    assert order[1] == "Find help in your community"
    assert order[2:5] == ["Search", "Community hubs", "Let's Talk"]
    assert "q" in order and "where" in order
    assert order.index("q") < order.index("where")
    page.goto(site.url("home"))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_focus_is_visible(open_page, site):
    page = open_page(width=1280)
    page.goto(site.url("service"))
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.backgroundColor, s.boxShadow, s.outlineStyle]; })()"
    )
    assert outline[0] == "rgb(255, 221, 0)" or outline[2] != "none", outline


def test_exit_this_page_by_button_and_by_shift_three_times(open_page, site):
    page = open_page(width=320)
    page.goto(site.url("service_safety"))
    button = page.get_by_role("button", name="Emergency Exit this page")
    assert button.is_visible()
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(EXIT_PAGE + "**")
    assert page.title() == "BBC Weather"

    without_js = open_page(width=320, javascript=False)
    without_js.goto(site.url("service_safety"))
    without_js.get_by_role("button", name="Emergency Exit this page").click()
    without_js.wait_for_url(EXIT_PAGE + "**")


def test_map_is_an_enhancement_only(open_page, site):
    page = open_page(width=1280)
    page.goto(site.url("place"))
    page.wait_for_selector(".app-map--ready .leaflet-marker-icon")
    assert page.locator(".leaflet-marker-icon").get_attribute("alt") == "Blacon Community Hub"
    assert page.get_by_text("CH1 5BE").is_visible()
    assert page.problems == []

    without_js = open_page(width=1280, javascript=False)
    without_js.goto(site.url("place"))
    assert not without_js.locator("[data-app-map]").is_visible()
    assert without_js.get_by_role(
        "link", name="Get directions to Blacon Community Hub"
    ).is_visible()


def test_navigation_menu_collapses_on_a_phone(open_page, site):
    page = open_page(width=320)
    page.goto(site.url("home"))
    toggle = page.get_by_role("button", name="Menu")
    menu_link = page.locator("#navigation").get_by_role("link", name="Community hubs")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not menu_link.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert menu_link.is_visible()
