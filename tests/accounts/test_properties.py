"""Whatever text people (or bots) type into the account forms, the answer is a page, never a
500: property tests with hypothesis."""

from __future__ import annotations

import pyotp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.accounts.models import StaffRole

text = st.text(max_size=300)


@pytest.fixture
def app(make_app):
    """The app with a staff member who has TOTP on, for the code step (a high lock limit so
    the many wrong codes do not lock them out)."""
    application = make_app(SIGN_IN_MAX_FAILURES=10_000)
    with application.app_context():
        from directory.db import db
        from tests.auth import create_user

        user = create_user(db.session, "mod@example.org", staff_role=StaffRole.MODERATOR)
        user.totp_secret = pyotp.random_base32()
        user.totp_enabled = True
        db.session.commit()
        application.config["PENDING_TEST_USER"] = user.get_id()
    return application


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(organisation=text, name=text, email=text, password=text, confirm=text, website=text)
def test_sign_up_never_fails(client, organisation, name, email, password, confirm, website):
    response = client.post(
        "/account/sign-up",
        data={
            "organisation_name": organisation,
            "name": name,
            "email": email,
            "password": password,
            "confirm": confirm,
            "website": website,
        },
    )
    assert response.status_code in (200, 303)


@SETTINGS
@given(email=text, password=text, next_url=text)
def test_sign_in_never_fails(client, email, password, next_url):
    response = client.post(
        "/account/sign-in",
        query_string={"next": next_url},
        data={"email": email, "password": password},
    )
    assert response.status_code in (200, 303)
    if response.status_code == 303:
        assert response.headers["Location"].startswith("/")


@SETTINGS
@given(code=text)
def test_the_code_step_never_fails(app, client, code):
    """A staff member half-way through signing in types anything as the code."""
    from directory.accounts.session import PENDING_AT, PENDING_USER
    from directory.core.ids import utcnow

    with client.session_transaction() as cookie:
        cookie[PENDING_USER] = app.config["PENDING_TEST_USER"]
        cookie[PENDING_AT] = utcnow().isoformat()
    assert client.post("/account/sign-in/code", data={"code": code}).status_code in (200, 303)


@SETTINGS
@given(email=text, website=text, token=st.text(min_size=1, max_size=400))
def test_reset_and_links_never_fail(client, email, website, token):
    response = client.post("/account/reset", data={"email": email, "website": website})
    assert response.status_code in (200, 303)
    for path in ("verify", "reset", "invite"):
        from urllib.parse import quote

        response = client.get(f"/account/{path}/{quote(token, safe='')}")
        assert response.status_code < 500
        assert response.status_code != 200, "no made-up token is accepted"
