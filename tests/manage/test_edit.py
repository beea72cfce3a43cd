"""Editing a live listing: a proposal that leaves the live row, the change log and search alone
until a moderator approves it, and a trusted organisation's minor edits published at once."""

from __future__ import annotations

from sqlalchemy import func, select

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.listings.models import ChangeRecord, Service
from directory.manage.minor import changed_fields
from directory.moderation.apply import apply_proposal, check_payload
from directory.moderation.models import Proposal, ProposalKind, ProposalState
from tests.auth import sign_in_as
from tests.manage.journey import location, post_step, read


def _changes(session, service_id: str) -> int:
    return session.scalar(
        select(func.count()).select_from(ChangeRecord).where(ChangeRecord.resource_id == service_id)
    )


def _found(client, words: str) -> bool:
    return "Hoole Knit" in read(client.get(f"/search?q={words}")).text


def _start_edit(client, service_id: str) -> str:
    start_page = read(client.get(f"/manage/services/{service_id}/edit"))
    assert "Edit this listing" in start_page.text
    check = location(client.post(f"/manage/services/{service_id}/edit", data={}))
    return check.split("/manage/proposals/")[1].split("/")[0]


def test_an_edit_starts_from_the_live_listing_and_changes_nothing_by_itself(session, world, client):
    sign_in_as(client, world.other)
    pid = _start_edit(client, world.listing_b.id)
    proposal = session.get(Proposal, pid)
    assert proposal.kind == ProposalKind.EDIT and proposal.state == ProposalState.DRAFT
    assert proposal.base["name"] == "Hoole Knit and Natter"
    # Read back into answers and rebuilt, the record is the live one.
    assert changed_fields(proposal.base, proposal.payload) == set()
    check_payload(proposal.payload)
    check = read(client.get(f"/manage/proposals/{pid}/check"))
    assert "Hoole Knit and Natter" in check.text and "Hoole Community Centre" in check.text
    assert "01632 960555" in check.text
    # Starting again continues the same edit.
    assert location(client.get(f"/manage/services/{world.listing_b.id}/edit")).endswith(
        f"/manage/proposals/{pid}"
    )


def test_an_edit_reaches_the_live_row_the_change_log_and_search_only_when_approved(
    session, world, client
):
    sign_in_as(client, world.other)
    service_id = world.listing_b.id
    assert _found(client, "natter")
    log_before = _changes(session, service_id)
    pid = _start_edit(client, service_id)
    page = read(client.get(f"/manage/proposals/{pid}/service"))
    values = {i["name"]: i.get("value", "") for i in page.inputs if i.get("name")}
    assert values["name"] == "Hoole Knit and Natter"
    target = location(
        post_step(
            client,
            pid,
            "service?from=check",
            {
                "name": "Hoole Knitting Circle",
                "description": "Crochet and knitting with tea for anyone in Hoole.",
                "website": values["website"],
            },
        )
    )
    assert target.endswith(f"/manage/proposals/{pid}/check")
    assert location(client.post(f"/manage/proposals/{pid}/check", data={})).endswith("/submitted")

    session.expire_all()
    proposal = session.get(Proposal, pid)
    assert proposal.state == ProposalState.SUBMITTED and not proposal.minor
    assert changed_fields(proposal.base, proposal.payload) == {"name", "description"}
    live = session.get(Service, service_id)
    assert live.name == "Hoole Knit and Natter"
    assert _changes(session, service_id) == log_before
    assert _found(client, "natter") and not _found(client, "crochet")
    dashboard = read(client.get("/manage/"))
    assert "Waiting for a moderator" in dashboard.text

    with unit_of_work(session, Actor.user(world.moderator.id)):
        proposal.state = ProposalState.APPROVED
        apply_proposal(session, proposal)
    session.expire_all()
    assert session.get(Service, service_id).name == "Hoole Knitting Circle"
    fields = set(
        session.scalars(
            select(ChangeRecord.field_name).where(
                ChangeRecord.resource_id == service_id,
                ChangeRecord.updated_by == f"user:{world.moderator.id}",
            )
        )
    )
    assert {"name", "description"} <= fields
    assert read(client.get("/search?q=crochet")).text.count("Hoole Knitting Circle") >= 1


