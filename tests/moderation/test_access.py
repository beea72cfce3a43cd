"""Who may use the staff pages: anonymous visitors go to sign in, organisation members get 403
on every staff route, moderators use them all except trust and suspension (admins only); and
every staff form needs its CSRF token."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from directory.core.ids import new_id
from directory.listings.models import Organization, Service
from directory.moderation.models import Claim
from directory.staff.models import StaffAction
from tests.auth import create_user
from tests.factories import make_service
from tests.moderation.conftest import new_listing, sign_in, submit
from tests.public.conftest import text_of


@pytest.fixture
def targets(session, org_id):
    service = make_service(session, "Upton Repair Café")
    proposal = submit(session, new_listing(org_id), organization_id=org_id)
    claimant = create_user(session, "claimant@example.org")
    claim = Claim(service_id=service.id, organization_id=new_id(), user_id=claimant.id)
    session.add(claim)
    session.commit()
    return {
        "service": service.id,
        "org": service.organization_id,
        "proposal": proposal.id,
        "claim": claim.id,
        "term": new_id(),
    }


def routes(t):
    return [
        ("GET", "/staff/"),
        ("GET", "/staff/organisations"),
        ("GET", f"/staff/organisations/{t['org']}"),
        ("POST", f"/staff/organisations/{t['org']}"),
        ("GET", f"/staff/services/{t['service']}/history"),
        ("POST", f"/staff/services/{t['service']}/history/restore"),
        ("GET", "/staff/moderation/"),
        ("GET", f"/staff/moderation/proposals/{t['proposal']}"),
        ("POST", f"/staff/moderation/proposals/{t['proposal']}"),
        ("GET", f"/staff/moderation/claims/{t['claim']}"),
        ("POST", f"/staff/moderation/claims/{t['claim']}"),
        ("GET", "/staff/moderation/needs"),
        ("POST", f"/staff/moderation/needs/terms/{t['term']}/confirm"),
        ("POST", f"/staff/moderation/needs/listings/{t['service']}/confirm"),
    ]


def test_every_staff_route_sends_anonymous_visitors_to_sign_in(client, session, targets):
    sign_in(client, None)
    for method, url in routes(targets):
        response = client.open(url, method=method, data={"decision": "approve"})
        assert response.status_code == 302, (method, url)
        assert "/account/sign-in" in response.headers["Location"], (method, url)


def test_every_staff_route_is_forbidden_to_organisation_members(client, session, targets, member):
    sign_in(client, member)
    for method, url in routes(targets):
        response = client.open(url, method=method, data={"decision": "approve", "reason": "x"})
        assert response.status_code == 403, (method, url)
    session.expire_all()
    assert session.get(Service, targets["proposal"]) is None  # nothing was approved
    assert session.scalars(select(StaffAction)).all() == []


def test_moderators_see_the_organisation_but_only_admins_change_its_standing(
    client, session, targets, moderator, admin
):
    url = f"/staff/organisations/{targets['org']}"
    sign_in(client, moderator)
    page = text_of(client.get(url).data)
    assert "Only an admin can trust or suspend" in page
    response = client.post(url, data={"suspended": "y", "reason": "Complaints"})
    assert response.status_code == 403
    session.expire_all()
    assert session.get(Organization, targets["org"]).is_suspended is False

    sign_in(client, admin)
    assert "Trust or suspend" in text_of(client.get(url).data)


def test_csrf_is_required_on_every_staff_form(
    migrated_sqlite_template, tmp_path, moderator_app_factory
):
    app, client, targets, _staff = moderator_app_factory(migrated_sqlite_template, tmp_path)
    forms = [(m, u) for m, u in routes(targets) if m == "POST"]
    for method, url in forms:
        response = client.open(
            url,
            method=method,
            data={"decision": "approve", "reason": "x", "at": "2026-01-01T00:00:00+00:00"},
        )
        assert response.status_code == 400, url
        assert "Your form has expired" in text_of(response.data), url
    with app.app_context():
        from directory.db import db
        from directory.moderation.models import Proposal, ProposalState

        assert db.session.get(Proposal, targets["proposal"]).state == ProposalState.SUBMITTED
        assert db.session.get(Organization, targets["org"]).is_suspended is False
        assert db.session.scalars(select(StaffAction)).all() == []
    page = client.get(f"/staff/moderation/proposals/{targets['proposal']}").data.decode()
    assert 'name="csrf_token"' in page


@pytest.fixture
def moderator_app_factory():
    """An app with CSRF protection on (the test config turns it off), a moderator signed in."""
    apps: list[Flask] = []

    def make(template, tmp_path):
        import shutil

        from directory import create_app
        from directory.accounts.models import StaffRole
        from directory.db import db

        shutil.copy(template, tmp_path / "csrf.sqlite")
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "csrf-test",
                "WTF_CSRF_ENABLED": True,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'csrf.sqlite'}",
                "SEARCH_INDEX_DIR": str(tmp_path / "csrf-index"),
            }
        )
        apps.append(app)
        with app.app_context():
            session = db.session
            service = make_service(session, "Upton Repair Café")
            org_id = new_id()
            proposal = submit(session, new_listing(org_id), organization_id=org_id)
            claimant = create_user(session, "claimant@example.org")
            claim = Claim(service_id=service.id, organization_id=new_id(), user_id=claimant.id)
            session.add(claim)
            session.commit()
            staff = create_user(session, "admin@council.example.org", staff_role=StaffRole.ADMIN)
            targets = {
                "service": service.id,
                "org": service.organization_id,
                "proposal": proposal.id,
                "claim": claim.id,
                "term": new_id(),
            }
        client = app.test_client()
        from tests.auth import sign_in_as

        sign_in_as(client, staff)
        return app, client, targets, staff

    yield make
    for app in apps:
        app.extensions["database"].engine.dispose()
