"""Whatever text arrives in any field of any /manage/ form, the answer is a page or a
redirect: never a server error, and nothing the directory cannot store."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory import create_app
from directory.manage.steps import FORMS
from directory.moderation.apply import ProposalInvalid, check_payload
from directory.moderation.models import Proposal
from tests.auth import sign_in_as
from tests.conftest import _app_config
from tests.manage.journey import start

#: Field names of every form, so each gets hostile text (and some get lists).
FIELDS = sorted(
    {
        name
        for form in FORMS.values()
        for name in form.__dict__
        if not name.startswith("_") and name not in {"submit", "values", "Meta"}
    }
    | {
        "frequency",
        "days",
        "week",
        "first_day",
        "first_month",
        "first_year",
        "opens",
        "closes",
        "message",
        "location_id",
    }
)


@pytest.fixture
def unlimited(migrated_sqlite_template, tmp_path, world, session):
    """A second app on the same database with rate limits off, signed in as a member."""
    db_path = tmp_path / "directory.sqlite"
    config = {**_app_config(f"sqlite:///{db_path}", tmp_path), "RATELIMIT_ENABLED": False}
    application = create_app(config)
    client = application.test_client()
    with application.app_context():
        sign_in_as(client, world.member)
        pid = start(client, world.org_a)
    yield application, client, pid
    application.extensions["database"].engine.dispose()


hostile = st.text(max_size=300) | st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "<script>alert(1)</script>",
        "javascript:alert(1)",
        "9" * 400,
        "£-1",
        "../../etc/passwd",
        "'; DROP TABLE proposal; --",
        "\u202e\u0000\ud7ff",
        "31/02/2027",
    ]
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    slug=st.sampled_from([*FORMS, "sessions/0", "sessions/1", "matches", "check"]),
    values=st.dictionaries(st.sampled_from(FIELDS), st.lists(hostile, max_size=3), max_size=8),
)
def test_no_text_in_any_field_breaks_a_step(unlimited, slug, values):
    application, client, pid = unlimited
    response = client.post(f"/manage/proposals/{pid}/{slug}", data=values)
    allowed = (200, 303, 404) if slug == "sessions/1" else (200, 303)  # no session 0 yet
    assert response.status_code in allowed, response.status_code
    with application.app_context():
        from directory.db import db

        proposal = db.session.get(Proposal, pid)
        try:
            check_payload(proposal.payload)
        except ProposalInvalid as exc:
            assert exc.errors  # said in words, for the check-answers page
    if response.status_code == 200:
        assert "There is a problem" in response.get_data(as_text=True) or slug in (
            "check",
            "place",
            "when",
            "matches",
        )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=hostile, message=hostile)
def test_no_search_text_or_claim_message_breaks_a_page(unlimited, world, query, message):
    _application, client, pid = unlimited
    assert client.get(f"/manage/proposals/{pid}/place", query_string={"q": query}).status_code in (
        200,
        303,
    )
    url = f"/manage/organisations/{world.org_a}/claim/{world.listing_b.id}"
    assert client.post(url, data={"message": message}).status_code in (200, 303)
