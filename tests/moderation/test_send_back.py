"""Rejecting a proposal or asking for changes: the reason is required, emailed to the
organisation's members through a real SMTP server, and the live listing is not touched."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from directory.accounts.models import MemberRole
from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.listings.models import ChangeRecord, Service
from directory.moderation import services
from directory.moderation.apply import live_record
from directory.moderation.models import Proposal, ProposalKind, ProposalState
from directory.staff.models import StaffAction
from tests.auth import create_user
from tests.factories import make_service
from tests.moderation.conftest import edit_of, new_listing, sign_in, submit
from tests.public.conftest import text_of

REASON = "Please add the days and times the larder is open, and a phone number that works."


def _changes(session) -> int:
    return session.scalar(select(func.count()).select_from(ChangeRecord))


@pytest.fixture
def live_edit(session, member):
    """A live listing of the member's organisation and a submitted edit renaming it."""
    service = make_service(session, "Lache Larder")
    member.memberships[0].organization_id = service.organization_id
    session.commit()
    payload = edit_of(session, service.id)
    payload["name"] = "Lache Community Larder"
    proposal = submit(
        session,
        payload,
        kind=ProposalKind.EDIT,
        organization_id=service.organization_id,
        created_by=member.id,
    )
    return service, proposal


def test_asking_for_changes_emails_the_reason_and_leaves_the_live_listing_alone(
    client, session, moderator, member, live_edit, inbox
):
    service, proposal = live_edit
    session.expire_all()  # the live record as the database orders it
    before, logged = live_record(session, service.id), _changes(session)
    sign_in(client, moderator)

    response = client.post(
        f"/staff/moderation/proposals/{proposal.id}", data={"decision": "changes", "reason": REASON}
    )

    assert response.status_code == 302
    session.expire_all()
    proposal = session.get(Proposal, proposal.id)
    assert proposal.state == ProposalState.CHANGES_REQUESTED
    assert proposal.reason == REASON and proposal.decided_by == moderator.id
    assert live_record(session, service.id) == before
    assert _changes(session) == logged
    [message] = inbox.messages
    assert message.rcpt_tos == [member.email]
    assert "Changes needed to Lache Community Larder" in message.message["Subject"]
    assert REASON in message.part("plain")
    assert REASON in text_of(message.part("html").encode())
    assert "https://" in message.part("plain") or "http://" in message.part("plain")
    action = session.scalars(select(StaffAction)).one()
    assert action.action == "proposal.request_changes" and action.detail["reason"] == REASON


def test_rejecting_emails_every_verified_member_and_nobody_else(
    client, session, moderator, member, live_edit, inbox
):
    service, proposal = live_edit
    editor = create_user(
        session,
        "editor@lache-larder.example.org",
        organization_id=service.organization_id,
        member_role=MemberRole.EDITOR,
    )
    create_user(
        session,
        "unverified@lache-larder.example.org",
        organization_id=service.organization_id,
        verified=False,
    )
    create_user(session, "someone@elsewhere.example.org", organization_id="another-organisation")
    sign_in(client, moderator)

    response = client.post(
        f"/staff/moderation/proposals/{proposal.id}", data={"decision": "reject", "reason": REASON}
    )

    assert response.status_code == 302
    assert sorted(m.rcpt_tos[0] for m in inbox.messages) == sorted([member.email, editor.email])
    assert all(REASON in m.part("plain") for m in inbox.messages)
    assert all("was not approved" in m.message["Subject"] for m in inbox.messages)
    session.expire_all()
    assert session.get(Service, service.id).name == "Lache Larder"
    assert session.get(Proposal, proposal.id).state == ProposalState.REJECTED


@pytest.mark.parametrize("decision", ["reject", "changes"])
def test_a_reason_is_required(client, session, moderator, live_edit, inbox, decision):
    _service, proposal = live_edit
    sign_in(client, moderator)

    response = client.post(
        f"/staff/moderation/proposals/{proposal.id}", data={"decision": decision, "reason": "   "}
    )

    assert response.status_code == 400
    page = text_of(response.data)
    assert "There is a problem" in page and "Enter a reason" in page
    assert 'href="#reason"' in response.data.decode()
    assert session.get(Proposal, proposal.id).state == ProposalState.SUBMITTED
    assert inbox.messages == []


def test_no_decision_chosen_says_how_to_fix_it(client, session, moderator, live_edit):
    _service, proposal = live_edit
    sign_in(client, moderator)
    response = client.post(f"/staff/moderation/proposals/{proposal.id}", data={})
    assert response.status_code == 400
    assert "Select approve, ask for changes or reject" in text_of(response.data)


def test_the_services_refuse_an_empty_reason(session, moderator, org_id, request_context):
    proposal = submit(session, new_listing(org_id), organization_id=org_id)
    with (
        pytest.raises(services.ModerationError, match="Enter a reason"),
        unit_of_work(session, Actor.user(moderator.id)),
    ):
        services.reject(session, proposal, moderator, "\x00 \n")
    assert session.get(Proposal, proposal.id).state == ProposalState.SUBMITTED


def test_a_new_listing_sent_back_can_be_edited_and_resubmitted(
    session, moderator, org_id, inbox, request_context
):
    proposal = submit(session, new_listing(org_id), organization_id=org_id)
    with unit_of_work(session, Actor.user(moderator.id)):
        services.request_changes(session, proposal, moderator, REASON)
    assert proposal.state == ProposalState.CHANGES_REQUESTED
    assert session.get(Service, proposal.service_id) is None
    from directory.moderation.models import EDITABLE_STATES

    assert proposal.state in EDITABLE_STATES
