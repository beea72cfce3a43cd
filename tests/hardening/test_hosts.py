"""Host header poisoning (issue 14, scope 9): ``Host: evil.example`` on ``POST /my-list/email``
sent an email linking to evil.example; share links and the OpenAPI ``servers`` followed the
Host header too.

Now every absolute link comes from ``PUBLIC_BASE_URL`` (directory.core.urls.external_url), and
a Host the site is not configured for gets a plain 400 before the app runs. Each email-sending
route is tried twice: with a foreign Host (refused, nothing sent, nothing changed) and with a
trusted Host that is not the configured address (the email's links still use the configured
one).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from directory.core.urls import TrustedHostsMiddleware, external_url, trusted_hosts
from directory.feedback.models import ProblemReport
from tests.hardening.conftest import BASE
from tests.mylist.smtp import Inbox
from tests.security.conftest import World

EVIL = "evil.example"
#: Trusted (localhost always is by default) but not the configured address; the test client's
#: cookies (for "localhost") still go with it.
OTHER = "localhost:8000"
_URL = re.compile(r"https?://[^\s\"'<>]+")


@dataclass(frozen=True)
class Sender:
    """One request that sends an email: who makes it, where, with what."""

    name: str
    who: str | None
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]]
    setup: Callable[[World], None] | None = None


def _open_report(world: World) -> None:
    def add(session: Any) -> None:
        report = ProblemReport(service_id=world.ids["svc_a"], problem="The hall has moved")
        session.add(report)
        session.flush()
        world.ids["open_report"] = report.id

    world.run(add)


SENDERS = [
    Sender(
        "my list by email",
        None,
        lambda w: "/my-list/email",
        lambda w: {"email": "resident@example.net"},
    ),
    Sender(
        "sign up",
        None,
        lambda w: "/account/sign-up",
        lambda w: {
            "organisation_name": "Upton Knitters",
            "name": "Kit Knitter",
            "email": "kit@example.net",
            "password": "quiet harbour lantern 42",
            "confirm": "quiet harbour lantern 42",
        },
    ),
    Sender(
        "password reset",
        None,
        lambda w: "/account/reset",
        lambda w: {"email": "rita@riverside.example.org"},
    ),
    Sender(
        "invitation",
        "owner_a",
        lambda w: f"/account/organisations/{w.ids['org_a']}/people",
        lambda w: {"email": "newbie@example.net", "role": "editor"},
    ),
    Sender(
        "listing approved",
        "moderator",
        lambda w: f"/staff/moderation/proposals/{w.ids['submitted']}",
        lambda w: {"decision": "approve"},
    ),
    Sender(
        "report passed to the organisation",
        "moderator",
        lambda w: f"/staff/reports/{w.ids['open_report']}/pass",
        lambda w: {},
        _open_report,
    ),
]


def _post(world: World, sender: Sender, host: str):
    client = world.client(sender.who)
    with client.session_transaction() as cookie:
        cookie["mylist"] = [[world.ids["svc_b"], "Hillside Carers Cafe", ""]]
    return client.post(sender.url(world), data=sender.data(world), headers={"Host": host})


def _links(inbox: Inbox) -> list[str]:
    found = []
    for message in inbox.messages:
        for subtype in ("plain", "html"):
            found.extend(_URL.findall(message.part(subtype)))
    return found


@pytest.mark.parametrize("sender", SENDERS, ids=lambda s: s.name)
def test_email_links_come_from_the_configured_address(world: World, inbox: Inbox, sender):
    if sender.setup:
        sender.setup(world)
    before = world.snapshot()

    refused = _post(world, sender, EVIL)
    assert refused.status_code == 400
    assert b"does not answer to that host name" in refused.data
    assert inbox.messages == []
    assert world.snapshot() == before

    sent = _post(world, sender, OTHER)
    assert sent.status_code in (200, 302, 303), sent.status_code
    assert inbox.messages, f"{sender.name}: no email was sent"
    links = _links(inbox)
    ours = [link for link in links if link.startswith(BASE + "/")]
    assert ours, f"{sender.name}: no link to the site in {links}"
    for link in links:
        assert EVIL not in link and "127.0.0.1" not in link and "localhost" not in link, link


def test_with_host_checks_off_links_still_ignore_the_host(make_app, inbox: Inbox):
    """``TRUSTED_HOSTS=*`` (a proxy checks the host): a poisoned Host reaches the app, and
    the email still links to the configured address only."""
    from tests.factories import make_service

    app = make_app(TRUSTED_HOSTS="*")
    with app.app_context():
        from directory.db import db

        service = make_service(db.session, "Upton Repair Cafe")
        db.session.commit()
        service_id = service.id
    client = app.test_client()
    with client.session_transaction(headers={"Host": EVIL}) as cookie:
        cookie["mylist"] = [[service_id, "Upton Repair Cafe", ""]]
    response = client.post(
        "/my-list/email", data={"email": "resident@example.net"}, headers={"Host": EVIL}
    )
    assert response.status_code == 303
    links = _links(inbox)
    assert links and all(EVIL not in link for link in links)
    assert any(link.startswith(BASE + "/") for link in links)


def test_share_links_calendar_and_openapi_use_the_configured_address(world: World):
    client = world.client()
    with client.session_transaction() as cookie:
        cookie["mylist"] = [[world.ids["svc_b"], "Hillside Carers Cafe", ""]]
    created = client.post("/my-list/share", data={}, headers={"Host": OTHER})
    assert created.status_code == 303
    page = client.get(created.headers["Location"], headers={"Host": OTHER}).get_data(True)
    assert re.search(rf'value="{re.escape(BASE)}/my-list/shared/[^"]+"', page), page[:2000]
    assert "localhost" not in page

    document = client.get("/api/openapi.json", headers={"Host": OTHER}).get_json()
    assert document["servers"][0]["url"] == BASE + "/api"
    assert client.get("/api/", headers={"Host": OTHER}).get_json()["openapi_url"] == (
        BASE + "/api/openapi.json"
    )
    calendar = client.get(f"/places/{world.ids['hub']}/sessions.ics", headers={"Host": OTHER})
    assert calendar.status_code == 200
    assert OTHER not in calendar.get_data(True)

    for path in ("/api/openapi.json", f"/places/{world.ids['hub']}/sessions.ics", "/my-list"):
        assert client.get(path, headers={"Host": EVIL}).status_code == 400


def test_forwarded_hosts_are_checked_after_the_proxy_fix(make_app):
    """Behind a proxy (TRUSTED_PROXY_COUNT), the forwarded host is the one checked."""
    app = make_app(TRUSTED_PROXY_COUNT=1)
    client = app.test_client()
    assert client.get("/healthz", headers={"X-Forwarded-Host": EVIL}).status_code == 400
    good = client.get("/healthz", headers={"X-Forwarded-Host": "directory.example.org"})
    assert good.status_code == 200


def test_trusted_hosts_setting():
    assert trusted_hosts({"PUBLIC_BASE_URL": BASE}) == [
        "directory.example.org",
        "localhost",
        "127.0.0.1",
    ]
    assert trusted_hosts({"PUBLIC_BASE_URL": BASE, "SERVER_NAME": "other.example:8080"}) == [
        "directory.example.org",
        "other.example",
        "localhost",
        "127.0.0.1",
    ]
    assert trusted_hosts({"TRUSTED_HOSTS": " A.example, .b.example "}) == [
        "a.example",
        ".b.example",
    ]
    assert trusted_hosts({"TRUSTED_HOSTS": "*"}) is None


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("a.example", True),
        ("A.EXAMPLE:8443", True),
        ("www.b.example", True),
        ("b.example", True),
        ("evil.example", False),
        ("a.example.evil.example", False),
        ("a.example@evil.example", False),
        ("", False),
    ],
)
def test_the_middleware_refuses_other_hosts(host: str, allowed: bool):
    seen = []

    def inner(environ: dict, start_response: Callable) -> list[bytes]:
        seen.append(environ["HTTP_HOST"])
        start_response("200 OK", [])
        return [b"ok"]

    middleware = TrustedHostsMiddleware(inner, ["a.example", ".b.example"])
    statuses = []
    environ = {
        "HTTP_HOST": host,
        "wsgi.url_scheme": "https",
        "SERVER_NAME": "",
        "SERVER_PORT": "443",
    }
    body = middleware(environ, lambda status, headers: statuses.append(status))
    assert (statuses[0] == "200 OK") is allowed
    assert (seen == [host.lower()]) is allowed
    assert b"".join(body) == (b"ok" if allowed else TrustedHostsMiddleware.BODY)


def test_external_url_works_without_a_request_and_keeps_a_path_prefix(app: Flask):
    app.config["PUBLIC_BASE_URL"] = "https://council.example/directory/"
    with app.app_context():
        assert external_url("public.privacy") == "https://council.example/directory/privacy"
        assert external_url("public.search", q="food bank") == (
            "https://council.example/directory/search?q=food+bank"
        )
        assert (
            external_url("public.home", _anchor="top") == "https://council.example/directory/#top"
        )
