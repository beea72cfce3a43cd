"""/manage/: an organisation's listings (with Edit, last checked and "not public"), its
proposals and claims with where each stands, and the problem reports staff passed to it."""

from __future__ import annotations

from directory.core.ids import utcnow
from directory.feedback.models import ProblemReport, ReportState
from directory.listings.models import ListingStatus
from directory.moderation.models import Claim, ClaimState, Proposal, ProposalState
from tests.auth import sign_in_as
from tests.factories import make_service
from tests.manage.journey import location, post_step, read, register


def test_listings_show_edit_last_checked_and_whether_they_are_public(session, world, client):
    hidden = make_service(
        session,
        "Hoole Winter Warmers",
        organization=world.org_b,
        listing_status=ListingStatus.PENDING,
    )
    session.commit()
    sign_in_as(client, world.other)
    page = read(client.get("/manage/"))
    assert "Hoole Friends Together" in page.text
    assert "Hoole Knit and Natter" in page.text and "1 September 2025" in page.text
    assert f'href="/manage/services/{world.listing_b.id}/edit"' in page.html
    assert "Hoole Winter Warmers Not public" in page.text
    assert f'href="/manage/services/{hidden.id}/edit"' in page.html
    assert "Register a new listing" in page.text


def test_a_moderators_request_for_changes_comes_back_with_the_reason(session, world, member_client):
    pid = register(member_client, world.org_a, world.hub.id)
    proposal = session.get(Proposal, pid)
    proposal.state = ProposalState.CHANGES_REQUESTED
    proposal.reason = "Please say which room in the hub."
    session.commit()

    page = read(member_client.get("/manage/"))
    assert "Changes requested" in page.text
    assert "The moderator said: Please say which room in the hub." in page.text
    assert location(member_client.get(f"/manage/proposals/{pid}")).endswith("/check")
    check = read(member_client.get(f"/manage/proposals/{pid}/check"))
    assert "A moderator asked for changes" in check.text and "which room" in check.text
    when = {"notes": "In the small hall. Closed in August."}
    assert location(post_step(member_client, pid, "when?from=check", when)).endswith("/check")
    location(member_client.post(f"/manage/proposals/{pid}/check", data={}))
    session.expire_all()
    proposal = session.get(Proposal, pid)
    assert proposal.state == ProposalState.SUBMITTED
    assert any(
        s.get("description") == "In the small hall. Closed in August."
        for s in proposal.payload["schedules"]
    )


def test_rejected_proposals_and_decided_claims_say_so(session, world, member_client):
    pid = register(member_client, world.org_a, world.hub.id)
    proposal = session.get(Proposal, pid)
    proposal.state = ProposalState.REJECTED
    proposal.reason = "This is already listed."
    session.add(
        Claim(
            service_id=world.listing_b.id,
            organization_id=world.org_a,
            state=ClaimState.REJECTED,
            reason="Not the same group.",
        )
    )
    session.commit()
    page = read(member_client.get("/manage/"))
    assert (
        "Not accepted" in page.text and "The moderator said: This is already listed." in page.text
    )
    claim = session.query(Claim).one()
    status = read(member_client.get(f"/manage/claims/{claim.id}"))
    assert (
        "A moderator did not accept this." in status.text and "Not the same group." in status.text
    )


def test_reports_passed_to_the_organisation_show_without_the_reporters_address(
    session, world, client
):
    passed = ProblemReport(
        service_id=world.listing_b.id,
        problem="The phone number is wrong",
        reply_email="resident@example.net",
        state=ReportState.PASSED,
        organization_id=world.org_b.id,
        passed_at=utcnow(),
    )
    session.add(passed)
    session.add(
        ProblemReport(
            service_id=world.listing_b.id, problem="Not passed on yet", state=ReportState.OPEN
        )
    )
    session.commit()
    sign_in_as(client, world.other)
    page = read(client.get("/manage/"))
    assert "The phone number is wrong" in page.text
    assert f"reported {passed.created_at.day} {passed.created_at:%B %Y}" in page.text
    assert f'href="/manage/reports/{passed.id}"' in page.html
    assert "resident@example.net" not in page.html
    assert "Not passed on yet" not in page.text
    sign_in_as(client, world.member)
    assert "The phone number is wrong" not in read(client.get("/manage/")).text
