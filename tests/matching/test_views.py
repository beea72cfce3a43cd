"""The console through HTTP: who may use it, the list's order and ageing tags, the request
page (and the access log it writes), the three actions, CSRF, and hostile input."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from directory.core.ids import new_id, utcnow
from directory.help_offers.models import HelpOffer
from directory.help_requests.models import (
    ContactAttempt,
    HelpRequest,
    Outcome,
    RequestStatus,
    Urgency,
)
from directory.matching.services import NOTE_MAX_LENGTH
from directory.privacy.models import PersonalDataAccess
from directory.staff.models import StaffAction
from tests.auth import create_user, sign_in_as
from tests.factories import make_organization
from tests.matching.conftest import make_offer, make_request


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


@pytest.fixture
def staff_client(client, moderator):
    sign_in_as(client, moderator)
    return client


def access_count(session, request_id: str) -> int:
    return session.scalar(
        select(func.count(PersonalDataAccess.id)).where(PersonalDataAccess.record_id == request_id)
    )


# Who may use it --------------------------------------------------------------------------


def routes(request_id: str) -> list[tuple[str, str]]:
    base = f"/staff/requests/{request_id}"
    pages = [("GET", "/staff/requests/"), ("GET", "/staff/requests"), ("GET", base)]
    return pages + [("POST", f"{base}/{action}") for action in ("assign", "attempts", "outcome")]


def test_anonymous_visitors_are_sent_to_sign_in(client, session):
    request = make_request(session)
    session.commit()
    for method, url in routes(request.id):
        response = client.open(url, method=method)
        assert response.status_code in (302, 303, 308), (method, url)
        if response.status_code != 308:
            assert "/account/sign-in" in response.headers["Location"]
    assert access_count(session, request.id) == 0


def test_organisation_members_are_refused(client, session):
    org = make_organization(session, "Riverside Trust")
    member = create_user(session, "rita@riverside.example.org", organization_id=org.id)
    request = make_request(session)
    session.commit()
    sign_in_as(client, member)
    for method, url in routes(request.id):
        response = client.open(url, method=method, follow_redirects=True)
        assert response.status_code == 403, (method, url)
        assert "Pat Example" not in text_of(response)
    assert access_count(session, request.id) == 0


def test_an_unknown_request_is_not_found(staff_client):
    assert staff_client.get(f"/staff/requests/{new_id()}").status_code == 404
    assert staff_client.get("/staff/requests/" + "x" * 300).status_code == 404


# The list --------------------------------------------------------------------------------


def test_the_list_is_most_urgent_first_with_ageing_warnings(staff_client, session):
    now = utcnow()
    old = make_request(session, urgency=Urgency.NOT_URGENT, created_at=now - timedelta(days=30))
    today = make_request(session, urgency=Urgency.TODAY, created_at=now - timedelta(hours=1))
    week = make_request(session, urgency=Urgency.THIS_WEEK, created_at=now - timedelta(days=5))
    closed = make_request(session, status=RequestStatus.CLOSED, closed_at=now)
    session.commit()
    page = text_of(staff_client.get("/staff/requests/"))
    positions = [page.find(r.reference) for r in (today, week, old)]
    assert -1 not in positions and positions == sorted(positions)
    assert closed.reference not in page
    assert "Over 5 working days" in page  # the 30-day-old one
    assert 'govuk-tag--red">' in staff_client.get("/staff/requests/").get_data(as_text=True)
    # The list shows no personal data, so it logs no access.
    # (The whole number: a random id in the page's markup may hold "07700".)
    assert "Pat Example" not in page and "07700 900123" not in page
    assert session.scalar(select(func.count(PersonalDataAccess.id))) == 0
    closed_page = text_of(staff_client.get("/staff/requests/?status=closed"))
    assert closed.reference in closed_page and old.reference not in closed_page


def test_the_thresholds_come_from_the_setting(app, staff_client, session):
    request = make_request(session, created_at=utcnow() - timedelta(days=30))
    session.commit()
    app.config["REQUEST_AGEING_DAYS"] = "40,50"
    page = text_of(staff_client.get("/staff/requests/"))
    assert request.reference in page and "Over " not in page.split(request.reference)[1][:400]
    assert "over 40 working days is marked amber, over 50 red" in page


def test_the_need_filter(staff_client, session):
    from tests.factories import term

    food = make_request(session, ("Food",))
    lonely = make_request(session, ("Telephone befriending",))
    session.commit()
    parent = term(session, "Loneliness and isolation").id
    page = text_of(staff_client.get(f"/staff/requests/?need={parent}"))
    assert lonely.reference in page and food.reference not in page


@pytest.mark.parametrize(
    "query",
    ["status=<script>", "need=%00%27", "page=-4", "page=abc", "page=99999999999",
     "need=" + "x" * 5000, "status=closed&need=nope&page=3"],
)  # fmt: skip
def test_hostile_query_strings_give_a_normal_page(staff_client, query):
    assert staff_client.get(f"/staff/requests/?{query}").status_code == 200


def test_the_staff_home_links_the_console_with_a_count(staff_client, session):
    make_request(session)
    make_request(session, status=RequestStatus.CLOSED, closed_at=utcnow())
    session.commit()
    page = staff_client.get("/staff/").get_data(as_text=True)
    assert 'id="count-help-requests">1 open' in page
    assert re.search(r'href="/staff/requests/?">Match<', page)


# The request page ------------------------------------------------------------------------


def test_the_request_page_shows_the_person_candidates_and_logs_the_access(
    staff_client, session, moderator
):
    make_offer(session, ("Food",), "hoole", name="Hoole Helpers")
    request = make_request(session, ("Food",), "chester", name="Pat Example")
    session.commit()
    page = text_of(staff_client.get(f"/staff/requests/{request.id}"))
    for shown in ("Pat Example", "07700 900123", request.email, "CH1 2HJ", "Weekday mornings",
                  "I need help with shopping since my operation.", "Hoole Helpers",
                  "1.1 km away (goes up to 5 km)", "Offers food"):  # fmt: skip
        assert shown in page, shown
    rows = session.scalars(select(PersonalDataAccess)).all()
    assert [(r.user_id, r.record_type, r.record_id, r.action) for r in rows] == [
        (moderator.id, "help_request", request.id, "view")
    ]
    staff_client.get(f"/staff/requests/{request.id}")
    assert access_count(session, request.id) == 2  # every showing is logged


def test_an_anonymised_request_shows_no_details_and_logs_nothing(staff_client, session):
    request = make_request(
        session, status=RequestStatus.CLOSED, outcome=Outcome.NO_MATCH, closed_at=utcnow(),
        anonymised_at=utcnow(), name=None, phone=None, email=None, details=None, postcode=None,
    )  # fmt: skip
    session.commit()
    page = text_of(staff_client.get(f"/staff/requests/{request.id}"))
    assert "personal details were removed" in page and "No match: nobody could help" in page
    assert "Log a contact attempt" not in page and "Record the outcome" not in page
    assert access_count(session, request.id) == 0


# Actions ---------------------------------------------------------------------------------


def test_assign_to_me_then_to_a_colleague(staff_client, session, moderator, colleague):
    request = make_request(session)
    session.commit()
    url = f"/staff/requests/{request.id}/assign"
    response = staff_client.post(url, data={"assign-assignee": moderator.id})
    assert response.status_code == 303 and response.headers["Location"].endswith(request.id)
    assert "assigned to you" in text_of(staff_client.get(response.headers["Location"]))
    staff_client.post(url, data={"assign-assignee": colleague.id})
    session.expire_all()
    assert session.get(HelpRequest, request.id).assigned_to == colleague.id
    assert staff_client.post(url, data={"assign-assignee": "not-staff"}).status_code == 400


def test_log_a_contact_attempt(staff_client, session, moderator):
    request = make_request(session)
    session.commit()
    response = staff_client.post(
        f"/staff/requests/{request.id}/attempts",
        data={"attempt-method": "phone", "attempt-succeeded": "no", "attempt-note": "Voicemail"},
    )
    assert response.status_code == 303
    page = text_of(staff_client.get(f"/staff/requests/{request.id}"))
    assert "Phone by Mo Derator: did not reach them" in page and "Voicemail" in page


def test_a_contact_attempt_with_answers_missing_says_what_to_fix(staff_client, session):
    request = make_request(session)
    session.commit()
    response = staff_client.post(f"/staff/requests/{request.id}/attempts", data={})
    page = text_of(response)
    assert response.status_code == 400 and "There is a problem" in page
    assert "Choose how you tried to contact them" in page
    assert "Choose yes if you reached them, or no" in page
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: " in page


def test_record_a_match_to_an_offer(staff_client, session):
    offer = make_offer(session, ("Food",), "chester", capacity=2, in_use=0, name="Food Run")
    request = make_request(session, ("Food",), "chester")
    session.commit()
    page = staff_client.get(f"/staff/requests/{request.id}").get_data(as_text=True)
    assert f'value="offer:{offer.id}"' in page
    response = staff_client.post(
        f"/staff/requests/{request.id}/outcome",
        data={"outcome-outcome": "matched", "outcome-candidate": f"offer:{offer.id}"},
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(HelpOffer, offer.id).in_use == 1
    request = session.get(HelpRequest, request.id)
    assert request.status == RequestStatus.CLOSED and request.matched_offer_id == offer.id
    page = text_of(staff_client.get(f"/staff/requests/{request.id}"))
    assert "Outcome recorded" in page and f"offer {offer.reference}" in page


def test_a_match_needs_an_offer_or_listing(staff_client, session):
    request = make_request(session)
    session.commit()
    response = staff_client.post(
        f"/staff/requests/{request.id}/outcome",
        data={"outcome-outcome": "matched", "outcome-candidate": "none"},
    )
    assert response.status_code == 400
    assert "Choose the offer or listing they were matched to" in text_of(response)
    for junk in ("offer:<b>", "listing:" + "x" * 80, "service:abc"):
        response = staff_client.post(
            f"/staff/requests/{request.id}/outcome",
            data={"outcome-outcome": "signposted", "outcome-candidate": junk},
        )
        assert response.status_code == 400
    session.expire_all()
    assert session.get(HelpRequest, request.id).status == RequestStatus.OPEN


def test_a_refused_action_is_explained_and_changes_nothing(staff_client, session):
    """The offer filled up between showing the page and pressing the button."""
    offer = make_offer(session, capacity=1, in_use=1)
    request = make_request(session)
    session.commit()
    response = staff_client.post(
        f"/staff/requests/{request.id}/outcome",
        data={"outcome-outcome": "matched", "outcome-candidate": f"offer:{offer.id}"},
        follow_redirects=True,
    )
    assert "no place free" in text_of(response)
    session.expire_all()
    assert session.get(HelpRequest, request.id).status == RequestStatus.OPEN
    assert session.scalar(select(func.count(StaffAction.id))) == 0


def test_no_match_closes_it(staff_client, session):
    request = make_request(session)
    session.commit()
    response = staff_client.post(
        f"/staff/requests/{request.id}/outcome", data={"outcome-outcome": "no_match"}
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(HelpRequest, request.id).outcome == Outcome.NO_MATCH


# CSRF and hostile notes ------------------------------------------------------------------


def test_with_csrf_on_a_post_needs_its_token(app, staff_client, session):
    app.config["WTF_CSRF_ENABLED"] = True
    request = make_request(session)
    session.commit()
    url = f"/staff/requests/{request.id}/attempts"
    data = {"attempt-method": "email", "attempt-succeeded": "yes"}
    assert staff_client.post(url, data=data).status_code == 400
    assert session.scalar(select(func.count(ContactAttempt.id))) == 0
    page = staff_client.get(f"/staff/requests/{request.id}").get_data(as_text=True)
    token = re.search(r'name="attempt-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = staff_client.post(url, data={**data, "attempt-csrf_token": token})
    assert response.status_code == 303
    assert session.scalar(select(func.count(ContactAttempt.id))) == 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(note=st.text(max_size=700))
def test_any_note_is_stored_cleanly_or_refused_with_a_reason(staff_client, session, note):
    request = make_request(session)
    session.commit()
    response = staff_client.post(
        f"/staff/requests/{request.id}/attempts",
        data={"attempt-method": "text", "attempt-succeeded": "yes", "attempt-note": note},
    )
    assert response.status_code in (303, 400), response.status_code
    attempts = session.scalars(
        select(ContactAttempt).where(ContactAttempt.request_id == request.id)
    ).all()
    if response.status_code == 400:
        assert f"{NOTE_MAX_LENGTH} characters or fewer" in text_of(response)
        assert attempts == []
        return
    [attempt] = attempts
    assert attempt.note is None or (
        len(attempt.note) <= NOTE_MAX_LENGTH
        and not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", attempt.note)
        and attempt.note == attempt.note.strip()
    )
    # Whatever was typed, the request page still renders it safely.
    page = staff_client.get(f"/staff/requests/{request.id}")
    assert page.status_code == 200 and "<script>alert" not in page.get_data(as_text=True)
