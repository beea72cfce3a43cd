"""The purge of closed requests' personal data, proved on the database itself: the columns read
back with plain SQL, and on SQLite the database file's bytes after a VACUUM."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from directory.core.ids import utcnow
from directory.help_offers.models import OfferKind, OfferStatus
from directory.help_requests.models import HelpRequest, Outcome, RequestStatus
from directory.privacy.services import REQUEST_PERSONAL, cutoff_for, purge_closed
from tests.privacy.conftest import make_offer, make_request, person

PERSONAL_SQL = ", ".join(REQUEST_PERSONAL)


def _raw_request(session, reference: str) -> dict:
    row = session.execute(
        text(
            f"SELECT {PERSONAL_SQL}, outcode, needs, outcome, status, created_at, closed_at, "
            "anonymised_at, extra FROM help_request WHERE reference = :ref"
        ),
        {"ref": reference},
    ).mappings()
    return dict(row.one())


def _raw_notes(session, reference: str) -> list:
    rows = session.execute(
        text(
            "SELECT a.note, a.method, a.succeeded FROM contact_attempt a "
            "JOIN help_request r ON r.id = a.request_id WHERE r.reference = :ref"
        ),
        {"ref": reference},
    )
    return [tuple(row) for row in rows]


def _every_text(session) -> str:
    """Every value of every row of the request, attempt and offer tables, as one string."""
    found = []
    for table in ("help_request", "contact_attempt", "help_offer"):
        for row in session.execute(text(f"SELECT * FROM {table}")):
            found.extend(str(value) for value in row)
    return "\n".join(found)


def test_purge_removes_personal_data_from_the_columns_and_keeps_the_rest(any_session):
    session = any_session
    old = person("quill", 1)
    make_request(session, old, "H2H-OLD001", outcome=Outcome.SIGNPOSTED, needs=("need-food",))
    session.commit()
    before = _raw_request(session, "H2H-OLD001")
    assert before["name"] == old.name and before["email"] == old.email  # the control

    result = purge_closed(session, 90)
    session.commit()

    assert (result.requests, result.notes) == (1, 1)
    after = _raw_request(session, "H2H-OLD001")
    assert {column: after[column] for column in REQUEST_PERSONAL} == dict.fromkeys(REQUEST_PERSONAL)
    assert after["outcode"] == old.postcode.split()[0]
    assert "need-food" in str(after["needs"])
    assert after["outcome"] == "signposted" and after["status"] == "closed"
    assert after["created_at"] == before["created_at"]
    assert after["closed_at"] == before["closed_at"]
    assert after["anonymised_at"] is not None
    extra = after["extra"]
    assert (json.loads(extra) if isinstance(extra, str) else extra) == {"services_shown": 3}
    assert _raw_notes(session, "H2H-OLD001") == [(None, "phone", True)]
    everything = _every_text(session)
    for secret in old.secrets:
        assert secret not in everything


def test_personal_data_is_gone_from_the_sqlite_file_itself(app, session):
    old, kept = person("quill", 1), person("wren", 2)
    make_request(session, old, "H2H-OLD001")
    make_offer(session, old, "OFF-OLD001")
    make_request(session, kept, "H2H-NEW001", status=RequestStatus.OPEN)
    session.commit()
    db_file = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))

    def file_bytes() -> bytes:
        session.execute(text("VACUUM"))
        session.commit()
        app.extensions["database"].engine.dispose()
        data = db_file.read_bytes()
        for extra in (db_file.with_name(db_file.name + "-wal"),):
            if extra.exists():
                data += extra.read_bytes()
        return data

    data = file_bytes()
    for secret in old.secrets + kept.secrets:  # the control: the test can see them
        assert secret.encode() in data, secret

    purge_closed(session, 90)
    session.commit()
    data = file_bytes()
    for secret in old.secrets:
        assert secret.encode() not in data, secret
    for secret in kept.secrets:  # the open request keeps its data
        assert secret.encode() in data, secret


def test_purge_twice_is_a_no_op(any_session):
    session = any_session
    make_request(session, person("quill", 1), "H2H-OLD001")
    make_offer(session, person("wren", 2), "OFF-OLD001")
    session.commit()
    first = purge_closed(session, 90)
    session.commit()
    snapshot = _every_text(session)

    second = purge_closed(session, 90)
    session.commit()

    assert (first.requests, first.offers) == (1, 1)
    assert (second.requests, second.offers, second.notes) == (0, 0, 0)
    assert _every_text(session) == snapshot


def test_open_and_assigned_requests_are_never_purged_however_old(any_session):
    session = any_session
    open_one, assigned = person("opal", 1), person("ash", 2)
    make_request(session, open_one, "H2H-OPEN01", status=RequestStatus.OPEN, created_days_ago=900)
    make_request(
        session, assigned, "H2H-ASSN01", status=RequestStatus.ASSIGNED, created_days_ago=900
    )
    session.commit()

    result = purge_closed(session, 1)
    session.commit()

    assert result.requests == 0
    for reference, who in (("H2H-OPEN01", open_one), ("H2H-ASSN01", assigned)):
        row = _raw_request(session, reference)
        assert (row["name"], row["email"], row["phone"]) == (who.name, who.email, who.phone)
        assert row["anonymised_at"] is None


def test_only_requests_closed_before_the_cutoff_are_purged(any_session):
    session = any_session
    today = utcnow().date()
    make_request(session, person("quill", 1), "H2H-OLD001", closed_days_ago=91)
    make_request(session, person("wren", 2), "H2H-RECENT", closed_days_ago=89)
    # Imported as closed with no closing date: counted from when it was made.
    make_request(session, person("fern", 3), "H2H-IMPORT", closed_days_ago=None)
    session.commit()

    result = purge_closed(session, 90, today=today)
    session.commit()

    assert result.requests == 2
    assert _raw_request(session, "H2H-OLD001")["name"] is None
    assert _raw_request(session, "H2H-IMPORT")["name"] is None
    assert _raw_request(session, "H2H-RECENT")["name"] == person("wren", 2).name
    assert result.cutoff == cutoff_for(90, today)


def test_volunteers_closed_or_rejected_offers_are_purged_and_no_others(any_session):
    session = any_session
    cases = {
        "OFF-CLOSED": (OfferKind.VOLUNTEER, OfferStatus.CLOSED, 200, True),
        "OFF-REJECT": (OfferKind.VOLUNTEER, OfferStatus.REJECTED, 200, True),
        "OFF-ACTIVE": (OfferKind.VOLUNTEER, OfferStatus.ACTIVE, 200, False),
        "OFF-PAUSED": (OfferKind.VOLUNTEER, OfferStatus.PAUSED, 200, False),
        "OFF-RECENT": (OfferKind.VOLUNTEER, OfferStatus.CLOSED, 10, False),
        "OFF-ORGANS": (OfferKind.ORGANISATION, OfferStatus.CLOSED, 200, False),
    }
    people = {}
    for number, (reference, (kind, status, days, _purged)) in enumerate(cases.items(), 1):
        people[reference] = person(reference[4:].lower(), number)
        make_offer(session, people[reference], reference, kind=kind, status=status,
                   updated_days_ago=days)  # fmt: skip
    session.commit()

    result = purge_closed(session, 90)
    session.commit()

    assert result.offers == 2
    for reference, (_kind, _status, _days, purged) in cases.items():
        row = session.execute(
            text(
                "SELECT name, phone, email, description, postcode, latitude, outcode, needs, "
                "capacity, anonymised_at FROM help_offer WHERE reference = :ref"
            ),
            {"ref": reference},
        ).one()
        if purged:
            assert row[:6] == (None,) * 6, reference
            assert row.outcode and "need-shopping" in str(row.needs) and row.capacity == 2
            assert row.anonymised_at is not None
        else:
            assert row.name == people[reference].name, reference
            assert row.anonymised_at is None


def test_a_dry_run_counts_and_changes_nothing(any_session):
    session = any_session
    make_request(session, person("quill", 1), "H2H-OLD001")
    make_offer(session, person("wren", 2), "OFF-OLD001")
    session.commit()
    snapshot = _every_text(session)

    result = purge_closed(session, 90, dry_run=True)
    session.commit()

    assert (result.requests, result.offers, result.notes, result.dry_run) == (1, 1, 1, True)
    assert _every_text(session) == snapshot


@pytest.mark.parametrize("days", [1, 30, 365])
def test_the_cutoff_is_the_start_of_the_day_days_ago(days):
    today = utcnow().date()
    cutoff = cutoff_for(days, today)
    assert cutoff.date() == today - timedelta(days=days)
    assert (cutoff.hour, cutoff.minute, cutoff.tzinfo is not None) == (0, 0, True)


def test_the_orm_sees_the_purge(session):
    """Objects already loaded in the session read the blanks, not stale values."""
    request = make_request(session, person("quill", 1), "H2H-OLD001")
    session.commit()
    assert request.attempts[0].note
    purge_closed(session, 90)
    session.commit()
    fresh = session.get(HelpRequest, request.id)
    assert fresh.name is None and fresh.attempts[0].note is None
