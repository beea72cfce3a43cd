"""Every route of the app, from ``app.url_map``, tried by the people who must not use it:

* anonymous visitors on every route not listed as public (conftest ``PUBLIC_ENDPOINTS``) go to
  sign in;
* an organisation member gets 403 on every /staff route;
* organisation B's member gets 403 or 404 on every /manage and /account/organisations route
  that names organisation A's things, and never reads A's words on any of them;
* a moderator gets 403 on every admin-only route (those whose view says
  ``staff_required(StaffRole.ADMIN)``);
* with CSRF on, every POST route refuses a form without its token (400) and the database is
  unchanged, row for row.

A route added later is swept the moment it exists. No request in any sweep may answer 500.
"""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.routing import Rule

from directory.accounts.models import StaffRole
from tests.security.conftest import (
    A_SECRETS,
    FORM,
    PUBLIC_ENDPOINTS,
    World,
    is_public,
    location_path,
    methods,
    parameter_values,
    rules,
    urls,
)

SIGN_IN = "/account/sign-in"
#: Account pages for staff only (two-step verification): an organisation member gets 403.
STAFF_ONLY_ACCOUNT_PAGES = {"accounts.two_factor", "accounts.two_factor_off"}


def _requests(world: World, found: list[Rule]):
    values = parameter_values(world)
    for rule in found:
        for method in methods(rule):
            for url in urls(rule, values):
                yield rule, method, url


def _call(client, method: str, url: str):
    return client.open(url, method=method, data=FORM if method == "POST" else None)


