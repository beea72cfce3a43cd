"""Approving a proposal: the listing is written through the one writer, becomes public and
searchable, the change log names the moderator, the organisation is emailed, and all of it is
one unit of work (a mail failure leaves nothing applied)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from directory.core.actor import Actor
from directory.core.mail import MailFailed
from directory.core.uow import unit_of_work
from directory.inference.models import InferredTerm
from directory.listings.models import ChangeRecord, ListingStatus, Service
from directory.listings.visibility import is_public
from directory.moderation import services
from directory.moderation.models import ProposalKind, ProposalState
from directory.staff.models import StaffAction
from tests.factories import make_service, make_taxonomy
from tests.moderation.conftest import edit_of, new_listing, sign_in, submit
from tests.public.conftest import text_of


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_approving_a_new_listing_publishes_it_and_logs_the_moderator(
    session, moderator, member, org_id, inbox, request_context
):
    payload = new_listing(org_id)
    proposal = submit(session, payload, organization_id=org_id, created_by=member.id)
    assert session.get(Service, payload["id"]) is None

    with unit_of_work(session, Actor.user(moderator.id)):
        services.approve(session, proposal, moderator)

    service = session.get(Service, payload["id"])
    assert service is not None and is_public(service)
    assert service.listing_status == ListingStatus.ACTIVE
    assert service.organization_id == org_id
    assert [s.byday for s in service.schedules] == ["WE"]
    assert proposal.state == ProposalState.APPROVED
    assert proposal.decided_by == moderator.id and proposal.decided_at is not None
    created = session.scalars(
        select(ChangeRecord).where(ChangeRecord.resource_id == service.id)
    ).all()
    assert created and {r.updated_by for r in created} == {f"user:{moderator.id}"}
    action = session.scalars(select(StaffAction)).one()
    assert (action.action, action.target_id, action.user_id) == (
        "proposal.approve",
        proposal.id,
        moderator.id,
    )
    [message] = inbox.messages
    assert message.rcpt_tos == [member.email]
    assert "Lache Larder is now on" in message.message["Subject"]
    text = message.part("plain")
    assert f"https://directory.example.org/services/{service.id}/lache-larder" in text
    assert "https://directory.example.org/manage/" in text


def test_an_approved_new_listing_is_found_in_search(
    client, session, moderator, member, org_id, inbox
):
    payload = new_listing(org_id, name="Lache Zucchini Larder")
    proposal = submit(session, payload, organization_id=org_id, created_by=member.id)
    before = text_of(client.get("/search?q=zucchini").data)
    assert "Lache Zucchini Larder" not in before
    sign_in(client, moderator)

    response = client.post(
        f"/staff/moderation/proposals/{proposal.id}", data={"decision": "approve"}
    )

    assert response.status_code == 302
    after = text_of(client.get("/search?q=zucchini").data)
    assert "Lache Zucchini Larder" in after
    assert client.get(f"/services/{payload['id']}", follow_redirects=True).status_code == 200


def test_approving_a_new_listing_infers_its_needs_in_the_same_unit_of_work(
    session, moderator, org_id, request_context
):
    make_taxonomy(session)
    session.commit()
    payload = new_listing(org_id, name="Lache Food Bank")
    payload["description"] = "A food bank: free food parcels for anyone who is hungry."
    proposal = submit(session, payload, organization_id=org_id)

    with unit_of_work(session, Actor.user(moderator.id)):
        services.approve(session, proposal, moderator)

    session.expire_all()
    terms = session.scalars(
        select(InferredTerm).where(InferredTerm.service_id == payload["id"])
    ).all()
    assert terms, "the new listing got no inferred needs"


def test_an_approved_edit_changes_only_what_it_changed(session, moderator, inbox, request_context):
    service = make_service(session, "Hoole Friendship Club")
    session.commit()
    payload = edit_of(session, service.id)
    payload["name"] = "Hoole Friendship Café"
    proposal = submit(
        session, payload, kind=ProposalKind.EDIT, organization_id=service.organization_id
    )
    before = _count(session, ChangeRecord)

    with unit_of_work(session, Actor.user(moderator.id)):
        services.approve(session, proposal, moderator)

    rows = session.scalars(select(ChangeRecord)).all()[before:]
    changed = {(r.resource_type, r.field_name, r.previous_value, r.replacement_value) for r in rows}
    assert ("service", "name", "Hoole Friendship Club", "Hoole Friendship Café") in changed
    assert {r.resource_type for r in rows} == {"service"}
    assert {r.updated_by for r in rows} == {f"user:{moderator.id}"}
    assert service.last_modified.date() == service.assured_date  # stamped now, not the base's


def test_a_mail_failure_rolls_the_approval_back(
    app, session, moderator, member, org_id, request_context
):
    from tests.mylist.smtp import free_port

    app.config.update({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_TIMEOUT": 2})
    payload = new_listing(org_id)
    proposal = submit(session, payload, organization_id=org_id, created_by=member.id)
    logged = _count(session, ChangeRecord)

    with pytest.raises(MailFailed), unit_of_work(session, Actor.user(moderator.id)):
        services.approve(session, proposal, moderator)

    session.expire_all()
    assert session.get(Service, payload["id"]) is None
    assert session.get(type(proposal), proposal.id).state == ProposalState.SUBMITTED
    assert _count(session, ChangeRecord) == logged
    assert _count(session, StaffAction) == 0


def test_the_page_says_so_when_the_mail_fails_and_nothing_is_applied(
    app, client, session, moderator, member, org_id
):
    from tests.mylist.smtp import free_port

    app.config.update({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_TIMEOUT": 2})
    payload = new_listing(org_id)
    proposal = submit(session, payload, organization_id=org_id, created_by=member.id)
    sign_in(client, moderator)

    response = client.post(
        f"/staff/moderation/proposals/{proposal.id}", data={"decision": "approve"}
    )

    assert response.status_code == 409
    assert "The email could not be sent, so nothing was changed" in text_of(response.data)
    session.expire_all()
    assert session.get(Service, payload["id"]) is None


def test_a_proposal_for_another_organisations_listing_is_refused(
    session, moderator, request_context
):
    service = make_service(session, "Hoole Friendship Club")
    session.commit()
    payload = edit_of(session, service.id)
    payload["name"] = "Taken over"
    payload.pop("organization")
    payload.pop("organization_id")
    proposal = submit(
        session,
        payload,
        kind=ProposalKind.EDIT,
        organization_id="8a0c6f1e-0000-4000-8000-000000000001",
    )

    with (
        pytest.raises(services.ModerationError, match="another organisation"),
        unit_of_work(session, Actor.user(moderator.id)),
    ):
        services.approve(session, proposal, moderator)

    session.expire_all()
    assert session.get(Service, service.id).name == "Hoole Friendship Club"


def test_a_decided_proposal_cannot_be_approved_twice(session, moderator, org_id, request_context):
    proposal = submit(session, new_listing(org_id), organization_id=org_id)
    with unit_of_work(session, Actor.user(moderator.id)):
        services.approve(session, proposal, moderator)
    with pytest.raises(services.ModerationError, match="not waiting"):
        services.approve(session, proposal, moderator)


def test_an_edit_started_before_a_later_change_still_stamps_the_listing_as_changed_now(
    session, moderator, request_context
):
    service = make_service(session, "Hoole Friendship Club")
    session.commit()
    payload = edit_of(session, service.id)
    payload["last_modified"] = "2024-03-01T09:00:00.000Z"  # when the edit was started
    payload["name"] = "Hoole Friendship Café"
    proposal = submit(
        session, payload, kind=ProposalKind.EDIT, organization_id=service.organization_id
    )

    with unit_of_work(session, Actor.user(moderator.id)):
        services.approve(session, proposal, moderator)

    assert service.name == "Hoole Friendship Café"
    assert service.last_modified.date() == service.assured_date
