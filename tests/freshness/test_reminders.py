"""``send-reminders``: who gets the 6- and 11-month reminders, through a real SMTP server;
running twice; a confirmation starting a new cycle; dry runs; a refused send; and no address
in the command's output or the log."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select

from directory.accounts.models import StaffRole
from directory.freshness.models import FreshnessReminder
from directory.freshness.services import add_months, due_stage
from directory.listings.models import ListingStatus, Service
from tests.auth import create_user
from tests.factories import make_organization
from tests.freshness.conftest import (
    BASE_URL,
    EMAIL,
    confirm_link,
    listing,
    months_ago,
    run,
    setup,
    today,
)
from tests.mylist.smtp import free_port


def _reminders(app) -> list[tuple[str, int]]:
    with setup(app) as session:
        rows = session.execute(
            select(Service.name, FreshnessReminder.stage)
            .join(Service, Service.id == FreshnessReminder.service_id)
            .order_by(Service.name, FreshnessReminder.stage)
        )
        return [tuple(row) for row in rows]


def test_stages_are_calendar_months_and_a_late_listing_gets_only_the_later_one():
    checked = months_ago(0)
    assert due_stage(checked, add_months(checked, 6) - timedelta(days=1), set()) is None
    assert due_stage(checked, add_months(checked, 6), set()) == 6
    assert due_stage(checked, add_months(checked, 6), {6}) is None
    assert due_stage(checked, add_months(checked, 11), {6}) == 11
    assert due_stage(checked, add_months(checked, 13), set()) == 11
    assert due_stage(checked, add_months(checked, 13), {11}) is None
    # 31 August + 6 months is the last day of February.
    assert add_months(checked.replace(year=2025, month=8, day=31), 6).isoformat() == "2026-02-28"


def test_the_six_month_reminder_goes_to_the_organisations_verified_people(app, inbox):
    with setup(app) as session:
        org = make_organization(session, "Hoole Good Neighbours")
        other = make_organization(session, "Blacon Food Bank Trust")
        listing(session, "Hoole Lunch Club", months_ago(6), organization=org)
        listing(session, "Hoole Chatty Café", months_ago(6, days=-1), organization=org)
        session.commit()
        create_user(session, "owner@hoole.example.org", organization_id=org.id)
        create_user(session, "editor@hoole.example.org", organization_id=org.id)
        create_user(session, "unverified@hoole.example.org", organization_id=org.id, verified=False)
        create_user(session, "someone@blacon.example.org", organization_id=other.id)
        create_user(session, "staff@council.example.org", staff_role=StaffRole.MODERATOR)

    result = run(app, "send-reminders")

    assert result.exit_code == 0, result.output
    assert sorted(r for m in inbox.messages for r in m.rcpt_tos) == [
        "editor@hoole.example.org",
        "owner@hoole.example.org",
    ]
    message = inbox.messages[0]
    assert message.message["Subject"] == "Is your listing still correct? Hoole Lunch Club"
    text, html = message.part("plain"), message.part("html")
    assert "Hoole Lunch Club" in text and f"{months_ago(6).day}" in text
    link = confirm_link(message)
    assert BASE_URL + link in html
    with setup(app) as session:
        service_id = session.scalar(select(Service.id).where(Service.name == "Hoole Lunch Club"))
    edit = f"{BASE_URL}/manage/services/{service_id}/edit"
    assert edit in text and edit in html
    # Both people get the same link: one reminder, recorded once, for two recipients.
    assert confirm_link(inbox.messages[1]) == link
    assert _reminders(app) == [("Hoole Lunch Club", 6)]
    assert "6-month reminders sent: 1" in result.output and "emails sent: 2" in result.output


def test_without_people_the_listing_then_the_organisation_address_is_used(app, inbox):
    with setup(app) as session:
        listing(session, "Neston Men's Shed", months_ago(7), email="shed@neston.example.org")
        org = make_organization(session, "Upton Village Trust", email="office@upton.example.org")
        listing(session, "Upton Baby Massage", months_ago(7), organization=org, email=None)
        nobody = make_organization(session, "Whitby Warm Space Group", email="not an address")
        listing(session, "Whitby Warm Space", months_ago(7), organization=nobody, email="")

    result = run(app, "send-reminders")

    assert result.exit_code == 0, result.output
    by_name = {m.message["Subject"].split("? ", 1)[1]: m.rcpt_tos for m in inbox.messages}
    assert by_name == {
        "Neston Men's Shed": ["shed@neston.example.org"],
        "Upton Baby Massage": ["office@upton.example.org"],
    }
    assert "no address to send to: 1 (listed on /staff/freshness)" in result.output
    assert not EMAIL.search(result.output)
    # Nothing is recorded for the listing nobody could be told about: it stays "not sent".
    assert [name for name, _ in _reminders(app)] == ["Neston Men's Shed", "Upton Baby Massage"]


def test_the_eleven_month_reminder_follows_the_six_and_running_twice_sends_nothing_new(app, inbox):
    checked = months_ago(0).replace(day=10) - timedelta(days=400)
    with setup(app) as session:
        listing(session, "Winsford Cook and Eat", checked, email="cook@winsford.example.org")
    six, eleven = add_months(checked, 6), add_months(checked, 11)

    first = run(app, "send-reminders", "--today", six.isoformat())
    again = run(app, "send-reminders", "--today", six.isoformat())
    later = run(app, "send-reminders", "--today", (six + timedelta(days=30)).isoformat())
    assert [first.exit_code, again.exit_code, later.exit_code] == [0, 0, 0]
    assert len(inbox.messages) == 1
    assert "already reminded for their last check: 1" in again.output

    final = run(app, "send-reminders", "--today", eleven.isoformat())
    run(app, "send-reminders", "--today", eleven.isoformat())
    assert "11-month reminders sent: 1" in final.output
    assert len(inbox.messages) == 2
    assert (
        inbox.messages[1].message["Subject"]
        == "Please check your listing soon: Winsford Cook and Eat"
    )
    assert _reminders(app) == [("Winsford Cook and Eat", 6), ("Winsford Cook and Eat", 11)]


def test_a_listing_first_seen_past_eleven_months_gets_one_reminder(app, inbox):
    with setup(app) as session:
        listing(
            session, "Tarporley Youth Club", months_ago(14), email="youth@tarporley.example.org"
        )
    run(app, "send-reminders")
    run(app, "send-reminders")
    assert len(inbox.messages) == 1
    assert _reminders(app) == [("Tarporley Youth Club", 11)]
    assert "already marked as not checked for over a year" in inbox.messages[0].part("plain")


def test_a_listing_confirmed_after_the_six_month_reminder_starts_a_new_cycle(app, client, inbox):
    with setup(app) as session:
        listing(session, "Boughton Toddler Group", months_ago(6), email="tots@boughton.example.org")
    run(app, "send-reminders")
    assert len(inbox.messages) == 1
    assert client.post(confirm_link(inbox.messages[0])).status_code == 200

    # The next day nothing is due; six months after the confirmation, a new 6-month reminder.
    run(app, "send-reminders", "--today", (today() + timedelta(days=1)).isoformat())
    assert len(inbox.messages) == 1
    run(app, "send-reminders", "--today", add_months(today(), 6).isoformat())
    assert len(inbox.messages) == 2
    with setup(app) as session:
        cycles = session.execute(
            select(FreshnessReminder.stage, FreshnessReminder.cycle).order_by(
                FreshnessReminder.sent_at
            )
        ).all()
    assert [(stage, cycle) for stage, cycle in cycles] == [(6, months_ago(6)), (6, today())]


def test_listings_not_due_closed_or_suspended_get_nothing(app, inbox):
    with setup(app) as session:
        listing(session, "Chester Yoga for Calm", months_ago(6, days=-1), email="yoga@example.org")
        listing(
            session,
            "Chester Old Club",
            months_ago(8),
            email="old@example.org",
            listing_status=ListingStatus.CLOSED,
        )
        suspended = make_organization(session, "Suspended Group", is_suspended=True)
        listing(session, "Suspended Drop-in", months_ago(8), organization=suspended)
    result = run(app, "send-reminders")
    assert result.exit_code == 0, result.output
    assert inbox.messages == []
    assert _reminders(app) == []


def test_a_dry_run_sends_and_records_nothing(app, inbox):
    with setup(app) as session:
        listing(session, "Hoole Knit and Natter", months_ago(6), email="knit@hoole.example.org")
    result = run(app, "send-reminders", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "6-month reminders would be sent: 1" in result.output
    assert inbox.messages == [] and _reminders(app) == []


def test_a_refused_send_records_nothing_and_the_next_run_sends_it(app, inbox):
    with setup(app) as session:
        listing(session, "Northwich Debt Line", months_ago(6), email="debt@northwich.example.org")
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nothing listens there: the send fails
    failed = run(app, "send-reminders")
    assert failed.exit_code == 1
    assert "not sent, the mail server refused: 1" in failed.output
    assert _reminders(app) == []

    app.config["MAIL_PORT"] = port
    again = run(app, "send-reminders")
    assert again.exit_code == 0 and len(inbox.messages) == 1
    assert _reminders(app) == [("Northwich Debt Line", 6)]


def test_no_address_in_the_output_or_the_log(app, inbox, caplog):
    with setup(app) as session:
        org = make_organization(session, "Ellesmere Port Lunch Trust", email="trust@ep.example.org")
        listing(session, "Ellesmere Port Lunch Club", months_ago(11), organization=org)
        session.commit()
        create_user(session, "volunteer@ep.example.org", organization_id=org.id)
    caplog.set_level(logging.DEBUG)
    result = run(app, "send-reminders")
    again = run(app, "send-reminders", "--dry-run")
    assert len(inbox.messages) == 1
    # Everything our code logs (the test SMTP server's own log, "mail.log", quotes the DATA).
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert "freshness reminders" in ours
    for text in (result.output, again.output, ours):
        assert not EMAIL.search(text), text


def test_the_reminder_rows_are_unique_per_listing_stage_and_cycle(app):
    """The database itself refuses a second reminder for the same check: two runs racing
    cannot both send."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    with setup(app) as session:
        service = listing(session, "Upton Bereavement Group", months_ago(6))
        service_id = service.id
    with setup(app) as session:
        for _ in range(2):
            session.add(
                FreshnessReminder(
                    service_id=service_id,
                    stage=6,
                    cycle=months_ago(6),
                    token_hash="0" * 64,
                    expires_at=service.created_at,
                )
            )
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
    with setup(app) as session:
        assert session.scalar(select(func.count()).select_from(FreshnessReminder)) == 0


