"""Duplicate flags in the database: found, kept, decided, grouped and shown on the API."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from directory.listings.duplicates import (
    DecisionError,
    DuplicateFlag,
    FlagStatus,
    Strength,
    duplicate_groups,
    flag_duplicates,
    group_members,
    open_flags,
    report_lines,
    resolve,
)
from directory.listings.duplicates.serialise import possible_duplicates_json
from directory.listings.importer import import_services
from directory.models import ListingStatus, Service, ServiceAtLocation
from tests.api.schema import assert_valid
from tests.factories import make_directory, make_location, make_organization, make_service


def _flags(session) -> list[DuplicateFlag]:
    return list(session.scalars(select(DuplicateFlag)))


def _own_contacts(session, service: Service) -> None:
    """Factories derive email and web addresses from the name: give a look-alike its own."""
    service.email = service.contacts[0].email = f"{service.id}@example.org"
    service.url = f"https://example.org/{service.id}"
    session.flush()


def _unplaced(session, name: str, phone: str, organisation: str) -> Service:
    """A listing with no address, run by its own organisation, with its own email and site."""
    service = make_service(
        session,
        name,
        places=(),
        phone=phone,
        organization=make_organization(session, organisation),
    )
    _own_contacts(session, service)
    return service


def _pair(session, first: str = "Chester Memory Cafe", second: str = "Memory Café - Chester"):
    """The same memory cafe listed by two feeds: a likely pair."""
    a = make_service(
        session, first, organization=make_organization(session, "Age Concern"), phone="01632 960777"
    )
    b = make_service(
        session,
        second,
        organization=make_organization(session, "Dementia Friends"),
        phone="(01632) 960 777",
        places=(),
    )
    return a, b


def test_the_same_service_from_two_feeds_is_flagged_likely_and_nothing_is_merged(any_session):
    session = any_session
    a, b = _pair(session)
    flags = flag_duplicates(session, [b.id])
    assert len(flags) == 1
    flag = flags[0]
    assert flag.strength == Strength.LIKELY and flag.status == FlagStatus.OPEN and flag.is_new
    assert (flag.service_a_id, flag.service_b_id) == tuple(sorted((a.id, b.id)))
    assert flag.reasons == ["same name", "same phone 01632 960777"]
    assert "Chester Memory Cafe" in str(flag) and "same phone 01632 960777" in str(flag)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Service)) == 2
    assert {a.listing_status, b.listing_status} == {ListingStatus.ACTIVE}


def test_repeated_records_in_one_feed_are_likely(session):
    org = make_organization(session, "Hoole Pantry CIC")
    first = make_service(session, "Hoole Community Pantry", organization=org, places=("hoole",))
    again = make_service(session, "Hoole Comunity Pantry", organization=org, places=("hoole",))
    [flag] = flag_duplicates(session, [first.id, again.id])
    assert flag.strength == Strength.LIKELY
    assert flag.reasons[0] == "same name at CH2 3AE"


def test_the_test_directory_with_its_shared_phones_and_one_organisation_flags_nothing(session):
    directory = make_directory(session)
    ids = [s.id for s in directory.services.values()]
    assert flag_duplicates(session, ids) == []
    assert _flags(session) == []


def test_a_council_switchboard_shared_by_different_services_flags_nothing(session):
    council = make_organization(session, "Cheshire West and Chester Council")
    names = ["Chester Library", "Adult Social Care", "Blue Badges", "Chester Registration Office"]
    made = [
        make_service(
            session,
            n,
            organization=council,
            phone="0300 123 8123",
            url=None,
            email="enquiries@cheshirewestandchester.gov.uk",
        )
        for n in names
    ]
    assert flag_duplicates(session, [s.id for s in made]) == []


def test_no_postcode_and_no_shared_contact_gives_a_possible_flag(session):
    a = make_service(session, "Blacon Memory Cafe", places=(), phone="01632 960001")
    b = _unplaced(session, "Blacon Memory Café", "01632 960002", "Other Trust")
    [flag] = flag_duplicates(session, [a.id])
    assert flag.strength == Strength.POSSIBLE
    assert {flag.service_a_id, flag.service_b_id} == {a.id, b.id}


def test_services_with_empty_names_are_checked_without_error_and_not_flagged(session):
    a = make_service(session, "", phone="01632 960009")
    b = make_service(session, " ", phone="01632 960009")
    assert flag_duplicates(session, [a.id, b.id]) == []


def test_closed_listings_and_unknown_ids_are_left_out(session):
    a, b = _pair(session)
    b.listing_status = ListingStatus.CLOSED
    session.flush()
    assert flag_duplicates(session, [a.id, b.id, "no-such-id"]) == []


def test_a_pair_marked_not_duplicate_is_never_flagged_again(session):
    a, b = _pair(session)
    flag_duplicates(session, [a.id])
    decided = resolve(session, b.id, a.id, "not_duplicate", "Sam (directory team)")
    assert decided.decided_by == "Sam (directory team)" and decided.decided_at is not None
    assert flag_duplicates(session, [a.id, b.id]) == []
    [stored] = _flags(session)
    assert stored.status == FlagStatus.NOT_DUPLICATE


def test_a_confirmed_pair_keeps_its_decision_and_is_not_reported_again(session):
    a, b = _pair(session)
    [flag] = flag_duplicates(session, [a.id])
    seen = flag.last_seen
    resolve(session, a.id, b.id, FlagStatus.CONFIRMED, "Sam")
    assert flag_duplicates(session, [a.id]) == []
    [stored] = _flags(session)
    assert stored.status == FlagStatus.CONFIRMED and stored.last_seen >= seen


def test_an_open_flag_is_reported_again_but_not_as_new(session):
    a, _ = _pair(session)
    flag_duplicates(session, [a.id])
    [again] = flag_duplicates(session, [a.id])
    assert not again.is_new and "(open)" in str(again)
    assert len(_flags(session)) == 1


def test_an_open_flag_that_no_longer_matches_is_removed(session):
    a, b = _pair(session)
    flag_duplicates(session, [a.id])
    b.name = "Chester Carers Choir"
    session.flush()
    assert flag_duplicates(session, [b.id]) == []
    assert _flags(session) == []


def test_staff_can_decide_on_a_pair_that_was_never_flagged(session):
    a = make_service(session, "Hoole Knit and Natter", places=("hoole",))
    b = make_service(session, "Upton Craft Circle", places=("upton",))
    flag = resolve(session, a.id, b.id, "confirmed", "Sam")
    assert flag.status == FlagStatus.CONFIRMED and flag.reasons == ["raised by staff"]
    reopened = resolve(session, a.id, b.id, "open", "Sam")
    assert reopened.status == FlagStatus.OPEN and reopened.decided_by is None


@pytest.mark.parametrize(
    ("first", "second", "status", "message"),
    [
        ("a", "a", "confirmed", "itself"),
        ("a", "missing", "confirmed", "no listing with id missing"),
        ("a", "b", "merged", "is not one of"),
    ],
)
def test_bad_decisions_are_refused_and_change_nothing(session, first, second, status, message):
    a, b = _pair(session)
    ids = {"a": a.id, "b": b.id, "missing": "missing"}
    with pytest.raises(DecisionError, match=message):
        resolve(session, ids[first], ids[second], status, "Sam")
    assert _flags(session) == []


def _group_case(session):
    """A-B likely (open), B-C confirmed, D-E possible, F-G marked not a duplicate."""
    org = make_organization(session, "Cheshire Memory Cafes")
    specs = {
        "A": ("Chester Memory Cafe", {"assured_date": date(2024, 1, 1)}),
        "B": ("Memory Cafe Chester", {"assured_date": date(2025, 6, 1)}),
        "C": ("Sunday Lunch Club", {"url": None, "email": None, "description": None}),
        "D": ("Blacon Memory Cafe", {"places": ()}),
        "E": ("Blacon Memory Café", {"places": (), "phone": "01632 960002"}),
        "F": ("Hoole Knit and Natter", {}),
        "G": ("Hoole Knit & Natter", {}),
    }
    made = {}
    for key, (name, extra) in specs.items():
        owner = make_organization(session, f"Org {key}") if key in "DE" else org
        made[key] = make_service(session, name, organization=owner, **extra)
    _own_contacts(session, made["E"])
    flag_duplicates(session, [s.id for s in made.values()])
    resolve(session, made["B"].id, made["C"].id, "confirmed", "Sam")
    resolve(session, made["F"].id, made["G"].id, "not_duplicate", "Sam")
    return made


def test_groups_join_likely_and_confirmed_pairs_only(any_session):
    session = any_session
    made = _group_case(session)
    strengths = {f.strength for f in open_flags(session)}
    assert strengths == {Strength.LIKELY, Strength.POSSIBLE}
    keys = duplicate_groups(session, [s.id for s in made.values()])
    # B is as complete as A and checked more recently: it is the one residents see.
    assert keys[made["A"].id] == keys[made["B"].id] == keys[made["C"].id] == made["B"].id
    for key in "DEFG":
        assert keys[made[key].id] == made[key].id
    assert group_members(session, made["C"].id) == {made[k].id for k in "ABC"}


def test_a_group_is_the_same_whichever_member_is_asked_about(session):
    made = _group_case(session)
    assert duplicate_groups(session, [made["C"].id]) == {made["C"].id: made["B"].id}


def test_listings_that_are_not_public_join_no_group(session):
    made = _group_case(session)
    made["B"].listing_status = ListingStatus.PENDING
    session.flush()
    keys = duplicate_groups(session, [made["A"].id, made["C"].id])
    assert keys == {made["A"].id: made["A"].id, made["C"].id: made["C"].id}


def test_the_api_lists_open_flags_on_the_full_service_and_stays_valid_oruk(app, client):
    from directory.db import db

    with app.app_context():
        a, b = _pair(db.session)
        draft = make_service(db.session, "Chester Memory Cafe", listing_status=ListingStatus.DRAFT)
        loner = make_service(db.session, "Upton Craft Circle", places=("upton",))
        flag_duplicates(db.session, [a.id, b.id, draft.id])
        db.session.commit()
        ids = {"a": a.id, "b": b.id, "loner": loner.id}
    body = client.get(f"/api/services/{ids['a']}").get_json()
    assert body["x_possible_duplicates"] == [
        {"id": ids["b"], "strength": "likely", "reasons": ["same name", "same phone 01632 960777"]}
    ]
    assert_valid(body, "service")
    assert "x_possible_duplicates" not in client.get(f"/api/services/{ids['loner']}").get_json()


def test_a_feed_in_an_older_shape_is_matched_against_the_directory(session):
    """An HSDS list-level record: phones on the service, no location, HTML, its own ids."""
    existing = make_service(
        session,
        "Chester Memory Cafe",
        phone="01632 960777",
        organization=make_organization(session, "Age Concern"),
    )
    session.commit()
    report = import_services(
        session,
        [
            {
                "id": "svc-1047",
                "name": "Memory cafe (Chester)",
                "description": "<p>A friendly <strong>memory cafe</strong>&nbsp;for carers.</p>",
                "url": "https://www.chester-memory-cafe.example.org/?utm_source=feed",
                "organization": {"id": "212", "name": "Chester Dementia Friends"},
                "phones": [{"id": "ph-1", "number": "+44 (0)1632 960777"}],
            }
        ],
    )
    assert not report.errors, [str(e) for e in report.errors]
    imported = session.scalars(select(Service).where(Service.id != existing.id)).one()
    [flag] = flag_duplicates(session, [imported.id])
    assert flag.strength == Strength.LIKELY
    assert "same phone 01632 960777" in flag.reasons


def test_a_town_named_anywhere_in_the_directory_qualifies_names(session):
    make_service(session, "Neston Men's Shed", places=("neston",))
    online = make_service(session, "Carers Online Cafe", places=(), phone="01632 960400")
    feed = _unplaced(session, "Carers Online Cafe (Neston)", "01632 960400", "Second Feed Org")
    [flag] = flag_duplicates(session, [feed.id])
    assert {flag.service_a_id, flag.service_b_id} == {online.id, feed.id}
    assert flag.strength == Strength.LIKELY
    assert flag.reasons == ["similar name (0.95)", "same phone 01632 960400"]


def test_a_number_many_organisations_give_is_a_front_door_not_evidence(session):
    """A hub's number given by four groups: two same-named listings are only possible."""
    names = ["Upton Memory Cafe", "Upton Memory Cafe", "Upton Book Club", "Upton Chess Club"]
    made = [_unplaced(session, name, "01632 960999", f"Group {n}") for n, name in enumerate(names)]
    [flag] = flag_duplicates(session, [s.id for s in made])
    assert flag.strength == Strength.POSSIBLE
    assert flag.reasons == ["same name", "no postcode, phone, email or website in common"]


