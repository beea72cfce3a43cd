"""One real place however many location records describe it.

In the shared test data every service brings its own copy of its venue, as Open Referral feeds
do, so "Blacon Community Hub" is two records (one for Blacon Friendship Café, one for Blacon
Food Bank). Each list must show it once and its page must show both services.
"""

from __future__ import annotations

import re

from directory.models import LocationKind, ServiceAtLocation
from directory.public import place_groups, services
from tests.factories import make_location
from tests.public.conftest import PublicData, page


def _blacon_records(data: PublicData):
    return [
        data.service(name).service_at_locations[0].location
        for name in ("Blacon Friendship Café", "Blacon Food Bank")
    ]


def test_the_test_data_really_has_two_records_of_one_hub(data: PublicData):
    first, second = _blacon_records(data)
    assert first.id != second.id
    assert place_groups.place_key(first) == place_groups.place_key(second)


class TestPlaceKey:
    def test_case_spaces_and_postcode_spelling_do_not_matter(self, session, data):
        first = make_location(session, "blacon")
        second = make_location(session, "blacon", name="  blacon  community HUB ")
        second.addresses[0].postal_code = "ch15be"
        assert place_groups.place_key(first) == place_groups.place_key(second)

    def test_same_name_at_another_postcode_is_another_place(self, session, data):
        first = make_location(session, "blacon")
        elsewhere = make_location(session, "northwich", name="Blacon Community Hub")
        assert place_groups.place_key(first) != place_groups.place_key(elsewhere)

    def test_a_record_with_nothing_to_match_on_is_never_merged(self, session, data):
        online = make_location(session, "chester", name="Online (video call)")
        online.addresses.clear()
        online.latitude = online.longitude = None
        assert place_groups.place_key(online) is None
        again = make_location(session, "chester", name="Online (video call)")
        again.addresses.clear()
        again.latitude = again.longitude = None
        assert len(place_groups.group_places([online, again])) == 2


def test_place_of_finds_every_record_and_stands_for_them_with_the_lowest_id(session, data):
    records = _blacon_records(data)
    for record in records:
        place = place_groups.place_of(session, record)
        assert set(place.ids) == {r.id for r in records}
        assert place.location.id == min(r.id for r in records)


def test_hub_list_shows_each_place_once(client, session, data: PublicData):
    hubs = services.places_of_kind(session, LocationKind.COMMUNITY_HUB)
    names = [p.location.name for p in hubs]
    assert names.count("Blacon Community Hub") == 1
    text = page(client, "/hubs")
    assert text.count("Blacon Community Hub") == 1


def test_home_page_lists_each_place_once(client, data: PublicData):
    html = client.get("/?where=CH1+5BE").get_data(as_text=True)
    hubs = html.split('id="hubs-heading"', 1)[1].split("</ul>", 1)[0]
    assert len(re.findall(r">Blacon Community Hub</a>", hubs)) == 1
    talk = html.split('id="lets-talk-heading"', 1)[1].split("</ul>", 1)[0]
    assert len(re.findall(r">Ellesmere Port Library</a>", talk)) == 1


def test_place_page_shows_what_happens_at_every_record(client, data: PublicData):
    first, _second = sorted(_blacon_records(data), key=lambda r: r.id)
    text = page(client, f"/places/{first.id}")
    assert "Blacon Friendship Café" in text and "Blacon Food Bank" in text


def test_other_records_redirect_to_the_one_place(client, data: PublicData):
    first, second = sorted(_blacon_records(data), key=lambda r: r.id)
    response = client.get(f"/places/{second.id}/blacon-community-hub")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/places/{first.id}/blacon-community-hub")


def test_calendar_has_the_sessions_of_every_record(client, data: PublicData):
    _first, second = sorted(_blacon_records(data), key=lambda r: r.id)
    feed = client.get(f"/places/{second.id}/sessions.ics").get_data(as_text=True)
    assert "SUMMARY:Blacon Friendship Café" in feed and "SUMMARY:Blacon Food Bank" in feed


def test_a_service_listed_at_two_records_of_a_place_is_shown_once(session, data: PublicData):
    first, second = _blacon_records(data)
    cafe = data.service("Blacon Friendship Café")
    cafe.service_at_locations.append(ServiceAtLocation(location=second))
    session.commit()
    listed = [sal.service.name for sal in services.services_at(session, first)]
    assert listed.count("Blacon Friendship Café") == 1
