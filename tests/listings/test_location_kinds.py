"""Kinds of place read from a feed's words: the rules, the import that uses them, and the
editor's commands that overrule them (``places set-kind``, ``places suggest-kinds``)."""

from __future__ import annotations

import copy
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from directory.db import db
from directory.listings.importer import import_services
from directory.listings.location_kinds import (
    KindError,
    infer_location_kind,
    kind_suggestions,
    parse_kind,
    set_location_kind,
)
from directory.models import ChangeRecord, Location, LocationKind
from tests.listings.fixtures.gazetteer import import_gazetteer  # noqa: F401

HUB, TALK, ONLINE = LocationKind.COMMUNITY_HUB, LocationKind.LETS_TALK, LocationKind.VIRTUAL


@pytest.mark.parametrize(
    ("name", "description", "services", "expected"),
    [
        # The brief's own places, as a feed without our x_kind would describe them.
        ("The Bluecoat", None, ["West Cheshire Autism Hub"], HUB),
        ("Blacon Playing Fields", None, ["Blacon community sports hub"], HUB),
        ("Library", "An autism hub at the library, open to all.", [], HUB),
        ("Blacon Community Hub", None, [], HUB),
        ("The Hub", None, [], HUB),
        ("Town Hall", "<p>Our <b>community&nbsp;hub</b> is on the ground floor</p>", [], HUB),
        # "hub" that is not a community hub
        ("Brio Northgate Arena", "Part of Brio's hub-and-spoke network.", [], None),
        ("Hubbard Road Community Centre", None, [], None),
        ("HubSpot offices", None, [], None),
        ("Chester Transport Hub", None, [], None),
        ("Library", "Ask at the desk about digital hub sessions.", [], None),
        ("Library", None, ["Digital hub drop-in"], None),
        # Let's Talk however it is typed, in the name, a service's name or the description
        ("Let's Talk Blacon", None, [], TALK),
        ("Let\u2019s Talk Zone, Storyhouse", None, [], TALK),
        ("Lets Talk Neston", None, [], TALK),
        ("Blacon Library", None, ["LET'S TALK BLACON"], TALK),
        ("Winsford Library", "Let's Talk sessions every Tuesday.", ["Rhyme time"], TALK),
        ("Let's Talk at Winsford Community Hub", None, [], TALK),
        # online: a place nobody can walk in to is never a hub or Let's Talk site
        ("Online (video call)", None, [], ONLINE),
        ("Zoom", None, [], ONLINE),
        ("https://meet.example.org/room-4", None, [], ONLINE),
        ("Let's Talk Online", None, [], ONLINE),
        ("Community hub sessions (online)", None, [], ONLINE),
        ("Carers group", "An online-only group: there is no physical venue.", [], ONLINE),
        # a real room with computers, and plain venues
        ("Blacon Online Centre", None, [], None),
        ("Phone Box Café", None, [], None),
        ("Chester Town Hall", "A venue for community groups.", ["Memory Cafe"], None),
        (None, None, [], None),
        ("", "", [None, ""], None),
    ],
)
def test_words_give_the_kind(name, description, services, expected):
    assert infer_location_kind(name, description, services) == expected


def test_location_type_and_address_say_online():
    assert infer_location_kind("Carers group", None, location_type="virtual") == ONLINE
    assert infer_location_kind("Carers group", None, address_lines=["Online"]) == ONLINE
    assert infer_location_kind("Carers group", None, location_type="physical") is None


@given(st.text(max_size=200), st.text(max_size=400), st.lists(st.text(max_size=80), max_size=4))
@settings(max_examples=200, deadline=None)
def test_any_text_gives_a_kind_or_none(name, description, services):
    assert infer_location_kind(name, description, services) in (*LocationKind, None)


@pytest.mark.parametrize(
    ("typed", "kind"),
    [("community_hub", HUB), ("Community hub", HUB), ("lets-talk", TALK), ("Let's Talk", TALK)],
)
def test_kinds_can_be_typed_loosely(typed, kind):
    assert parse_kind(typed) == kind


def test_an_unknown_kind_says_what_to_use():
    with pytest.raises(KindError, match="venue, community_hub, lets_talk, virtual"):
        parse_kind("hubb")


# -- the import ------------------------------------------------------------------------------


def _service(name: str, location: dict, **extra) -> dict:
    service_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"kinds-test/{name}"))
    return {
        "id": service_id,
        "name": name,
        "status": "active",
        "service_at_locations": [
            {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sal/{name}")), "location": location}
        ],
        **extra,
    }


def _location(key: str, name: str, postcode: str = "CH1 2HJ", **extra) -> dict:
    location_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"kinds-test/location/{key}"))
    return {
        "id": location_id,
        "name": name,
        "location_type": "physical",
        "addresses": [
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"address/{key}")),
                "address_1": "1 High Street",
                "city": "Chester",
                "state_province": "Cheshire",
                "postal_code": postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ],
        **extra,
    }


FEED = [
    _service("West Cheshire Autism Hub", _location("bluecoat", "The Bluecoat")),
    _service("Let's Talk Blacon", _location("blacon-library", "Blacon Library", "CH1 5BE")),
    _service("Food bank", _location("winsford-library", "Winsford Library", "CW7 1AA")),
    _service("Lunch club", _location("hub", "Hoole Community Hub", "CH2 3AE")),
    _service("Carers group online", _location("zoom", "Zoom", location_type="virtual")),
    _service("Men's shed", _location("explicit", "Upton Community Hub", "CH2 2DD", x_kind="venue")),
]


@pytest.fixture
def session(app, import_gazetteer):  # noqa: F811
    app.config["GAZETTEER_PATH"] = import_gazetteer
    with app.app_context():
        yield db.session


