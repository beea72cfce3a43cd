"""Where the person is and whether an offer reaches them, with the real offline gazetteer."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from directory.matching import weights
from directory.matching.where import distance_km, gazetteer_or_none, offer_reach, request_spot
from tests.factories import CHESHIRE_WEST, PLACES


@pytest.fixture(scope="module")
def gazetteer():
    found = gazetteer_or_none()
    assert found is not None, "the offline gazetteer is not built (make gazetteer)"
    return found


def person(postcode=None, outcode=None, latitude=None, longitude=None):
    return SimpleNamespace(
        postcode=postcode, outcode=outcode, latitude=latitude, longitude=longitude
    )


def offer(**values):
    base = {"latitude": None, "longitude": None, "postcode": None, "outcode": None,
            "radius_km": None, "areas": []}  # fmt: skip
    return SimpleNamespace(**(base | values))


def test_a_postcode_alone_is_placed_with_its_council(gazetteer):
    spot = request_spot(person(postcode="ch1 2hj"), gazetteer)
    chester = PLACES["chester"]
    assert distance_km((spot.latitude, spot.longitude), (chester.latitude, chester.longitude)) < 0.2
    assert CHESHIRE_WEST in spot.codes and spot.outcode == "CH1"
    assert spot.search_place == "CH1 2HJ"


def test_an_outcode_alone_is_placed_at_its_centre(gazetteer):
    spot = request_spot(person(outcode="CH65"), gazetteer)
    assert spot is not None and spot.outcode == "CH65" and spot.search_place == "CH65"


def test_nothing_to_go_on_is_no_place(gazetteer):
    assert request_spot(person(), gazetteer) is None
    assert request_spot(person(postcode="ZZ99 9ZZ"), gazetteer) is None
    assert request_spot(person(latitude="nan", longitude=2), gazetteer) is None


def test_stored_coordinates_place_a_postcode_the_gazetteer_does_not_know(gazetteer):
    spot = request_spot(person(postcode="ZZ99 9ZZ", latitude=53.19, longitude=-2.89), gazetteer)
    assert spot is not None and spot.search_place == "" and spot.codes == frozenset()


def test_an_offer_with_a_postcode_and_no_radius_reaches_the_default_distance(gazetteer):
    spot = request_spot(person(postcode="CH1 2HJ"), gazetteer)
    near = offer(postcode="CH2 3AE")  # Hoole, about 1 km
    far = offer(postcode="CW9 5AA")  # Northwich
    reach = offer_reach(near, spot, gazetteer)
    assert reach.radius_km == weights.OFFER_DEFAULT_RADIUS_KM and reach.distance_km < 2
    assert offer_reach(far, spot, gazetteer) is None


def test_an_offer_that_says_nowhere_reaches_nobody(gazetteer):
    spot = request_spot(person(postcode="CH1 2HJ"), gazetteer)
    assert offer_reach(offer(areas=["", "   "]), spot, gazetteer) is None
    assert offer_reach(offer(), None, gazetteer) is None
    assert offer_reach(offer(areas=["CH1"]), None, gazetteer) is not None


def test_a_radius_or_an_area_is_enough(gazetteer):
    spot = request_spot(person(postcode="CW7 1AA"), gazetteer)  # Winsford
    both = offer(postcode="CH1 2HJ", radius_km=3, areas=["e06000050"])
    reach = offer_reach(both, spot, gazetteer)
    assert reach.distance_km is None and reach.area == "Cheshire West and Chester"


def test_hostile_area_text_is_only_text(gazetteer):
    spot = request_spot(person(postcode="CH1 2HJ"), gazetteer)
    for junk in ("%", "'; DROP TABLE x", "\x00", "x" * 5000, "E0600005O"):
        assert offer_reach(offer(areas=[junk]), spot, gazetteer) is None