def test_a_trusted_organisation_publishes_a_minor_edit_at_once(session, world, client):
    world.org_b.is_trusted = True
    session.commit()
    sign_in_as(client, world.other)
    pid = _start_edit(client, world.listing_b.id)
    location(
        post_step(
            client,
            pid,
            "contact?from=check",
            {
                "contact_name": "Pat",
                "phone": "01632 960999",
                "email": "knit@hoole-friends.example.org",
            },
        )
    )
    check = read(client.get(f"/manage/proposals/{pid}/check"))
    assert "they will be published straight away" in check.text
    assert location(client.post(f"/manage/proposals/{pid}/check", data={})).endswith("/submitted")
    assert (
        "Your changes are published" in read(client.get(f"/manage/proposals/{pid}/submitted")).text
    )

    session.expire_all()
    proposal = session.get(Proposal, pid)
    assert proposal.state == ProposalState.APPROVED
    assert proposal.minor and proposal.decided_by is None and proposal.decided_at is not None
    live = session.get(Service, world.listing_b.id)
    assert live.contacts[0].phones[0].number == "01632 960999"
    assert live.contacts[0].name == "Pat"
    actors = set(
        session.scalars(select(ChangeRecord.updated_by).where(ChangeRecord.field_name == "number"))
    )
    assert f"user:{world.other.id}" in actors


def test_a_trusted_organisation_still_waits_for_a_moderator_on_a_major_edit(session, world, client):
    world.org_b.is_trusted = True
    session.commit()
    sign_in_as(client, world.other)
    pid = _start_edit(client, world.listing_b.id)
    location(post_step(client, pid, "cost?from=check", {"cost": "paid", "amount": "2"}))
    location(client.post(f"/manage/proposals/{pid}/check", data={}))
    session.expire_all()
    assert session.get(Proposal, pid).state == ProposalState.SUBMITTED
    assert session.get(Service, world.listing_b.id).cost_options[0].amount == 0


def test_a_minor_edit_waits_when_the_live_listing_changed_since_it_began(session, world, client):
    world.org_b.is_trusted = True
    session.commit()
    sign_in_as(client, world.other)
    pid = _start_edit(client, world.listing_b.id)
    location(post_step(client, pid, "contact?from=check", {"phone": "01632 960999"}))
    with unit_of_work(session, Actor.system("test")):
        session.get(Service, world.listing_b.id).name = "Renamed by staff"
    location(client.post(f"/manage/proposals/{pid}/check", data={}))
    session.expire_all()
    assert session.get(Proposal, pid).state == ProposalState.SUBMITTED
    assert session.get(Service, world.listing_b.id).name == "Renamed by staff"


def test_the_sessions_of_an_edit_move_with_the_place(session, world, client):
    sign_in_as(client, world.other)
    pid = _start_edit(client, world.listing_b.id)
    location(post_step(client, pid, "where?from=check", {"mode": "place"}))
    location(post_step(client, pid, "place?from=check", {"location_id": world.hub.id}))
    payload = session.get(Proposal, pid).payload
    (sal,) = payload["service_at_locations"]
    assert sal["location_id"] == world.hub.id
    (schedule,) = payload["schedules"]
    assert schedule["byday"] == "WE" and schedule["service_at_location_id"] == sal["id"]
    base = session.get(Proposal, pid).base
    assert schedule["id"] == base["schedules"][0]["id"]
    assert changed_fields(base, payload) == {"service_at_locations", "schedules"}
    check_payload(payload)


def test_saving_every_page_of_an_edit_unchanged_changes_nothing(session, world, client):
    """The pages show the live listing exactly as the form can say it, and what they send back
    leaves the record as it was: an edit only changes what the person changed."""
    sign_in_as(client, world.other)
    pid = _start_edit(client, world.listing_b.id)
    for slug in (
        "organisation",
        "service",
        "who",
        "cost",
        "access",
        "contact",
        "where",
        "place",
        "when",
        "area",
        "needs",
    ):
        page = read(client.get(f"/manage/proposals/{pid}/{slug}"))
        assert page.form_data(), slug
        saved = client.post(f"/manage/proposals/{pid}/{slug}?from=check", data=page.form_data())
        assert location(saved).endswith("/check"), slug
        session.expire_all()
        proposal = session.get(Proposal, pid)
        assert changed_fields(proposal.base, proposal.payload) == set(), slug
        state = proposal.form_state
        assert state["answers"][slug] == state["base_answers"][slug], slug
