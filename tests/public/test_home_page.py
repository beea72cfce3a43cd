"""The home page's "Places you can go" on the real seed data: distances only from a place the
person gave, demonstration places marked, and the small form that brings them back here."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.public.test_search_page import get, seeded_site, text_of


@pytest.fixture(scope="module")
def client():
    return seeded_site().app.test_client()


def _places(html: str) -> str:
    return html.split('id="places"', 1)[1].split("<footer", 1)[0]


def test_no_distances_until_the_person_says_where_they_are(client):
    """From the middle of the home area, "Less than 0.1 miles away" would be read as "from
    me" by someone who has not said where they are."""
    places = text_of(_places(get(client, "/")))
    assert "Chester Community Hub" in places
    assert "miles away" not in places and "mile away" not in places
    assert "Places you can go near" not in text_of(get(client, "/"))


def test_distances_from_the_place_typed(client):
    places = text_of(_places(get(client, "/?where=CH65+0AA")))
    assert re.search(
        r"Ellesmere Port Community Hub Demonstration (Less than )?0\.1 miles away", places
    )


#: The hubs the product brief names: real places, so never marked as demonstrations.
REAL_HUBS = ("The Bluecoat", "Ellesmere Port Women's Centre", "Blacon Playing Fields")


def test_demonstration_places_are_marked_in_the_lists(client):
    """Every seeded place is a demonstration except the brief's real hubs."""
    html = _places(get(client, "/"))
    items = re.findall(r'<li class="app-card-list__item">(.*?)</li>', html, re.S)
    assert len(items) == 6
    for item in items:
        real = any(name in unescape(item) for name in REAL_HUBS)
        assert (">Demonstration</strong>" in item) is not real, item
    hubs = get(client, "/hubs")
    places = hubs.count('<li class="app-card-list__item">')
    assert hubs.count(">Demonstration</strong>") == places - len(REAL_HUBS)


def test_show_places_form_comes_back_to_the_places(client):
    html = get(client, "/")
    assert re.search(r'<form method="get" action="/#places"', html)
    assert 'id="places"' in html


def test_lets_talk_links_use_one_name(client):
    text = text_of(get(client, "/"))
    assert "See all Let's Talk sessions" in text and "Let's Talk sites" not in text


def test_hub_list_nearest_first_from_a_place(client):
    """A link worker asking "which hub is nearest to this person?" gets the whole list."""
    text = text_of(get(client, "/hubs?where=CH65+0AA"))
    assert "13 places, nearest to CH65 0AA first." in text
    order = [
        text.index(name)
        for name in (
            "Ellesmere Port Community Hub",
            "Chester Community Hub",
            "Worcester Community Hub",
        )
    ]
    assert order == sorted(order)
    assert re.search(
        r"Ellesmere Port Community Hub Demonstration (Less than )?0\.1 miles away", text
    )


def test_hub_list_by_name_when_the_place_is_unknown(client):
    text = text_of(get(client, "/lets-talk?where=Nowheresville+Under+Sea"))
    assert "We could not find a place called 'Nowheresville Under Sea'" in text
    assert "7 places, in alphabetical order." in text and "miles away" not in text


def test_home_page_lists_lead_on_to_the_full_lists_near_the_same_place(client):
    html = get(client, "/?where=CH65+0AA")
    assert 'href="/hubs?where=CH65+0AA">See all community hubs, nearest first' in html
    assert 'href="/lets-talk?where=CH65+0AA">See all Let\'s Talk sessions, nearest first' in html
    assert 'href="/hubs">See all community hubs</a>' in get(client, "/")