def test_a_name_many_listings_share_is_no_evidence_on_its_own(session):
    made = [
        _unplaced(session, "Winsford Youth Club", f"01632 96050{n}", f"Youth Group {n}")
        for n in range(5)
    ]
    assert flag_duplicates(session, [s.id for s in made]) == []
    # Two of them are still flagged when they are at one venue.
    venue = make_location(session, "upton")
    for service in made[:2]:
        service.service_at_locations.append(ServiceAtLocation(location=venue))
    session.flush()
    [flag] = flag_duplicates(session, [s.id for s in made])
    assert flag.strength == Strength.LIKELY and flag.reasons == ["same name at CH2 2DD"]


def test_the_import_report_gives_counts_and_the_first_flags(session):
    a, b = _pair(session)
    flags = flag_duplicates(session, [a.id, b.id])
    lines = report_lines(flags)
    assert lines[0] == (
        "1 likely and 0 possible duplicate pair(s), 1 new (all: flask --app wsgi duplicates list)"
    )
    assert lines[1].startswith("likely duplicate (new): '")
    assert "'Chester Memory Cafe'" in lines[1] and "'Memory Café - Chester'" in lines[1]
    assert report_lines(flags * 3, most=2)[-1] == "... and 1 more"
    assert report_lines([]) == []


_hostile = st.text(max_size=80)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.tuples(_hostile, _hostile),
    phones=st.tuples(_hostile, _hostile),
    urls=st.tuples(_hostile, _hostile),
    emails=st.tuples(_hostile, _hostile),
)
def test_hostile_listings_are_checked_and_served_without_error(
    session, names, phones, urls, emails
):
    made = []
    for n in range(2):
        service = make_service(session, names[n].replace("\x00", ""), places=(), phone="0")
        service.url, service.email = urls[n].replace("\x00", ""), emails[n].replace("\x00", "")
        service.contacts[0].phones[0].number = phones[n].replace("\x00", "")[:64]
        made.append(service)
    session.flush()
    for flag in flag_duplicates(session, [s.id for s in made]):
        assert flag.reasons and str(flag)
        assert possible_duplicates_json(made[0]) is not None
    assert duplicate_groups(session, [s.id for s in made]).keys() == {s.id for s in made}
    session.rollback()
