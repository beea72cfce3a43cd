"""Offers of help: an app on a fresh migrated SQLite database with two organisations, each
with a live listing and an owner, and a moderator; the offline gazetteer in the seeds knows
the postcodes used here.

``walk(client, **changes)`` answers every /offer-help question the way a browser without
JavaScript would (one POST a page) and stops at "Check your answers"; ``send(client)`` sends.
Each page's answers can be replaced by keyword (``walk(client, where={...})``).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory import create_app
from directory.accounts.models import StaffRole, User
from directory.db import db
from tests.auth import create_user, sign_in_as
from tests.factories import make_organization, make_service

POSTCODE = "CH1 2HJ"  # Northgate Street, Chester: in the gazetteer

#: A volunteer's answers, page by page.
VOLUNTEER: dict[str, dict[str, Any]] = {
    "who": {"kind": "volunteer"},
    "needs": {"needs": ["money", "family"]},
    "description": {"description": "I can do weekly shopping and collect prescriptions."},
    "where": {"postcode": "ch1 2hj", "radius": "5", "places": ""},
    "when": {"availability": ["mon-am", "wed-pm", "sat-eve"]},
    "capacity": {"capacity": "3"},
    "contact": {"name": "Val Unteer", "phone": "07700 900982", "email": "val@example.net"},
    "consent": {"consent": "y"},
}


def make(template: Path, folder: Path, **overrides: Any) -> Flask:
    db_path = folder / f"{uuid.uuid4().hex}.sqlite"
    shutil.copy(template, db_path)
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "offer-help-tests",
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SEARCH_INDEX_DIR": str(folder / "search_index"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_FILE_DIR": str(folder / "mail"),
            **overrides,
        }
    )


@dataclass
class World:
    app: Flask
    ids: dict[str, str] = field(default_factory=dict)

    def run(self, work: Callable[[Session], Any]) -> Any:
        """Work in an app context of its own (never around a request), then commit."""
        with self.app.app_context():
            result = work(db.session)
            db.session.commit()
            return result

    def client(self, who: str | None = None) -> FlaskClient:
        client = self.app.test_client()
        if who is not None:
            with self.app.app_context():
                sign_in_as(client, db.session.get(User, self.ids[who]))
        return client


def build(app: Flask) -> World:
    world = World(app)

    def setup(session: Session) -> None:
        river = make_organization(session, "Riverside Community Trust")
        hill = make_organization(session, "Hillside Carers")
        world.ids["org_a"], world.ids["org_b"] = river.id, hill.id
        world.ids["svc_a"] = make_service(
            session, "Riverside Lunch Club", organization=river, needs=("Food",)
        ).id
        world.ids["svc_b"] = make_service(session, "Hillside Carers Cafe", organization=hill).id
        session.commit()
        world.ids["member_a"] = create_user(
            session, "rita@riverside.example.org", organization_id=river.id, name="Rita River"
        ).id
        world.ids["member_b"] = create_user(
            session, "hal@hillside.example.org", organization_id=hill.id, name="Hal Hill"
        ).id
        world.ids["moderator"] = create_user(
            session, "mo@council.example.org", staff_role=StaffRole.MODERATOR, name="Mo Derator"
        ).id

    world.run(setup)
    return world


@pytest.fixture
def make_world(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Callable[..., World]]:
    apps: list[Flask] = []

    def factory(**overrides: Any) -> World:
        app = make(migrated_sqlite_template, tmp_path, **overrides)
        apps.append(app)
        return build(app)

    yield factory
    for app in apps:
        app.extensions["database"].engine.dispose()


@pytest.fixture
def world(make_world: Callable[..., World]) -> World:
    return make_world()


def answer(client: FlaskClient, slug: str, data: dict[str, Any]):
    return client.post(f"/offer-help/{slug}", data=data)


def walk(client: FlaskClient, **changes: dict[str, Any]) -> None:
    """Answer every page in the order the journey asks, ending on the check page."""
    pages = {**VOLUNTEER, **changes}
    url = "/offer-help/who"
    for _ in range(12):
        slug = url.rsplit("/", 1)[-1]
        if slug == "check":
            return
        response = answer(client, slug, pages[slug])
        assert response.status_code == 303, (slug, response.status_code, _errors(response))
        url = response.headers["Location"]
    raise AssertionError("the journey did not reach the check page")


def send(client: FlaskClient, **data: str):
    return client.post("/offer-help/check", data=data)


def _errors(response) -> list[str]:
    import re

    return re.findall(r'govuk-error-message">\s*<span[^>]*>[^<]*</span>\s*([^<]+)<', response.text)
