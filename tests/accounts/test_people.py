"""An organisation's people: owners invite (a real email with a single-use link), change
roles and remove; one owner always stays; other organisations' owners and editors cannot."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory.accounts.models import MemberRole, Membership, StaffRole, User
from directory.staff.models import StaffAction
from tests.accounts.conftest import NEW_PASSWORD, link_in, page_text, sign_in

ORG = "11111111-1111-4111-8111-111111111111"
OTHER_ORG = "22222222-2222-4222-8222-222222222222"
PEOPLE = f"/account/organisations/{ORG}/people"


@pytest.fixture
def owner(make_user, db_run) -> User:
    user = make_user("owner@example.org", organization_id=ORG, name="Olu Owner")
    db_run(
        lambda s: s.scalar(select(Membership).where(Membership.user_id == user.id)).__setattr__(
            "organization_name", "Blacon Community Trust"
        )
    )
    return user


def membership_of(db_run, email: str, org: str = ORG) -> tuple[str, MemberRole] | None:
    def find(session):
        row = session.execute(
            select(Membership.id, Membership.role)
            .join(User)
            .where(User.email == email, Membership.organization_id == org)
        ).first()
        return tuple(row) if row else None

    return db_run(find)


class TestInvite:
    def test_a_new_person_joins_by_the_emailed_link(self, app, client, owner, inbox, db_run):
        sign_in(client, "owner@example.org")
        page = page_text(client.get(PEOPLE))
        assert "Blacon Community Trust" in page and "Olu Owner (you)" in page
        response = client.post(PEOPLE, data={"email": "Eddie@Example.org", "role": "editor"})
        assert response.status_code == 303
        assert "Invitation sent" in page_text(client.get(PEOPLE))
        assert "eddie@example.org" in page_text(client.get(PEOPLE))
        assert "(invited)" in page_text(client.get(PEOPLE))

        [message] = inbox.messages
        assert message.rcpt_tos == ["eddie@example.org"]
        body = message.part("plain")
        assert "Olu Owner has invited you" in body and "Blacon Community Trust" in body
        assert "as an editor" in body
        link = link_in(message, "/account/invite/")

        eddie = app.test_client()
        form = eddie.get(link)
        assert "Join your organisation" in page_text(form)
        assert "Blacon Community Trust" in page_text(form)
        joined = eddie.post(
            link, data={"name": "Eddie", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        )
        assert joined.status_code == 303 and joined.headers["Location"] == "/manage/"
        assert eddie.get("/account/").status_code == 200
        assert membership_of(db_run, "eddie@example.org")[1] is MemberRole.EDITOR
        assert eddie.get(link).status_code == 410, "the link works once"
        assert sign_in(app.test_client(), "eddie@example.org", NEW_PASSWORD).status_code == 303

    def test_someone_with_an_account_is_added_and_told(
        self, client, owner, make_user, inbox, db_run
    ):
        make_user("bea@example.org", organization_id=OTHER_ORG)
        sign_in(client, "owner@example.org")
        client.post(PEOPLE, data={"email": "bea@example.org", "role": "owner"})
        [message] = inbox.messages
        assert message.message["Subject"].startswith("You have been added to an organisation")
        assert "/account/invite/" not in message.part("plain")
        assert membership_of(db_run, "bea@example.org")[1] is MemberRole.OWNER
        assert membership_of(db_run, "bea@example.org", OTHER_ORG) is not None

    def test_inviting_a_member_twice_says_so(self, client, owner):
        sign_in(client, "owner@example.org")
        client.post(PEOPLE, data={"email": "eddie@example.org", "role": "editor"})
        again = client.post(PEOPLE, data={"email": "eddie@example.org", "role": "editor"})
        assert "That person is already in this organisation" in page_text(again)

    def test_invite_errors_say_how_to_fix(self, client, owner):
        sign_in(client, "owner@example.org")
        text = page_text(client.post(PEOPLE, data={"email": "nope", "role": "boss"}))
        assert "Enter an email address in the correct format" in text
        assert "Select what they can do" in text

    def test_removing_an_invited_person_kills_the_link(self, app, client, owner, inbox, db_run):
        sign_in(client, "owner@example.org")
        client.post(PEOPLE, data={"email": "eddie@example.org", "role": "editor"})
        link = link_in(inbox.messages[0], "/account/invite/")
        member_id = membership_of(db_run, "eddie@example.org")[0]
        client.post(f"{PEOPLE}/{member_id}/remove")
        assert app.test_client().get(link).status_code == 410
        gone = db_run(lambda s: s.scalar(select(User).where(User.email == "eddie@example.org")))
        assert gone is None, "an invited person who never joined is not kept"


class TestRoles:
    def test_at_least_one_owner_remains(self, client, owner, db_run):
        sign_in(client, "owner@example.org")
        me = membership_of(db_run, "owner@example.org")[0]
        demote = client.post(f"{PEOPLE}/{me}/role", data={"role": "editor"})
        assert "An organisation needs at least one owner" in page_text(demote)
        remove = client.post(f"{PEOPLE}/{me}/remove")
        assert "An organisation needs at least one owner" in page_text(remove)
        assert page_text(remove).strip().startswith("Error:")
        assert membership_of(db_run, "owner@example.org")[1] is MemberRole.OWNER

    def test_change_a_role_and_remove(self, client, owner, make_user, db_run):
        make_user("eddie@example.org", organization_id=ORG, member_role=MemberRole.EDITOR)
        sign_in(client, "owner@example.org")
        eddie = membership_of(db_run, "eddie@example.org")[0]
        page = client.get(f"{PEOPLE}/{eddie}/role")
        assert "What can eddie@example.org do?" in page_text(page)
        assert client.post(f"{PEOPLE}/{eddie}/role", data={"role": "owner"}).status_code == 303
        assert membership_of(db_run, "eddie@example.org")[1] is MemberRole.OWNER
        assert "Remove eddie@example.org" in page_text(client.get(f"{PEOPLE}/{eddie}/remove"))
        me = membership_of(db_run, "owner@example.org")[0]
        demoted = client.post(f"{PEOPLE}/{me}/role", data={"role": "editor"})
        assert demoted.status_code == 303 and demoted.headers["Location"] == "/account/"
        # Now an editor: the people pages are closed to me.
        assert client.get(PEOPLE).status_code == 403

    def test_the_person_with_an_account_stays_when_removed(self, client, owner, make_user, db_run):
        make_user("eddie@example.org", organization_id=ORG, member_role=MemberRole.EDITOR)
        sign_in(client, "owner@example.org")
        eddie = membership_of(db_run, "eddie@example.org")[0]
        assert client.post(f"{PEOPLE}/{eddie}/remove").status_code == 303
        assert membership_of(db_run, "eddie@example.org") is None
        assert db_run(lambda s: s.scalar(select(User.id).where(User.email == "eddie@example.org")))


class TestWhoMay:
    def test_editors_and_other_organisations_get_403(self, app, owner, make_user, db_run):
        make_user("eddie@example.org", organization_id=ORG, member_role=MemberRole.EDITOR)
        make_user("zed@example.org", organization_id=OTHER_ORG, member_role=MemberRole.OWNER)
        member = membership_of(db_run, "owner@example.org")[0]
        for email in ("eddie@example.org", "zed@example.org"):
            client = app.test_client()
            sign_in(client, email)
            assert client.get(PEOPLE).status_code == 403
            assert (
                client.post(PEOPLE, data={"email": "x@example.org", "role": "owner"}).status_code
                == 403
            )
            assert client.post(f"{PEOPLE}/{member}/remove").status_code == 403
            assert (
                client.post(f"{PEOPLE}/{member}/role", data={"role": "editor"}).status_code == 403
            )
        assert membership_of(db_run, "owner@example.org")[1] is MemberRole.OWNER

    def test_a_membership_of_another_organisation_is_not_found_here(
        self, client, owner, make_user, db_run
    ):
        make_user("zed@example.org", organization_id=OTHER_ORG)
        sign_in(client, "owner@example.org")
        zed = membership_of(db_run, "zed@example.org", OTHER_ORG)[0]
        assert client.post(f"{PEOPLE}/{zed}/remove").status_code == 404
        assert membership_of(db_run, "zed@example.org", OTHER_ORG) is not None

    def test_anonymous_visitors_go_to_sign_in(self, client, owner):
        assert client.get(PEOPLE).headers["Location"].startswith("/account/sign-in")

    def test_an_admin_may_and_the_action_is_logged(self, client, owner, make_user, db_run):
        admin = make_user("admin@example.org", staff_role=StaffRole.ADMIN)
        make_user("eddie@example.org", organization_id=ORG, member_role=MemberRole.EDITOR)
        sign_in(client, "admin@example.org")
        eddie = membership_of(db_run, "eddie@example.org")[0]
        assert client.post(f"{PEOPLE}/{eddie}/role", data={"role": "owner"}).status_code == 303
        actions = db_run(
            lambda s: [
                (a.user_id, a.action, a.target_id, a.detail) for a in s.scalars(select(StaffAction))
            ]
        )
        assert actions == [
            (admin.id, "membership.set_role", eddie, {"old": "editor", "new": "owner"})
        ]
        assert client.get("/account/organisations/no-such-org/people").status_code == 404
