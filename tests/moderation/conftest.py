"""Fixtures for the moderation tests: staff and organisation accounts, proposals in the queue
and whole ORUK records for new listings (the shape the registration wizard submits)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory.accounts.models import StaffRole, User
from directory.core.ids import new_id, utcnow
from directory.moderation.apply import live_record
from directory.moderation.models import Proposal, ProposalKind, ProposalState
from tests.auth import create_user, sign_in_as
from tests.mylist.smtp import Inbox, mail_config, smtp_server


def new_listing(
    org_id: str, org_name: str = "Lache Larder Trust", name: str = "Lache Larder"
) -> dict[str, Any]:
    """A new listing as the wizard sends it: a weekly session at a hub, a contact with a phone."""
    sal_id = new_id()
    return {
        "id": new_id(),
        "name": name,
        "description": f"{name}: free fresh food and a warm drink for anyone in Lache.",
        "status": "active",
        "application_process": "Drop in.",
        "x_delivery_modes": ["in_person"],
        "organization": {
            "id": org_id,
            "name": org_name,
            "description": "A community group in Lache.",
        },
        "contacts": [
            {
                "id": new_id(),
                "name": "Larder volunteers",
                "phones": [{"id": new_id(), "number": "01632 960123"}],
            }
        ],
        "schedules": [
            {
                "id": new_id(),
                "service_at_location_id": sal_id,
                "freq": "WEEKLY",
                "interval": 1,
                "byday": "WE",
                "opens_at": "10:00:00",
                "closes_at": "12:00:00",
            }
        ],
        "service_at_locations": [
            {
                "id": sal_id,
                "location": {
                    "id": new_id(),
                    "name": "Blacon Community Hub",
                    "latitude": 53.20532,
                    "longitude": -2.91506,
                    "x_kind": "community_hub",
                    "addresses": [
                        {
                            "id": new_id(),
                            "address_1": "Western Avenue",
                            "city": "Chester",
                            "state_province": "Cheshire",
                            "postal_code": "CH1 5BE",
                            "country": "GB",
                        }
                    ],
                },
            }
        ],
        "service_areas": [
            {
                "id": new_id(),
                "name": "Cheshire West and Chester",
                "extent": "E06000050",
                "extent_type": "local_authority",
            }
        ],
    }


def submit(
    session: Session,
    payload: dict[str, Any],
    *,
    kind: ProposalKind = ProposalKind.NEW,
    organization_id: str | None = None,
    created_by: str | None = None,
    submitted_at: datetime | None = None,
) -> Proposal:
    """A proposal in the queue (committed), as the organisation's "submit" leaves it."""
    base = live_record(session, payload["id"]) if kind != ProposalKind.NEW else None
    proposal = Proposal(
        kind=kind,
        state=ProposalState.SUBMITTED,
        organization_id=organization_id,
        service_id=payload["id"],
        payload=copy.deepcopy(payload),
        base=base,
        created_by=created_by,
        submitted_at=submitted_at or utcnow() - timedelta(hours=2),
    )
    session.add(proposal)
    session.commit()
    return proposal


def edit_of(session: Session, service_id: str) -> dict[str, Any]:
    """The live record, to change and submit as an edit."""
    record = live_record(session, service_id)
    assert record is not None
    return copy.deepcopy(record)


@pytest.fixture
def moderator(session: Session) -> User:
    return create_user(
        session, "moderator@council.example.org", staff_role=StaffRole.MODERATOR, name="Mo Derator"
    )


@pytest.fixture
def admin(session: Session) -> User:
    return create_user(
        session, "admin@council.example.org", staff_role=StaffRole.ADMIN, name="Ada Admin"
    )


@pytest.fixture
def org_id() -> str:
    return new_id()


@pytest.fixture
def member(session: Session, org_id: str) -> User:
    return create_user(
        session, "owner@lache-larder.example.org", organization_id=org_id, name="Olive Owner"
    )


@pytest.fixture
def inbox(app: Flask) -> Iterator[Inbox]:
    """A real SMTP server the app sends to."""
    with smtp_server() as server:
        app.config.update(mail_config(server))
        yield server


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:
    """Services render emails with absolute links: they run inside a request, as in a view.
    The links come from PUBLIC_BASE_URL, never from the request (issue 14)."""
    app.config["PUBLIC_BASE_URL"] = "https://directory.example.org"
    with app.test_request_context("/", base_url="https://directory.example.org"):
        yield


def sign_in(client: FlaskClient, user: User | None) -> None:
    """Sign ``client`` in as ``user`` (None: signed out).

    The ``session`` fixture keeps one application context open for the whole test, so
    Flask-Login's per-request cache of the current user (``g._login_user``) would outlive a
    request: it is dropped here so the next request reads the cookie afresh."""
    with client.session_transaction() as cookie:
        cookie.clear()
    if user is not None:
        sign_in_as(client, user)
    g.pop("_login_user", None)
