"""Importing ORUK JSON: messy real-world records, idempotency, savepoints and the ORUK examples."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from directory.db import db
from directory.listings.importer import import_path, import_records, import_services
from directory.listings.serialise import service_json
from directory.models import (
    ChangeRecord,
    ListingChange,
    ListingStatus,
    Location,
    Schedule,
    Service,
)
from directory.places.gazetteer import get_gazetteer
from tests.api.schema import STANDARD_DIR
from tests.listings.fixtures.gazetteer import import_gazetteer  # noqa: F401

FIXTURES = Path(__file__).parent / "fixtures"
MESSY = FIXTURES / "messy_services.json"
LARDER = "6f0e6f6a-7c52-4e8b-9e1b-2b4c9a1d0001"
FRIENDSHIP = "6f0e6f6a-7c52-4e8b-9e1b-2b4c9a1d0002"
DEBT_LINE = "6f0e6f6a-7c52-4e8b-9e1b-2b4c9a1d0007"


def standard_dir() -> Path:
    """The ORUK 3.0 standard vendored for the tests (or ORUK_STANDARD_DIR)."""
    return STANDARD_DIR


EXAMPLES = standard_dir() / "examples"
EXAMPLE_FILES = (
    "taxonomy.json",
    "taxonomy_list.json",
    "taxonomy_term.json",
    "taxonomy_term_list.json",
    "service_full.json",
    "service_list.json",
    "organization_full.json",
    "organization_list.json",
    "service_at_location_full.json",
    "service_at_location_list.json",
)


@pytest.fixture
def session(app, import_gazetteer):  # noqa: F811
    app.config["GAZETTEER_PATH"] = import_gazetteer
    with app.app_context():
        yield db.session


@pytest.fixture
def any_db(any_app, import_gazetteer):  # noqa: F811
    any_app.config["GAZETTEER_PATH"] = import_gazetteer
    with any_app.app_context():
        yield db.session


def _messages(problems) -> str:
    return "\n".join(str(p) for p in problems)


def _history(session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(ChangeRecord)),
        session.scalar(select(func.count()).select_from(ListingChange)),
    )


def test_messy_file_imports_what_it_can_and_reports_the_rest(session):
    report = import_path(session, MESSY)

    assert report.counts["service"]["created"] == 4
    assert report.counts["service"]["skipped"] == 3
    errors = _messages(report.errors)
    assert f"service {LARDER}: duplicate id" in errors
    assert "6f0e6f6a-7c52-4e8b-9e1b-2b4c9a1d0004: has no name" in errors
    assert "is not an object" in errors
    warnings = _messages(report.warnings)
    assert "latitude/longitude 100, 101 are not a point on Earth" in warnings
    assert "'not-an-email' is not a 'email'; left out" in warnings
    assert "id 'svc-0042' is not a UUID" in warnings
    assert "'31/02/2023' is not a real date" in warnings
    assert "minimum_age 18 is above maximum_age 12" in warnings
    assert "postcode CH99 9ZZ is not known; placed at the centre of its outcode" in warnings
    assert "postcode CH67 1ZZ is not a known UK postcode; no coordinates" in warnings
    assert "'Ask at reception' is not a phone number we can read" in warnings
    assert "service.legacy_ref" in " ".join(report.notes)
    assert session.get(Service, "6f0e6f6a-7c52-4e8b-9e1b-2b4c9a1d0004") is None
    assert session.scalar(select(func.count()).select_from(Service)) == 4


def test_messy_values_are_stored_in_one_clean_form(session):
    import_path(session, MESSY)
    larder = service_json(session.get(Service, LARDER))

    assert larder["name"] == "Blacon Community Larder"
    assert larder["status"] == "active"
    assert larder["minimum_age"] == 16
    assert larder["assured_date"] == "2023-03-15"
    assert larder["last_modified"] == "2024-02-01T09:15:00.000Z"
    assert larder["x_delivery_modes"] == ["in_person", "phone"]
    assert larder["organization"]["website"] == "https://www.blacontrust.example.org.uk"
    phones = larder["contacts"][0]["phones"]
    assert [p.get("number") for p in phones] == [
        "01244 977000",
        "01905 768053",
        "01905 768053",
        None,
    ]
    assert phones[2]["extension"] == "2"
    assert phones[3]["description"] == "Ask at reception"
    hours = [(s.get("byday"), s.get("opens_at"), s.get("closes_at")) for s in larder["schedules"]]
    assert hours == [
        ("MO,TU", "09:00:00", "17:00:00"),
        ("MO,TU", "09:00:00", "12:30:00"),
        ("SA", "09:00:00", "17:00:00"),
        ("FR", "22:00:00", "02:00:00"),
        ("SA", "09:00:00", "01:30:00"),
    ]
    assert {s["freq"] for s in larder["schedules"]} == {"WEEKLY"}
    assert larder["schedules"][4]["valid_from"] == "2024-04-01"
    assert larder["cost_options"][0]["amount"] == 2.5
    address = larder["service_at_locations"][0]["location"]["addresses"][0]
    assert (address["postal_code"], address["country"]) == ("CH1 5BE", "GB")

    debt_line = session.get(Service, DEBT_LINE)
    assert debt_line.listing_status == ListingStatus.PENDING
    assert debt_line.is_demonstration is True
    assert debt_line.contacts[0].phones[0].number == "0800 123 4567"


def test_locations_take_coordinates_from_their_postcode(session):
    import_path(session, MESSY)
    places = get_gazetteer(current_app.config["GAZETTEER_PATH"])
    centre = session.get(Location, "b0000000-0000-4000-8000-000000000001")
    exact = places.postcode("CH1 5BE")
    assert (centre.latitude, centre.longitude, centre.geocode_source) == (
        exact.latitude,
        exact.longitude,
        "postcode",
    )
    hall = session.get(Location, "b0000000-0000-4000-8000-000000000002")
    assert hall.geocode_source == "postcode"
    assert hall.latitude == places.postcode("CH1 4BJ").latitude
    new_build = session.get(Location, "b0000000-0000-4000-8000-000000000003")
    assert new_build.geocode_source == "outcode"
    assert new_build.latitude == places.outcode("CH99").latitude
    unknown = session.get(Location, "b0000000-0000-4000-8000-000000000005")
    assert (unknown.latitude, unknown.longitude, unknown.geocode_source) == (None, None, None)


def test_reimporting_the_same_file_changes_nothing(any_db):
    first = import_path(any_db, MESSY)
    assert first.changed
    stamps = {s.id: s.last_modified for s in any_db.scalars(select(Service))}
    history = _history(any_db)

    second = import_path(any_db, MESSY)

    assert not second.changed
    assert second.counts["service"]["unchanged"] == 4
    assert second.counts["location"]["unchanged"] == 4
    any_db.expire_all()
    assert _history(any_db) == history
    assert {s.id: s.last_modified for s in any_db.scalars(select(Service))} == stamps


def test_only_differing_fields_are_updated_and_missing_children_removed(any_db, tmp_path):
    import_path(any_db, MESSY)
    records = json.loads(MESSY.read_text())
    records[0]["schedules"] = records[0]["schedules"][:2]
    records[1]["name"] = "Tuesday Friendship Club (Blacon)"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(records))
    before = any_db.scalar(select(func.max(ChangeRecord.last_action_date)))

    report = import_path(any_db, changed)

    assert report.counts["service"]["updated"] == 2
    assert report.counts["service"]["unchanged"] == 2
    new = any_db.scalars(select(ChangeRecord).where(ChangeRecord.last_action_date > before)).all()
    assert {(r.resource_type, r.last_action_type, r.field_name) for r in new} == {
        ("service", "update", "name"),
        ("schedule", "delete", ""),
    }
    any_db.expire_all()
    assert len(any_db.get(Service, LARDER).schedules) == 2
    assert any_db.get(Schedule, "e0000000-0000-4000-8000-000000000005") is None


def test_last_modified_from_the_file_is_kept_on_update(any_db):
    records = json.loads(MESSY.read_text())[:1]
    import_records(any_db, [(None, records[0])])
    updated = copy.deepcopy(records[0])
    updated["description"] = "Low-cost food for anyone in Blacon and Saughall."
    updated["last_modified"] = "2024-06-30T08:00:00.250Z"

    import_services(any_db, [updated])

    any_db.expire_all()
    service = any_db.get(Service, LARDER)
    assert service.last_modified == datetime(2024, 6, 30, 8, 0, 0, 250000, tzinfo=UTC)


def test_a_failing_record_leaves_nothing_behind(any_db):
    """The link record writes its nested service, then fails: the savepoint undoes both."""
    service = {"id": "1b6f1c70-9d8e-4c1b-a1f2-000000000001", "name": "Drop-in", "status": "active"}
    records = [
        (
            "service_at_location",
            {
                "id": "1b6f1c70-9d8e-4c1b-a1f2-000000000002",
                "service": service,
                "location_id": "1b6f1c70-9d8e-4c1b-a1f2-00000000dead",
            },
        ),
        (None, {**service, "id": "1b6f1c70-9d8e-4c1b-a1f2-000000000003", "name": "Lunch club"}),
    ]

    report = import_records(any_db, records)

    assert [str(e) for e in report.errors] == [
        "service_at_location 1b6f1c70-9d8e-4c1b-a1f2-000000000002: names no location that is known"
    ]
    any_db.expire_all()
    assert any_db.get(Service, "1b6f1c70-9d8e-4c1b-a1f2-000000000001") is None
    assert any_db.get(Service, "1b6f1c70-9d8e-4c1b-a1f2-000000000003").name == "Lunch club"


def test_text_longer_than_its_column_is_an_error_for_a_name(any_db):
    report = import_services(
        any_db,
        [
            {"id": "2c6f1c70-9d8e-4c1b-a1f2-000000000001", "name": "x" * 300, "status": "active"},
            {
                "id": "2c6f1c70-9d8e-4c1b-a1f2-000000000002",
                "name": "Carers' coffee morning",
                "status": "active",
                "alternate_name": "y" * 300,
            },
        ],
    )
    assert "name is longer than 255 characters" in _messages(report.errors)
    assert "alternate_name is longer than 255 characters; left out" in _messages(report.warnings)
    assert any_db.get(Service, "2c6f1c70-9d8e-4c1b-a1f2-000000000002").alternate_name is None


def test_the_oruk_example_files_import_then_reimport_with_no_change(any_db):
    reports = [import_path(any_db, EXAMPLES / name) for name in EXAMPLE_FILES]
    assert not any(r.errors for r in reports), [str(e) for r in reports for e in r.errors]
    full = service_json(any_db.get(Service, "ac148810-d857-441c-9679-408f346de14b"))
    location = full["service_at_locations"][0]["location"]
    assert "latitude" not in location
    assert location["addresses"][0]["postal_code"] == "ABC 1234"
    warnings = _messages(reports[4].warnings)
    assert "latitude/longitude 100, 101 are not a point on Earth" in warnings
    assert "'ABC 1234' is not a UK postcode (country US); kept as text" in warnings
    history = _history(any_db)

    again = [import_path(any_db, EXAMPLES / name) for name in EXAMPLE_FILES]

    assert not any(r.changed for r in again)
    assert _history(any_db) == history


def test_a_contacts_numbers_keep_the_order_they_were_given_in(any_db, tmp_path):
    """The first number is the one people call; ids (here sorting the other way) do not keep
    that order, so the writer stores each number's place."""
    numbers = ["01244 000111", "07700 900222", "0151 000 3333"]
    ids = [f"f2000000-0000-4000-8000-00000000000{n}" for n in (9, 5, 1)]
    service_id = "f0000000-0000-4000-8000-000000000001"
    record = {
        "id": service_id,
        "name": "Numbers in order",
        "status": "active",
        "contacts": [
            {
                "id": "f1000000-0000-4000-8000-000000000001",
                "name": "Desk",
                "phones": [{"id": i, "number": n} for i, n in zip(ids, numbers, strict=True)],
            }
        ],
    }
    path = tmp_path / "ordered.json"
    path.write_text(json.dumps([record]))
    import_path(any_db, path)

    def shown() -> list[str]:
        any_db.expire_all()
        phones = service_json(any_db.get(Service, service_id))["contacts"][0]["phones"]
        return [p["number"] for p in phones]

    assert shown() == numbers
    assert not import_path(any_db, path).changed

    record["contacts"][0]["phones"].reverse()
    path.write_text(json.dumps([record]))
    assert import_path(any_db, path).changed
    assert shown() == list(reversed(numbers))
