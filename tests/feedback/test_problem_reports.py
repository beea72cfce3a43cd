"""Reports from "Report a problem with this page" are kept for staff, and reply addresses are
forgotten after the retention period."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from directory.core.ids import utcnow
from directory.feedback.services import open_reports, purge_reply_addresses, record_problem
from directory.models import ProblemReport
from tests.factories import make_service


def test_report_form_saves_what_the_resident_wrote(app, client, session):
    service = make_service(session, "Tuesday Friendship Club")
    session.commit()
    response = client.post(
        f"/services/{service.id}/report",
        data={"problem": "The phone number rings out.", "email": "resident@example.org"},
    )
    assert response.status_code == 303
    session.expire_all()
    report = session.scalars(select(ProblemReport)).one()
    assert report.service_id == service.id
    assert report.problem == "The phone number rings out."
    assert report.reply_email == "resident@example.org"


def test_an_empty_report_is_refused_and_nothing_is_saved(app, client, session):
    service = make_service(session, "Tuesday Friendship Club")
    session.commit()
    response = client.post(f"/services/{service.id}/report", data={"problem": ""})
    assert response.status_code == 200
    assert "Enter what is wrong with this page" in response.get_data(as_text=True)
    assert session.scalars(select(ProblemReport)).all() == []


def test_purge_blanks_only_old_reply_addresses(session):
    service = make_service(session, "Money Matters Drop-in")
    old = record_problem(session, service, "Closed now", "old@example.org")
    new = record_problem(session, service, "Moved", "new@example.org")
    old.created_at = utcnow() - timedelta(days=120)
    session.commit()
    assert purge_reply_addresses(session, days=90) == 1
    session.expire_all()
    assert session.get(ProblemReport, old.id).reply_email is None
    assert session.get(ProblemReport, new.id).reply_email == "new@example.org"
    assert {r.id for r in open_reports(session, service.id)} == {old.id, new.id}
