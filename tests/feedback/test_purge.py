"""Reply addresses are forgotten as the privacy notice promises: after REPORT_REPLY_DAYS (90 by
default), or as soon as the reply has been sent. ``reports purge`` is safe to run twice."""

from __future__ import annotations

import re

from directory.core.ids import utcnow
from directory.feedback.services import purge_reply_addresses
from tests.feedback.conftest import Site


def _addresses(site: Site, *ids: str) -> list[str | None]:
    return [site.report(i).reply_email for i in ids]


def _purge(site: Site, *args: str) -> str:
    result = site.app.test_cli_runner().invoke(args=["reports", "purge", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_purge_blanks_old_and_replied_addresses_and_twice_is_safe(site: Site):
    old = site.add_report("svc_a", "Closed", "old@example.org", days_old=91)
    recent = site.add_report("svc_a", "Moved", "recent@example.org", days_old=89)
    replied = site.add_report("svc_b", "Wrong day", "replied@example.org", days_old=1)
    none = site.add_report("svc_b", "No address", days_old=200)

    def mark_replied(session):
        from directory.feedback.models import ProblemReport

        session.get(ProblemReport, replied).reply_sent_at = utcnow()

    site.run(mark_replied)
    assert "from 2 report(s)" in _purge(site)
    assert _addresses(site, old, recent, replied, none) == [None, "recent@example.org", None, None]
    # What people wrote is kept; only the address goes.
    assert site.report(old).problem == "Closed"
    assert "from 0 report(s)" in _purge(site)
    assert _addresses(site, recent) == ["recent@example.org"]


def test_days_from_config_and_from_the_option(make_app, inbox):
    from tests.feedback.conftest import build_site

    site = build_site(make_app(REPORT_REPLY_DAYS=30), inbox)
    month = site.add_report("svc_a", "Closed", "a@example.org", days_old=31)
    week = site.add_report("svc_a", "Closed", "b@example.org", days_old=8)
    assert "older than 30 days" in _purge(site)
    assert _addresses(site, month, week) == [None, "b@example.org"]
    _purge(site, "--days", "7")
    assert _addresses(site, week) == [None]


def test_the_old_command_name_still_works(site: Site):
    old = site.add_report("svc_a", "Closed", "old@example.org", days_old=100)
    result = site.app.test_cli_runner().invoke(args=["feedback", "purge"])
    assert result.exit_code == 0
    assert _addresses(site, old) == [None]


def test_a_nonsense_days_value_is_refused_clearly(site: Site):
    result = site.app.test_cli_runner().invoke(args=["reports", "purge", "--days", "0"])
    assert result.exit_code == 2
    assert "--days" in result.output


def test_the_privacy_notice_states_the_same_period(make_app, inbox):
    from tests.feedback.conftest import build_site

    default = build_site(make_app(), inbox).client().get("/privacy")
    text = re.sub(r"\s+", " ", default.get_data(as_text=True))
    assert "or 90 days after your report" in text
    assert "never pass it to the organisation" in text
    custom = build_site(make_app(REPORT_REPLY_DAYS=30), inbox).client().get("/privacy")
    assert "or 30 days after your report" in re.sub(r"\s+", " ", custom.get_data(as_text=True))


def test_purge_function_counts_each_address_once(site: Site):
    site.add_report("svc_a", "Closed", "old@example.org", days_old=120)
    assert site.run(lambda s: purge_reply_addresses(s, 90)) == 1
    assert site.run(lambda s: purge_reply_addresses(s, 90)) == 0
