"""Feeds in the shapes councils publish: ORUK 1.0 list and full objects, Outpost pages, flat
spreadsheets and ORUK 3.0 with another directory's taxonomy, with their source terms kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory.listings.feed_import import ImportOptions, run_import
from directory.listings.importer import import_records
from directory.listings.serialise import service_json
from directory.listings.shapes.spreadsheet import recognise
from directory.models import (
    Attribute,
    ListingStatus,
    Service,
    Taxonomy,
    TaxonomyTerm,
)

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
MEMORY_CAFE = "3a1f0c52-8d0e-4c7a-9f3e-1b2c3d4e5f01"
MONEY = "3a1f0c52-8d0e-4c7a-9f3e-1b2c3d4e5f02"
CARERS_HUB = "5c9d7e21-1a2b-4c3d-8e4f-5a6b7c8d9e01"


@pytest.fixture
def session(feed_session):
    return feed_session


def _import(session, name: str, **options):
    return run_import(session, str(FEEDS / name), ImportOptions(**options))


def _source_terms(session, service_id: str) -> dict[tuple[str, str], str]:
    """``{(vocabulary, code): label}`` of a service's source_term links."""
    rows = session.execute(
        select(Taxonomy.name, TaxonomyTerm.term, TaxonomyTerm.name)
        .join(TaxonomyTerm, TaxonomyTerm.taxonomy_id == Taxonomy.id)
        .join(Attribute, Attribute.taxonomy_term_id == TaxonomyTerm.id)
        .where(Attribute.link_id == service_id, Attribute.link_type == "source_term")
    )
    return {(vocab, code): label for vocab, code, label in rows}


def _names(session) -> set[str]:
    return set(session.scalars(select(Service.name)))


def test_an_oruk_1_list_page_imports_with_html_kept_and_its_quirks_reported(session):
    report = _import(session, "oruk1_list_page.json")

    assert report.counts["service"]["created"] == 4
    assert [str(e) for e in report.errors] == [
        "service 3a1f0c52-8d0e-4c7a-9f3e-1b2c3d4e5f05: has no name"
    ]
    cafe = service_json(session.get(Service, MEMORY_CAFE))
    assert cafe["description"].startswith("<p>A friendly <strong>memory cafe</strong>")
    assert cafe["url"] == "https://www.memorycafe.example.org.uk"
    assert cafe["assured_date"] == "2024-01-10"
    assert cafe["last_modified"] == "2024-02-11T00:00:00.000Z"
    assert cafe["x_delivery_modes"] == ["in_person"]
    assert cafe["x_referral"] == "self_referral"
    assert cafe["organization"]["name"] == "Chester Memory Friends"
    assert _source_terms(session, MEMORY_CAFE) == {
        ("pcTargetAudience", "80101"): "Older people",
        ("pcTargetAudience", "80102"): "Carers",
    }
    # An empty name takes the organisation's; a repeat of the same record is read once.
    assert session.get(Service, MONEY).name == "Ellesmere Port Money Advice"
    warnings = "\n".join(str(w) for w in report.warnings)
    assert f"{MONEY}: name was empty; the organisation's name was used" in warnings
    assert f"{MEMORY_CAFE}: appears again, the same; read once" in warnings
    assert "'javascript:alert(1)' is not a web address" in warnings
    # An integer id becomes a stable UUID, said once for the whole feed, not per record.
    assert "Tuesday Walking Group" in _names(session)
    notes = "\n".join(report.notes)
    assert "ORUK 1.0: 1 id(s) were not UUIDs" in notes
    dropped = next(n for n in report.notes if "with no place in ORUK 3.0" in n)
    assert "service.pc_attendingAccess_additionalInfo (2)" in dropped
    assert "pc_metadata.assured_by (2)" in dropped
    assert "service.deliverable_type (3)" in dropped


