"""The search pages in real Chromium over the seed data: no WCAG 2.2 AA violations found by
axe-core on the home page, each guided question (with and without errors), results (with the
map open too), zero results and urgent results; searching and the guided journey by keyboard
alone, with and without JavaScript; the map as an enhancement that needs no tiles.
Screenshots of the home and results pages at 320 and 1280 px go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.browser.conftest import Site, run_axe, screenshot
from tests.public.test_search_page import make_app, seeded_site

pytestmark = pytest.mark.browser

PAGES = {
    "search-home": "/",
    "search-home-near": "/?where=CH65+0AA",
    "hubs-near": "/hubs?where=CH65+0AA",
    "guided-needs": "/find-help",
    "guided-needs-error": "/find-help?answered=yes",
    "guided-who": "/find-help/who?need=money&need=urgent",
    "guided-who-error": "/find-help/who?need=money&answered=yes",
    "guided-where": "/find-help/where?need=money&who=carer&age=older_people",
    "guided-where-error": "/find-help/where?need=money&who=me&age=adults&answered=yes",
    "search-results": "/search?q=lonely&where=CH1+2HJ",
    "search-results-filtered": "/search?where=Chester&need=money&need=debt-advice&free=yes",
    "search-results-paged": "/search?where=CH1+2HJ&sort=distance&page=2",
    "search-zero": "/search?q=zzzzqq&need=money&where=CH65+0AA",
    "search-urgent": "/search?q=my+partner+hits+me",
    "search-place-unknown": "/search?q=food&where=Chestr",
}


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    """This module's own live server: the seeded site (overrides the public-pages one)."""
    seeded = seeded_site()
    app = make_app(seeded.database_url, seeded.index_dir)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", PAGES)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["database"].engine.dispose()


def _describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in violations
    )


def _focus(page, selector: str, limit: int = 60) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never received the focus by tabbing")


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_accessibility_violations(open_page, site, name, width):
    page = open_page(width=width)
    response = page.goto(site.url(name))
    assert response.status == 200
    page.wait_for_load_state("load")
    violations = run_axe(page)
    if name in ("search-home", "search-results"):
        screenshot(page, f"{name}-{width}")
    assert violations == [], _describe(violations)
    assert page.problems == []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name} scrolls sideways at {width}px ({scroll_width}px wide)"


@pytest.mark.parametrize("javascript", [True, False])
def test_search_to_results_by_keyboard(open_page, site, javascript):
    page = open_page(width=1280, javascript=javascript)
    page.goto(site.url("/"))
    _focus(page, "#q")
    page.keyboard.type("lonely")
    page.keyboard.press("Tab")
    page.keyboard.type("CH1 2HJ")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?*")
    heading = page.locator("h1").inner_text()
    assert heading.endswith("results for \u2018lonely\u2019 near CH1 2HJ")
    assert page.locator("#q").input_value() == "lonely"
    _focus(page, "ol.app-card-list a")
    name = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.wait_for_url("**/services/**")
    assert page.locator("h1").inner_text() == name
    assert page.problems == []


@pytest.mark.parametrize("javascript", [True, False])
def test_filters_by_keyboard(open_page, site, javascript):
    page = open_page(width=320, javascript=javascript)
    page.goto(site.url("/search?where=Chester"))
    before = page.locator("h1").inner_text()
    _focus(page, "a[href='#filters']")
    page.keyboard.press("Enter")
    _focus(page, "input[name=free]")
    page.keyboard.press("Space")
    _focus(page, "#filters button")
    page.keyboard.press("Enter")
    page.wait_for_url("**free=yes**")
    after = page.locator("h1").inner_text()
    assert int(after.split()[0]) < int(before.split()[0])
    assert page.locator("input[name=free]").is_checked()


