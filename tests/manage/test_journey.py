"""Register a new listing end to end through the test client: every step, the errors, a draft
left and continued from another browser session, check answers, submit, and the moderator's
approval making it a public listing with a weekly session at the hub."""

from __future__ import annotations

from datetime import time

from sqlalchemy import func, select

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.listings.models import ChangeRecord, ListingStatus, Service
from directory.moderation.apply import apply_proposal, check_payload
from directory.moderation.models import Proposal, ProposalKind, ProposalState
from directory.places.models import LocationKind
from tests.auth import sign_in_as
from tests.manage.journey import (
    GOOD_ANSWERS,
    SESSION,
    location,
    post_step,
    read,
    register,
    start,
    through_matches,
)


def test_a_new_listing_goes_from_first_question_to_a_public_weekly_session_at_the_hub(
    app, session, world, member_client
):
    pid = register(member_client, world.org_a, world.hub.id)

    proposal = session.get(Proposal, pid)
    assert proposal.kind == ProposalKind.NEW
    assert proposal.state == ProposalState.SUBMITTED
    assert proposal.organization_id == world.org_a
    assert proposal.submitted_at is not None
    assert proposal.created_by == world.member.id
    record, _warnings = check_payload(proposal.payload)
    assert record["name"] == "Baby Bounce and Rhyme"
    assert record["organization"]["id"] == world.org_a
    # Nothing reached the live tables or the change log before approval.
    assert session.get(Service, proposal.service_id) is None
    assert (
        session.scalar(
            select(func.count())
            .select_from(ChangeRecord)
            .where(ChangeRecord.resource_id == proposal.service_id)
        )
        == 0
    )

    page = read(member_client.get(f"/manage/proposals/{pid}/submitted"))
    assert "Sent for checking" in page.text and "What happens next" in page.text

    with unit_of_work(session, Actor.user(world.moderator.id)):
        proposal.state = ProposalState.APPROVED
        service = apply_proposal(session, proposal)
    session.expire_all()
    service = session.get(Service, proposal.service_id)
    assert service.is_public
    assert service.listing_status == ListingStatus.ACTIVE
    assert service.organization.name == "Blacon Baby Bounce"
    assert service.organization_id == world.org_a
    (sal,) = service.service_at_locations
    assert sal.location_id == world.hub.id
    assert sal.location.kind == LocationKind.COMMUNITY_HUB
    weekly = [s for s in service.schedules if s.freq == "WEEKLY"]
    assert len(weekly) == 1
    assert (weekly[0].byday, weekly[0].interval) == ("TU", 1)
    assert (weekly[0].opens_at, weekly[0].closes_at) == (time(10), time(11, 30))
    assert weekly[0].service_at_location_id == sal.id
    assert service.contacts[0].phones[0].number == "01632 960777"
    assert service.cost_options[0].amount == 0
    assert service.maximum_age == 5
    assert sorted(service.delivery_modes) == ["in_person", "phone"]
    assert [a.extent for a in service.service_areas] == ["E06000050"]
    links = {(a.link_type, a.taxonomy_term.name) for a in service.attributes}
    assert ("client_group", "Carers") in links
    assert any(kind == "need" for kind, _ in links)
    # The change log names the moderator who approved it.
    actors = set(
        session.scalars(
            select(ChangeRecord.updated_by).where(ChangeRecord.resource_id == service.id)
        )
    )
    assert actors == {f"user:{world.moderator.id}"}

    dashboard = read(member_client.get("/manage/"))
    assert "Baby Bounce and Rhyme" in dashboard.text


def test_error_summaries_name_each_field_and_say_how_to_fix_it(world, member_client):
    pid = start(member_client, world.org_a)
    page = read(
        post_step(
            member_client,
            pid,
            "organisation",
            {"name": "", "email": "nope", "website": "javascript:x", "phone": "123"},
        )
    )
    assert page.error_summary() == [
        "Enter the name of your organisation",
        "Enter a web address in the correct format, like www.example.org",
        "Enter an email address in the correct format, like name@example.org",
        "Enter a UK phone number, like 01632 960 001 or 07700 900 982",
    ]
    assert 'href="#name"' in page.html and 'id="name"' in page.html
    assert "<title>Error: " in page.html
    checks = {
        "service": ({"name": "x", "description": ""}, ["Describe what the service offers"]),
        "who": (
            {"minimum_age": "ten", "maximum_age": "5"},
            ["Youngest age must be a whole number, like 18"],
        ),
        "cost": ({"cost": "paid", "amount": ""}, ["Enter how much it costs, like 3.50"]),
        "access": ({}, ["Select how people start using the service"]),
        "contact": (
            {"phone": "", "email": ""},
            ["Enter a phone number or an email address, or both"],
        ),
        "where": ({"mode": "remote"}, ["Select by phone, online or both"]),
    }
    for slug, (data, expected) in checks.items():
        page = read(post_step(member_client, pid, slug, data))
        assert page.error_summary() == expected, slug
    page = read(post_step(member_client, pid, "who", {"minimum_age": "18", "maximum_age": "5"}))
    assert page.error_summary() == ["Oldest age must be the same as or more than the youngest age"]


