"""The whole "Ask for help" journey through the test client, to a request: words only, the
list only, both; for someone else; what is saved, and what is never kept, logged or put in a
URL; changing an answer from the check page; sending twice."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from directory.db import db
from directory.help_requests.journey import SESSION_KEY
from directory.help_requests.models import HelpRequest, RequestStatus, SelfServed, Urgency
from directory.public.search_params import load_terms
from tests.help_requests.conftest import CONTACT, POSTCODE, location, post, text_of, walk

REFERENCE = re.compile(r"H2H-[A-Z0-9]{4}-[A-Z0-9]{2}")


def request_row(reference: str) -> HelpRequest:
    return HelpRequest(reference=reference, needs=[], name="Test", consent_at=None)


def saved(app) -> list[HelpRequest]:
    with app.app_context():
        rows = list(db.session.scalars(select(HelpRequest)))
        db.session.expunge_all()
        return rows


def codes(app, ids: list[str]) -> list[str]:
    with app.app_context():
        terms = load_terms(db.session)
        return [terms.by_id[i].code for i in ids]


def test_words_only_the_need_is_mapped_and_everything_is_saved(app, client):
    page = walk(client, details="I can't get to the shops for food")
    text = text_of(page.data)
    reference = REFERENCE.search(text).group(0)
    assert "Request sent" in text
    assert "contact you by phone or email within 3 working days" in text
    [row] = saved(app)
    assert row.reference == reference
    assert codes(app, row.needs) == ["food"]
    assert row.details == "I can't get to the shops for food"
    assert row.for_someone_else is False
    assert (row.postcode, row.outcode) == (POSTCODE, "CH1")
    assert row.latitude == pytest.approx(53.19, abs=0.01)
    assert row.longitude == pytest.approx(-2.89, abs=0.01)
    assert (row.name, row.phone, row.email) == ("Jo Bloggs", "07700 900982", CONTACT["email"])
    assert (row.contact_by, row.contact_times) == ("either", "Weekday mornings")
    assert row.urgency is Urgency.THIS_WEEK
    assert row.status is RequestStatus.OPEN and row.outcome is None
    assert row.source == "web" and row.consent_at is not None
    assert row.extra["services_shown"] >= 1


def test_someone_elses_loneliness_and_bereavement(app, client):
    walk(client, details="my mum is lonely since dad died", for_whom="someone_else")
    [row] = saved(app)
    assert sorted(codes(app, row.needs)) == ["bereavement", "loneliness"]
    assert row.for_someone_else is True


def test_the_list_only(app, client):
    walk(client, details="", need=["money"])
    [row] = saved(app)
    assert codes(app, row.needs) == ["money"]
    assert row.details is None


def test_the_list_and_words_together(app, client):
    walk(client, details="Nobody ever visits me", need=["money"])
    [row] = saved(app)
    assert codes(app, row.needs) == ["money", "loneliness"]


def test_the_person_confirms_only_the_needs_they_tick(app, client):
    walk(client, details="my mum is lonely since dad died", confirm=None, until="services")
    page = client.get("/ask-for-help/confirm-need").get_data(as_text=True)
    assert "Is this what you need help with?" in text_of(page)
    offered = re.findall(r'name="need" type="checkbox" value="([^"]+)"', page)
    assert len(offered) == 3 and offered[-1] == "none"  # two needs, then "None of these"
    loneliness = [v for v in offered[:-1] if codes(app, [v]) == ["loneliness"]]
    post(client, "/ask-for-help/confirm-need", {"need": loneliness})
    for step in ("who", "postcode", "services"):
        assert client.get(f"/ask-for-help/{step}").status_code == 200
    post(client, "/ask-for-help/contact", CONTACT)
    post(client, "/ask-for-help/consent", {"consent": "y"})
    post(client, "/ask-for-help/check")
    [row] = saved(app)
    assert codes(app, row.needs) == ["loneliness"]


def test_words_we_cannot_match_offer_the_whole_list_or_none_of_these(app, client):
    post(client, "/ask-for-help/safety", {"urgent": "no"})
    post(client, "/ask-for-help/need", {"details": "qwertyuiop zxcvbnm"})
    page = client.get("/ask-for-help/confirm-need").get_data(as_text=True)
    assert "We could not tell from your words" in text_of(page)
    assert "Which of these do you need help with?" in text_of(page)
    assert len(re.findall(r'name="need" type="checkbox"', page)) > 20
    assert " checked" not in page.split('name="need"', 1)[1]
    walk(client, details="qwertyuiop zxcvbnm", confirm=["none"])
    [row] = saved(app)
    assert row.needs == [] and row.details == "qwertyuiop zxcvbnm"


def test_the_check_page_shows_every_answer_and_changes_come_back_to_it(app, client):
    page = text_of(walk(client, until="check").data)
    for shown in (
        "Food and shopping",
        "I can't get to the shops for food",
        "Who needs help Me",
        POSTCODE,
        "Jo Bloggs",
        "07700 900982",
        CONTACT["email"],
        "By phone or email",
        "Weekday mornings",
        "This week",
    ):
        assert shown in page, shown
    html = client.get("/ask-for-help/check").get_data(as_text=True)
    assert 'href="/ask-for-help/contact?change=yes"' in html
    answer = client.post("/ask-for-help/contact?change=yes", data={**CONTACT, "name": "Jo B"})
    assert location(answer) == "/ask-for-help/check"
    answer = client.post("/ask-for-help/need?change=yes", data={"details": "I feel lonely"})
    assert location(answer) == "/ask-for-help/confirm-need?change=yes"
    page = client.get("/ask-for-help/confirm-need?change=yes").get_data(as_text=True)
    ticked = re.findall(r'name="need" type="checkbox" value="([^"]+)" checked', page)
    answer = client.post("/ask-for-help/confirm-need?change=yes", data={"need": ticked})
    assert location(answer) == "/ask-for-help/check"
    page = text_of(client.get("/ask-for-help/check").data)
    assert "Jo B " in page and "Feeling lonely or cut off" in page
    assert "Food and shopping" not in page


def test_sending_clears_the_answers_and_a_second_click_sends_nothing(app, client):
    walk(client)
    with client.session_transaction() as cookie:
        assert SESSION_KEY not in cookie
        assert "Jo Bloggs" not in repr(dict(cookie))
    again = client.post("/ask-for-help/check")
    assert location(again) == "/ask-for-help/sent"
    assert len(saved(app)) == 1
    assert client.get("/ask-for-help/contact").headers["Location"].endswith("/ask-for-help/safety")


def test_each_request_has_its_own_reference(app, make_app):
    references = set()
    for _ in range(3):
        page = walk(app.test_client())
        references.add(REFERENCE.search(text_of(page.data)).group(0))
    assert len(references) == 3
    assert {row.reference for row in saved(app)} == references


def test_the_response_time_comes_from_the_config(make_app):
    app = make_app(REQUEST_RESPONSE_DAYS=5)
    client = app.test_client()
    assert "within 5 working days" in text_of(client.get("/ask-for-help").data)
    assert "within 5 working days" in text_of(walk(client).data)


def test_nothing_personal_is_in_a_url_a_log_or_the_database_before_sending(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    locations = []
    original = client.open

    def remember(*args, **kwargs):
        response = original(*args, **kwargs)
        if "Location" in response.headers:
            locations.append(response.headers["Location"])
        return response

    client.open = remember
    walk(client, details="my mum is lonely since dad died", until="check")
    assert saved(app) == []
    post(client, "/ask-for-help/check")
    personal = ["Jo Bloggs", "07700", "jo.bloggs", "lonely since", POSTCODE, "CH12HJ", "Weekday"]
    for url in locations:
        assert not [p for p in personal if p.lower() in url.lower()], url
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not [p for p in personal if p in logged]


def test_pages_are_never_cached(client):
    walk(client, until="check")
    for path in ("/ask-for-help", "/ask-for-help/contact", "/ask-for-help/check"):
        assert client.get(path).headers["Cache-Control"] == "no-store"


def test_no_self_served_visit_is_recorded_when_a_request_is_sent(app, client):
    walk(client)
    with app.app_context():
        assert db.session.query(SelfServed).count() == 0
