"""The public form under attack: CSRF on every POST, the honeypot, a flood of requests, and
anything typed into any field never a 500."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.db import db
from directory.help_requests.journey import SESSION_KEY
from directory.help_requests.models import HelpRequest, SelfServed
from tests.help_requests.conftest import CONTACT, location, post, text_of, walk

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def count(app, model) -> int:
    with app.app_context():
        return db.session.query(model).count()


class TestCsrf:
    @pytest.fixture
    def app(self, make_app):
        return make_app(WTF_CSRF_ENABLED=True)

    def answer(self, client, path: str, data: dict, with_token: bool = True):
        html = client.get(path).get_data(as_text=True)
        token = TOKEN.search(html).group(1)
        return client.post(path, data={**data, **({"csrf_token": token} if with_token else {})})

    def test_every_step_needs_its_token_and_works_with_it(self, app):
        client = app.test_client()
        steps = [
            ("/ask-for-help/safety", {"urgent": "no"}),
            ("/ask-for-help/need", {"details": "I feel lonely"}),
            ("/ask-for-help/confirm-need", None),
            ("/ask-for-help/who", {"for_whom": "me"}),
            ("/ask-for-help/postcode", {"postcode": "CH1 2HJ"}),
            ("/ask-for-help/contact", CONTACT),
            ("/ask-for-help/consent", {"consent": "y"}),
            ("/ask-for-help/check", {}),
        ]
        for path, data in steps:
            if data is None:
                html = client.get(path).get_data(as_text=True)
                data = {"need": re.findall(r'value="([^"]+)" checked', html)}
            if path == "/ask-for-help/contact":
                assert client.get("/ask-for-help/services").status_code == 200
            refused = self.answer(client, path, data, with_token=False)
            assert refused.status_code == 400, path
            assert b"Your form has expired" in refused.data
            accepted = self.answer(client, path, data)
            assert accepted.status_code == 303, (path, text_of(accepted.data)[:300])
        assert location(accepted) == "/ask-for-help/sent"
        assert count(app, HelpRequest) == 1

    def test_this_is_what_i_needed_needs_its_token(self, app):
        client = app.test_client()
        html = walk_with_tokens(client)
        refused = client.post("/ask-for-help/self-served")
        assert refused.status_code == 400
        assert count(app, SelfServed) == 0
        token = TOKEN.search(html).group(1)
        assert (
            client.post("/ask-for-help/self-served", data={"csrf_token": token}).status_code == 303
        )
        assert count(app, SelfServed) == 1


def walk_with_tokens(client) -> str:
    """To the services page with CSRF on; its HTML."""
    for path, data in (
        ("/ask-for-help/safety", {"urgent": "no"}),
        ("/ask-for-help/need", {"need": ["food"]}),
        ("/ask-for-help/confirm-need", None),
        ("/ask-for-help/who", {"for_whom": "me"}),
        ("/ask-for-help/postcode", {"postcode": "CH1 2HJ"}),
    ):
        html = client.get(path).get_data(as_text=True)
        if data is None:
            data = {"need": re.findall(r'value="([^"]+)" checked', html)}
        client.post(path, data={**data, "csrf_token": TOKEN.search(html).group(1)})
    return client.get("/ask-for-help/services").get_data(as_text=True)


def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_kept(app, client):
    walk(client, until="check")
    response = post(client, "/ask-for-help/check", {"website": "http://spam.example"})
    assert location(response) == "/ask-for-help/sent"
    assert "Request sent" in text_of(client.get("/ask-for-help/sent").data)
    assert count(app, HelpRequest) == 0
    with client.session_transaction() as cookie:
        assert SESSION_KEY not in cookie


def test_the_honeypot_is_hidden_from_people(client):
    html = walk(client, until="check").get_data(as_text=True)
    hidden = html.split("<div hidden>", 1)[1].split("</div>", 1)[0]
    assert 'name="website"' in hidden and 'tabindex="-1"' in hidden


def test_a_flood_of_requests_is_stopped_after_the_limit(make_app):
    """``RATELIMIT_ASK`` (default 5 a minute) per client address: the sixth is refused with
    the site's 429 page and nothing more is saved; another address is served as usual."""
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    walk(client, until="check")
    with client.session_transaction() as cookie:
        answers = dict(cookie[SESSION_KEY])
    statuses = []
    for _ in range(8):
        with client.session_transaction() as cookie:
            cookie[SESSION_KEY] = answers
        response = client.post("/ask-for-help/check")
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses == [303] * 5 + [429]
    assert b"Sorry, there have been too many requests" in response.data
    assert "Retry-After" in response.headers
    assert count(app, HelpRequest) == 5
    other = app.test_client()
    with other.session_transaction() as cookie:
        cookie[SESSION_KEY] = answers
    served = other.post("/ask-for-help/check", environ_base={"REMOTE_ADDR": "192.0.2.77"})
    assert served.status_code == 303
    assert count(app, HelpRequest) == 6


HUGE = ["A" * 20_000, "💥" * 5_000, "\x00" * 200, "\r\n" * 2_000]
NASTY = [
    "<script>alert(1)</script>",
    "'; DROP TABLE help_request; --",
    "{{7*7}}%s%n",
    "\u202egnp.exe",
    "\ufeff\u200b",
    "a@b",
    "../../etc/passwd",
    " ",
]
value = st.one_of(st.text(max_size=300), st.sampled_from(HUGE + NASTY))
HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from tests.help_requests.conftest import copy_of_seeds

    app = copy_of_seeds(tmp_path_factory.mktemp("hostile"))
    client = app.test_client()
    walk(client, until="check")
    with client.session_transaction() as cookie:
        answers = dict(cookie[SESSION_KEY])
    yield app, client, answers
    app.extensions["database"].engine.dispose()


FIELDS = {
    "/ask-for-help/safety": ["urgent"],
    "/ask-for-help/need": ["details", "need"],
    "/ask-for-help/confirm-need": ["need"],
    "/ask-for-help/who": ["for_whom"],
    "/ask-for-help/postcode": ["postcode"],
    "/ask-for-help/contact": list(CONTACT),
    "/ask-for-help/consent": ["consent"],
    "/ask-for-help/check": ["website"],
}


@pytest.mark.parametrize("path", list(FIELDS))
def test_nothing_typed_into_any_field_takes_the_site_down(hostile, path):
    _app, client, answers = hostile

    @HYPOTHESIS
    @given(st.fixed_dictionaries(dict.fromkeys(FIELDS[path], value)))
    def send(data):
        with client.session_transaction() as cookie:
            cookie[SESSION_KEY] = answers
        response = client.post(path, data=data)
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code == 200:
            assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
        follow = client.get(path if path != "/ask-for-help/check" else "/ask-for-help/sent")
        assert follow.status_code < 500

    send()
