"""A listing's history for staff: every step, who took it, each field's old and new value."""

from __future__ import annotations

from datetime import date

from directory.accounts.models import StaffRole
from directory.core.actor import PUBLIC_LINK, Actor
from directory.core.uow import unit_of_work
from directory.feedback.models import ProblemReport
from directory.listings.models import Organization, Service
from directory.moderation import services
from directory.moderation.history import actor_words, service_history
from directory.moderation.models import ProposalKind, ProposalState
from directory.staff.services import set_standing
from tests.auth import create_user
from tests.moderation.conftest import edit_of, new_listing, sign_in, submit
from tests.public.conftest import text_of


def test_the_history_shows_every_step_with_who_did_it(
    client, session, moderator, admin, member, org_id, inbox, request_context
):
    second = create_user(
        session, "second@council.example.org", staff_role=StaffRole.MODERATOR, name="Sam Second"
    )
    # 1. The group registers a listing; a moderator approves it.
    proposal = submit(session, new_listing(org_id), organization_id=org_id, created_by=member.id)
    with unit_of_work(session, Actor.user(moderator.id)):
        services.approve(session, proposal, moderator)
    service = session.get(Service, proposal.service_id)
    # 2. An edit: sent back once, resubmitted, approved by another moderator.
    payload = edit_of(session, service.id)
    payload["name"] = "Lache Community Larder"
    edit = submit(
        session, payload, kind=ProposalKind.EDIT, organization_id=org_id, created_by=member.id
    )
    with unit_of_work(session, Actor.user(moderator.id)):
        services.request_changes(session, edit, moderator, "Say which days you open")
    edit.state = ProposalState.SUBMITTED
    session.commit()
    with unit_of_work(session, Actor.user(second.id)):
        services.approve(session, edit, second)
    # 3. The reminder's one-click "still correct"; a feed import; a report dealt with.
    with unit_of_work(session, PUBLIC_LINK):
        service.assured_date = date(2027, 1, 4)
    with unit_of_work(session, Actor.import_run("run-1")):
        service.fees = "Free"
    report = ProblemReport(service_id=service.id, problem="The phone number is wrong")
    session.add(report)
    session.commit()
    with unit_of_work(session, Actor.user(moderator.id)):
        services.log_action(session, moderator, "report.resolve", "problem_report", report.id)
    # 4. An admin suspends the organisation.
    with unit_of_work(session, Actor.user(admin.id)):
        set_standing(
            session,
            session.get(Organization, org_id),
            admin,
            trusted=False,
            suspended=True,
            reason="Complaints under review",
        )

    events = service_history(session, service)
    steps = [(e.title, e.who) for e in events]
    assert ("Created the listing", "Mo Derator") in steps
    assert ("Submitted a proposal (new listing) for moderation", "Olive Owner") in steps
    assert ("Approved the proposal and published it", "Mo Derator") in steps
    assert ("Asked the organisation for changes", "Mo Derator") in steps
    assert ("Approved the proposal and published it", "Sam Second") in steps
    assert ("Confirmed the listing is still correct", "Reminder link") in steps
    assert ("Changed the listing", "Feed import") in steps
    assert ("Resolved a problem report", "Mo Derator") in steps
    assert ("Changed the organisation's standing: now suspended", "Ada Admin") in steps
    renamed = next(e for e in events if e.who == "Sam Second" and e.lines)
    assert ("Service", "Name", "Lache Larder", "Lache Community Larder") in [
        (li.what, li.field, li.old, li.new) for li in renamed.lines
    ]
    assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)

    sign_in(client, moderator)
    page = text_of(client.get(f"/staff/services/{service.id}/history").data)
    for words in (
        "Lache Community Larder",
        "Reminder link",
        "Feed import",
        "Sam Second",
        "Say which days you open",
        "Complaints under review",
        "Olive Owner",
    ):
        assert words in page, words
    assert "Restore this version" in page


def test_actors_in_words():
    assert actor_words("import:3f1c", {}) == "Feed import"
    assert actor_words("seed", {}) == "Seed"
    assert actor_words("system:seed", {}) == "Seed"
    assert actor_words("public:link", {}) == "Reminder link"
    assert actor_words("system:send-reminders", {}) == "System job (send-reminders)"
    assert actor_words("system:system", {}) == "System job"
    assert actor_words("user:gone", {}) == "a deleted account"


def test_an_unknown_listing_has_no_history(client, session, moderator):
    sign_in(client, moderator)
    assert client.get("/staff/services/no-such-listing/history").status_code == 404


def test_a_trusted_organisations_minor_edit_shows_as_published_directly(
    session, member, org_id, request_context
):
    from directory.core.ids import utcnow
    from directory.moderation.apply import apply_proposal
    from tests.factories import make_organization, make_service

    org = make_organization(session, "Lache Larder Trust", id=org_id, is_trusted=True)
    service = make_service(session, "Lache Larder", organization=org)
    session.commit()
    payload = edit_of(session, service.id)
    payload["fees"] = "Free"
    proposal = submit(
        session, payload, kind=ProposalKind.EDIT, organization_id=org_id, created_by=member.id
    )
    with unit_of_work(session, Actor.user(member.id)):
        proposal.state, proposal.minor, proposal.decided_at = ProposalState.APPROVED, True, utcnow()
        apply_proposal(session, proposal)

    steps = [(e.title, e.who) for e in service_history(session, service)]
    assert ("Published a minor edit directly (trusted organisation)", "Olive Owner") in steps
    assert ("Changed the listing", "Olive Owner") in steps
    assert not any(title.startswith("Submitted") for title, _who in steps)
