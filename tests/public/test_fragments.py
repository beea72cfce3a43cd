"""Rendered pieces kept for reuse (directory/public/fragments.py) and the filter choices made in
Python (directory/public/filter_markup.py): a kept piece never outlives what it shows, pieces
made from different inputs are never shared, the cache stays within its size, and the filter
markup is what the template's macro made."""

from __future__ import annotations

import re

from flask import Flask, render_template_string
from flask.testing import FlaskClient

from directory.db import db
from directory.models import Service
from directory.public.filter_markup import filter_choices
from directory.public.fragments import FragmentCache
from directory.public.search_forms import FilterItem
from tests.public.conftest import PublicData

CALL = '{% call fragment("piece", *key) %}<p>{{ text }}</p>{% endcall %}'


def test_an_edited_listing_shows_its_new_card_on_the_next_page(
    client: FlaskClient, data: PublicData
) -> None:
    service = data.service("Blacon Food Bank")
    first = client.get("/search?q=food").get_data(as_text=True)
    assert "Blacon Food Bank" in first
    cache = client.application.extensions["fragments"]
    assert len(cache) > 0  # the cards were kept
    with client.application.app_context():
        edited = db.session.get(Service, service.id)
        edited.name = "Blacon Community Food Bank"
        edited.description = "Food parcels and a community larder every Friday afternoon."
        db.session.commit()
    again = client.get("/search?q=food").get_data(as_text=True)
    card = again.split(f'id="result-{service.id}', 1)[1].split("</li>\n", 1)[0]
    assert "Blacon Community Food Bank" in card
    assert "community larder" in card
    assert ">Blacon Food Bank<" not in again


def test_the_same_listing_with_other_words_or_places_gets_its_own_card(
    client: FlaskClient, data: PublicData
) -> None:
    """The summary's highlighted words and the distance are part of the key."""
    service = data.service("Blacon Food Bank")
    near = client.get("/search?q=food&where=CH1+4BJ").get_data(as_text=True)
    plain = client.get("/search?q=food").get_data(as_text=True)
    anchor = f'id="result-{service.id}'

    def card(html: str) -> str:
        return html.split(anchor, 1)[1].split("</li>\n", 1)[0]

    assert "miles away" in card(near) or "mile away" in card(near)
    assert "away" not in card(plain)


def test_pieces_with_different_keys_are_never_shared(app: Flask) -> None:
    """A new index generation or another language is another key: its own piece."""
    with app.test_request_context("/"):
        first = render_template_string(CALL, key=("gen-1", "en-GB", "s1"), text="Old name")
        kept = render_template_string(CALL, key=("gen-1", "en-GB", "s1"), text="ignored")
        other_generation = render_template_string(
            CALL, key=("gen-2", "en-GB", "s1"), text="New name"
        )
        other_language = render_template_string(CALL, key=("gen-1", "cy-GB", "s1"), text="Hen enw")
    assert first == kept == "<p>Old name</p>"
    assert other_generation == "<p>New name</p>"
    assert other_language == "<p>Hen enw</p>"


def test_the_cache_keeps_at_most_its_size_and_drops_the_least_used() -> None:
    cache = FragmentCache(size=3)
    made: list[str] = []

    def render(key: str) -> str:
        return str(cache(key, caller=lambda: made.append(key) or f"<p>{key}</p>"))

    for key in ("a", "b", "c", "a", "d", "e"):
        render(key)
    assert len(cache) == 3
    assert made == ["a", "b", "c", "d", "e"]  # "a" was kept when asked again
    render("a")  # used recently, still kept
    render("b")  # dropped when "d" came: made again
    assert made == ["a", "b", "c", "d", "e", "b"]
    assert (cache.hits, cache.misses) == (2, 6)


#: The macro templates/search/filters.html used before the choices were made in Python.
MACRO = """{% macro choice(kind, group, item, id) %}
  <div class="govuk-{{ kind }}__item">
    <input class="govuk-{{ kind }}__input" id="{{ id }}" name="{{ group.name }}" type="{{ 'checkbox' if kind == 'checkboxes' else 'radio' }}" value="{{ item.value }}"
      {{- " checked" if item.checked }}{% if item.children %} data-aria-controls="conditional-{{ id }}"{% endif %}>
    <label class="govuk-label govuk-{{ kind }}__label" for="{{ id }}">{{ item.text }}</label>
  </div>
  {% if item.children %}
    <div class="govuk-checkboxes__conditional{% if not item.checked %} govuk-checkboxes__conditional--hidden{% endif %}" id="conditional-{{ id }}">
      <div class="govuk-form-group">
        <fieldset class="govuk-fieldset">
          <legend class="govuk-fieldset__legend"><span class="govuk-visually-hidden">Narrow down {{ item.label }}</span></legend>
          <div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">
            {% for child in item.children %}
              {{ choice("checkboxes", group, child, id ~ "-" ~ loop.index) }}
            {% endfor %}
          </div>
        </fieldset>
      </div>
    </div>
  {% endif %}
{% endmacro %}
{% for item in items %}{{ choice(kind, group, item, prefix ~ ("-" ~ loop.index if loop.index > 1 else "")) }}{% endfor %}"""  # noqa: E501


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


def test_filter_choices_are_the_macros_markup(app: Flask) -> None:
    money = FilterItem("money", "Money & <debt>", 12, True)
    money.children = [
        FilterItem("debt-advice", "Debt advice", 4, True),
        FilterItem('say "hi"', "Benefits", 0, False),
    ]
    food = FilterItem("food", "Food", 1234, False)
    food.children = [FilterItem("food-banks", "Food banks", 3, False)]
    cases = [
        ("checkboxes", "need", [money, food, FilterItem("x", "Lonely", None, False)]),
        (
            "radios",
            "age",
            [FilterItem("", "Any age", None, True), FilterItem("6", "65+", 2, False)],
        ),
    ]
    with app.test_request_context("/search"):
        for kind, name, items in cases:
            group = {"name": name}
            prefix = f"filter-{name}"
            macro = render_template_string(
                MACRO, kind=kind, group=group, items=items, prefix=prefix
            )
            assert _squeezed(filter_choices(kind, name, items, prefix)) == _squeezed(macro)
