"""People, organisations and places for the /manage/ tests.

``org_a`` has a member (``member``) and no listed record yet (it has just signed up); ``org_b``
is another organisation with its own member and a live listing; ``moderator`` is staff. The
directory holds the test taxonomies, one public listing of organisation B at a Chester venue
and the Blacon community hub (a place with no listing of its own).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory.accounts.models import StaffRole, User
from directory.core.ids import new_id
from directory.listings.models import Organization, Service
from directory.places.models import Location
from tests.auth import create_user, sign_in_as
from tests.factories import make_location, make_organization, make_service, make_taxonomy


@dataclass
class World:
    org_a: str
    org_b: Organization
    member: User
    other: User
    moderator: User
    hub: Location
    listing_b: Service


@pytest.fixture
def world(session: Session) -> World:
    make_taxonomy(session)
    org_b = make_organization(session, "Hoole Friends Together")
    listing_b = make_service(
        session,
        "Hoole Knit and Natter",
        organization=org_b,
        places=("hoole",),
        schedules=[{"byday": "WE", "opens_at": "14:00", "closes_at": "16:00", "at": "hoole"}],
        phone="01632 960555",
        email="knit@hoole-friends.example.org",
    )
    hub = make_location(session, "blacon")
    session.commit()
    org_a = new_id()
    return World(
        org_a=org_a,
        org_b=org_b,
        member=create_user(session, "ann@example.org", organization_id=org_a),
        other=create_user(session, "bob@example.org", organization_id=org_b.id),
        moderator=create_user(session, "mod@example.org", staff_role=StaffRole.MODERATOR),
        hub=hub,
        listing_b=listing_b,
    )


@pytest.fixture(autouse=True)
def _one_user_per_request(app: Flask) -> None:
    """The ``session`` fixture keeps one app context open for the whole test, and Flask reuses
    it for the test client's requests, so Flask-Login's ``g._login_user`` would outlive the
    request that loaded it. Forget it at each request, as a real server's fresh context does,
    so two clients signed in as different people stay two people."""

    @app.before_request
    def _forget_user() -> None:
        g.pop("_login_user", None)


@pytest.fixture
def member_client(client: FlaskClient, world: World) -> FlaskClient:
    sign_in_as(client, world.member)
    return client
