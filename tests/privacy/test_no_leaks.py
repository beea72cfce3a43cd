"""Nothing personal leaves by a side door: not through the public API (every /api route, with
the people's own ids and words as parameters), not into the app's logs while staff find,
export and erase a person's records and the purge runs, and not into search analytics."""

from __future__ import annotations

import logging
from urllib.parse import quote, unquote

import pytest
from sqlalchemy import select

from directory.accounts.models import StaffRole
from directory.insights.models import SearchLog
from tests.auth import create_user, sign_in_as
from tests.factories import make_service
from tests.privacy.conftest import make_offer, make_request, person

pytestmark = pytest.mark.usefixtures("one_user_per_request")

QUILL, WREN = person("quill", 1), person("wren", 2)


@pytest.fixture
def world(session):
    service = make_service(session, "Tuesday Friendship Club")
    request = make_request(session, QUILL, "H2H-QUILL1")
    open_request = make_request(
        session, WREN, "H2H-WREN01", closed_days_ago=None, created_days_ago=1
    )
    offer = make_offer(session, QUILL, "OFF-QUILL1")
    session.commit()
    return {
        "service": service,
        "request_ids": [request.id, open_request.id],
        "offer_id": offer.id,
        "sal": service.service_at_locations[0].id,
        "terms": [link.taxonomy_term_id for link in service.attributes][:1],
        "taxonomy": service.attributes[0].taxonomy_term.taxonomy_id,
    }


def _secrets() -> list[str]:
    return [*QUILL.secrets, *WREN.secrets, "H2H-QUILL1", "H2H-WREN01", "OFF-QUILL1"]


def _api_urls(app, world) -> list[str]:
    """Every /api route, each id parameter filled with a real public id and with the ids of
    the people's request and offer; list routes with the people's words as the search."""
    people_ids = [*world["request_ids"], world["offer_id"]]
    values = {
        "service_id": [world["service"].id, *people_ids],
        "sal_id": [world["sal"], *people_ids],
        "taxonomy_id": [world["taxonomy"], *people_ids],
        "term_id": [*world["terms"], *people_ids],
    }
    words = [QUILL.name, QUILL.email, QUILL.phone, QUILL.postcode, "H2H-QUILL1", "prescriptions"]
    urls = []
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api")]
    assert len(rules) >= 10
    for rule in rules:
        if "GET" not in (rule.methods or ()):
            continue
        names = sorted(rule.arguments)
        if not names:
            urls.append(rule.rule)
            for word in words:
                for parameter in ("text", "postcode", "q", "search"):
                    urls.append(f"{rule.rule}?{parameter}={quote(word)}")
            continue
        assert len(names) == 1, rule.rule
        assert names[0] in values, f"give {rule.rule} values for <{names[0]}>"
        for value in values[names[0]]:
            urls.append(rule.build({names[0]: value}, append_unknown=False)[1])
    return urls


def test_the_public_api_never_returns_help_requests_or_offers(app, client, world, session):
    answered = 0
    for url in _api_urls(app, world):
        response = client.get(url)
        assert response.status_code < 500, url
        body = response.get_data(as_text=True)
        asked = unquote(url)
        for secret in _secrets() + world["request_ids"] + [world["offer_id"]]:
            # An error may echo what the caller sent ("... is not a UK postcode"); anything
            # else of the people's in an answer came from the database.
            if secret not in asked:
                assert secret not in body, (url, secret)
        answered += response.status_code == 200
    assert answered > 20  # the walk reached real answers, not only refusals
    # The public listing itself is there: the walk would have seen leaks.
    assert "Tuesday Friendship Club" in client.get("/api/services").get_data(as_text=True)
    # And what the API searched for is not kept in the search analytics in a form that names
    # anyone (email addresses, phone numbers and full postcodes are scrubbed or not logged).
    session.expire_all()
    logged = " ".join(repr((row.query, row.outcode)) for row in session.scalars(select(SearchLog)))
    for secret in (QUILL.email, QUILL.phone, QUILL.postcode, "901001"):
        assert secret not in logged


def test_nothing_personal_reaches_the_logs(app, client, world, session, caplog):
    """Every logger at DEBUG while staff find, export and erase a person and the purge runs."""
    admin = create_user(session, "ada@council.example.org", staff_role=StaffRole.ADMIN)
    sign_in_as(client, admin)
    # Our loggers, Flask's, werkzeug's and the limiter's. (SQLAlchemy's engine log, off
    # unless turned on, prints SQL parameters: docs/data-protection.md says never in production.)
    for name in (None, "werkzeug", "directory", "search_index", "flask_limiter", "flask_wtf"):
        caplog.set_level(logging.DEBUG, logger=name)

    for data in ({"email": QUILL.email}, {"phone": QUILL.phone}, {"reference": "H2H-WREN01"}):
        assert client.post("/staff/privacy/", data=data).status_code == 200
    assert client.post("/staff/privacy/", data={"email": "not-an-address"}).status_code == 400
    assert client.post("/staff/privacy/export", data={"email": QUILL.email}).status_code == 200
    assert client.post("/staff/privacy/delete", data={"email": QUILL.email}).status_code == 200
    assert client.get("/staff/privacy/access-log").status_code == 200
    runner = app.test_cli_runner()
    assert runner.invoke(args=["purge-personal-data", "--dry-run"]).exit_code == 0
    assert runner.invoke(args=["purge-personal-data"]).exit_code == 0
    erased = client.post("/staff/privacy/delete", data={"phone": WREN.phone, "confirmed": "yes"})
    assert erased.status_code == 303

    assert caplog.records, "the journey logged nothing at all: the capture is not working"
    # The message, its arguments and every attribute a record carries (``extra=`` fields too).
    logged = "\n".join(f"{record.getMessage()} {vars(record)!r}" for record in caplog.records)
    for secret in [*QUILL.secrets, *WREN.secrets]:
        assert secret not in logged, secret