def _kinds(session) -> dict[str, LocationKind]:
    session.expire_all()
    return {loc.name: loc.kind for loc in session.scalars(select(Location))}


def test_an_import_without_x_kind_reads_the_kind_from_the_words(session):
    report = import_services(session, copy.deepcopy(FEED))
    assert not report.errors
    assert _kinds(session) == {
        "The Bluecoat": HUB,  # from the name of the service held there
        "Blacon Library": TALK,
        "Winsford Library": LocationKind.VENUE,  # another record's service says nothing here
        "Hoole Community Hub": HUB,
        "Zoom": ONLINE,
        "Upton Community Hub": LocationKind.VENUE,  # the feed said so: x_kind wins
    }
    zoom = session.scalar(select(Location).where(Location.name == "Zoom"))
    assert zoom.latitude is None  # an online place is not geocoded


def test_an_editors_kind_survives_every_reimport_and_the_import_changes_nothing(session):
    import_services(session, copy.deepcopy(FEED))
    hub = session.scalar(select(Location).where(Location.name == "Hoole Community Hub"))
    set_location_kind(session, hub.id, "venue")
    library = session.scalar(select(Location).where(Location.name == "Winsford Library"))
    set_location_kind(session, library.id, LocationKind.LETS_TALK)

    report = import_services(session, copy.deepcopy(FEED))

    assert not report.changed
    kinds = _kinds(session)
    assert kinds["Hoole Community Hub"] == LocationKind.VENUE
    assert kinds["Winsford Library"] == TALK
    who = session.scalars(
        select(ChangeRecord.updated_by).where(
            ChangeRecord.resource_id == library.id, ChangeRecord.field_name == "kind"
        )
    ).all()
    assert who == ["system:places-set-kind"]


def test_a_later_explicit_x_kind_still_wins(session):
    import_services(session, copy.deepcopy(FEED))
    feed = copy.deepcopy(FEED)
    feed[2]["service_at_locations"][0]["location"]["x_kind"] = "community_hub"
    import_services(session, feed)
    assert _kinds(session)["Winsford Library"] == HUB


def test_set_kind_moves_every_record_of_one_place(session):
    """Two services each bring their own copy of the same hall: both records change, so they
    stay one place (the public pages group records by kind, name and postcode)."""
    hall = _location("hall-a", "Upton Village Hall", "CH2 2DD")
    copy_of_hall = _location("hall-b", "Upton Village Hall", "CH2 2DD")
    import_services(session, [_service("Coffee morning", hall), _service("Choir", copy_of_hall)])
    first = session.get(Location, hall["id"])
    records = set_location_kind(session, first.id, "community hub")
    assert {r.id for r in records} == {hall["id"], copy_of_hall["id"]}
    assert set(_kinds(session).values()) == {HUB}


def test_set_kind_refuses_an_unknown_place_or_kind_and_changes_nothing(session):
    import_services(session, copy.deepcopy(FEED))
    library = session.scalar(select(Location).where(Location.name == "Winsford Library"))
    with pytest.raises(KindError, match="no location with the id"):
        set_location_kind(session, "not-an-id", "venue")
    with pytest.raises(KindError, match="is not a kind of place"):
        set_location_kind(session, library.id, "library")
    assert _kinds(session)["Winsford Library"] == LocationKind.VENUE


# -- the commands ----------------------------------------------------------------------------


def test_set_kind_command(app, session):
    import_services(session, copy.deepcopy(FEED))
    library = session.scalar(select(Location).where(Location.name == "Winsford Library"))
    runner = app.test_cli_runner()

    result = runner.invoke(args=["places", "set-kind", library.id, "lets_talk"])
    assert result.exit_code == 0, result.output
    assert "Winsford Library is now a Let's Talk site." in result.output
    assert _kinds(session)["Winsford Library"] == TALK

    bad = runner.invoke(args=["places", "set-kind", library.id, "pub"])
    assert bad.exit_code == 1
    assert "'pub' is not a kind of place" in bad.output
    assert "Traceback" not in bad.output


def test_suggest_kinds_catches_up_a_directory_and_leaves_hand_set_kinds(app, session):
    """A directory imported before kinds were read from words: every place a venue."""
    feed = copy.deepcopy(FEED)
    for service in feed:
        service["service_at_locations"][0]["location"]["x_kind"] = "venue"
    import_services(session, feed)
    hub = session.scalar(select(Location).where(Location.name == "Hoole Community Hub"))
    set_location_kind(session, hub.id, "virtual")  # an editor tried it online, then decided
    set_location_kind(session, hub.id, "venue")

    suggested = {loc.name: (kind, hand) for loc, kind, hand in kind_suggestions(session)}
    assert suggested["Blacon Library"] == (TALK, False)
    assert suggested["Hoole Community Hub"] == (HUB, True)
    assert "Winsford Library" not in suggested

    runner = app.test_cli_runner()
    listed = runner.invoke(args=["places", "suggest-kinds"])
    assert "Blacon Library: a venue, looks like a Let's Talk site" in listed.output
    assert "(kind set by hand: left alone)" in listed.output
    assert _kinds(session)["Blacon Library"] == LocationKind.VENUE  # only listed

    applied = runner.invoke(args=["places", "suggest-kinds", "--apply"])
    assert applied.exit_code == 0, applied.output
    kinds = _kinds(session)
    assert kinds["Blacon Library"] == TALK
    assert kinds["The Bluecoat"] == HUB
    assert kinds["Zoom"] == ONLINE
    assert kinds["Hoole Community Hub"] == LocationKind.VENUE
