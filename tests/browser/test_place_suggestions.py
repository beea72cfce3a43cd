"""Place suggestions in the "where" box (place_suggest.js and GET /places/lookup) in real
Chromium: offered as someone types, usable to search, accessible by axe, and absent without
JavaScript (the box is then a plain text field)."""

from __future__ import annotations

from tests.browser.conftest import run_axe, screenshot

SUGGESTIONS = "#where-suggestions option"


def _type_place(page, text: str) -> list[str]:
    page.locator("#where").fill("")
    page.locator("#where").press_sequentially(text, delay=30)
    page.locator(SUGGESTIONS).first.wait_for(state="attached")
    return page.eval_on_selector_all(SUGGESTIONS, "options => options.map(o => o.value)")


def test_typing_a_local_name_suggests_it_first(open_page, site):
    page = open_page(width=1280)
    page.goto(site.url("/search?q=lonely"))
    page.wait_for_load_state("load")
    assert page.locator("#where").get_attribute("list") == "where-suggestions"
    labels = _type_place(page, "Upt")
    assert labels[0] == "Upton, Chester"
    assert "Upton, Wakefield" in labels
    status = page.locator("#where-suggestions + [role=status]")
    assert status.inner_text().endswith("places suggested")
    violations = run_axe(page)
    screenshot(page, "place-suggestions-1280")
    assert violations == [], violations
    assert page.problems == []


def test_a_suggestion_searches_that_place(open_page, site):
    page = open_page(width=320)
    page.goto(site.url("/search?q=lonely"))
    labels = _type_place(page, "whitby")
    assert labels[0] == "Whitby, Ellesmere Port"
    page.locator("#where").fill(labels[0])
    page.locator("#where").press("Enter")
    page.wait_for_url("**/search?*")
    assert "near Whitby" in page.locator("h1").inner_text()
    assert page.problems == []


def test_without_javascript_the_box_is_unchanged(open_page, site):
    page = open_page(width=1280, javascript=False)
    page.goto(site.url("/search?q=lonely"))
    assert page.locator("#where").get_attribute("list") is None
    assert page.locator("datalist").count() == 0
    page.locator("#where").fill("Lache")
    page.locator("#where").press("Enter")
    page.wait_for_url("**/search?*")
    assert "near Lache" in page.locator("h1").inner_text()
