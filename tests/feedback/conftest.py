"""A directory with two organisations, their people, a moderator and a real SMTP server, for
the problem-report tests. Data is set up and read in app contexts of its own, so each request
runs in a fresh context (as in production) and signs in whoever its client says."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory import create_app
from directory.accounts.models import StaffRole, User
from directory.core.ids import utcnow
from directory.db import db
from directory.feedback.models import ProblemReport
from tests.auth import create_user, sign_in_as
from tests.factories import make_organization, make_service
from tests.mylist.smtp import Inbox, mail_config, smtp_server

T = TypeVar("T")


@pytest.fixture
def make_app(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app on a fresh database with extra settings (CSRF on, limits on, mail...)."""
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        db_path = tmp_path / f"{uuid.uuid4().hex}.sqlite"
        shutil.copy(migrated_sqlite_template, db_path)
        config = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "directory.example.org",
            "PUBLIC_BASE_URL": "http://directory.example.org",
            **overrides,
        }
        app = create_app(config)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["database"].engine.dispose()


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as box:
        yield box


@dataclass
class Site:
    """The app, its mailbox and the ids of what was made; ``run`` reads or writes the
    database in a fresh app context."""

    app: Flask
    inbox: Inbox
    ids: dict[str, str] = field(default_factory=dict)

    def run(self, work: Callable[[Session], T]) -> T:
        with self.app.app_context():
            result = work(db.session)
            db.session.commit()
            return result

    def client(self, who: str | None = None) -> FlaskClient:
        """A test client, signed in as the user named by ``who`` (a key of ``ids``)."""
        client = self.app.test_client()
        if who is not None:
            with self.app.app_context():
                sign_in_as(client, db.session.get(User, self.ids[who]))
        return client

    def report(self, report_id: str) -> ProblemReport:
        with self.app.app_context():
            report = db.session.get(ProblemReport, report_id)
            db.session.expunge(report)
            return report

    def add_report(
        self, service: str, problem: str, email: str | None = None, *, days_old: int = 0
    ) -> str:
        def work(session: Session) -> str:
            report = ProblemReport(
                service_id=self.ids[service],
                problem=problem,
                reply_email=email,
                created_at=utcnow() - timedelta(days=days_old),
            )
            session.add(report)
            session.flush()
            return report.id

        return self.run(work)


def build_site(app: Flask, inbox: Inbox) -> Site:
    site = Site(app=app, inbox=inbox)

    def work(session: Session) -> None:
        river = make_organization(session, "Riverside Community Trust")
        hill = make_organization(session, "Hillside Carers")
        lone = make_organization(session, "Nobody Signed Up Yet")
        site.ids.update(org_a=river.id, org_b=hill.id, org_none=lone.id)
        site.ids["svc_a"] = make_service(session, "Riverside Lunch Club", organization=river).id
        site.ids["svc_b"] = make_service(session, "Hillside Carers Cafe", organization=hill).id
        site.ids["svc_none"] = make_service(session, "Lonely Walks", organization=lone).id
        session.commit()
        site.ids["staff"] = create_user(
            session, "moderator@council.example.org", staff_role=StaffRole.MODERATOR
        ).id
        site.ids["member_a"] = create_user(
            session, "owner@riverside.example.org", organization_id=river.id
        ).id
        site.ids["member_a2"] = create_user(
            session, "editor@riverside.example.org", organization_id=river.id
        ).id
        site.ids["member_b"] = create_user(
            session, "owner@hillside.example.org", organization_id=hill.id
        ).id

    site.run(work)
    return site


@pytest.fixture
def site(make_app: Callable[..., Flask], inbox: Inbox) -> Site:
    return build_site(make_app(**mail_config(inbox)), inbox)