def test_an_oruk_1_full_service_maps_everything_ruk_3_holds(session):
    report = _import(session, "oruk1_full_service.json")
    assert not report.errors, [str(e) for e in report.errors]
    hub = service_json(session.get(Service, CARERS_HUB))

    schedules = {(s.get("byday"), s["opens_at"], s.get("freq")) for s in hub["schedules"]}
    assert schedules == {
        ("MO", "09:30:00", "WEEKLY"),
        ("WE", "10:00:00", "WEEKLY"),
        ("1TH", "10:00:00", "MONTHLY"),
    }
    sal = hub["service_at_locations"][0]
    coffee = next(s for s in hub["schedules"] if s.get("description") == "Coffee morning")
    assert coffee["service_at_location_id"] == sal["id"]
    place = sal["location"]
    address = place["addresses"][0]
    assert (address["address_1"], address["city"], address["postal_code"], address["country"]) == (
        "4 Civic Way",
        "Ellesmere Port, Cheshire",
        "CH65 0AA",
        "GB",
    )
    assert place["latitude"] != 0  # the 0,0 placeholder is dropped; placed by its postcode
    assert [a["description"] for a in place["accessibility"]] == [
        "Wheelchair accessible",
        "Hearing loop",
    ]
    assert (hub["minimum_age"], hub.get("maximum_age")) == (18, None)
    assert hub["eligibility_description"] == "adult, Carers"
    assert [p["number"] for p in hub["contacts"][0]["phones"]] == ["0151 355 0000", "07700 900123"]
    assert hub["contacts"][0]["phones"][0]["extension"] == "4"
    assert [(lang.get("name"), lang.get("code")) for lang in hub["languages"]] == [
        ("English", None),
        (None, "pl"),
    ]
    assert hub["funding"][0]["source"] == "Council grant"
    assert hub["service_areas"][0]["name"] == "Cheshire West and Chester"
    assert hub["cost_options"][0]["amount"] == 0
    assert hub["x_referral"] == "referral_needed"
    assert _source_terms(session, CARERS_HUB) == {
        ("esdServiceTypes", "http://id.esd.org.uk/service/1043"): "Carers support",
        ("esdNeeds", "esdNeeds:226"): "Need a break from caring",
        ("BCC User Groups", "bccusergroup:56"): "Long term health conditions",
    }
    dropped = next(n for n in report.notes if "with no place in ORUK 3.0" in n)
    assert "service.holiday_schedules (1)" in dropped and "service.reviews (1)" in dropped


def test_source_terms_follow_the_documented_contract(session):
    _import(session, "oruk1_full_service.json")
    term = session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.term == "esdNeeds:226")).one()
    assert term.taxonomy_obj.name == "esdNeeds"
    assert term.name == "Need a break from caring"
    parent = session.get(TaxonomyTerm, term.parent_id)
    assert (parent.term, parent.name, parent.taxonomy_obj.name) == (
        "esdNeeds:200",
        "Caring",
        "esdNeeds",
    )
    esd = session.scalars(
        select(TaxonomyTerm).where(TaxonomyTerm.term == "http://id.esd.org.uk/service/1043")
    ).one()
    assert esd.term_uri == "http://id.esd.org.uk/service/1043"
    links = session.scalars(select(Attribute).where(Attribute.link_id == CARERS_HUB)).all()
    assert {a.link_type for a in links} == {"source_term"}
    # Never mistaken for our curated links: the index reads need and client_group only.
    from search_index.records import load_services

    (record,) = load_services(session, [CARERS_HUB])
    assert {kind for kind, _term in record.links} == {"source_term"}


def test_reimporting_a_converted_feed_changes_nothing_and_keeps_curated_links(session):
    _import(session, "oruk1_full_service.json")
    need = TaxonomyTerm(id="0c6b8f57-0000-4000-8000-000000000001", name="Carers", term="carers")
    session.add(need)
    hub = session.get(Service, CARERS_HUB)
    hub.attributes.append(Attribute(taxonomy_term=need, link_type="need"))
    session.commit()

    again = _import(session, "oruk1_full_service.json")

    assert not again.changed, again.lines()
    session.expire_all()
    kinds = sorted(a.link_type for a in session.get(Service, CARERS_HUB).attributes)
    assert kinds == ["need", "source_term", "source_term", "source_term"]


def test_an_outpost_spring_page_is_read_as_its_services(session):
    report = _import(session, "outpost_page_1.json")

    assert report.counts["service"]["created"] == 2, report.lines()
    services = {s.name: service_json(s) for s in session.scalars(select(Service))}
    play = services["Stay and Play (Whitby)"]
    assert play["url"] == "https://stayandplay.example.org.uk"
    assert (play["minimum_age"], play["maximum_age"]) == (0, 4)
    assert play["x_referral"] == "self_referral"
    assert play["cost_options"] == [{**play["cost_options"][0], "option": "Free", "amount": 0}]
    place = play["service_at_locations"][0]["location"]
    assert (place["latitude"], place["longitude"]) == (53.26609, -2.90835)
    assert place["addresses"][0]["postal_code"] == "CH65 6PQ"
    assert play["schedules"][0]["byday"] == "WE"
    assert play["contacts"][0]["phones"][0]["number"] == "0151 355 1234"
    play_id = play["id"]
    assert _source_terms(session, play_id) == {
        ("outpost", "things-to-do"): "Things to do",
        ("outpost", "under-5s"): "Under 5s",
        ("outpost suitabilities", "wheelchair-users"): "Wheelchair users",
        ("outpost SEND needs", "autism"): "Autism",
    }
    shed = services["Men's Shed"]
    place = shed["service_at_locations"][0]["location"]
    assert "address_1" not in place["addresses"][0] or not place["addresses"][0]["address_1"]
    assert [c["name"] for c in shed["contacts"]] == ["Dave"]  # the hidden contact is left out
    assert [p["number"] for p in shed["contacts"][0]["phones"]] == ["07700 900456", "0151 339 0000"]
    assert shed["cost_options"][0]["amount"] == 2.5
    dropped = next(n for n in report.notes if "Outpost fields" in n)
    assert "service.local_offer (1)" in dropped and "service.meta (1)" in dropped