def test_sessions_and_addresses_explain_what_is_wrong(world, member_client):
    pid = start(member_client, world.org_a)
    url = f"/manage/proposals/{pid}/sessions/0"
    cases = [
        (
            {"frequency": "monthly", "days": ["TU", "WE"], "opens": "7pm", "closes": "9pm"},
            ["Select one day for a session once a month", "Select which week of the month it runs"],
        ),
        (
            {"frequency": "fortnightly", "days": ["WE"], "opens": "2pm", "closes": "1pm"},
            [
                "Enter the date of the next session, like 27 3 2027",
                "The time it ends must be after the time it starts",
            ],
        ),
        (
            {"frequency": "weekly", "opens": "25 o'clock", "closes": ""},
            [
                "Select the day it runs",
                "Enter the time it starts in the correct format, like 10am or 2:30pm",
                "Enter the time it ends, like midday",
            ],
        ),
        (
            {
                "frequency": "fortnightly",
                "days": ["WE"],
                "first_day": "31",
                "first_month": "2",
                "first_year": "2027",
                "opens": "2pm",
                "closes": "4pm",
            },
            ["The date of the next session must be a real date"],
        ),
    ]
    for data, expected in cases:
        assert read(member_client.post(url, data=data)).error_summary() == expected
    location(post_step(member_client, pid, "where", {"mode": "address"}))
    page = read(
        post_step(
            member_client,
            pid,
            "address",
            {"address_1": "1 Church Lane", "town": "Chester", "postcode": "CH1"},
        )
    )
    assert page.error_summary() == ["Enter a full UK postcode, like CH1 2HJ"]
    fortnightly = {
        "frequency": "fortnightly",
        "days": ["WE"],
        "first_day": "3",
        "first_month": "3",
        "first_year": "2027",
        "opens": "2pm",
        "closes": "4pm",
    }
    location(member_client.post(url, data=fortnightly))
    monthly = {
        "frequency": "monthly",
        "days": ["TH"],
        "week": "-1",
        "opens": "7pm",
        "closes": "9pm",
    }
    location(member_client.post(f"/manage/proposals/{pid}/sessions/1", data=monthly))
    when = read(member_client.get(f"/manage/proposals/{pid}/when"))
    assert "Every other Wednesday, 2pm to 4pm" in when.text
    assert "Last Thursday of the month, 7pm to 9pm" in when.text
    location(member_client.post(f"/manage/proposals/{pid}/sessions/0/remove", data={}))
    when = read(member_client.get(f"/manage/proposals/{pid}/when"))
    assert "Every other Wednesday" not in when.text
    assert "Last Thursday of the month" in when.text


def test_a_draft_is_saved_at_every_step_and_continued_in_a_new_session(
    app, session, world, member_client
):
    pid = start(member_client, world.org_a)
    through_matches(
        member_client, post_step(member_client, pid, "organisation", GOOD_ANSWERS["organisation"])
    )
    through_matches(
        member_client, post_step(member_client, pid, "service", GOOD_ANSWERS["service"])
    )
    draft = session.get(Proposal, pid)
    assert draft.state == ProposalState.DRAFT
    assert draft.payload["name"] == "Baby Bounce and Rhyme"
    assert draft.form_state["done"] == ["organisation", "service"]

    fresh = app.test_client()
    sign_in_as(fresh, world.member)
    dashboard = read(fresh.get("/manage/"))
    assert "Baby Bounce and Rhyme" in dashboard.text and "Draft" in dashboard.text
    resumed = location(fresh.get(f"/manage/proposals/{pid}"))
    assert resumed.endswith(f"/manage/proposals/{pid}/who")
    service_page = read(fresh.get(f"/manage/proposals/{pid}/service"))
    assert any(i.get("value") == "Baby Bounce and Rhyme" for i in service_page.inputs)

    register(fresh, world.org_a, world.hub.id, pid=pid, submit=False)
    check = read(fresh.get(f"/manage/proposals/{pid}/check"))
    assert "Check your answers" in check.text
    for words in (
        "Blacon Baby Bounce",
        "Every Tuesday, 10am to 11:30am",
        "Blacon Community Hub",
        "Up to 5",
        "Carers",
        "Free",
        "They just turn up",
    ):
        assert words in check.text, words
    change = f"/manage/proposals/{pid}/cost?from=check"
    assert f'href="{change}"' in check.html
    back = location(fresh.post(change, data={"cost": "paid", "amount": "£2.50"}))
    assert back.endswith(f"/manage/proposals/{pid}/check")
    assert "£2.50" in read(fresh.get(back)).text
    session.expire_all()
    assert session.get(Proposal, pid).payload["cost_options"][0]["amount"] == 2.5


