"""The results page's cheaper parts keep their markup and meaning (issue 14, scope 1): the
search boxes written out in the template are GOV.UK Frontend's text input exactly, one state
serves every "Add to my list" button on a page, and the ``Server-Timing`` header is there only
when ``SERVER_TIMING`` asks for it."""

from __future__ import annotations

import re

from flask import Flask, render_template_string
from flask.testing import FlaskClient

from directory.public.forms import SearchForm
from tests.public.conftest import PublicData

COMPONENT = """
    <div class="app-search-form__fields">
      {{ form.q(params={"classes": "govuk-!-width-full", "label": {"classes": "govuk-label--s"}, "spellcheck": true, "autocomplete": "off"}) }}
      {{ form.where(params={"classes": "govuk-!-width-full", "label": {"classes": "govuk-label--s"}, "autocomplete": "postal-code", "spellcheck": false, "attributes": {"data-place-suggest": url_for('places.lookup')}}) }}
      <button type="submit" class="govuk-button" data-module="govuk-button">Search</button>
    </div>"""  # noqa: E501 - the form as it was made with govuk-frontend-wtf
WRITTEN_OUT = '{% from "components/search_form.html" import search_form %}{{ search_form(form) }}'


def _fields(html: str) -> str:
    match = re.search(r'<div class="app-search-form__fields">.*?</button>\s*</div>', html, re.S)
    assert match, html
    return match.group(0)


def test_search_boxes_are_the_govuk_component_character_for_character(app: Flask) -> None:
    values = [("", ""), ('food "bank" <b>', "CH1 2HJ"), ("debt & money", "Ellesmere Port")]
    with app.test_request_context("/search"):
        for q, where in values:
            form = SearchForm(formdata=None, data={"q": q, "where": where})
            component = render_template_string(COMPONENT, form=form)
            written = render_template_string(WRITTEN_OUT, form=form)
            assert _fields(written) == _fields(component)


def test_add_buttons_on_a_results_page_share_one_state(
    client: FlaskClient, data: PublicData
) -> None:
    """Every button carries the page's own path back and the visitor's CSRF token; the one
    already on the list says so and offers removal."""
    service = data.service("Blacon Food Bank")
    assert client.post("/my-list/add", data={"service_id": service.id}).status_code == 303
    client.application.config["WTF_CSRF_ENABLED"] = True
    html = client.get("/search?q=food").get_data(as_text=True)
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
    assert len(tokens) == 1
    backs = re.findall(r'name="next" value="([^"#]+)#result-', html)
    assert backs and set(backs) == {"/search?q=food"}
    assert html.count("Remove from my list") == html.count(f'value="{service.id}"') >= 1
    assert "Add to my list" in html


def test_no_server_timing_header_unless_asked(client: FlaskClient, data: PublicData) -> None:
    assert "Server-Timing" not in client.get("/search?q=food").headers
    assert "Server-Timing" not in client.get("/").headers
    client.application.config["SERVER_TIMING"] = True
    client.application.extensions["page_cache"].clear()  # rendered, not kept from above
    timing = client.get("/search?q=food").headers["Server-Timing"]
    parts = dict(re.findall(r"(\w+);dur=([0-9.]+)", timing))
    assert set(parts) == {"search", "page", "render", "app"}
    assert float(parts["app"]) >= float(parts["render"])
    assert "Server-Timing" in client.get("/").headers
    # The same page again comes from the page cache, and says so.
    again = dict(
        re.findall(r"(\w+);dur=([0-9.]+)", client.get("/search?q=food").headers["Server-Timing"])
    )
    assert set(again) == {"cached", "app"}


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def test_results_pagination_is_the_govuk_component(app: Flask) -> None:
    from directory.public.search_params import page_links, parse_args

    component = (
        '{% from "govuk_frontend_jinja/components/pagination/macro.html" import govukPagination %}'
        "{{ govukPagination(links) }}"
    )
    written = '{% from "search/pagination.html" import results_pagination %}'
    written += "{{ results_pagination(links) }}"
    params = parse_args({"q": 'food & "drink"', "where": "CH1 2HJ"})
    with app.test_request_context("/search"):
        for page, pages in ((1, 2), (2, 11), (6, 11), (11, 11), (1, 3)):
            links = page_links(params, page, pages, "/search")
            assert _squeezed(render_template_string(written, links=links)) == _squeezed(
                render_template_string(component, links=links)
            )