def test_outpost_ids_are_stable_and_kept_apart_per_feed(session):
    _import(session, "outpost_page_1.json")
    first = set(session.scalars(select(Service.id)))
    again = _import(session, "outpost_page_1.json")
    assert not again.changed
    _import(session, "outpost_page_1.json", feed="another-council")
    assert len(set(session.scalars(select(Service.id)))) == 2 * len(first)


def test_a_council_spreadsheet_is_recognised_by_its_headers(session):
    report = _import(session, "council_spreadsheet.csv")

    assert report.counts["service"]["created"] == 3, report.lines()
    assert any("read as a spreadsheet" in n for n in report.notes)
    assert any("columns not used: 'Notes'" in n for n in report.notes)
    services = {s.name: service_json(s) for s in session.scalars(select(Service))}
    lunch = services["Upton Lunch Club"]
    assert lunch["organization"]["name"] == "Upton Village Hall Trust"
    assert lunch["url"] == "https://www.uptonhall.example.org.uk"
    assert lunch["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "CH2 1HJ"
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in lunch["schedules"]] == [
        ("WE", "12:00:00", "14:00:00")
    ]
    assert _source_terms(session, lunch["id"]) == {
        ("council_spreadsheet", "older-people"): "Older people",
        ("council_spreadsheet", "food"): "Food",
    }
    food = services["Saltney Foodbank"]  # no service name: the organisation's
    assert [p["number"] for p in food["contacts"][0]["phones"]] == ["01244 654321", "07700 900789"]
    assert len(food["schedules"]) == 2
    assert any("appears again, the same" in str(w) for w in report.warnings)
    assert not _import(session, "council_spreadsheet.csv").changed


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Service Name", "Post code", "Telephone"], {"name", "postcode", "phone"}),
        (
            ["ORGANISATION", "e-mail address", "Web", "When"],
            {"organisation", "email", "website", "times"},
        ),
        (["id", "name", "organization_id"], None),
        (["Service", "Notes"], None),
    ],
)
def test_spreadsheet_headers_are_matched_whatever_their_case_and_spacing(headers, expected):
    found = recognise(headers)
    assert (set(found.values()) if found else None) == expected


def test_oruk_3_attributes_in_another_directorys_taxonomy_become_source_terms(session):
    service = {
        "id": "e1a5c2d0-0000-4000-8000-000000000001",
        "name": "Befriending line",
        "status": "active",
        "attributes": [
            {
                "id": "e1a5c2d0-0000-4000-8000-0000000000a1",
                "link_type": "Service type",
                "taxonomy_term": {
                    "id": "e1a5c2d0-0000-4000-8000-0000000000b1",
                    "name": "Befriending",
                    "taxonomy": "openReferralUKServiceTypes",
                    "term": "befriending",
                },
            }
        ],
    }
    report = import_records(session, [("service", service)], source="elsewhere.json")
    assert not report.errors
    assert _source_terms(session, service["id"]) == {
        ("openReferralUKServiceTypes", "befriending"): "Befriending"
    }
    assert not import_records(session, [("service", service)], source="elsewhere.json").changed


def test_the_big_real_shaped_feed_in_all_its_shapes_reads_without_errors(session, tmp_path):
    from tests.listings.fixtures.feeds.generate_council_feed import generate

    feed = tmp_path / "council.json"
    feed.write_text(json.dumps(generate(120, seed=3)))
    report = run_import(session, str(feed), ImportOptions())
    assert not report.errors, [str(e) for e in report.errors][:5]
    assert report.counts["service"]["created"] == 120
    assert session.scalar(select(func.count()).select_from(Service)) == 120
    statuses = set(session.scalars(select(Service.listing_status)))
    assert statuses == {ListingStatus.ACTIVE}
