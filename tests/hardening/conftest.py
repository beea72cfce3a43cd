"""Fixtures for issue 14's hardening tests: apps on fresh copies of the migrated database, a
real SMTP server, and the security sweep's world (two organisations, staff, a proposal and a
report) where a test needs people and their things."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.delivered_inbox import DeliveredInbox
from tests.mylist.smtp import Inbox, smtp_server
from tests.security.conftest import World, build_world, new_app

#: The address the site is configured to have: not the test client's "localhost", so a link
#: built from the request would show up.
BASE = "https://directory.example.org"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """The SMTP server's inbox, read once queued account emails have left
    (tests/delivered_inbox.py)."""
    with smtp_server() as box:
        yield DeliveredInbox(box)  # type: ignore[misc]


@pytest.fixture
def make_app(
    migrated_sqlite_template: Path, tmp_path: Path, inbox: Inbox
) -> Iterator[Callable[..., Flask]]:
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = new_app(
            migrated_sqlite_template, tmp_path, inbox, **{"PUBLIC_BASE_URL": BASE, **overrides}
        )
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["database"].engine.dispose()


@pytest.fixture
def world(make_app: Callable[..., Flask]) -> World:
    return build_world(make_app())
