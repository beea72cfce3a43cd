"""The queue (oldest first, with what, who and how long) and the staff home's counts."""

from __future__ import annotations

from datetime import timedelta

from directory.core.ids import new_id, utcnow
from directory.feedback.models import ProblemReport
from directory.inference.models import InferredTerm
from directory.moderation import services
from directory.moderation.models import ProposalKind, ProposalState
from tests.factories import make_organization, make_service, term
from tests.moderation.conftest import edit_of, new_listing, sign_in, submit
from tests.public.conftest import text_of


def test_the_queue_is_oldest_first_with_kind_organisation_and_age(
    client, session, moderator, org_id
):
    now = utcnow()
    org = make_organization(session, "Hoole Community Trust")
    live = make_service(session, "Hoole Knit and Natter", organization=org)
    session.commit()
    submit(
        session,
        new_listing(org_id, name="Newest Larder"),
        organization_id=org_id,
        submitted_at=now - timedelta(minutes=5),
    )
    edit = edit_of(session, live.id)
    edit["name"] = "Hoole Knit, Natter and Tea"
    submit(
        session,
        edit,
        kind=ProposalKind.EDIT,
        organization_id=org.id,
        submitted_at=now - timedelta(days=3),
    )
    submit(
        session,
        new_listing(org_id, name="Middle Larder"),
        organization_id=org_id,
        submitted_at=now - timedelta(hours=7),
    )
    draft = submit(
        session,
        new_listing(org_id, name="Draft Larder"),
        organization_id=org_id,
        submitted_at=now - timedelta(days=30),
    )
    draft.state = ProposalState.DRAFT
    session.commit()

    entries = services.proposal_queue(session)
    assert [(e.name, e.kind, e.organisation, e.waiting) for e in entries] == [
        ("Hoole Knit, Natter and Tea", "Edit", "Hoole Community Trust", "3 days"),
        ("Middle Larder", "New listing", "Lache Larder Trust", "7 hours"),
        ("Newest Larder", "New listing", "Lache Larder Trust", "under an hour"),
    ]
    sign_in(client, moderator)
    page = text_of(client.get("/staff/moderation/").data)
    assert (
        page.index("Hoole Knit, Natter and Tea")
        < page.index("Middle Larder")
        < page.index("Newest Larder")
    )
    assert "Draft Larder" not in page
    assert client.get(f"/staff/moderation/proposals/{draft.id}").status_code == 404


def test_the_staff_home_counts_what_waits(client, session, moderator, org_id):
    service = make_service(session, "Blacon Food Bank", assured_date=utcnow().date())
    stale = make_service(session, "Old Club", assured_date=(utcnow() - timedelta(days=400)).date())
    stale.created_at = utcnow() - timedelta(days=900)
    submit(session, new_listing(org_id), organization_id=org_id)
    session.add_all(
        [
            InferredTerm(
                service_id=service.id,
                taxonomy_term_id=term(session, "Food").id,
                link_type="need",
                method="vocabulary",
                confidence=0.8,
            ),
            ProblemReport(service_id=service.id, problem="The phone number is wrong"),
            ProblemReport(service_id=service.id, problem="Closed", resolved_at=utcnow()),
        ]
    )
    session.commit()
    sign_in(client, moderator)

    response = client.get("/staff/")

    assert response.status_code == 200
    page = text_of(response.data)
    assert "1 waiting" in page  # proposals
    assert "0 waiting" in page  # claims
    assert "1 on 1 listing" in page
    assert "1 open" in page
    assert "1 not checked for over a year" in page
    html = response.data.decode()
    for href in (
        "/staff/moderation/",
        "/staff/moderation/needs",
        "/staff/reports",
        "/staff/freshness",
    ):
        assert f'href="{href}' in html, href


def test_an_unknown_proposal_or_claim_is_not_found(client, session, moderator):
    sign_in(client, moderator)
    assert client.get(f"/staff/moderation/proposals/{new_id()}").status_code == 404
    assert client.get(f"/staff/moderation/claims/{new_id()}").status_code == 404
    assert client.get("/staff/moderation/needs?page=99999999999").status_code == 200
