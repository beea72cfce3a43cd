"""The read replica (``DATABASE_REPLICA_URL``) on a real PostgreSQL server.

No replica server here, so the test points two URLs at one database: the "replica" URL has
its own ``application_name`` and the app makes its connections read-only at the server, as a
real standby is. Each statement is counted per engine (SQLAlchemy ``before_cursor_execute``)
and the server is asked which applications are connected (``pg_stat_activity``), so the
tests show where each request's reads and writes went: anonymous pages and the API on the
replica, a public form's write on the primary, a signed-in staff page on the primary, and a
write sent to a replica connection refused by the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from directory import create_app
from directory.accounts.models import StaffRole, User
from directory.db import PRIMARY_UNTIL, WROTE, db
from directory.feedback.models import ProblemReport
from directory.listings.models import Organization, Service
from directory.places import listing_places
from search_index.sync import get_sync
from tests.auth import create_user, sign_in_as
from tests.conftest import _app_config, _truncate_postgres
from tests.factories import make_service

PRIMARY_NAME = "directory-primary"
REPLICA_NAME = "directory-replica"


def _named(url: str, name: str) -> str:
    return make_url(url).update_query_dict({"application_name": name}).render_as_string(False)


@dataclass
class Counter:
    """Statements run on one engine since the last :meth:`clear`."""

    statements: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.statements.clear()

    def touching(self, table: str) -> list[str]:
        return [s for s in self.statements if f'"{table}"' in s or f" {table}" in s]

    def writes(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]


def _count(engine: Engine) -> Counter:
    counter = Counter()

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        counter.statements.append(statement)

    return counter


@dataclass
class Replicated:
    app: Flask
    primary: Counter
    replica: Counter
    service_id: str
    staff_id: str


@pytest.fixture
def replicated(postgres_url: str, tmp_path: Path) -> Iterator[Replicated]:
    _truncate_postgres(postgres_url)
    config = _app_config(_named(postgres_url, PRIMARY_NAME), tmp_path) | {
        "DATABASE_REPLICA_URL": _named(postgres_url, REPLICA_NAME),
        "RATELIMIT_ENABLED": False,
        "SEARCH_LOGGING": False,
        # Place names from addresses are refreshed by the first page (on the primary, in a
        # session of their own) and then not again during the test.
        "PLACE_NAMES_CHECK_SECONDS": 3600.0,
    }
    app = create_app(config)
    with app.app_context():
        service = make_service(db.session, "Tuesday Friendship Club")
        db.session.commit()
        staff = create_user(db.session, staff_role=StaffRole.ADMIN)
        ids = (service.id, staff.id)
        get_sync(app).rebuild(procs=1)
    listing_places._next_check.clear()  # another test's app may have set the gazetteer's
    assert app.test_client().get("/").status_code == 200
    state = app.extensions["database"]
    yield Replicated(app, _count(state.engine), _count(state.replica), *ids)
    state.engine.dispose()
    state.replica.dispose()


def test_the_replica_connections_are_read_only_and_named(replicated: Replicated) -> None:
    with replicated.app.app_context():
        replica = db.replica_engine
        assert replica is not None and replica is not db.engine
        with replica.connect() as conn:
            assert conn.scalar(text("SHOW transaction_read_only")) == "on"
            assert conn.scalar(text("SELECT current_setting('application_name')")) == REPLICA_NAME
        with db.engine.connect() as conn:
            assert conn.scalar(text("SHOW transaction_read_only")) == "off"


def test_a_write_sent_to_the_replica_is_refused_by_the_server(replicated: Replicated) -> None:
    with replicated.app.app_context():
        with Session(db.replica_engine) as session:
            session.add(Organization(name="Written to the replica", description="x"))
            with pytest.raises(DBAPIError) as refused:
                session.commit()
        assert "read-only transaction" in str(refused.value.orig)
        found = db.session.scalar(select(func.count()).select_from(Organization))
        assert found == 1  # only the fixture's organisation


def test_anonymous_pages_and_the_api_read_from_the_replica(replicated: Replicated) -> None:
    client = replicated.app.test_client()
    for url in (
        "/",
        f"/services/{replicated.service_id}",
        "/search?q=friendship",
        "/api/services?text=friendship",
        f"/api/services/{replicated.service_id}",
    ):
        replicated.primary.clear()
        replicated.replica.clear()
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        if "/services/" in url:  # a listing's page and record always read its row
            assert replicated.replica.touching("service"), url
        # Whatever a page reads (searches may read nothing: the index and caches answer),
        # the primary sees only the search index's own check of the change feed.
        page_reads = [s for s in replicated.primary.statements if "listing_change" not in s]
        assert not page_reads, (url, page_reads)
        assert not replicated.replica.writes(), url
    with replicated.app.app_context():
        names = set(
            db.session.scalars(
                text(
                    "SELECT application_name FROM pg_stat_activity "
                    "WHERE datname = current_database()"
                )
            )
        )
    assert {PRIMARY_NAME, REPLICA_NAME} <= names


def test_a_public_form_writes_through_the_primary_then_reads_it(replicated: Replicated) -> None:
    client = replicated.app.test_client()
    replicated.primary.clear()
    replicated.replica.clear()
    response = client.post(
        f"/services/{replicated.service_id}/report",
        data={"problem": "The phone number is wrong"},
    )
    assert response.status_code in (200, 303)
    assert any("problem_report" in s for s in replicated.primary.writes())
    assert not replicated.replica.statements  # a POST never reads the replica
    with client.session_transaction() as cookie:
        assert cookie[PRIMARY_UNTIL] > 0  # pinned to the primary for a few seconds
    replicated.replica.clear()
    assert (
        client.get(f"/services/{replicated.service_id}", follow_redirects=True).status_code == 200
    )
    assert not replicated.replica.statements  # the page after a write reads the primary
    with replicated.app.app_context():
        texts = db.session.scalars(select(ProblemReport.problem)).all()
    assert texts == ["The phone number is wrong"]


def test_a_signed_in_staff_page_reads_the_primary(replicated: Replicated) -> None:
    client = replicated.app.test_client()
    with replicated.app.app_context():
        sign_in_as(client, db.session.get(User, replicated.staff_id))
    for url in ("/staff/", f"/services/{replicated.service_id}", "/search?q=friendship"):
        replicated.primary.clear()
        replicated.replica.clear()
        assert client.get(url, follow_redirects=True).status_code == 200, url
        assert replicated.primary.touching("user_account"), url  # who is signed in
        assert not replicated.replica.statements, (url, replicated.replica.statements)


def test_a_write_inside_an_anonymous_get_goes_to_the_primary(replicated: Replicated) -> None:
    """A GET that writes (an emailed confirmation link) reads from the replica until its first
    flush, which goes to the primary and pins the rest of the request there."""
    app = replicated.app
    with app.test_request_context("/", method="GET"):
        session = db.session
        replicated.replica.clear()
        replicated.primary.clear()
        assert session.get(Service, replicated.service_id) is not None
        assert replicated.replica.touching("service") and not replicated.primary.statements
        session.add(Organization(name="Written in a GET", description="x"))
        session.commit()
        assert session.info[WROTE]
        assert any("organization" in s for s in replicated.primary.writes())
        replicated.replica.clear()
        assert session.scalar(select(func.count()).select_from(Organization)) == 2
        assert not replicated.replica.statements  # read-your-writes: the primary from now on
    with app.test_request_context("/", method="GET"):
        locked = select(Service.id).where(Service.id == replicated.service_id).with_for_update()
        replicated.replica.clear()
        assert db.session.scalars(locked).one() == replicated.service_id
        assert not replicated.replica.statements  # FOR UPDATE cannot run on a standby
