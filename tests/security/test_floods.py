"""Abuse of the public forms: floods, hostile input and account enumeration.

* With rate limits on (memory storage here; Redis in production), a flood of any public POST
  form gets the site's 429 page, counted per client address: another address is not blocked.
* Whatever text goes into any field of the public and account forms (unicode, control
  characters, markup, 200,000 characters), the answer is never a 500 (hypothesis).
* Sign-in, reset and sign-up answer a known and an unknown email address byte for byte alike,
  once the CSRF token and the CSP nonce (random on every page) are set aside.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.accounts.models import StaffRole
from directory.db import db
from directory.feedback.models import ProblemReport
from tests.auth import PASSWORD, create_user
from tests.factories import make_service
from tests.security.conftest import World, rules

TOO_MANY = b"Sorry, there have been too many requests"
FLOOD_CAP = 100

#: Public POST routes deliberately outside the rate limits: they only change the visitor's own
#: list in their own cookie (no email, no database row), and a link worker adds a dozen
#: services in a minute (directory.extensions._UNLIMITED_ENDPOINTS).
UNLIMITED = {"mylist.add", "mylist.remove", "mylist.note", "mylist.clear"}

#: A plausible submission for each public form, so a flood looks like the real thing.
FLOOD_FORMS = {
    "accounts.sign_up": {
        "organisation_name": "Flood Group",
        "name": "Flo Od",
        "email": "flood@example.net",
        "password": "quiet harbour lantern 42",
        "confirm": "quiet harbour lantern 42",
    },
    "accounts.sign_in": {"email": "member@example.org", "password": "not the password"},
    "accounts.reset": {"email": "member@example.org"},
    "public.report": {"problem": "The phone number is wrong", "email": ""},
}


@pytest.fixture
def limited_app(make_app) -> tuple[Flask, dict[str, str]]:
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        service = make_service(db.session, "Upton Repair Cafe")
        db.session.commit()
        create_user(db.session, "member@example.org")
        ids = {"service_id": service.id}
    return app, ids


def _flood(client, url: str, data: dict) -> list:
    answers = []
    for _ in range(FLOOD_CAP):
        response = client.post(url, data=data)
        answers.append(response)
        if response.status_code == 429:
            break
    return answers


def test_every_public_form_is_rate_limited_per_address(limited_app):
    app, ids = limited_app
    values = {"service_id": ids["service_id"], "token": "not-a-real-token"}
    posts = [
        rule
        for rule in rules(app, public=True)
        if "POST" in (rule.methods or ()) and rule.endpoint not in UNLIMITED
    ]
    endpoints = {rule.endpoint for rule in posts}
    assert {"accounts.sign_up", "accounts.sign_in", "accounts.reset", "public.report"} <= endpoints
    problems = []
    for rule in posts:
        url = rule.build(values, append_unknown=False)[1]
        answers = _flood(app.test_client(), url, FLOOD_FORMS.get(rule.endpoint, {}))
        last = answers[-1]
        if (
            last.status_code != 429
            or TOO_MANY not in last.data
            or "Retry-After" not in last.headers
            or any(a.status_code >= 500 for a in answers)
        ):
            problems.append((url, [a.status_code for a in answers][-3:]))
            continue
        # Per client address: someone else at the same moment is served as usual.
        other = app.test_client().post(
            url,
            data=FLOOD_FORMS.get(rule.endpoint, {}),
            environ_base={"REMOTE_ADDR": "192.0.2.77"},
        )
        if other.status_code == 429:
            problems.append((url, "another address was blocked too"))
    assert not problems, problems


def test_a_report_flood_saves_only_what_the_limit_allows(limited_app):
    app, ids = limited_app
    answers = _flood(
        app.test_client(), f"/services/{ids['service_id']}/report", FLOOD_FORMS["public.report"]
    )
    assert answers[-1].status_code == 429
    with app.app_context():
        saved = db.session.query(ProblemReport).count()
    assert saved == len(answers) - 1 == 5  # RATELIMIT_REPORTS: 5 per minute


# Hostile input ------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The POST forms of a page: each one's action and field names (not its CSRF token)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []
        self._current: tuple[str, set[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._current = (attributes.get("action") or "", set())
            self.forms.append(self._current)
        elif tag in ("input", "textarea", "select") and self._current is not None:
            name = attributes.get("name")
            if name and name != "csrf_token" and attributes.get("type") != "submit":
                self._current[1].add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def _form_on(html: str, url: str) -> tuple[str, list[str]]:
    """The main form of a page (the one with the most fields; the header's sign-out button has
    none): where it posts and its fields."""
    parser = _Forms()
    parser.feed(html)
    action, fields = max(parser.forms, key=lambda form: len(form[1]))
    return action or url, sorted(fields)


HUGE = [
    "A" * 200_000,
    "💥" * 50_000,
    "\x00" * 2_000,
    "\r\n" * 20_000,
]
NASTY = [
    "<script>alert(1)</script>",
    "'; DROP TABLE user_account; --",
    "%s%n%x{0}{{7*7}}",
    "\u202egnp.exe",
    "\U0001d54f\U0001d536 \ufeff\u200b",
    "a@b",
    "a" * 65 + "@" + "b" * 250 + ".com",
    "../../etc/passwd",
    "http://evil.example/",
    "//evil.example",
    " ",
]
value = st.one_of(st.text(max_size=400), st.sampled_from(HUGE + NASTY))

#: The pages of the public and account forms, and who fills them in (None: nobody signed in).
FORM_PAGES = [
    (None, "/account/sign-up"),
    (None, "/account/sign-in"),
    (None, "/account/reset"),
    (None, "/services/{svc_b}/report"),
    (None, "/my-list/email"),
    (None, "/my-list/{svc_b}/note"),
    ("owner_a", "/account/name"),
    ("owner_a", "/account/password"),
    ("owner_a", "/account/organisations/{org_a}/people"),
    ("owner_a", "/account/organisations/{org_a}/people/{membership_a}/role"),
    ("admin", "/staff/people/"),
    ("admin", "/staff/people/{editor_a}"),
]

HYPOTHESIS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize(("who", "page"), FORM_PAGES)
def test_no_form_field_takes_the_site_down(shared_world: World, who, page):
    url = page.format(**shared_world.ids)
    client = shared_world.client(who)
    with client.session_transaction() as cookie:  # a list to email, share and note
        cookie["mylist"] = [[shared_world.ids["svc_b"], "Hillside Carers Cafe", ""]]
    shown = client.get(url)
    assert shown.status_code == 200, (url, shown.status_code)
    action, fields = _form_on(shown.get_data(as_text=True), url)
    assert fields, f"no form fields found on {url}"

    @HYPOTHESIS
    @given(st.fixed_dictionaries(dict.fromkeys(fields, value)))
    def post(answers):
        response = client.post(action, data=answers)
        assert response.status_code < 500, (action, response.status_code)

    post()


# Enumeration --------------------------------------------------------------------------------

_TOKEN = re.compile(rb'(name="csrf_token"(?: type="hidden")? value=")[^"]+')
_NONCE = re.compile(rb"nonce(=\"|-)[A-Za-z0-9_\-]+")


def _normalised(response, email: str) -> tuple:
    """The answer without what differs on every page (the token, the nonce) and without the
    address the visitor typed, which a page may show back to them."""
    body = _NONCE.sub(b"nonce", _TOKEN.sub(rb"\1TOKEN", response.data))
    body = body.replace(email.encode(), b"EMAIL")
    headers = sorted(
        (name, re.sub(r"'nonce-[^']+'", "nonce", value))
        for name, value in response.headers
        if name not in ("Set-Cookie", "Date", "X-Request-ID")  # the id is new on every request
    )
    return response.status_code, headers, body


def _answer(app: Flask, path: str, form: dict) -> list:
    """What a new visitor sees posting ``form``, and on the page it leads to; and what is left
    in their session cookie."""
    client = app.test_client()
    page = client.get(path)
    token = _TOKEN.search(page.data).group(0).split(b'value="')[1].decode()
    response = client.post(path, data={**form, "csrf_token": token})
    seen = [_normalised(response, form["email"])]
    if response.status_code in (302, 303):
        seen.append(_normalised(client.get(response.headers["Location"]), form["email"]))
    with client.session_transaction() as cookie:
        seen.append(sorted((k, "TOKEN" if k == "csrf_token" else v) for k, v in cookie.items()))
    return seen


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/account/sign-in", {"password": "not the right one 99"}),
        ("/account/reset", {}),
        (
            "/account/sign-up",
            {
                "organisation_name": "Upton Knitters",
                "name": "Kit Knitter",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        ),
    ],
)
def test_known_and_unknown_addresses_get_identical_answers(make_app, inbox, path, form):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_user(db.session, "known@example.org")
        create_user(db.session, "staff@example.org", staff_role=StaffRole.ADMIN)
    # Addresses of one length, so even Content-Length has nothing to tell.
    known = _answer(app, path, {**form, "email": "known@example.org"})
    unknown = _answer(app, path, {**form, "email": "nobod@example.org"})
    assert known == unknown
    staff = _answer(app, path, {**form, "email": "staff@example.org"})
    assert staff == unknown
    if path != "/account/sign-in":  # the owner of a known address was emailed: paths differed
        assert "known@example.org" in {to for m in inbox.messages for to in m.rcpt_tos}
