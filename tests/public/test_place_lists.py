"""The community hub and Let's Talk lists: each place with where it is, what is on there and
its next sessions; by council area and name, or nearest first from a place typed in.

The clock is pinned to a Tuesday morning (``place_lists.london_now``) so "Today" and "on now"
can be checked; the listings are the realistic public-page directory, where Blacon Community
Hub holds a Tuesday café (10am to midday) and a Friday food bank (midday to 3pm).
"""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.listings.opening import LONDON
from directory.listings.opening_occurrences import Occurrence
from directory.models import ListingStatus, LocationKind
from directory.public import place_lists, services
from directory.public.place_groups import services_held
from tests.factories import make_location, make_service
from tests.listings.fixtures.gazetteer import import_gazetteer  # noqa: F401
from tests.public.conftest import PublicData, page
from tests.public.test_search_page import seeded_site

#: Tuesday 9 December 2025, 11am: the Blacon café is on.
TUESDAY_11AM = datetime(2025, 12, 9, 11, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def pinned(app, import_gazetteer, monkeypatch):  # noqa: F811
    app.config["GAZETTEER_PATH"] = import_gazetteer
    monkeypatch.setattr(place_lists, "london_now", lambda: TUESDAY_11AM)


def _card_html(html: str, name: str) -> str:
    cards = re.findall(r'<li class="app-card-list__item">(.*?)</dl>\s*</li>', html, re.S)
    found = [card for card in cards if f">{name}</a></h" in unescape(card)]
    assert len(found) == 1, f"{name} is on the list once"
    return found[0]


def _words(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def _card(html: str, name: str) -> str:
    """The words of one place's card on a list page."""
    return _words(_card_html(html, name))


def _sessions(html: str, name: str) -> list[str]:
    """One place's "Next sessions", each as "Today, 10am to midday: Blacon Friendship Café"."""
    facts = _card_html(html, name).split(">Next sessions</dt>", 1)[1]
    return [_words(item).replace(" :", ":") for item in re.findall(r"<li>(.*?)</li>", facts, re.S)]


def test_a_hub_shows_where_it_is_what_is_on_and_its_next_sessions(client, data: PublicData):
    html = client.get("/hubs").get_data(as_text=True)
    card = _card(html, "Blacon Community Hub")
    assert "Where Western Avenue Chester CH1 5BE" in card
    assert "What's on Blacon Food Bank Blacon Friendship Café" in card
    assert _sessions(html, "Blacon Community Hub") == [
        "Today, 10am to midday (on now): Blacon Friendship Café",
        "Friday, midday to 3pm: Blacon Food Bank",
        "Tuesday 16 December, 10am to midday: Blacon Friendship Café",
        "Friday 19 December, midday to 3pm: Blacon Food Bank",
    ]
    assert '<time datetime="2025-12-09T10:00">Today, 10am to midday</time>' in html


def test_the_next_session_of_each_service_comes_before_repeats(client, session, data):
    """A daily drop-in must not push a hub's weekly groups off its card: each service's next
    session first, then repeats while there is room."""
    make_service(
        session,
        "Blacon Daily Drop-in",
        places=("blacon",),
        schedules=[{"byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "09:00", "at": "blacon"}],
    )
    session.commit()
    assert _sessions(client.get("/hubs").get_data(as_text=True), "Blacon Community Hub") == [
        "Today, 9am to midday (on now): Blacon Daily Drop-in",
        "Today, 10am to midday (on now): Blacon Friendship Café",
        "Tomorrow, 9am to midday: Blacon Daily Drop-in",
        "Friday, midday to 3pm: Blacon Food Bank",
    ]


def test_a_busy_place_whose_services_mostly_give_no_times_still_shows_repeats(
    client, session, data
):
    for name in ("Blacon Book Swap", "Blacon Advice Desk"):
        make_service(session, name, places=("blacon",), schedules=[])
    session.commit()
    assert _sessions(client.get("/hubs").get_data(as_text=True), "Blacon Community Hub") == [
        "Today, 10am to midday (on now): Blacon Friendship Café",
        "Friday, midday to 3pm: Blacon Food Bank",
        "Tuesday 16 December, 10am to midday: Blacon Friendship Café",
        "Friday 19 December, midday to 3pm: Blacon Food Bank",
    ]


def test_a_place_with_nothing_listed_says_so(client, data: PublicData):
    card = _card(client.get("/lets-talk").get_data(as_text=True), "Tarporley Let's Talk")
    assert "What's on Nothing is listed here yet." in card
    assert "Next sessions No sessions are listed yet." in card


def test_a_place_whose_services_give_no_times_says_so(client, session, data: PublicData):
    shop = make_service(session, "Upton Repair Shop", places=("upton",), schedules=[])
    shop.service_at_locations[0].location.kind = LocationKind.COMMUNITY_HUB
    session.commit()
    card = _card(client.get("/hubs").get_data(as_text=True), "Upton Village Hall")
    assert "What's on Upton Repair Shop" in card
    assert "Next sessions No session times are listed for this place." in card


def test_a_closed_service_is_marked_and_offers_no_sessions(client, session, data):
    cafe = data.service("Blacon Friendship Café")
    cafe.status = "temporarily closed"
    session.commit()
    html = client.get("/hubs").get_data(as_text=True)
    assert "Blacon Friendship Café Temporarily closed" in _card(html, "Blacon Community Hub")
    sessions = _sessions(html, "Blacon Community Hub")
    assert len(sessions) == place_lists.SESSIONS_SHOWN
    assert all(line.endswith(": Blacon Food Bank") for line in sessions)
    assert sessions[:2] == [
        "Friday, midday to 3pm: Blacon Food Bank",
        "Friday 19 December, midday to 3pm: Blacon Food Bank",
    ]


def test_by_area_then_name_without_a_place(client, session, data: PublicData):
    crewe = make_service(session, "Crewe Lunch Club", places=("crewe",))
    crewe.service_at_locations[0].location.kind = LocationKind.COMMUNITY_HUB
    session.commit()
    html = client.get("/hubs").get_data(as_text=True)
    headings = re.findall(r'<h2 class="govuk-heading-l[^"]*">([^<]+)</h2>', html)
    assert headings == ["Cheshire East", "Cheshire West and Chester"]
    west = html.split(">Cheshire West and Chester</h2>", 1)[1]
    names = re.findall(r'<h3 class="govuk-heading-m[^"]*"><a [^>]+>([^<]+)</a></h3>', west)
    assert names == ["Blacon Community Hub", "Northwich Memorial Court"]
    assert "places, in alphabetical order within each area." in page(client, "/hubs")


def test_nearest_first_from_a_place_with_the_area_on_each(client, data: PublicData):
    html = client.get("/hubs?where=CW9+5AA").get_data(as_text=True)
    text = page(client, "/hubs?where=CW9+5AA")
    assert "2 places, nearest to CW9 5AA first." in text
    names = re.findall(r'<h2 class="govuk-heading-m[^"]*"><a [^>]+>([^<]+)</a></h2>', html)
    assert names == ["Northwich Memorial Court", "Blacon Community Hub"]
    assert '<h2 class="govuk-heading-l' not in html
    card = _card(html, "Northwich Memorial Court")
    assert "Where Chester Way Northwich CW9 5AA Cheshire West and Chester" in card


def test_a_place_with_only_a_town_centre_point_says_its_distance_is_rough(
    client, session, data: PublicData
):
    hub = make_location(session, "neston", name="Neston Hub", kind=LocationKind.COMMUNITY_HUB)
    hub.addresses[0].postal_code = ""
    session.commit()
    text = page(client, "/hubs?where=CH64+3RL")
    assert re.search(r"Neston Hub (Less than )?0\.\d miles? away \(roughly: no full address", text)


def test_a_list_naming_a_domestic_abuse_service_offers_the_quick_exit(client, session, data):
    assert "govuk-exit-this-page" not in client.get("/hubs").get_data(as_text=True)
    refuge_place = data.refuge.service_at_locations[0].location
    refuge_place.kind = LocationKind.COMMUNITY_HUB
    session.commit()
    assert "govuk-exit-this-page" in client.get("/hubs").get_data(as_text=True)


def test_the_lists_hold_each_kind_only(client, data: PublicData):
    hubs, talk = page(client, "/hubs"), page(client, "/lets-talk")
    assert "Ellesmere Port Library" in talk and "Ellesmere Port Library" not in hubs
    assert "Blacon Community Hub" in hubs and "Blacon Community Hub" not in talk
    sessions = _sessions(client.get("/lets-talk").get_data(as_text=True), "Ellesmere Port Library")
    assert sessions[:2] == [
        "Today, 9am to 1pm (on now): Ellesmere Port Money Matters",
        "Tomorrow, midday to 2pm: Ellesmere Port Lunch Club",
    ]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(where=st.one_of(st.text(max_size=300), st.binary(max_size=60)))
def test_any_where_gives_a_list(client, data, where):
    raw = where if isinstance(where, bytes) else where.encode("utf-8", "surrogatepass")
    for path in ("/hubs", "/lets-talk"):
        response = client.get(f"{path}?where={quote(raw)}")
        assert response.status_code == 200
        assert b"Next sessions" in response.data


@pytest.mark.parametrize(
    ("starts", "ends", "known", "end_known", "expected"),
    [
        ((9, 19, 0), (9, 21, 0), True, True, "Today, 7pm to 9pm"),
        ((10, 19, 0), (11, 0, 0), True, False, "Tomorrow, from 7pm"),
        ((11, 0, 0), (12, 0, 0), False, False, "Thursday, times not given"),
        ((16, 10, 30), (16, 12, 0), True, True, "Tuesday 16 December, 10:30am to midday"),
    ],
)
def test_session_words(starts, ends, known, end_known, expected):
    def at(day_hour_minute):
        day, hour, minute = day_hour_minute
        return datetime(2025, 12, day, hour, minute, tzinfo=LONDON)

    occurrence = Occurrence(at(starts), at(ends), None, known, end_known)
    assert place_lists.session_words(occurrence, TUESDAY_11AM.date()) == expected


@pytest.fixture(scope="module")
def seeded():
    """Every seed file loaded: the brief's real listings and the demonstration set."""
    return seeded_site().app.test_client()


class TestTheBriefsRealHubs:
    """On the full seed data: the hubs the brief names are on /hubs as real places."""

    def test_they_are_listed_unmarked_and_say_they_list_no_times(self, seeded):
        html = seeded.get("/hubs").get_data(as_text=True)
        for name, service in (
            ("The Bluecoat", "West Cheshire Autism Hub"),
            ("Ellesmere Port Women's Centre", "Ellesmere Port Women's Centre"),
            ("Blacon Playing Fields", "Blacon community sports hub"),
        ):
            card = _card(html, name)
            assert "Demonstration" not in card
            assert f"What's on {service}" in card
            assert "No session times are listed for this place." in card
        assert "govuk-exit-this-page" in html  # the women's centre is a domestic abuse service

    def test_the_demonstration_hubs_show_sessions(self, seeded):
        html = seeded.get("/hubs?where=CH65+0AA").get_data(as_text=True)
        assert _sessions(html, "Ellesmere Port Community Hub")
        assert "roughly: no full address is listed" in _card(html, "Ellesmere Port Women's Centre")


def test_one_query_for_the_list_finds_what_each_place_page_finds(session, data: PublicData):
    """``services_held`` (the whole list at once) agrees with ``services_at`` (one place),
    with a second record of the same hub and a draft service there."""
    make_service(session, "Blacon Chess Club", places=("blacon",))
    make_service(
        session, "Blacon Draft Group", places=("blacon",), listing_status=ListingStatus.DRAFT
    )
    session.commit()
    for kind in (LocationKind.COMMUNITY_HUB, LocationKind.LETS_TALK):
        places = services.places_of_kind(session, kind)
        held = services_held(session, places)
        for place in places:
            expected = [sal.service.name for sal in services.services_at(session, place.location)]
            assert [sal.service.name for sal in held[place.location.id]] == expected
    hubs = services.places_of_kind(session, LocationKind.COMMUNITY_HUB)
    blacon = next(p for p in hubs if p.location.name == "Blacon Community Hub")
    assert len(blacon.ids) > 1
    names = [sal.service.name for sal in services_held(session, hubs)[blacon.location.id]]
    assert "Blacon Chess Club" in names and "Blacon Draft Group" not in names
