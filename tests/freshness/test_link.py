"""The one-click "still correct" link: GET asks and changes nothing, POST confirms once with
the reminder-link actor in the change log; used, expired, tampered and closed-listing links get
a clear page; CSRF is enforced; no made-up token makes a 500."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from directory import create_app
from directory.freshness.models import FreshnessReminder
from directory.listings.models import ChangeRecord, ListingStatus, Service
from tests.conftest import _app_config
from tests.freshness.conftest import confirm_link, listing, months_ago, run, setup, today


def _remind(app, inbox, name: str = "Hoole Community Pantry") -> tuple[str, str]:
    """A listing due its 6-month reminder, reminded: (its id, the link's path)."""
    with setup(app) as session:
        service_id = listing(session, name, months_ago(6), email="pantry@example.org").id
    assert run(app, "send-reminders").exit_code == 0
    return service_id, confirm_link(inbox.messages[-1])


def _state(app, service_id: str) -> tuple:
    with setup(app) as session:
        service = session.get(Service, service_id)
        reminder = session.scalar(
            select(FreshnessReminder).where(FreshnessReminder.service_id == service_id)
        )
        return service.assured_date, reminder.used_at if reminder else None


def test_opening_the_link_shows_the_listing_and_changes_nothing(app, client, inbox):
    service_id, link = _remind(app, inbox)
    page = client.get(link)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Is Hoole Community Pantry still correct?" in body
    assert "Yes, it is still correct" in body and 'method="post"' in body
    assert f"/manage/services/{service_id}/edit" in body
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    # A mail scanner following the link twice confirms nothing.
    client.get(link)
    assert _state(app, service_id) == (months_ago(6), None)


def test_confirming_sets_today_once_and_logs_the_reminder_link(app, client, inbox):
    service_id, link = _remind(app, inbox)
    done = client.post(link)
    assert done.status_code == 200
    body = done.get_data(as_text=True)
    assert "Hoole Community Pantry is marked as checked today" in body
    assert f"/manage/services/{service_id}/edit" in body
    checked, used = _state(app, service_id)
    assert checked == today() and used is not None
    with setup(app) as session:
        change = session.scalar(
            select(ChangeRecord).where(
                ChangeRecord.resource_id == service_id, ChangeRecord.field_name == "assured_date"
            )
        )
        assert change.updated_by == "public:link"
        assert change.previous_value == months_ago(6).isoformat()
        assert change.replacement_value == today().isoformat()

    again = client.post(link)
    assert again.status_code == 410
    assert "This link has already been used" in again.get_data(as_text=True)
    assert client.get(link).status_code == 410
    assert _state(app, service_id) == (today(), used)


def test_an_expired_link_is_refused_with_a_way_forward(app, client, inbox):
    service_id, link = _remind(app, inbox)
    with setup(app) as session:
        reminder = session.scalar(select(FreshnessReminder))
        reminder.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 410
        body = response.get_data(as_text=True)
        assert "This link has expired" in body and "/account/sign-in" in body
    assert _state(app, service_id) == (months_ago(6), None)


def test_the_link_lasts_reminder_link_days(app, inbox):
    app.config["REMINDER_LINK_DAYS"] = 3
    _remind(app, inbox)
    with setup(app) as session:
        reminder = session.scalar(select(FreshnessReminder))
        assert reminder.expires_at - reminder.sent_at == timedelta(days=3)


def test_a_tampered_link_is_refused(app, client, inbox):
    service_id, link = _remind(app, inbox)
    token = link.rsplit("/", 1)[1]
    payload, _, signature = token.rpartition(".")
    flipped = "A" if signature[0] != "A" else "B"
    for bad in (
        payload + "." + flipped + signature[1:],  # signature changed
        token[:-4],  # cut short
        "x" + token,  # payload changed
        "nonsense",
    ):
        for response in (
            client.get(f"/freshness/confirm/{bad}"),
            client.post(f"/freshness/confirm/{bad}"),
        ):
            assert response.status_code == 404
            assert "This link is not valid" in response.get_data(as_text=True)
    assert _state(app, service_id) == (months_ago(6), None)


def test_a_correctly_signed_token_with_the_wrong_secret_is_refused(app, client, inbox):
    from directory.freshness import tokens

    service_id, link = _remind(app, inbox)
    with app.app_context():
        reminder_id = tokens.read_token(link.rsplit("/", 1)[1]).reminder_id
        forged, _ = tokens.new_token(reminder_id)  # signed, but not the secret that was sent
    assert client.post(f"/freshness/confirm/{forged}").status_code == 404
    assert _state(app, service_id) == (months_ago(6), None)


def test_a_link_to_a_closed_listing_says_so(app, client, inbox):
    service_id, link = _remind(app, inbox)
    with setup(app) as session:
        session.get(Service, service_id).listing_status = ListingStatus.CLOSED
    response = client.post(link)
    assert response.status_code == 410
    assert "no longer on the directory" in response.get_data(as_text=True)


def test_the_confirm_form_needs_its_csrf_token(app, inbox):
    app.config["WTF_CSRF_ENABLED"] = True
    service_id, link = _remind(app, inbox)
    client = app.test_client()
    assert client.post(link).status_code == 400
    assert _state(app, service_id) == (months_ago(6), None)

    page = client.get(link).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert token, "no CSRF field on the page"
    assert client.post(link, data={"csrf_token": token.group(1)}).status_code == 200
    assert _state(app, service_id)[0] == today()


@pytest.fixture
def unlimited_client(migrated_sqlite_template, tmp_path):
    """A client of an app without rate limits (the property test posts hundreds of times)."""
    db_path = tmp_path / "unlimited.sqlite"
    shutil.copy(migrated_sqlite_template, db_path)
    config = {**_app_config(f"sqlite:///{db_path}", tmp_path), "RATELIMIT_ENABLED": False}
    application = create_app(config)
    yield application.test_client()
    application.extensions["database"].engine.dispose()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.text(min_size=1, max_size=600))
def test_no_made_up_token_breaks_the_page(unlimited_client, token):
    client = unlimited_client
    for response in (
        client.get("/freshness/confirm/" + token.replace("/", "%2F")),
        client.post("/freshness/confirm/x" + token.replace("/", "_")[:450]),
    ):
        assert response.status_code in (404, 400, 405), response.status_code