def test_check_answers_lists_what_is_missing_and_submit_is_refused(world, member_client, session):
    pid = start(member_client, world.org_a)
    check = read(member_client.get(f"/manage/proposals/{pid}/check"))
    assert "You still need to answer" in check.text and "About your organisation" in check.text
    page = read(member_client.post(f"/manage/proposals/{pid}/check", data={}))
    assert "Answer the questions on 'What the service offers'" in page.error_summary()
    assert session.get(Proposal, pid).state == ProposalState.DRAFT


def test_the_place_is_found_by_name_or_postcode_and_a_new_address_is_kept(
    world, member_client, session
):
    pid = start(member_client, world.org_a)
    location(post_step(member_client, pid, "where", {"mode": "place"}))
    for query in ("blacon", "CH1 5BE", "ch15be"):
        page = read(member_client.get(f"/manage/proposals/{pid}/place?q={query}"))
        assert page.value_of("location_id", "(Community hub)") == world.hub.id, query
    empty = read(member_client.get(f"/manage/proposals/{pid}/place?q=zzzz"))
    assert 'No places found for "zzzz"' in empty.text
    page = read(post_step(member_client, pid, "place", {"location_id": "not-a-place"}))
    assert page.error_summary() == ["Select the place, or search again"]

    location(post_step(member_client, pid, "where", {"mode": "address", "also": ["online"]}))
    target = location(post_step(member_client, pid, "address", GOOD_ANSWERS["address"]))
    assert target.endswith("/when")
    payload = session.get(Proposal, pid).payload
    (sal,) = payload["service_at_locations"]
    assert sal["location"]["addresses"][0]["postal_code"] == "CH1 2HJ"
    assert sal["location"]["x_kind"] == "venue"
    assert payload["x_delivery_modes"] == ["in_person", "online"]
    location(member_client.post(f"/manage/proposals/{pid}/sessions/0", data=SESSION))
    assert session.get(Proposal, pid).payload["schedules"][0]["service_at_location_id"] == sal["id"]
    location(post_step(member_client, pid, "where", {"mode": "remote", "also": ["phone"]}))
    payload = session.get(Proposal, pid).payload
    assert payload["service_at_locations"] == []
    assert "service_at_location_id" not in payload["schedules"][0]


def test_withdrawing_a_submitted_listing_takes_it_out_of_the_queue(world, member_client, session):
    pid = register(member_client, world.org_a, world.hub.id)
    status = read(member_client.get(f"/manage/proposals/{pid}"))
    assert "waiting for a moderator" in status.text
    location(member_client.post(f"/manage/proposals/{pid}/withdraw", data={}))
    session.expire_all()
    assert session.get(Proposal, pid).state == ProposalState.WITHDRAWN
    # A withdrawn proposal cannot be changed or sent again.
    assert location(post_step(member_client, pid, "service", GOOD_ANSWERS["service"])).endswith(
        f"/manage/proposals/{pid}"
    )
    assert "Baby Bounce and Rhyme" not in read(member_client.get("/manage/")).text


def test_a_record_the_import_checks_refuse_is_not_sent_and_the_page_says_why(
    session, world, member_client
):
    pid = register(member_client, world.org_a, world.hub.id, submit=False)
    proposal = session.get(Proposal, pid)
    proposal.payload = {k: v for k, v in proposal.payload.items() if k != "name"}
    session.commit()
    page = read(member_client.post(f"/manage/proposals/{pid}/check", data={}))
    assert page.error_summary() == ["The listing needs a name"]
    session.expire_all()
    assert session.get(Proposal, pid).state == ProposalState.DRAFT