def test_reminders_the_link_and_the_staff_list_on_both_databases(any_app):
    from tests.auth import sign_in_as
    from tests.mylist.smtp import mail_config, smtp_server

    with setup(any_app) as session:
        listing(session, "Hoole Community Pantry", months_ago(6), email="pantry@example.org")
        listing(session, "Blacon Warm Space", months_ago(16), created=months_ago(20))
        moderator = create_user(session, "mod@council.example.org", staff_role=StaffRole.MODERATOR)
    with smtp_server() as inbox:
        any_app.config.update(mail_config(inbox), PUBLIC_BASE_URL=BASE_URL)
        assert run(any_app, "send-reminders").exit_code == 0
        assert run(any_app, "send-reminders").exit_code == 0
        assert len(inbox.messages) == 2
        message = next(m for m in inbox.messages if "Pantry" in m.message["Subject"])
        link = confirm_link(message)
    client = any_app.test_client()
    assert client.post(link).status_code == 200
    assert client.post(link).status_code == 410
    sign_in_as(client, moderator)
    page = client.get("/staff/freshness").get_data(as_text=True)
    assert "Blacon Warm Space" in page and "Hoole Community Pantry" not in page
    assert "changes recorded for the search indexes: 0" in run(any_app, "freshness", "sweep").output