def _leaks(body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace")
    return [secret for secret in A_SECRETS if secret in text]


def test_the_public_list_names_only_routes_that_exist_and_nothing_private(shared_world):
    endpoints = {r.endpoint for r in shared_world.app.url_map.iter_rules()}
    assert set(PUBLIC_ENDPOINTS) <= endpoints, set(PUBLIC_ENDPOINTS) - endpoints
    for rule in rules(shared_world.app, public=True):
        assert not rule.rule.startswith(("/manage", "/staff")), rule.rule


def test_the_sweep_reaches_every_area(shared_world):
    """The sweeps below see the routes of each part of issue 12 (the url_map walk works)."""
    private = {r.endpoint.split(".")[0] for r in rules(shared_world.app, public=False)}
    for blueprint in ("accounts", "manage", "staff", "moderation", "reports", "org_reports"):
        assert blueprint in private
    assert "freshness.staff_list" in {r.endpoint for r in rules(shared_world.app, public=False)}
    assert "staff_people.index" in {r.endpoint for r in rules(shared_world.app, public=False)}


def test_anonymous_visitors_are_sent_to_sign_in_everywhere_private(shared_world):
    before = shared_world.snapshot()
    client = shared_world.client()
    problems = []
    checked = 0
    for _rule, method, url in _requests(shared_world, rules(shared_world.app, public=False)):
        response = _call(client, method, url)
        checked += 1
        redirected = response.status_code in (301, 302, 303, 307) and (
            location_path(response) == SIGN_IN
        )
        if not (redirected or response.status_code == 401) or _leaks(response.data):
            problems.append((method, url, response.status_code, location_path(response)))
    assert not problems, problems
    assert checked > 80
    assert shared_world.snapshot() == before


def test_organisation_members_get_403_on_every_staff_route(shared_world):
    before = shared_world.snapshot()
    client = shared_world.client("owner_a")
    problems = [
        (method, url, response.status_code)
        for _rule, method, url in _requests(shared_world, rules(shared_world.app, prefix="/staff"))
        if (response := _call(client, method, url)).status_code != 403
    ]
    assert not problems, problems
    assert shared_world.snapshot() == before


def test_another_organisation_never_reaches_organisation_a(shared_world):
    """B's owner on every /manage and /account/organisations route, filled with A's ids: 403 or
    404, and none of A's words on any page (B's own pages included)."""
    before = shared_world.snapshot()
    client = shared_world.client("owner_b")
    found = rules(shared_world.app, prefix="/manage") + rules(
        shared_world.app, prefix="/account/organisations"
    )
    problems = []
    checked = 0
    for rule, method, url in _requests(shared_world, found):
        response = _call(client, method, url)
        checked += 1
        refused = response.status_code in (403, 404) if rule.arguments else True
        if not refused or response.status_code >= 500 or _leaks(response.data):
            problems.append((method, url, response.status_code, _leaks(response.data)))
    assert not problems, problems
    assert checked > 40
    assert shared_world.snapshot() == before


def _admin_only(app: Flask) -> list[Rule]:
    return [
        rule
        for rule in rules(app)
        if getattr(app.view_functions[rule.endpoint], "required_staff_role", None)
        == StaffRole.ADMIN
    ]


def test_moderators_get_403_on_admin_only_routes(shared_world):
    admin_only = _admin_only(shared_world.app)
    endpoints = {r.endpoint for r in admin_only}
    # The walk finds the admin-only routes from the views themselves; these must be among them.
    assert {"staff.organisation_standing", "staff_people.index", "staff_people.role"} <= endpoints
    before = shared_world.snapshot()
    client = shared_world.client("moderator")
    problems = [
        (method, url, response.status_code)
        for _rule, method, url in _requests(shared_world, admin_only)
        if (response := _call(client, method, url)).status_code != 403
    ]
    assert not problems, problems
    assert shared_world.snapshot() == before


def test_staff_and_members_read_every_page_they_may_without_a_500(shared_world):
    """The same walk with the right people: a moderator and an admin on every /staff page, A's
    owner on every /manage and /account page. Each answers (200, a redirect or a 404 for a
    thing not in that state), never 500, and a moderator is refused only admin pages."""
    admin_only = {r.endpoint for r in _admin_only(shared_world.app)}
    staff_pages = [r for r in rules(shared_world.app, prefix="/staff") if "GET" in methods(r)]
    own_pages = [
        r
        for r in rules(shared_world.app, prefix="/manage")
        + rules(shared_world.app, prefix="/account")
        if "GET" in methods(r) and not is_public(r)
    ]
    problems = []
    for who, found in (("moderator", staff_pages), ("admin", staff_pages), ("owner_a", own_pages)):
        client = shared_world.client(who)
        for rule, method, url in _requests(shared_world, found):
            if method != "GET":
                continue
            status = client.get(url).status_code
            refused_rightly = status == 403 and (
                (who == "moderator" and rule.endpoint in admin_only)
                or (who == "owner_a" and rule.endpoint in STAFF_ONLY_ACCOUNT_PAGES)
            )
            if status >= 500 or (status in (401, 403) and not refused_rightly):
                problems.append((who, url, status))
    assert not problems, problems


@pytest.fixture
def csrf_on(shared_world):
    shared_world.app.config["WTF_CSRF_ENABLED"] = True
    yield shared_world
    shared_world.app.config["WTF_CSRF_ENABLED"] = False


def test_every_post_without_its_csrf_token_is_refused_and_changes_nothing(csrf_on):
    """Signed in as someone allowed everywhere (an admin who owns organisation A), so only the
    missing token stands in the way."""
    world = csrf_on
    before = world.snapshot()
    client = world.client("everything")
    posts = [r for r in rules(world.app) if "POST" in methods(r)]
    problems = []
    checked = 0
    for _rule, method, url in _requests(world, posts):
        if method != "POST":
            continue
        response = client.post(url, data=FORM)
        checked += 1
        if response.status_code != 400 or b"Your form has expired" not in response.data:
            problems.append((url, response.status_code))
    assert not problems, problems
    assert checked > 40
    assert world.snapshot() == before


def test_a_post_with_its_token_goes_through(csrf_on):
    """The control for the sweep above: the same kind of form with its token works."""
    from tests.accounts.conftest import csrf_token

    world = csrf_on
    client = world.client("admin")
    page = client.get(f"/staff/people/{world.ids['editor_a']}")
    token = csrf_token(page.data)
    response = client.post(
        f"/staff/people/{world.ids['editor_a']}/role",
        data={"role": "none", "csrf_token": token},
    )
    assert response.status_code == 303  # already "none": nothing changes, but it was accepted


def test_every_public_route_answers_anyone_without_a_500(shared_world):
    """Anonymous visitors and B's owner on every public route, with A's ids and junk tokens."""
    problems = []
    for who in (None, "owner_b"):
        client = shared_world.client(who)
        for _rule, method, url in _requests(shared_world, rules(shared_world.app, public=True)):
            if url.endswith("/sign-out") and method == "POST":
                continue  # would end the sweep's own session
            status = _call(client, method, url).status_code
            if status >= 500 and not (url == "/readyz" and status == 503):  # "not ready"
                problems.append((who, method, url, status))
    assert not problems, problems
