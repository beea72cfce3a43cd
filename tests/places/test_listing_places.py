"""Place names from listings' own addresses: found, located, filtered, and kept in step as
listings change (through the web app's sync and ``flask places refresh``)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, text

from directory.db import db
from directory.places import listing_places
from directory.places.gazetteer import get_gazetteer
from directory.places.listing_places import address_names, candidate_name, refresh_place_names
from directory.places.models import Address, PlaceName, PlaceNameRefresh
from directory.places.place import distance_km
from tests.factories import make_service

HOME = (53.1905, -2.8919)


def _add_service(app: Flask, name: str, *addresses: tuple[str | None, str, str]) -> str:
    """A public service with one venue per (address_2, city, postcode)."""
    with app.app_context():
        service = make_service(db.session, name, places=("chester",) * len(addresses))
        for sal, (line_2, city, postcode) in zip(
            service.service_at_locations, addresses, strict=True
        ):
            address = sal.location.addresses[0]
            address.address_2, address.city, address.postal_code = line_2, city, postcode
        db.session.commit()
        return service.id


def _gazetteer(app: Flask):
    return get_gazetteer(app.config["GAZETTEER_PATH"])


def test_address_lines_that_can_be_places() -> None:
    assert candidate_name(" Upton ") == "Upton"
    assert candidate_name("Great  Sutton") == "Great Sutton"
    assert candidate_name("Piper's Ash") == "Piper's Ash"
    for not_a_place in (
        "12 High Street",
        "Station Road",
        "Unit 4",
        "Cheshire",
        "CHESHIRE",
        "Flat 2b",
        "Community Centre",
        "",
        None,
        "x" * 60,
        "<b>Upton</b>",
    ):
        assert candidate_name(not_a_place) is None, not_a_place


def test_names_from_packed_and_multi_part_address_lines() -> None:
    # As real feeds write them: an ORUK 1 city field with commas, a building and street
    # before the place in address_1.
    assert address_names("4 Civic Way", None, ", Ellesmere Port, Cheshire, ", None) == [
        "Ellesmere Port"
    ]
    assert address_names(
        "Hoole Community Centre, Westminster Road, Hoole", None, "Chester", "Cheshire"
    ) == ["Chester", "Hoole"]
    assert address_names("***", None, "Great Sutton", None) == ["Great Sutton"]
    assert address_names(None, None, None, None) == []


def test_a_name_in_addresses_becomes_a_place(places_app: Flask) -> None:
    # Moston is a hamlet by Upton that no gazetteer source lists; GeoNames only knows the
    # Manchester suburb.
    _add_service(
        places_app,
        "Moston Coffee Morning",
        ("Moston", "Chester", "CH2 1AA"),
        ("MOSTON", "Chester", "CH2 1AB"),
    )
    gazetteer = _gazetteer(places_app)
    before = gazetteer.resolve("Moston", near=HOME).place
    assert before is None or before.la_code != "E06000050"
    places_app.test_client().get("/places/lookup?q=Moston")  # any request syncs
    result = gazetteer.resolve("Moston", near=HOME)
    assert result.place is not None and result.place.la_code == "E06000050"
    assert distance_km(result.place, gazetteer.postcode("CH2 1AA")) < 1
    assert gazetteer.place_kind(result.place) == "locality"
    assert result.place.name == "Moston"  # the capitals in one address are not shown
    with places_app.app_context():
        saved = db.session.scalars(select(PlaceName).where(PlaceName.folded == "moston")).one()
        assert (saved.postcodes, saved.addresses) == (2, 2)


def test_names_follow_listing_changes(places_app: Flask) -> None:
    client = places_app.test_client()
    service_id = _add_service(places_app, "Kingsway Lunch Club", ("Kingsway", "Chester", "CH2 2LB"))
    client.get("/places/lookup?q=Kingsway")
    body = client.get("/places/lookup?q=Kingsway").get_json()
    assert body["best"]["name"] == "Kingsway"
    assert body["best"]["local_authority_code"] == "E06000050"
    # The address changes: the name goes at the next request.
    with places_app.app_context():
        address = db.session.scalars(select(Address).where(Address.address_2 == "Kingsway")).one()
        address.address_2 = None
        db.session.commit()
    assert service_id
    body = client.get("/places/lookup?q=Kingsway").get_json()
    assert body["best"] is None or body["best"]["name"] != "Kingsway"


def test_refresh_leaves_out_streets_counties_and_spread_out_names(places_app: Flask) -> None:
    _add_service(
        places_app,
        "Spread Out Club",
        ("Station Road", "Chester", "CH2 1AA"),
        (None, "Northwood", "CH4 8HL"),  # one name, two places 25 km apart: not a point
        (None, "Northwood", "CW9 5AJ"),
        (None, "Northwood", "CW8 1GE"),
        ("Lache", "Cheshire", "CH4 8HL"),  # region-like city: left out
        ("Nowhere", "Chester", "CH4 8ZZ"),  # a postcode the gazetteer does not know
    )
    with places_app.app_context():
        report = refresh_place_names(db.session, _gazetteer(places_app))
        names = {n.folded for n in db.session.scalars(select(PlaceName))}
        state = db.session.get(PlaceNameRefresh, 1)
    assert "northwood" in report.too_spread[0].lower()
    assert {"lache", "chester"} <= names
    assert not names & {"station road", "northwood", "cheshire", "nowhere"}
    assert state is not None and state.names == len(names) and state.listing_seq > 0
    assert "place names from" in report.summary()


def test_a_listing_copy_of_a_known_place_is_not_a_second_place(places_app: Flask) -> None:
    _add_service(places_app, "Lache Lunch", ("Lache", "Chester", "CH4 8HL"))
    places_app.test_client().get("/places/lookup?q=x")
    gazetteer = _gazetteer(places_app)
    assert len(gazetteer.town("Lache")) == 1
    assert gazetteer.place_kind(gazetteer.town("Lache")[0]) == "suburb"  # the curated one


def test_sync_survives_a_database_without_the_tables(places_app: Flask, caplog) -> None:
    gazetteer = _gazetteer(places_app)
    with places_app.app_context():
        db.session.execute(text("DROP TABLE place_name_refresh"))
        db.session.commit()
        listing_places._next_check.clear()
        listing_places.sync(db.new_session, gazetteer, 0)
    assert "not refreshed" in caplog.text
    assert places_app.test_client().get("/places/lookup?q=Chester").status_code == 200


def test_the_refresh_command(places_app: Flask) -> None:
    _add_service(places_app, "Upton Walkers", ("Upton", "Chester", "CH2 1AA"))
    result = places_app.test_cli_runner().invoke(args=["places", "refresh"])
    assert result.exit_code == 0, result.output
    assert "1 place names from" not in result.output
    assert "Upton" in result.output


def test_the_check_command(places_app: Flask) -> None:
    # The small test build has no S postcodes, so the rows around Malpas (SY14) are reported.
    result = places_app.test_cli_runner().invoke(args=["places", "check"])
    assert result.exit_code == 1
    assert "postcode SY14" in result.output and "not found" in result.output
    assert "postcode CH" not in result.output


def test_refresh_on_both_databases(any_app: Flask, small_build) -> None:
    """The refresh locks its row (FOR UPDATE on PostgreSQL) and rebuilds the table; running it
    twice gives the same names, not twice as many."""
    from directory.places.gazetteer import Gazetteer

    gazetteer = Gazetteer(small_build.path)
    _add_service(any_app, "Hoole Walkers", ("Hoole Bank", "Chester", "CH2 4ES"))
    with any_app.app_context():
        first = refresh_place_names(db.session, gazetteer)
        second = refresh_place_names(db.session, gazetteer)
        rows = db.session.scalars(select(PlaceName.folded)).all()
    assert sorted(rows) == sorted(n.folded for n in second.names)
    assert len(first.names) == len(second.names) == len(rows)
    assert "hoole bank" in rows
    gazetteer.close()


def test_workers_refreshing_a_new_database_at_once_take_turns(
    postgres_url: str, tmp_path, small_build
) -> None:
    """Two workers on a database with no refresh row yet: the second waits for the first
    and then refreshes too, instead of failing on a duplicate key."""
    import threading

    from directory import create_app
    from directory.places.gazetteer import Gazetteer
    from tests.conftest import _app_config, _truncate_postgres

    _truncate_postgres(postgres_url)
    app = create_app(_app_config(postgres_url, tmp_path))
    gazetteer = Gazetteer(small_build.path)
    _add_service(app, "Hoole Walkers", ("Hoole Bank", "Chester", "CH2 4ES"))
    first, second = db_sessions = [app.extensions["database"].sessionmaker() for _ in range(2)]
    errors: list[BaseException] = []
    try:
        refresh_place_names(first, gazetteer)  # holds the new row, not committed yet

        def other_worker() -> None:
            try:
                refresh_place_names(second, gazetteer)
                second.commit()
            except BaseException as exc:  # reported below, not lost in the thread
                errors.append(exc)

        thread = threading.Thread(target=other_worker)
        thread.start()
        thread.join(0.5)  # it is waiting on the first worker's row
        first.commit()
        thread.join(60)
        assert not thread.is_alive()
        assert errors == []
        with app.app_context():
            assert db.session.get(PlaceNameRefresh, 1).names == len(
                db.session.scalars(select(PlaceName.id)).all()
            )
    finally:
        for session in db_sessions:
            session.close()
        app.extensions["database"].engine.dispose()
        gazetteer.close()
