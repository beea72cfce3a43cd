"""/staff/freshness: who may see it, the groups, marking a listing checked by phone (with the
staff log and the change log), the CSV, and CSRF on the staff form."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from directory.accounts.models import MemberRole, StaffRole
from directory.listings.models import ChangeRecord, Service
from directory.staff.models import StaffAction
from tests.auth import create_user, sign_in_as
from tests.factories import make_organization
from tests.freshness.conftest import EMAIL, listing, months_ago, run, setup, today

URL = "/staff/freshness"


def _directory(app) -> dict[str, str]:
    """One listing in each group, plus a fresh one that must not be listed: name -> id."""
    with setup(app) as session:
        shed = make_organization(
            session, "Neston Men's Shed Trust", email="trust@neston.example.org"
        )
        made = {
            "Hidden Lunch Club": listing(
                session, "Hidden Lunch Club", months_ago(16), created=months_ago(20)
            ),
            "Stale Knit Group": listing(
                session, "Stale Knit Group", months_ago(13), created=months_ago(20)
            ),
            "Eleven Month Café": listing(session, "Eleven Month Café", months_ago(11)),
            "Six Month Choir": listing(session, "Six Month Choir", months_ago(7)),
            "Nobody To Email": listing(
                session,
                "Nobody To Email",
                months_ago(7),
                organization=make_organization(session, "Silent Group", email=None),
                email=None,
            ),
            "Due Soon Walks": listing(session, "Due Soon Walks", months_ago(5)),
            "Fresh Pantry": listing(session, "Fresh Pantry", months_ago(2), organization=shed),
        }
        return {name: service.id for name, service in made.items()}


def _staff(app, role: StaffRole = StaffRole.MODERATOR):
    with setup(app) as session:
        return create_user(session, f"{role.value}@council.example.org", staff_role=role)


def test_anonymous_visitors_go_to_sign_in_and_organisation_people_are_refused(app, client):
    for url in (URL, URL + ".csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]
    assert client.post(URL + "/x/checked").status_code == 302
    with setup(app) as session:
        org = make_organization(session, "Hoole Good Neighbours")
        member = create_user(session, "owner@hoole.example.org", organization_id=org.id)
    sign_in_as(client, member)
    assert client.get(URL).status_code == 403
    assert client.get(URL + ".csv").status_code == 403
    assert client.post(URL + "/x/checked").status_code == 403


def test_staff_see_each_listing_in_its_group_with_its_reminders(app, client, inbox):
    ids = _directory(app)
    run(app, "send-reminders")
    admin = _staff(app, StaffRole.ADMIN)
    sign_in_as(client, admin)
    page = client.get(URL)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    headings = re.findall(r'<h2 class="govuk-heading-m" id="([a-z_0-9]+)"', body)
    assert headings == ["hidden", "stale", "reminder_11", "reminder_6", "not_sent", "due_soon"]
    sections = dict(
        zip(
            headings,
            re.split(r'<h2 class="govuk-heading-m" id="[a-z_0-9]+"', body)[1:],
            strict=True,
        )
    )
    assert "Hidden Lunch Club" in sections["hidden"]
    assert "Stale Knit Group" in sections["stale"]
    assert (
        "Eleven Month Café" in sections["reminder_11"]
        and "11-month: sent" in sections["reminder_11"]
    )
    assert "Six Month Choir" in sections["reminder_6"] and "6-month: sent" in sections["reminder_6"]
    assert (
        "Nobody To Email" in sections["not_sent"] and "No: nobody to email" in sections["not_sent"]
    )
    assert "Due Soon Walks" in sections["due_soon"]
    assert "Fresh Pantry" not in body
    assert not EMAIL.search(body)
    assert len(ids) == 7


def test_marking_a_listing_checked_by_phone(app, client):
    ids = _directory(app)
    moderator = _staff(app)
    sign_in_as(client, moderator)
    response = client.post(f"{URL}/{ids['Hidden Lunch Club']}/checked")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"{URL}?checked={ids['Hidden Lunch Club']}#checked"
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hidden Lunch Club is marked as checked today" in page
    assert page.count("Hidden Lunch Club") == 1  # in the banner only: off the list
    with setup(app) as session:
        assert session.get(Service, ids["Hidden Lunch Club"]).assured_date == today()
        action = session.scalar(select(StaffAction))
        assert (action.user_id, action.action, action.target_id) == (
            moderator.id, "freshness.mark_checked", ids["Hidden Lunch Club"],
        )  # fmt: skip
        assert action.detail == {
            "how": "phone",
            "previous_last_checked": months_ago(16).isoformat(),
        }
        change = session.scalar(
            select(ChangeRecord).where(ChangeRecord.field_name == "assured_date")
        )
        assert change.updated_by == f"user:{moderator.id}"
    assert client.post(f"{URL}/no-such-listing/checked").status_code == 404


def test_the_list_downloads_as_csv_without_addresses(app, client):
    ids = _directory(app)
    with setup(app) as session:
        session.get(Service, ids["Due Soon Walks"]).name = '=HYPERLINK("http://evil")'
    sign_in_as(client, _staff(app))
    response = client.get(URL + ".csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["service_id"] for row in rows} == set(ids.values()) - {ids["Fresh Pantry"]}
    by_id = {row["service_id"]: row for row in rows}
    assert by_id[ids["Hidden Lunch Club"]]["group"] == "hidden"
    assert by_id[ids["Nobody To Email"]]["can_email"] == "no"
    assert by_id[ids["Due Soon Walks"]]["name"].startswith("'=")  # not run as a formula
    assert not EMAIL.search(text)


def test_the_staff_form_needs_its_csrf_token(app):
    app.config["WTF_CSRF_ENABLED"] = True
    ids = _directory(app)
    client = app.test_client()
    sign_in_as(client, _staff(app))
    target = f"{URL}/{ids['Stale Knit Group']}/checked"
    assert client.post(target).status_code == 400
    page = client.get(URL).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(target, data={"csrf_token": token}).status_code == 302
    with setup(app) as session:
        assert session.get(Service, ids["Stale Knit Group"]).assured_date == today()


def test_an_editor_of_the_organisation_is_refused_too(app, client):
    ids = _directory(app)
    with setup(app) as session:
        org_id = session.get(Service, ids["Six Month Choir"]).organization_id
        editor = create_user(
            session,
            "editor@choir.example.org",
            organization_id=org_id,
            member_role=MemberRole.EDITOR,
        )
    sign_in_as(client, editor)
    assert client.post(f"{URL}/{ids['Six Month Choir']}/checked").status_code == 403
    with setup(app) as session:
        assert session.get(Service, ids["Six Month Choir"]).assured_date == months_ago(7)
