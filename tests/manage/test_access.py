"""Organisation A's drafts, claims and listings are out of organisation B's reach on every
/manage/ route: another organisation's proposal or claim is "not found" (404, as an id that
does not exist), another organisation's pages are forbidden (403), and nothing changes."""

from __future__ import annotations

import copy

import pytest

from directory.core.ids import new_id
from directory.moderation.models import Claim, Proposal, ProposalState
from tests.auth import create_user, sign_in_as
from tests.manage.journey import GOOD_ANSWERS, register

STEP_SLUGS = (
    "organisation",
    "service",
    "who",
    "cost",
    "access",
    "contact",
    "where",
    "place",
    "address",
    "when",
    "area",
    "needs",
)


def _proposal_routes(pid: str) -> list[tuple[str, str]]:
    base = f"/manage/proposals/{pid}"
    routes = [
        ("GET", base),
        ("GET", f"{base}/submitted"),
        ("GET", f"{base}/check"),
        ("POST", f"{base}/check"),
        ("GET", f"{base}/matches"),
        ("POST", f"{base}/matches"),
        ("GET", f"{base}/withdraw"),
        ("POST", f"{base}/withdraw"),
        ("GET", f"{base}/sessions/0"),
        ("POST", f"{base}/sessions/0"),
        ("POST", f"{base}/sessions/0/remove"),
    ]
    for slug in STEP_SLUGS:
        routes += [("GET", f"{base}/{slug}"), ("POST", f"{base}/{slug}")]
    return routes


def _call(client, method: str, url: str, data: dict | None = None):
    if method == "GET":
        return client.get(url)
    return client.post(url, data=data or {"name": "Taken over", "frequency": "weekly"})


@pytest.fixture
def a_things(app, session, world):
    """Organisation A's draft, its submitted listing and its open claim."""
    client = app.test_client()
    sign_in_as(client, world.member)
    submitted = register(client, world.org_a, world.hub.id)
    draft = register(client, world.org_a, world.hub.id, submit=False)
    claim = Claim(service_id=world.listing_b.id, organization_id=world.org_a, message="ours")
    session.add(claim)
    session.commit()
    return {"draft": draft, "submitted": submitted, "claim": claim.id}


def test_another_organisation_cannot_see_or_change_a_proposal(
    app, session, world, client, a_things
):
    app.config["RATELIMIT_MANAGE"] = "1000 per minute"  # this test tries ~100 POSTs at once
    sign_in_as(client, world.other)
    before = {
        pid: copy.deepcopy((p.state, p.form_state, p.payload))
        for pid in (a_things["draft"], a_things["submitted"])
        if (p := session.get(Proposal, pid))
    }
    for pid in before:
        for method, url in _proposal_routes(pid):
            response = _call(client, method, url)
            assert response.status_code == 404, (method, url, response.status_code)
            missing = _call(client, method, url.replace(pid, new_id()))
            assert missing.status_code == 404, (method, url)
    session.expire_all()
    for pid, state in before.items():
        p = session.get(Proposal, pid)
        assert (p.state, p.form_state, p.payload) == state
    dashboard = client.get("/manage/").get_data(as_text=True)
    assert "Baby Bounce" not in dashboard


def test_another_organisations_pages_claims_and_listings_are_out_of_reach(
    session, world, client, a_things
):
    sign_in_as(client, world.other)
    forbidden = [
        ("GET", f"/manage/organisations/{world.org_a}"),
        ("GET", f"/manage/organisations/{world.org_a}/new"),
        ("POST", f"/manage/organisations/{world.org_a}/new"),
        ("GET", f"/manage/organisations/{world.org_a}/claim/{world.listing_b.id}"),
        ("POST", f"/manage/organisations/{world.org_a}/claim/{world.listing_b.id}"),
    ]
    for method, url in forbidden:
        assert _call(client, method, url, {"message": "x"}).status_code == 403, (method, url)
    assert client.get(f"/manage/claims/{a_things['claim']}").status_code == 404
    assert client.get(f"/manage/claims/{new_id()}").status_code == 404
    # Organisation A cannot edit organisation B's listing.
    sign_in_as(client, world.member)
    for method in ("GET", "POST"):
        url = f"/manage/services/{world.listing_b.id}/edit"
        assert _call(client, method, url).status_code == 404
    assert session.query(Proposal).filter_by(service_id=world.listing_b.id).count() == 0
    assert session.query(Claim).count() == 1
    assert session.get(Claim, a_things["claim"]).organization_id == world.org_a


def test_signed_out_visitors_are_sent_to_sign_in_and_unverified_people_refused(
    session, world, client, a_things
):
    urls = [
        "/manage/",
        f"/manage/organisations/{world.org_a}",
        f"/manage/services/{world.listing_b.id}/edit",
        f"/manage/claims/{a_things['claim']}",
        *[url for _m, url in _proposal_routes(a_things["draft"])],
    ]
    for url in urls:
        response = client.get(url) if not url.endswith("/remove") else client.post(url)
        assert response.status_code in (302, 303), url
        assert "/account/sign-in" in response.headers["Location"], url
    unverified = create_user(
        session, "new@example.org", organization_id=world.org_a, verified=False
    )
    sign_in_as(client, unverified)
    assert client.get("/manage/").status_code == 403
    assert client.get(f"/manage/proposals/{a_things['draft']}/check").status_code == 403


def test_staff_may_open_any_organisations_pages(session, world, client, a_things):
    sign_in_as(client, world.moderator)
    page = client.get(f"/manage/organisations/{world.org_a}")
    assert page.status_code == 200 and "Baby Bounce and Rhyme" in page.get_data(as_text=True)
    assert client.get(f"/manage/proposals/{a_things['draft']}/check").status_code == 200
    assert client.get(f"/manage/claims/{a_things['claim']}").status_code == 200
    assert client.get(f"/manage/services/{world.listing_b.id}/edit").status_code == 200
    response = client.post(
        f"/manage/proposals/{a_things['draft']}/organisation", data=GOOD_ANSWERS["organisation"]
    )
    assert response.status_code == 303


def test_a_submitted_proposal_cannot_be_changed_by_its_own_organisation(
    session, world, client, a_things
):
    sign_in_as(client, world.member)
    pid = a_things["submitted"]
    before = copy.deepcopy(session.get(Proposal, pid).payload)
    for slug in STEP_SLUGS:
        response = client.post(f"/manage/proposals/{pid}/{slug}", data={"name": "Changed"})
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/manage/proposals/{pid}")
    assert (
        client.post(f"/manage/proposals/{pid}/check")
        .headers["Location"]
        .endswith(f"/manage/proposals/{pid}")
    )
    session.expire_all()
    proposal = session.get(Proposal, pid)
    assert proposal.state == ProposalState.SUBMITTED and proposal.payload == before
