"""/staff/people: admins list and find accounts, change staff roles (the last admin stays one)
and disable or enable accounts (disabling signs the person out everywhere)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from directory.accounts.models import StaffRole, User
from directory.core.ids import utcnow
from directory.staff import people
from directory.staff.models import StaffAction
from tests.accounts.conftest import csrf_token
from tests.auth import PASSWORD, create_user
from tests.public.conftest import text_of
from tests.security.conftest import World, build_world


@pytest.fixture
def world(make_app) -> World:
    """A world of one's own, for tests that change roles and accounts."""
    return build_world(make_app())


@pytest.fixture(scope="module")
def listed(shared_world) -> World:
    """One world for the tests that only read and search (Rita has signed in once)."""

    def signed_in_once(session):
        session.get(User, shared_world.ids["owner_a"]).last_sign_in_at = utcnow()

    shared_world.run(signed_in_once)
    return shared_world


def _user(world: World, key: str) -> User:
    def read(session):
        user = session.get(User, world.ids[key])
        session.expunge(user)
        return user

    return world.run(read)


def _page(response) -> str:
    return text_of(response.data)


class TestWhoMayUseIt:
    def test_admins_only(self, listed):
        for who, status in (("moderator", 403), ("owner_a", 403), ("admin", 200)):
            assert listed.client(who).get("/staff/people/").status_code == status, who
        response = listed.client().get("/staff/people/")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/account/sign-in")

    def test_the_staff_home_links_to_it_for_admins_only(self, listed):
        assert "Manage people and staff" in _page(listed.client("admin").get("/staff/"))
        assert "Manage people and staff" not in _page(listed.client("moderator").get("/staff/"))

    def test_an_unknown_account_is_not_found(self, listed):
        assert listed.client("admin").get("/staff/people/no-such-person").status_code == 404
        post = listed.client("admin").post("/staff/people/no-such-person/disable")
        assert post.status_code == 404


class TestTheList:
    def test_everyone_with_their_roles_organisations_and_state(self, listed):
        page = _page(listed.client("admin").get("/staff/people/"))
        assert "rita@riverside.example.org" in page and "Rita Riverside" in page
        assert "Riverside Community Trust (owner)" in page
        assert "Riverside Community Trust (editor)" in page  # Eddie
        assert "mo@council.example.org" in page and "Moderator" in page
        assert "Email confirmed" in page
        assert "Never" in page  # someone who has not signed in yet
        assert page.index("ada@council.example.org") < page.index("rita@riverside.example.org")

    def test_unconfirmed_and_disabled_accounts_say_so(self, listed):
        def work(session):
            create_user(session, "new@example.org", verified=False)
            create_user(session, "off@example.org").is_disabled = True

        listed.run(work)
        page = _page(listed.client("admin").get("/staff/people/"))
        assert "Email not confirmed" in page
        assert "Disabled" in page

    def test_search_by_address_name_or_organisation(self, listed):
        admin = listed.client("admin")
        for words, found, not_found in (
            ("RIVERSIDE.example", "rita@riverside.example.org", "hal@hillside"),
            ("Hal Hill", "hal@hillside.example.org", "rita@riverside"),
            ("hillside carers", "hal@hillside.example.org", "rita@riverside"),
        ):
            page = _page(admin.post("/staff/people/", data={"words": words}))
            assert found in page and not_found not in page, words

    def test_search_wildcards_are_taken_literally_and_nothing_found_says_so(self, listed):
        page = _page(listed.client("admin").post("/staff/people/", data={"words": "%"}))
        assert "No account has an email address, name or organisation like" in page

    def test_the_search_is_posted_so_addresses_stay_out_of_urls(self, listed):
        html = listed.client("admin").get("/staff/people/").get_data(as_text=True)
        assert 'method="post" action="/staff/people/"' in html
        assert "csrf_token" in html

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(words=st.one_of(st.text(max_size=300), st.just("x" * 50_000)))
    def test_any_search_text_is_answered(self, listed, words):
        response = listed.client("admin").post("/staff/people/", data={"words": words})
        assert response.status_code in (200, 400)


