"""Small follow-ups of issue 14 scope 7: the ask-for-help email's link is built from
``PUBLIC_BASE_URL`` (never the request's Host), the ask and offer journeys' session keys have
a shape, and their send limits honour ``RATELIMIT_ROUTES``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from directory.core.sessions import acceptable
from tests.help_requests.conftest import copy_of_seeds, walk
from tests.mylist.smtp import Inbox, mail_config, smtp_server


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as box:
        yield box


def test_the_ask_for_help_email_links_to_the_configured_site(tmp_path: Path, inbox: Inbox):
    app = copy_of_seeds(
        tmp_path,
        PUBLIC_BASE_URL="https://directory.example.org",
        TRUSTED_HOSTS="*",  # a proxy that passes any Host: the link must not follow it
        **mail_config(inbox),
    )
    client = app.test_client()
    client.environ_base["HTTP_HOST"] = "evil.example"
    walk(client)
    [received] = inbox.messages
    for body in (received.part("plain"), received.part("html")):
        assert "https://directory.example.org/" in body
        assert "evil.example" not in body
    app.extensions["database"].engine.dispose()


@pytest.mark.parametrize(
    ("key", "good", "bad"),
    [
        ("ask_for_help", {"asked": "food"}, "food"),
        ("ask_for_help_sent", {"reference": "H2H-ABCD-EF"}, ["H2H-ABCD-EF"]),
        ("offer_help_draft", "a-draft-token", {"token": 1}),
        ("offer_help_sent", {"reference": "V-1", "kind": "volunteer"}, "V-1"),
        ("_db_primary_until", 1796620540.6, "tomorrow"),
    ],
)
def test_the_journeys_session_keys_have_a_shape(key: str, good: Any, bad: Any) -> None:
    assert acceptable(key, good)
    assert not acceptable(key, bad)


@pytest.mark.parametrize(
    ("endpoint", "url", "setting"),
    [
        ("ask.send", "/ask-for-help/check", "RATELIMIT_ASK"),
        ("offer_help.check", "/offer-help/check", "RATELIMIT_OFFER"),
    ],
)
def test_the_send_limits_honour_ratelimit_routes(
    make_app: Callable[..., Flask], endpoint: str, url: str, setting: str
) -> None:
    limits = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
    app = make_app(
        **limits,
        **{setting: "50 per minute", "RATELIMIT_ROUTES": json.dumps({endpoint: "2 per minute"})},
    )
    client = app.test_client()
    assert [client.post(url).status_code for _ in range(3)] == [303, 303, 429]
    plain = make_app(**limits, **{setting: "2 per minute"}).test_client()
    assert [plain.post(url).status_code for _ in range(3)] == [303, 303, 429]