@pytest.mark.parametrize("javascript", [True, False])
def test_guided_journey_by_keyboard(open_page, site, javascript):
    page = open_page(width=320, javascript=javascript)
    page.goto(site.url("/"))
    _focus(page, "a.govuk-button--start")
    page.keyboard.press("Enter")
    page.wait_for_url("**/find-help")
    _focus(page, "form button")
    page.keyboard.press("Enter")
    page.wait_for_url("**answered=yes**")
    assert page.title().startswith("Error:")
    if javascript:
        assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    _focus(page, "input[value=money]")
    page.keyboard.press("Space")
    _focus(page, "form button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/find-help/who?need=money")
    _focus(page, "input[name=who]")
    page.keyboard.press("Space")
    _focus(page, "input[name=age]")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    _focus(page, "form button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/find-help/where?**")
    _focus(page, "#where")
    page.keyboard.type("CH65 0AA")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?**")
    assert page.locator("h1").inner_text().endswith("Money, debt and benefits near CH65 0AA")
    page.go_back()
    page.go_back()
    assert page.locator("input[value=older_people]").is_checked()


def test_urgent_help_comes_first_in_the_journey(open_page, site):
    page = open_page(width=320, javascript=False)
    page.goto(site.url("/find-help"))
    page.locator("input[value=urgent]").check()
    page.locator("form button").click()
    page.wait_for_url("**/find-help/who?need=urgent")
    main = page.locator("main")
    assert main.locator("a[href='tel:999']").first.is_visible()
    first = page.evaluate(
        "document.querySelector('main').innerText.indexOf('If you are in danger now, call 999')"
    )
    assert 0 <= first < page.evaluate("document.querySelector('main').innerText.indexOf('Who is')")


def test_map_shows_the_results_without_tiles(open_page, site):
    page = open_page(width=1280)
    page.goto(site.url("search-results"))
    button = page.locator("[data-app-map-toggle]")
    assert button.is_visible()
    assert not page.locator("#results-map").is_visible()
    points = len(page.evaluate("JSON.parse(document.querySelector('#results-map').dataset.points)"))
    button.click()
    assert page.locator("#results-map").is_visible()
    assert button.get_attribute("aria-expanded") == "true"
    markers = page.locator("#results-map .leaflet-marker-icon")
    # Services too close to tell apart share one marker whose popup lists them all.
    assert 0 < markers.count() <= points
    titles = page.evaluate(
        "[...document.querySelectorAll('#results-map .leaflet-marker-icon')].map(m => m.title)"
    )
    shared = sum(int(t.split(" ", 1)[0]) for t in titles if " services here: " in t)
    assert shared + sum(1 for t in titles if " services here: " not in t) == points
    violations = run_axe(page)
    assert violations == [], _describe(violations)
    markers.first.click()
    assert page.locator(".leaflet-popup a[href^='/services/']").first.is_visible()
    button.click()
    assert not page.locator("#results-map").is_visible()
    assert page.problems == []


def test_without_javascript_there_is_no_map_button(open_page, site):
    page = open_page(width=320, javascript=False)
    page.goto(site.url("search-results"))
    assert not page.locator("[data-app-map-toggle]").is_visible()
    assert page.locator("ol.app-card-list > li").count() == int(
        page.locator("h1").inner_text().split()[0]
    )


@pytest.mark.parametrize("javascript", [True, False])
def test_adding_a_result_keeps_the_place_in_the_list(open_page, site, javascript):
    """A link worker adding the fifth result comes back to it, marked "On your list", not to
    the top of the page above the search form (and, with JavaScript, the success banner does
    not pull the page back up by taking the focus)."""
    page = open_page(width=320, javascript=javascript)
    page.goto(site.url("search-results"))
    fifth = page.locator("ol.app-card-list > li").nth(4)
    fifth.get_by_role("button", name="Add to my list").click()
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)
    fifth = page.locator("ol.app-card-list > li").nth(4)
    assert page.evaluate("window.scrollY") > 1000
    top = fifth.bounding_box()["y"]
    assert 0 <= top < 100, f"the result added is {top}px from the top of the window"
    assert "On your list" in fifth.inner_text()
    assert fifth.get_by_role("button", name="Remove from my list").is_visible()
