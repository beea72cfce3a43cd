"""With CSRF protection on (as in production), every /manage/ form carries a token and a POST
without it is refused."""

from __future__ import annotations

import re

from sqlalchemy import select

from directory.moderation.models import Claim, Proposal
from tests.auth import sign_in_as
from tests.manage.journey import GOOD_ANSWERS


def _token(html: str) -> str:
    found = (
        re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        or re.search(r'type="hidden" name="csrf_token" value="([^"]+)"', html)
        or re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    )
    assert found, "the form has no CSRF token"
    return found.group(1)


def test_every_manage_form_needs_its_csrf_token(app, session, world, client):
    app.config["WTF_CSRF_ENABLED"] = True
    sign_in_as(client, world.member)
    start = f"/manage/organisations/{world.org_a}/new"
    refused = client.post(start, data={})
    assert refused.status_code == 400
    assert session.scalars(select(Proposal)).first() is None

    token = _token(client.get(start).get_data(as_text=True))
    step = client.post(start, data={"csrf_token": token}).headers["Location"]
    pid = step.split("/manage/proposals/")[1].split("/")[0]
    organisation = f"/manage/proposals/{pid}/organisation"
    assert client.post(organisation, data=GOOD_ANSWERS["organisation"]).status_code == 400
    assert "organisation" not in session.get(Proposal, pid).form_state.get("done", [])
    page = client.get(organisation).get_data(as_text=True)
    saved = client.post(
        organisation, data=GOOD_ANSWERS["organisation"] | {"csrf_token": _token(page)}
    )
    assert saved.status_code == 303
    session.expire_all()
    assert session.get(Proposal, pid).form_state["done"] == ["organisation"]

    for url in (
        f"/manage/proposals/{pid}/check",
        f"/manage/proposals/{pid}/withdraw",
        f"/manage/proposals/{pid}/sessions/0",
        f"/manage/proposals/{pid}/sessions/0/remove",
        f"/manage/organisations/{world.org_a}/claim/{world.listing_b.id}",
        f"/manage/services/{world.listing_b.id}/edit",
    ):
        assert client.post(url, data={"message": "mine"}).status_code in (400, 404), url
    assert session.scalars(select(Claim)).first() is None
    for url in (
        f"/manage/proposals/{pid}/check",
        f"/manage/proposals/{pid}/sessions/0",
        f"/manage/proposals/{pid}/withdraw",
        f"/manage/organisations/{world.org_a}/claim/{world.listing_b.id}",
    ):
        assert 'name="csrf_token"' in client.get(url).get_data(as_text=True), url
