"""Where reads go (``directory.db.reads_replica``), without a PostgreSQL server: the rule
itself, a SQLite "replica" (the same file opened read-only) for the routing, the default with
no replica unchanged, and ``/readyz``'s replica and repair checks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from directory.config import ConfigError
from directory.db import (
    PRIMARY_UNTIL,
    READ_ENGINE,
    WROTE,
    RoutedSession,
    db,
    make_replica_engine,
    reads_replica,
)
from directory.listings.models import Organization
from search_index.sync import get_sync
from tests.factories import make_organization, make_service


def _reads(app: Flask, method: str = "GET", headers: dict | None = None, **cookie: Any) -> bool:
    with app.test_request_context("/", method=method, headers=headers or {}):
        from flask import session

        session.update(cookie)
        return reads_replica()


def test_the_rule(make_app: Callable[..., Flask]) -> None:
    app = make_app(replica=True)
    assert _reads(app, "GET") and _reads(app, "HEAD")
    for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        assert not _reads(app, method), method
    assert not _reads(app, _user_id="someone:1")  # signed in
    assert not _reads(app, pending_user="someone")  # half way through a two-factor sign-in
    assert not _reads(app, headers={"Cookie": "remember_token=x"})
    assert not _reads(app, **{PRIMARY_UNTIL: time.time() + 60})  # wrote a moment ago
    assert _reads(app, **{PRIMARY_UNTIL: time.time() - 1})  # long enough ago
    assert _reads(app, **{PRIMARY_UNTIL: "soon"})  # not a number: ignored
    with app.app_context():
        assert not reads_replica()  # commands, jobs, threads: the primary


def test_sessions_read_where_the_rule_says(make_app: Callable[..., Flask]) -> None:
    app = make_app(replica=True)
    with app.test_request_context("/", method="GET"):
        assert db.session.info[READ_ENGINE] is db.replica_engine
        assert db.session.get_bind() is db.replica_engine
    with app.test_request_context("/", method="POST"):
        assert READ_ENGINE not in db.session.info
        assert db.session.get_bind() is db.engine
    with app.app_context():
        assert READ_ENGINE not in db.session.info
        with db.new_session() as other:
            assert READ_ENGINE not in other.info and other.get_bind() is db.engine


def test_a_flush_goes_to_the_primary_and_pins_the_session(make_app: Callable[..., Flask]) -> None:
    app = make_app(replica=True)
    with app.test_request_context("/", method="GET"):
        session = db.session
        assert session.scalar(select(func.count()).select_from(Organization)) == 0
        make_organization(session, "Written in a GET")  # flushes: a replica would refuse it
        session.commit()
        assert session.info[WROTE] and READ_ENGINE not in session.info
        assert session.get_bind() is db.engine


def test_the_replica_refuses_writes(make_app: Callable[..., Flask]) -> None:
    app = make_app(replica=True)
    with app.app_context(), Session(db.replica_engine) as session:
        session.add(Organization(name="Sent to the replica", description="x"))
        with pytest.raises(OperationalError, match="readonly"):
            session.commit()


def test_a_replica_must_be_postgresql_or_sqlite() -> None:
    with pytest.raises(ConfigError, match="DATABASE_REPLICA_URL"):
        make_replica_engine("mysql://user@127.0.0.1/directory")


def test_a_browser_that_wrote_reads_the_primary_for_a_while(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(replica=True, DATABASE_REPLICA_PIN_SECONDS=30.0)
    with app.app_context():
        service_id = make_service(db.session, "Upton Repair Cafe").id
        db.session.commit()
    client = app.test_client()
    report = {"problem": "The phone number is wrong", "email": ""}
    assert client.post(f"/services/{service_id}/report", data=report).status_code == 303
    with client.session_transaction() as cookie:
        assert time.time() + 25 < cookie[PRIMARY_UNTIL] <= time.time() + 31
    refused = app.test_client()  # a form that does not validate writes nothing: no pin
    assert refused.post(f"/services/{service_id}/report", data={}).status_code == 200
    with refused.session_transaction() as cookie:
        assert PRIMARY_UNTIL not in cookie


def test_without_a_replica_nothing_changes(make_app: Callable[..., Flask]) -> None:
    app = make_app(replica=False)
    with app.app_context():
        service_id = make_service(db.session, "Upton Repair Cafe").id
        db.session.commit()
        assert db.replica_engine is None
    with app.test_request_context("/", method="GET"):
        assert not isinstance(db.session, RoutedSession)
        assert READ_ENGINE not in db.session.info
    client = app.test_client()
    report = {"problem": "The phone number is wrong", "email": ""}
    assert client.post(f"/services/{service_id}/report", data=report).status_code == 303
    with client.session_transaction() as cookie:
        assert PRIMARY_UNTIL not in cookie
    assert "replica" not in _readyz(app)[1]["checks"]


def _readyz(app: Flask) -> tuple[int, dict]:
    response = app.test_client().get("/readyz")
    return response.status_code, response.get_json()


def test_readyz_checks_the_replica(make_app: Callable[..., Flask]) -> None:
    app = make_app(replica=True)
    get_sync(app).rebuild(procs=1)
    status, body = _readyz(app)
    assert (status, body["checks"]["replica"]) == (200, "ok"), body
    app.config["DATABASE_REPLICA_URL"] = "postgresql+psycopg://secretuser@127.0.0.1:1/x"
    app.extensions["readiness_engines"].pop("DATABASE_REPLICA_URL")
    status, body = _readyz(app)
    assert status == 503 and body["checks"]["replica"].startswith("unreachable (")
    assert body["checks"]["database"] == "ok"


def test_readyz_says_repairing_while_the_index_is_rebuilt(make_app: Callable[..., Flask]) -> None:
    app = make_app(replica=False)
    sync = get_sync(app)
    with sync.store.rebuild_lock(timeout=5):  # the repair waits for this lock
        assert sync.repairer.start("no index yet")
        status, body = _readyz(app)
        assert (status, body["checks"]["search_index"]) == (503, "repairing")
    sync.repairer.wait(60)
    status, body = _readyz(app)
    assert (status, body["checks"]["search_index"]) == (200, "ok"), body


def test_readyz_stays_ready_on_a_database_migrated_by_a_newer_release(
    make_app: Callable[..., Flask],
) -> None:
    """A rolling upgrade migrates first: the old nodes must stay in the pool until restarted."""
    app = make_app(replica=False)
    get_sync(app).rebuild(procs=1)
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_newer'"))
    status, body = _readyz(app)
    assert (status, body["checks"]["migrations"]) == (200, "ok"), body
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0013'"))
    status, body = _readyz(app)
    assert status == 503 and body["checks"]["migrations"].startswith("at 0013, not at head")
