"""An admin trusts or suspends an organisation: logged as a staff action and in the change log,
and a suspension takes the organisation's listings off the public site and out of search."""

from __future__ import annotations

from sqlalchemy import select

from directory.listings.models import ChangeRecord, Organization
from directory.staff.models import StaffAction
from tests.factories import make_organization, make_service
from tests.moderation.conftest import sign_in
from tests.public.conftest import text_of


def test_suspending_hides_the_listings_and_is_logged(client, session, admin):
    org = make_organization(session, "Upton Repair Group")
    service = make_service(session, "Upton Quokka Repair Café", organization=org)
    session.commit()
    assert "Upton Quokka Repair Café" in text_of(client.get("/search?q=quokka").data)
    sign_in(client, admin)

    response = client.post(
        f"/staff/organisations/{org.id}",
        data={"suspended": "y", "reason": "Complaints under review"},
    )

    assert response.status_code == 302
    session.expire_all()
    assert session.get(Organization, org.id).is_suspended is True
    assert client.get(f"/services/{service.id}", follow_redirects=True).status_code == 404
    assert "Upton Quokka Repair Café" not in text_of(client.get("/search?q=quokka").data)
    action = session.scalars(select(StaffAction)).one()
    assert (action.action, action.user_id, action.detail["reason"]) == (
        "organization.update",
        admin.id,
        "Complaints under review",
    )
    logged = session.scalars(
        select(ChangeRecord).where(
            ChangeRecord.resource_id == org.id, ChangeRecord.field_name == "is_suspended"
        )
    ).one()
    assert (logged.previous_value, logged.replacement_value, logged.updated_by) == (
        "False",
        "True",
        f"user:{admin.id}",
    )
    page = text_of(client.get(f"/staff/organisations/{org.id}").data)
    assert "Suspended" in page and "now suspended" in page

    response = client.post(
        f"/staff/organisations/{org.id}",
        data={"trusted": "y", "reason": "Checked with the council"},
    )
    session.expire_all()
    org = session.get(Organization, org.id)
    assert (org.is_trusted, org.is_suspended) == (True, False)
    assert "Upton Quokka Repair Café" in text_of(client.get("/search?q=quokka").data)


def test_a_change_of_standing_needs_a_reason(client, session, admin):
    org = make_organization(session, "Upton Repair Group")
    session.commit()
    sign_in(client, admin)
    response = client.post(f"/staff/organisations/{org.id}", data={"suspended": "y"})
    assert response.status_code == 400
    page = text_of(response.data)
    assert "There is a problem" in page and "Enter a reason for the change" in page
    session.expire_all()
    assert session.get(Organization, org.id).is_suspended is False


def test_find_an_organisation(client, session, moderator):
    make_organization(session, "Upton Repair Group")
    make_organization(session, "Hoole 100% Volunteers")
    session.commit()
    sign_in(client, moderator)
    page = text_of(client.get("/staff/organisations?q=repair").data)
    assert "Upton Repair Group" in page and "Hoole" not in page
    page = text_of(client.get("/staff/organisations?q=100%25").data)
    assert "Hoole 100% Volunteers" in page and "Upton" not in page
    assert "No organisation" in text_of(client.get("/staff/organisations?q=_").data)
