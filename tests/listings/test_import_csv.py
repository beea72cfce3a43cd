"""Importing the HSDS CSV form: a folder of tables with BOMs, CRLF and duplicate table names."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory.db import db
from directory.listings.csv_package import read_package, read_table
from directory.listings.importer import import_path
from directory.listings.serialise import service_json
from directory.models import ChangeRecord, ListingStatus, Service, TaxonomyTerm
from tests.listings.fixtures.gazetteer import import_gazetteer  # noqa: F401
from tests.listings.test_import import EXAMPLES

MESSY_CSV = Path(__file__).parent / "fixtures" / "messy_csv"
SHED = "71c0a3b2-5d4e-4f60-8a1b-2c3d4e5f0001"
CAFE = "71c0a3b2-5d4e-4f60-8a1b-2c3d4e5f0002"
BEFRIENDING = "71c0a3b2-5d4e-4f60-8a1b-2c3d4e5f0004"


@pytest.fixture
def any_db(any_app, import_gazetteer):  # noqa: F811
    any_app.config["GAZETTEER_PATH"] = import_gazetteer
    with any_app.app_context():
        yield db.session


def test_tables_with_a_bom_and_windows_line_endings_read_cleanly():
    raw = (MESSY_CSV / "services.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows, note = read_table(MESSY_CSV / "services.csv")
    assert note is None
    assert list(rows[0])[:3] == ["id", "organization_id", "name"]
    assert rows[1]["description"] == "A monthly café for unpaid carers.\nTea and cake on us."


def test_both_spellings_of_a_table_are_merged_by_id():
    package = read_package(MESSY_CSV)
    services = {r["id"].lower(): r for t, r in package.records if t == "service"}
    shed = services[SHED]
    assert [s["id"] for s in shed["schedules"]] == ["75c0a3b2-5d4e-4f60-8a1b-2c3d4e5f0001"]
    assert shed["schedules"][0]["notes"] == "Closed over Christmas"
    address = shed["service_at_locations"][0]["location"]["addresses"][0]
    assert address["address_2"] == "Memorial Court"
    assert any("schedules.csv was used" in note for note in package.notes)


def test_messy_package_imports_with_a_report(any_db):
    report = import_path(any_db, MESSY_CSV)

    assert report.counts["service"]["created"] == 3
    assert report.counts["service"]["skipped"] == 2
    errors = "\n".join(str(e) for e in report.errors)
    assert "71c0a3b2-5d4e-4f60-8a1b-2c3d4e5f0003: has no name" in errors
    assert f"{SHED}: duplicate id" in errors
    assert any("1 phone(s) belong to no contact or service" in n for n in report.notes)

    shed = service_json(any_db.get(Service, SHED))
    assert shed["minimum_age"] == 50
    assert shed["assured_date"] == "2023-03-15"
    assert shed["contacts"][0]["phones"][0]["number"] == "01606 862862"
    schedule = shed["schedules"][0]
    assert (schedule["byday"], schedule["opens_at"], schedule["valid_from"]) == (
        "TU,TH",
        "09:30:00",
        "2023-09-01",
    )
    location = shed["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "CW9 5AS"
    assert location["latitude"] == pytest.approx(53.261, abs=0.001)

    cafe = any_db.get(Service, CAFE)
    assert cafe.listing_status == ListingStatus.DRAFT
    monthly = [s for s in cafe.schedules if s.service_at_location_id]
    assert [(s.freq, s.byday) for s in monthly] == [("MONTHLY", "1WE")]
    prose = next(s for s in cafe.schedules if not s.service_at_location_id)
    assert (prose.freq, prose.byday, str(prose.opens_at)) == ("MONTHLY", "1WE", "10:00:00")

    befriending = any_db.get(Service, BEFRIENDING)
    assert befriending.status == "temporarily closed"
    assert befriending.contacts[0].phones[0].extension == "4"
    assert [a.taxonomy_term.name for a in befriending.attributes] == ["Loneliness"]
    term = any_db.get(TaxonomyTerm, "79c0a3b2-5d4e-4f60-8a1b-2c3d4e5f0001")
    assert term.synonyms == ["lonely", "isolated", "no one to talk to"]


def test_reimporting_the_package_changes_nothing(any_db):
    import_path(any_db, MESSY_CSV)
    count = any_db.scalar(select(func.count()).select_from(ChangeRecord))

    again = import_path(any_db, MESSY_CSV)

    assert not again.changed
    assert any_db.scalar(select(func.count()).select_from(ChangeRecord)) == count


def test_the_oruk_csv_example_imports_and_reimports_with_no_change(any_db):
    report = import_path(any_db, EXAMPLES / "csv")
    assert report.counts["service"]["created"] == 1
    assert not report.errors
    service = service_json(any_db.get(Service, "ac148810-d857-441c-9679-408f346de14b"))
    assert service["schedules"][0]["byday"] == "TH,FR"
    assert service["contacts"][0]["phones"][0]["number"] == "01234 234567"
    address = service["service_at_locations"][0]["location"]["addresses"][0]
    assert address["address_2"] == "MyVillage"

    assert not import_path(any_db, EXAMPLES / "csv").changed
