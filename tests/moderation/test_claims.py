"""Claims ("Is this you? Ask to manage it"): approving makes the claimant a member of the
listing's organisation and nothing else; rejecting emails the reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from directory.accounts.models import MemberRole, Membership
from directory.core.ids import new_id, utcnow
from directory.listings.models import Organization, Service
from directory.moderation import claims as services
from directory.moderation.models import Claim, ClaimState
from directory.staff.models import StaffAction
from tests.auth import create_user
from tests.factories import make_service
from tests.moderation.conftest import sign_in
from tests.public.conftest import text_of


@pytest.fixture
def claim(session):
    service = make_service(session, "Upton Repair Café")
    signed_up_org = new_id()  # the claimant's organisation from sign-up: no row yet
    claimant = create_user(session, "fixer@upton-repair.example.org", organization_id=signed_up_org)
    found = Claim(
        service_id=service.id,
        organization_id=signed_up_org,
        user_id=claimant.id,
        message="I run the café; our website lists me as the contact.",
    )
    session.add(found)
    session.commit()
    return found


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_claims_queue_oldest_first(client, session, moderator):
    service = make_service(session, "Upton Repair Café")
    now = utcnow()
    for name, hours in (("newer", 1), ("oldest", 30), ("middle", 5)):
        user = create_user(session, f"{name}@example.org")
        session.add(
            Claim(
                service_id=service.id,
                organization_id=new_id(),
                user_id=user.id,
                created_at=now - timedelta(hours=hours),
            )
        )
    session.add(
        Claim(
            service_id=service.id,
            organization_id=new_id(),
            state=ClaimState.REJECTED,
            created_at=now - timedelta(days=9),
        )
    )
    session.commit()
    waiting = [e.waiting for e in services.claim_queue(session)]
    assert waiting == ["1 day", "5 hours", "1 hour"]


def test_approving_a_claim_adds_a_membership_and_nothing_else(
    client, session, moderator, claim, inbox
):
    service = session.get(Service, claim.service_id)
    organisations, listings = _count(session, Organization), _count(session, Service)
    sign_in(client, moderator)
    page = text_of(client.get(f"/staff/moderation/claims/{claim.id}").data)
    assert "Upton Repair Café" in page and "I run the café" in page

    response = client.post(f"/staff/moderation/claims/{claim.id}", data={"decision": "approve"})

    assert response.status_code == 302
    session.expire_all()
    membership = session.scalars(
        select(Membership).where(Membership.organization_id == service.organization_id)
    ).one()
    assert membership.user_id == claim.user_id and membership.role == MemberRole.OWNER
    assert (_count(session, Organization), _count(session, Service)) == (organisations, listings)
    assert session.get(Claim, claim.id).state == ClaimState.APPROVED
    assert session.scalars(select(StaffAction.action)).all() == ["claim.approve"]
    [message] = inbox.messages
    assert message.rcpt_tos == ["fixer@upton-repair.example.org"]
    assert "You can now manage Upton Repair Café" in message.message["Subject"]


def test_a_second_claimant_joins_as_an_editor(session, moderator, claim, request_context):
    service = session.get(Service, claim.service_id)
    create_user(session, "first@upton-repair.example.org", organization_id=service.organization_id)
    services.approve_claim(session, claim, moderator)
    membership = session.scalars(
        select(Membership).where(
            Membership.user_id == claim.user_id,
            Membership.organization_id == service.organization_id,
        )
    ).one()
    assert membership.role == MemberRole.EDITOR


def test_rejecting_a_claim_needs_a_reason_and_emails_it(client, session, moderator, claim, inbox):
    sign_in(client, moderator)
    response = client.post(f"/staff/moderation/claims/{claim.id}", data={"decision": "reject"})
    assert response.status_code == 400
    assert "Enter a reason" in text_of(response.data)

    reason = "We could not confirm you run the café: ask the café to email us."
    response = client.post(
        f"/staff/moderation/claims/{claim.id}", data={"decision": "reject", "reason": reason}
    )

    assert response.status_code == 302
    session.expire_all()
    found = session.get(Claim, claim.id)
    assert (found.state, found.reason, found.decided_by) == (
        ClaimState.REJECTED,
        reason,
        moderator.id,
    )
    assert _count(session, Membership) == 1  # the claimant's own, from sign-up
    [message] = inbox.messages
    assert reason in message.part("plain")


def test_a_listing_without_an_organisation_cannot_be_claimed(client, session, moderator, claim):
    service = session.get(Service, claim.service_id)
    service.organization = None
    session.commit()
    sign_in(client, moderator)
    response = client.post(f"/staff/moderation/claims/{claim.id}", data={"decision": "approve"})
    assert response.status_code == 409
    assert "no organisation to join" in text_of(response.data)
    assert session.get(Claim, claim.id).state == ClaimState.OPEN
