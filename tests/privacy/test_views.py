"""/staff/privacy through the test client: admins only, every record shown is logged, the
export downloads, the erasure asks first, the access log says who saw what, nothing that
identifies a person goes in a URL, and hostile input gets an answer, never a 500."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from directory.accounts.models import StaffRole
from directory.help_requests.models import HelpRequest, RequestStatus
from directory.privacy.models import PersonalDataAccess
from directory.staff.models import StaffAction
from tests.accounts.conftest import csrf_token
from tests.auth import create_user, sign_in_as
from tests.privacy.conftest import make_offer, make_request, person

pytestmark = pytest.mark.usefixtures("one_user_per_request")

QUILL, WREN = person("quill", 1), person("wren", 2)


@pytest.fixture
def people(session):
    """Quill has a closed request, an open one and an offer; Wren has a request."""
    admin = create_user(session, "ada@council.example.org", staff_role=StaffRole.ADMIN,
                        name="Ada Admin")  # fmt: skip
    moderator = create_user(session, "mo@council.example.org", staff_role=StaffRole.MODERATOR)
    member = create_user(session, "olive@group.example.org", organization_id="org-1")
    make_request(session, QUILL, "H2H-QUILL1")
    make_request(session, QUILL, "H2H-QUILL2", status=RequestStatus.OPEN, created_days_ago=2)
    make_offer(session, QUILL, "OFF-QUILL1")
    make_request(session, WREN, "H2H-WREN01")
    session.commit()
    return {"admin": admin, "moderator": moderator, "member": member}


def _as(client, user):
    sign_in_as(client, user)
    return client


def _logged(session, action: str | None = None) -> list[PersonalDataAccess]:
    session.expire_all()
    query = select(PersonalDataAccess).order_by(PersonalDataAccess.id)
    if action:
        query = query.where(PersonalDataAccess.action == action)
    return list(session.scalars(query))


PAGES = [("GET", "/staff/privacy/"), ("POST", "/staff/privacy/"),
         ("POST", "/staff/privacy/export"), ("POST", "/staff/privacy/delete"),
         ("GET", "/staff/privacy/access-log")]  # fmt: skip


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_admins_only(app, people, method, path):
    data = {"email": QUILL.email, "confirmed": "yes"}
    anonymous = app.test_client().open(path, method=method, data=data)
    assert anonymous.status_code == 302 and "/account/sign-in" in anonymous.location
    for who in ("member", "moderator"):
        response = _as(app.test_client(), people[who]).open(path, method=method, data=data)
        assert response.status_code == 403, who


def test_refused_people_leave_no_trace(app, people, session):
    for who in ("member", "moderator"):
        _as(app.test_client(), people[who]).post(
            "/staff/privacy/delete", data={"email": QUILL.email, "confirmed": "yes"}
        )
    assert _logged(session) == []
    assert session.scalar(select(HelpRequest.name).where(HelpRequest.reference == "H2H-QUILL1"))


def test_the_staff_home_links_here_for_admins_only(client, people):
    page = _as(client, people["admin"]).get("/staff/").get_data(as_text=True)
    assert 'href="/staff/privacy/"' in page and 'href="/staff/privacy/access-log"' in page
    page = _as(client, people["moderator"]).get("/staff/").get_data(as_text=True)
    assert "/staff/privacy/" not in page and "Personal data requests" not in page


def test_finding_a_person_shows_their_records_and_logs_each_view(client, people, session):
    admin = _as(client, people["admin"])
    assert admin.get("/staff/privacy/").status_code == 200
    assert _logged(session) == []  # the empty search page shows nobody

    response = admin.post("/staff/privacy/", data={"phone": "+44 7700 901001"})
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    for shown in ("H2H-QUILL1", "H2H-QUILL2", "OFF-QUILL1", QUILL.name, QUILL.email):
        assert shown in page
    for hidden in ("H2H-WREN01", WREN.name, QUILL.details, QUILL.note):
        assert hidden not in page  # someone else's, and free text not needed to check identity
    views = _logged(session, "view")
    assert len(views) == 3 and {v.user_id for v in views} == {people["admin"].id}
    assert {v.record_type for v in views} == {"help_request", "help_offer"}


def test_nothing_found_says_so(client, people, session):
    page = _as(client, people["admin"]).post("/staff/privacy/", data={"reference": "H2H-NOBODY"})
    assert "No help request or offer of help matches" in page.get_data(as_text=True)
    assert _logged(session) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter a reference, an email address or a phone number"),
        ({"email": "not an address"}, "Enter an email address in the correct format"),
        ({"phone": "12"}, "Enter a phone number with at least 6 digits"),
        ({"reference": "H2H/<script>"}, "Enter the reference as it was given"),
        ({"reference": "X" * 33}, "Enter a reference of 32 characters or fewer"),
    ],
)
def test_mistakes_are_explained_in_an_error_summary(client, people, data, message):
    response = _as(client, people["admin"]).post("/staff/privacy/", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in page and message in page
    assert "<title>Error:" in page


def test_export_downloads_everything_about_them_and_logs_it(client, people, session):
    response = _as(client, people["admin"]).post(
        "/staff/privacy/export", data={"email": QUILL.email}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and QUILL.email not in disposition
    assert "no-store" in response.headers.get("Cache-Control", "")
    data = json.loads(response.data)
    assert {r["reference"] for r in data["help_requests"]} == {"H2H-QUILL1", "H2H-QUILL2"}
    body = response.get_data(as_text=True)
    assert QUILL.details in body and QUILL.note in body and WREN.name not in body
    assert len(_logged(session, "export")) == 3
    count = session.scalar(
        select(func.count(StaffAction.id)).where(StaffAction.action == "privacy.export")
    )
    assert count == 3


def test_export_of_nobody_says_so(client, people, session):
    response = _as(client, people["admin"]).post(
        "/staff/privacy/export", data={"email": "nobody@example.net"}
    )
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "nothing to download" in page


def test_erasure_asks_first_then_erases_and_logs(client, people, session):
    admin = _as(client, people["admin"])
    first = admin.post("/staff/privacy/delete", data={"email": QUILL.email})
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "Erase this person&#39;s personal data" in page or "Erase this person's" in page
    assert 'name="confirmed" type="hidden" value="yes"' in page or 'value="yes"' in page
    assert "This cannot be undone" in page
    session.expire_all()
    assert session.scalar(select(HelpRequest.name).where(HelpRequest.reference == "H2H-QUILL1"))
    assert _logged(session, "delete") == []

    done = admin.post("/staff/privacy/delete", data={"email": QUILL.email, "confirmed": "yes"})
    assert done.status_code == 303 and done.location.endswith("/staff/privacy/")
    assert "@" not in done.location
    page = client.get(done.location).get_data(as_text=True)
    assert "Personal data erased from 2 help requests and 1 offer" in page
    session.expire_all()
    quill = session.scalars(
        select(HelpRequest).where(HelpRequest.reference.in_(["H2H-QUILL1", "H2H-QUILL2"]))
    ).all()
    assert all(r.name is None and r.email is None and r.details is None for r in quill)
    assert session.scalar(select(HelpRequest.name).where(HelpRequest.reference == "H2H-WREN01"))
    assert len(_logged(session, "delete")) == 3


def test_the_access_log_says_who_saw_which_record_when(client, people, session):
    admin = _as(client, people["admin"])
    admin.post("/staff/privacy/", data={"reference": "H2H-WREN01"})
    admin.post("/staff/privacy/export", data={"reference": "H2H-WREN01"})

    page = admin.get("/staff/privacy/access-log").get_data(as_text=True)

    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", page, re.S)[1:]
    assert len(rows) == 2
    assert "Exported" in rows[0] and "Viewed" in rows[1]
    assert all("Ada Admin" in row and "Help request H2H-WREN01" in row for row in rows)
    assert WREN.name not in page and WREN.email not in page


def test_the_access_log_pages(client, people, session):
    from directory.privacy import views
    from directory.privacy.services import log_access

    request_id = session.scalar(select(HelpRequest.id).where(HelpRequest.reference == "H2H-WREN01"))
    for _ in range(views.LOG_PAGE_SIZE + 5):
        log_access(session, None, "help_request", request_id, "contact")
    session.commit()
    admin = _as(client, people["admin"])
    first = admin.get("/staff/privacy/access-log").get_data(as_text=True)
    assert "page 1 of 2" in first and "/staff/privacy/access-log?page=2" in first
    second = admin.get("/staff/privacy/access-log?page=2").get_data(as_text=True)
    assert "page 2 of 2" in second and second.count("Command line or a scheduled job") == 5
    for junk in ("0", "-3", "abc", "99999999999999999999"):
        assert admin.get(f"/staff/privacy/access-log?page={junk}").status_code == 200


def test_nothing_identifying_goes_in_a_url(client, people):
    page = _as(client, people["admin"]).post("/staff/privacy/", data={"email": QUILL.email})
    html = page.get_data(as_text=True)
    forms = re.findall(r"<form ([^>]*)>", html)
    assert forms and all('method="post"' in form for form in forms if "action" in form)
    for href in re.findall(r'href="([^"]*)"', html):
        for secret in (QUILL.email, "H2H-QUILL", "901001"):
            assert secret not in href


def test_csrf_is_required_on_every_form(app, client, people, session):
    app.config["WTF_CSRF_ENABLED"] = True
    admin = _as(client, people["admin"])
    for path in ("/staff/privacy/", "/staff/privacy/export", "/staff/privacy/delete"):
        refused = admin.post(path, data={"email": QUILL.email, "confirmed": "yes"})
        assert refused.status_code == 400, path
    session.expire_all()
    assert session.scalar(select(HelpRequest.name).where(HelpRequest.reference == "H2H-QUILL1"))
    assert _logged(session) == []

    token = csrf_token(admin.get("/staff/privacy/").data)
    found = admin.post("/staff/privacy/", data={"email": QUILL.email, "csrf_token": token})
    assert found.status_code == 200 and "H2H-QUILL1" in found.get_data(as_text=True)
    token = csrf_token(found.data)
    done = admin.post(
        "/staff/privacy/delete",
        data={"email": QUILL.email, "confirmed": "yes", "csrf_token": token},
    )
    assert done.status_code == 303


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    field=st.sampled_from(["reference", "email", "phone"]),
    value=st.text(max_size=400) | st.sampled_from(["%", "_", "' OR 1=1 --", "\x00", "a@b.c"]),
)
def test_hostile_input_never_breaks_the_page(client, people, field, value):
    admin = _as(client, people["admin"])
    for path in ("/staff/privacy/", "/staff/privacy/export", "/staff/privacy/delete"):
        response = admin.post(path, data={field: value})
        assert response.status_code in (200, 303, 400), (path, response.status_code)


def test_the_public_privacy_notice_says_what_is_kept_and_for_how_long(app, client):
    page = client.get("/privacy").get_data(as_text=True)
    assert "If you ask for help and send us a request" in page
    assert "your own words and our notes of calls to you 90 days later" in page
    assert "public task" in page and "because you agreed to it" in page
    app.config["PERSONAL_DATA_DAYS"] = 30
    page = client.get("/privacy").get_data(as_text=True)
    assert "notes of calls to you 30 days later" in page
    assert "30 days after your offer is closed or turned down" in page


def test_an_altered_button_shows_the_search_form_with_its_error(client, people):
    response = _as(client, people["admin"]).post(
        "/staff/privacy/delete", data={"email": "not an address", "confirmed": "yes"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#email"' in page and 'id="email" name="email" type="email"' in page
