"""Listings to search documents: one per place, one for area-covering services, public only."""

from __future__ import annotations

from datetime import date

from directory.models import CostOption, ListingStatus
from search_index.documents import documents_for_services, is_free, iter_all_documents
from search_index.schema import SECTION_WEIGHTS, build_schema, parse_hours
from search_index.vocabulary import load_vocabulary
from tests.factories import CHESHIRE_EAST, CHESHIRE_WEST, make_service, term


def _docs(session, service):
    session.commit()
    return documents_for_services(session, [service.id])[service.id]


def test_one_document_per_place_with_coordinates_cells_and_the_venues_own_authority(session):
    service = make_service(
        session, "Lunch Club", places=("chester", "neston"), service_areas=(CHESHIRE_EAST,)
    )
    docs = _docs(session, service)
    assert [d["kind"] for d in docs] == ["venue", "venue"]
    assert len({d["doc_id"] for d in docs}) == 2 and {d["service_id"] for d in docs} == {service.id}
    chester = next(d for d in docs if d["row"]["postcode"] == "CH1 2HJ")
    assert chester["lat"] == 53191740 and chester["lon"] == -2892720
    assert chester["cell"].split()[0].startswith("0:")
    # Its service area (Cheshire East) plus the authority the venue itself is in.
    assert set(chester["area"].split()) == {CHESHIRE_EAST, CHESHIRE_WEST}
    assert chester["row"]["location_name"] == "Chester Town Hall"


def test_a_phone_service_gets_one_area_document(session):
    service = make_service(session, "Debt Line", places=(), delivery_modes=["phone"])
    (doc,) = _docs(session, service)
    assert doc["kind"] == "area" and doc["doc_id"] == f"{service.id}:area"
    assert doc["area"] == CHESHIRE_WEST and "lat" not in doc and "cell" not in doc
    assert doc["mode"] == "phone"


def test_a_service_with_venues_and_a_phone_line_gets_both(session):
    service = make_service(
        session, "Advice", places=("hoole",), delivery_modes=["in_person", "phone"]
    )
    assert sorted(d["kind"] for d in _docs(session, service)) == ["area", "venue"]


def test_needs_carry_their_ancestors_and_text_carries_labels_and_synonyms(session):
    service = make_service(session, "Phone Friends", needs=("Telephone befriending",))
    (doc,) = _docs(session, service)
    chain = [
        "Telephone befriending",
        "Befriending",
        "Loneliness and isolation",
        "Health and wellbeing",
    ]
    assert doc["need"].split() == [term(session, name).id for name in chain]
    assert "Telephone befriending" in _section(doc, "need")
    assert "Loneliness and isolation" in _section(doc, "parent_need")
    assert doc["row"]["needs"] == ["Telephone befriending"]
    assert doc["group"] == term(session, "Older people").id
    debt = make_service(session, "Debt Clinic", needs=("Debt advice",))
    (doc,) = _docs(session, debt)
    assert "skint" in _section(doc, "synonym")
    assert "Money" in _section(doc, "parent_need")


def _section(doc: dict, kind: str) -> str:
    """The text of the ``all`` field's sections weighted like ``kind``."""
    return " | ".join(text for weight, text in doc["all"] if weight == SECTION_WEIGHTS[kind])


def test_services_that_are_not_public_have_no_documents(session):
    draft = make_service(session, "Draft", listing_status=ListingStatus.DRAFT)
    live = make_service(session, "Live")
    session.commit()
    found = documents_for_services(session, [draft.id, live.id, "no-such-service"])
    assert found[draft.id] == [] and found["no-such-service"] == [] and len(found[live.id]) == 1
    assert {d["service_id"] for d in iter_all_documents(session)} == {live.id}


def test_every_document_fits_the_schema(session):
    make_service(session, "Everything", places=("chester",), delivery_modes=["in_person", "online"])
    session.commit()
    fields = set(build_schema().names())
    for doc in iter_all_documents(session):
        assert set(doc) <= fields


def test_free_only_where_the_listing_says_free(session):
    assert is_free(make_service(session, "Zero", cost=("Free", 0.0)))
    paid = make_service(session, "Paid", cost=("£3 a session", 3.0))
    assert not is_free(paid)
    words = make_service(session, "Words", cost=("Free for carers", None))
    assert is_free(words)
    nothing = make_service(session, "Nothing")
    nothing.cost_options.clear()
    assert not is_free(nothing), "a listing that says nothing about cost is not free"
    nothing.fees = "No charge"
    assert is_free(nothing)
    nothing.fees = "£2 donation suggested"
    assert not is_free(nothing)
    nothing.cost_options.append(CostOption(option="Tea", amount=0.5))
    assert not is_free(nothing)


def test_opening_hours_become_weekly_minutes_and_days(session):
    service = make_service(
        session, "Late Line",
        schedules=[{"byday": "SU", "opens_at": "22:00", "closes_at": "02:00",
                    "description": "Sunday nights, not on bank holidays"}],
    )  # fmt: skip
    (doc,) = _docs(session, service)
    sunday = 6 * 1440
    assert parse_hours(doc["hours"]) == ((0, 120), (sunday + 22 * 60, sunday + 1440))
    assert doc["day"] == "6"
    assert "bank_holiday_closed" in doc["flag"].split()


def test_last_checked_is_the_assured_date_else_the_last_edit(session):
    service = make_service(session, "Checked", assured_date=date(2024, 5, 1))
    (doc,) = _docs(session, service)
    assert doc["checked"] == date(2024, 5, 1).toordinal() and doc["row"]["checked"] == "2024-05-01"


def test_a_taxonomy_change_reaches_documents_and_the_engines_vocabulary_at_once(session):
    service = make_service(session, "Debt Clinic", needs=("Debt advice",))
    session.commit()
    assert "moneyworries" not in _section(_docs(session, service)[0], "synonym")
    assert not load_vocabulary(session).by_stem.get("moneyworri")
    debt = term(session, "Debt advice")
    debt.synonyms = [*debt.synonyms, "moneyworries"]
    session.commit()
    assert "moneyworries" in _section(_docs(session, service)[0], "synonym")
    assert load_vocabulary(session).by_stem.get("moneyworri")
