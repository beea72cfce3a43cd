"""Retention (issue 14, scope 9): ``feedback purge --days -1`` blanked every reply address;
the privacy notice promised rate-limit counts went within an hour while the limiter's keys live
2 and 48 hours; report text was kept forever.

Now every day count below 1 is refused (the purge options, and every ``*_DAYS`` setting at
start-up), the notice states the counts' real lifetime worked out from the limits in force,
and ``reports purge`` also deletes what reporters wrote once a report has been resolved for
``REPORT_TEXT_DAYS``.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from directory import create_app
from directory.config import ConfigError
from directory.core.ids import utcnow
from directory.db import db
from directory.feedback.models import ProblemReport, ReportState
from directory.feedback.services import REMOVED_TEXT, purge_reply_addresses, purge_report_text
from tests.factories import make_service


def _report(session, service_id: str, text: str, *, age: int, resolved: int | None = None):
    report = ProblemReport(
        service_id=service_id,
        problem=text,
        reply_email="resident@example.net",
        created_at=utcnow() - timedelta(days=age),
    )
    if resolved is not None:
        report.state = ReportState.RESOLVED
        report.resolved_at = utcnow() - timedelta(days=resolved)
    session.add(report)
    session.flush()
    return report.id


@pytest.fixture
def reports(app):
    with app.app_context():
        service_id = make_service(db.session, "Upton Repair Cafe").id
        ids = {
            "old_resolved": _report(
                db.session, service_id, "Moved to Hoole", age=500, resolved=400
            ),
            "new_resolved": _report(db.session, service_id, "Wrong phone", age=40, resolved=10),
            "old_open": _report(db.session, service_id, "Closed on Mondays", age=500),
            "recent": _report(db.session, service_id, "New hours", age=2),
        }
        db.session.commit()
    return ids


def _state(app) -> dict[str, tuple[str, str | None]]:
    with app.app_context():
        rows = db.session.scalars(select(ProblemReport)).all()
        return {r.id: (r.problem, r.reply_email) for r in rows}


def _purge(app, *args: str):
    return app.test_cli_runner().invoke(args=["reports", "purge", *args])


@pytest.mark.parametrize(
    "args", [["--days", "-1"], ["--days", "0"], ["--text-days", "-1"], ["--text-days", "0"]]
)
@pytest.mark.parametrize("group", ["reports", "feedback"])
def test_a_negative_or_zero_day_count_is_refused_and_changes_nothing(app, reports, args, group):
    before = _state(app)
    result = app.test_cli_runner().invoke(args=[group, "purge", *args])
    assert result.exit_code == 2
    assert args[0] in result.output
    assert _state(app) == before


@pytest.mark.parametrize("days", [0, -1])
def test_the_purge_functions_refuse_it_too(app, days):
    with app.app_context(), pytest.raises(ValueError):
        purge_reply_addresses(db.session, days)
    with app.app_context(), pytest.raises(ValueError):
        purge_report_text(db.session, days)


@pytest.mark.parametrize("name", ["REPORT_REPLY_DAYS", "REPORT_TEXT_DAYS", "SHARED_LIST_DAYS"])
def test_day_settings_below_one_stop_the_app_at_start_up(app, name, monkeypatch, tmp_path):
    with pytest.raises(ConfigError, match=name):
        create_app({**app.config, name: -1})
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv(name, "0")
    with pytest.raises(ConfigError, match=name):
        create_app({"DATABASE_URL": app.config["DATABASE_URL"]})


def test_resolved_reports_lose_their_text_after_report_text_days(app, reports):
    result = _purge(app)
    assert result.exit_code == 0, result.output
    assert "Deleted the text of 1 report(s) resolved more than 365 days ago" in result.output
    state = _state(app)
    assert state[reports["old_resolved"]][0] == REMOVED_TEXT
    assert state[reports["new_resolved"]][0] == "Wrong phone"
    assert state[reports["old_open"]][0] == "Closed on Mondays"  # still being dealt with
    assert state[reports["recent"]] == ("New hours", "resident@example.net")
    again = _purge(app)
    assert "Deleted the text of 0 report(s)" in again.output
    assert _state(app) == state


def test_the_text_period_comes_from_the_setting_or_the_option(app, reports):
    app.config["REPORT_TEXT_DAYS"] = 5
    assert "resolved more than 5 days ago" in _purge(app).output
    assert _state(app)[reports["new_resolved"]][0] == REMOVED_TEXT


def _notice(app) -> str:
    page = app.test_client().get("/privacy").get_data(as_text=True)
    return re.sub(r"\s+", " ", page)


def test_the_privacy_notice_states_the_real_lifetimes(app):
    # The defaults include "20 per day" (handover emails): kept two windows, so 2 days.
    text = _notice(app)
    assert "These counts are deleted within 2 days." in text
    assert "within an hour" not in text
    assert "We delete what you wrote 365 days after the problem has been dealt with." in text


def test_the_notice_follows_the_limits_in_force(app):
    for name, value in list(app.config.items()):
        if (name.startswith("RATELIMIT_") or name.endswith("_RATELIMIT")) and " per " in str(value):
            app.config[name] = "5 per minute;30 per hour"
    app.config["REPORT_TEXT_DAYS"] = 90
    text = _notice(app)
    assert "These counts are deleted within 2 hours." in text
    assert "We delete what you wrote 90 days after" in text