class TestStaffRoles:
    def test_give_a_role_logs_it_and_signs_them_out(self, world):
        eddie = world.client("editor_a")
        assert eddie.get("/manage/").status_code == 200
        admin = world.client("admin")
        response = admin.post(
            f"/staff/people/{world.ids['editor_a']}/role", data={"role": "moderator"}
        )
        assert response.status_code == 303
        assert _user(world, "editor_a").staff_role == StaffRole.MODERATOR
        page = _page(admin.get(response.headers["Location"]))
        assert "is now moderator" in page and "changed the staff role" in page
        assert eddie.get("/manage/").status_code == 302  # signed out everywhere
        actions = world.run(
            lambda s: [
                (a.action, a.detail)
                for a in s.scalars(
                    select(StaffAction).where(StaffAction.target_id == world.ids["editor_a"])
                )
            ]
        )
        assert ("user.set_role", {"old": "none", "new": "moderator"}) in actions

    def test_the_last_admin_cannot_stop_being_one(self, world):
        def only_one_admin(session):
            session.get(User, world.ids["everything"]).staff_role = StaffRole.NONE

        world.run(only_one_admin)
        admin = world.client("admin")
        response = admin.post(f"/staff/people/{world.ids['admin']}/role", data={"role": "none"})
        assert response.status_code == 409
        page = _page(response)
        assert "There is a problem" in page and "only admin who can sign in" in page
        assert _user(world, "admin").staff_role == StaffRole.ADMIN

    def test_a_disabled_admin_does_not_count(self, world):
        def work(session):
            session.get(User, world.ids["everything"]).is_disabled = True

        world.run(work)
        response = world.client("admin").post(
            f"/staff/people/{world.ids['admin']}/role", data={"role": "moderator"}
        )
        assert response.status_code == 409

    def test_with_another_admin_one_may_step_down_and_stays_signed_in(self, world):
        admin = world.client("admin")
        response = admin.post(
            f"/staff/people/{world.ids['admin']}/role", data={"role": "moderator"}
        )
        assert response.status_code == 303
        assert response.headers["Location"] == "/staff/"
        assert _user(world, "admin").staff_role == StaffRole.MODERATOR
        assert admin.get("/staff/").status_code == 200  # signed in again, as a moderator
        assert admin.get("/staff/people/").status_code == 403

    def test_an_unknown_role_says_how_to_fix_it(self, world):
        response = world.client("admin").post(
            f"/staff/people/{world.ids['editor_a']}/role", data={"role": "emperor"}
        )
        assert response.status_code == 400
        assert "Select none, moderator or admin" in _page(response)


class TestDisabling:
    def test_disable_signs_out_everywhere_and_stops_sign_in_then_enable(self, world):
        hal = world.client("owner_b")
        assert hal.get("/manage/").status_code == 200
        admin = world.client("admin")
        response = admin.post(f"/staff/people/{world.ids['owner_b']}/disable")
        assert response.status_code == 303
        assert "can no longer sign in" in _page(admin.get(response.headers["Location"]))
        assert hal.get("/manage/").status_code == 302
        fresh = world.client()
        refused = fresh.post(
            "/account/sign-in", data={"email": "hal@hillside.example.org", "password": PASSWORD}
        )
        assert refused.status_code == 200 and "Enter a correct email address" in _page(refused)

        admin.post(f"/staff/people/{world.ids['owner_b']}/enable")
        assert not _user(world, "owner_b").is_disabled
        again = fresh.post(
            "/account/sign-in", data={"email": "hal@hillside.example.org", "password": PASSWORD}
        )
        assert again.status_code == 303

    def test_nobody_disables_themselves(self, world):
        admin = world.client("admin")
        page = _page(admin.get(f"/staff/people/{world.ids['admin']}"))
        assert "You cannot disable your own account" in page
        admin.post(f"/staff/people/{world.ids['admin']}/disable")
        assert not _user(world, "admin").is_disabled

    def test_the_rules_hold_without_the_pages(self, world):
        """The service functions refuse on their own (for any other caller)."""

        def work(session):
            admin = session.get(User, world.ids["admin"])
            with pytest.raises(people.PeopleRefused):
                people.change_access(session, admin, True, by=admin)
            session.get(User, world.ids["everything"]).staff_role = StaffRole.MODERATOR
            session.flush()
            other = session.get(User, world.ids["moderator"])
            with pytest.raises(people.PeopleRefused):
                people.change_access(session, admin, True, by=other)
            with pytest.raises(people.PeopleRefused):
                people.change_role(session, admin, StaffRole.NONE, by=other)
            assert people.change_role(session, admin, StaffRole.ADMIN, by=other) is False
            session.rollback()

        world.run(work)


def test_the_forms_need_their_csrf_token(world):
    world.app.config["WTF_CSRF_ENABLED"] = True
    admin = world.client("admin")
    url = f"/staff/people/{world.ids['editor_a']}"
    for action, data in (("/role", {"role": "admin"}), ("/disable", {}), ("", {"words": "a"})):
        target = f"{url}{action}" if action else "/staff/people/"
        assert admin.post(target, data=data).status_code == 400
    assert _user(world, "editor_a").staff_role == StaffRole.NONE
    assert not _user(world, "editor_a").is_disabled
    token = csrf_token(admin.get(url).data)
    response = admin.post(f"{url}/role", data={"role": "admin", "csrf_token": token})
    assert response.status_code == 303
    assert _user(world, "editor_a").staff_role == StaffRole.ADMIN
