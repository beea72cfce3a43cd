"""A resident asks for help through the real pages, staff open the request on the matching
console and the privacy pages, the request is closed and purged: every logger at DEBUG the
whole way, and not one of the resident's values in any log line."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from directory.accounts.models import StaffRole
from directory.core.ids import utcnow
from directory.db import db
from directory.help_requests.models import HelpRequest, Outcome, RequestStatus
from directory.privacy.models import PersonalDataAccess
from tests.auth import create_user, sign_in_as
from tests.help_requests.conftest import POSTCODE, copy_of_seeds, walk

RESIDENT = {
    "name": "Quillon Marchbank",
    "phone": "07700 900555",
    "email": "quillon.m@example.net",
    "contact_times": "After the school run, quill",
}
DETAILS = "My neighbour Quillabelle usually does my food shopping but she is away"
SECRETS = (*RESIDENT.values(), DETAILS, "Quillabelle", POSTCODE, POSTCODE.replace(" ", ""))


@pytest.fixture
def seeded(tmp_path: Path):
    app = copy_of_seeds(tmp_path)
    yield app
    app.extensions["database"].engine.dispose()


def _admin_client(app: Flask):
    with app.app_context():
        admin = create_user(db.session, "ada@council.example.org", staff_role=StaffRole.ADMIN)
        client = app.test_client()
        sign_in_as(client, admin)
    return client


def test_no_personal_value_in_any_log_line_from_asking_to_purging(seeded, caplog):
    app = seeded
    for name in (None, "werkzeug", "directory", "search_index", "flask_limiter", "flask_wtf"):
        caplog.set_level(logging.DEBUG, logger=name)

    walk(app.test_client(), details=DETAILS, **RESIDENT)
    with app.app_context():
        request = db.session.scalars(select(HelpRequest)).one()
        assert (request.name, request.email) == (RESIDENT["name"], RESIDENT["email"])
        request_id = request.id

    staff = _admin_client(app)
    assert staff.get("/staff/requests/").status_code == 200
    assert staff.get(f"/staff/requests/{request_id}").status_code == 200
    for data in ({"email": RESIDENT["email"]}, {"phone": "+44 7700 900555"}):
        assert staff.post("/staff/privacy/", data=data).status_code == 200
    assert staff.post("/staff/privacy/export", data={"email": RESIDENT["email"]}).status_code == 200

    runner = app.test_cli_runner()
    with app.app_context():
        request = db.session.get(HelpRequest, request_id)
        request.status, request.outcome = RequestStatus.CLOSED, Outcome.SIGNPOSTED
        request.closed_at = utcnow()
        db.session.commit()
    early = runner.invoke(args=["purge-personal-data", "--days", "1"])
    assert early.exit_code == 0 and "from 0 closed help request(s)" in early.output
    with app.app_context():
        db.session.get(HelpRequest, request_id).closed_at = utcnow() - timedelta(days=2)
        db.session.commit()
    result = runner.invoke(args=["purge-personal-data", "--days", "1"])
    assert "from 1 closed help request(s)" in result.output

    with app.app_context():
        purged = db.session.get(HelpRequest, request_id)
        assert (purged.name, purged.email, purged.details) == (None, None, None)
        seen = db.session.scalars(
            select(PersonalDataAccess).where(PersonalDataAccess.record_id == request_id)
        ).all()
        assert {row.action for row in seen} >= {"view", "export"}

    assert caplog.records, "nothing was logged at all: the capture is not working"
    # The message, its arguments and every attribute a record carries (``extra=`` fields too).
    logged = "\n".join(f"{record.getMessage()} {vars(record)!r}" for record in caplog.records)
    for secret in SECRETS:
        assert secret not in logged, secret
    for secret in SECRETS:
        assert secret not in early.output + result.output, secret
