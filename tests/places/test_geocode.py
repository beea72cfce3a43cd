"""Coordinates from postcodes: the offline look-up and the listener that fills them in on save."""

from __future__ import annotations

import logging

import pytest

from directory.db import db
from directory.models import Address, Location
from directory.places import geocode
from directory.places.geocode import Geocoder, valid_coordinates


@pytest.fixture
def geo_session(app, small_build):
    app.config["GAZETTEER_PATH"] = str(small_build.path)
    with app.app_context():
        yield db.session


def _location(postcode: str, **fields) -> Location:
    location = Location(name="Blacon Community Centre", **fields)
    location.addresses.append(
        Address(address_1="Western Avenue", city="Chester", postal_code=postcode)
    )
    return location


def test_a_postcode_gives_its_own_point_and_an_unknown_one_its_outcode(gazetteer, small_build):
    geocoder = Geocoder(small_build.path)
    exact = geocoder.postcode("ch1 5be")
    assert exact is not None and exact.source == "postcode"
    assert (exact.latitude, exact.longitude) == gazetteer.postcode("CH1 5BE").point
    fallback = geocoder.postcode("CH99 9ZZ")
    assert fallback is not None and fallback.source == "outcode"
    assert (fallback.latitude, fallback.longitude) == gazetteer.outcode("CH99").point
    assert geocoder.postcode("CH67 1ZZ") is None
    assert geocoder.postcode("ABC 1234") is None
    assert geocoder.postcode("CW9") is not None


def test_saving_a_location_without_coordinates_geocodes_it(geo_session, gazetteer):
    location = _location("CH1 5BE")
    geo_session.add(location)
    geo_session.commit()
    assert location.geocode_source == "postcode"
    assert (location.latitude, location.longitude) == gazetteer.postcode("CH1 5BE").point


def test_supplied_coordinates_are_never_overwritten(geo_session):
    location = _location("CH1 5BE", latitude=53.2, longitude=-2.9)
    geo_session.add(location)
    geo_session.commit()
    location.addresses[0].postal_code = "CW9 5AS"
    geo_session.commit()
    assert (location.latitude, location.longitude, location.geocode_source) == (53.2, -2.9, None)


def test_derived_coordinates_follow_a_postcode_change(geo_session, gazetteer):
    location = _location("CH1 5BE")
    geo_session.add(location)
    geo_session.commit()
    location.addresses[0].postal_code = "CW9 5AS"
    geo_session.commit()
    assert (location.latitude, location.longitude) == gazetteer.postcode("CW9 5AS").point


def test_an_unknown_postcode_is_logged_not_raised(geo_session, caplog):
    location = _location("CH67 1ZZ")
    with caplog.at_level(logging.WARNING, logger="directory.places.geocode"):
        geo_session.add(location)
        geo_session.commit()
    assert location.latitude is None and location.geocode_source is None
    assert "postcode 'CH67 1ZZ' is not known" in caplog.text


def test_a_missing_gazetteer_warns_once_and_saves_anyway(app, tmp_path, caplog):
    missing = tmp_path / "not-built.sqlite"
    app.config["GAZETTEER_PATH"] = str(missing)
    geocode._warned_missing.discard(str(missing))
    with app.app_context(), caplog.at_level(logging.WARNING, logger="directory.places.geocode"):
        for postcode in ("CH1 5BE", "CW9 5AS"):
            db.session.add(_location(postcode))
            db.session.commit()
    assert caplog.text.count("Geocoding from postcodes is off") == 1
    assert Geocoder(missing).postcode("CH1 5BE") is None


def test_no_online_geocoder_unless_configured(small_build):
    assert Geocoder(small_build.path).online is None
    assert Geocoder(small_build.path, online="Nominatim").online == "nominatim"
    assert Geocoder.from_config({"GAZETTEER_PATH": None, "ONLINE_GEOCODER": None}).online is None


@pytest.mark.parametrize(
    ("lat", "lon", "valid"),
    [(53.19, -2.89, True), (100, 101, False), (0, 0, False), ("53", "-2", False), (None, 1, False)],
)
def test_valid_coordinates(lat, lon, valid):
    assert valid_coordinates(lat, lon) is valid
