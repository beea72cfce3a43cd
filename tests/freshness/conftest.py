"""Fixtures for the freshness tests: listings last checked a given time ago, a real SMTP
server, and a way to run the commands.

Dates are relative to the real today (UTC) unless a test passes ``--today``: the search index
and the public pages judge "hidden" against the real date, so listings meant to be hidden or
stale there are backdated rather than the clock moved forward.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from directory.db import db
from directory.freshness.services import add_months
from directory.listings.models import Organization, Service
from tests.factories import make_organization, make_service
from tests.mylist.smtp import Inbox, mail_config, smtp_server

BASE_URL = "https://directory.example.org"
#: Any email address at all: no command output, log line or page should hold one.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def today() -> date:
    return datetime.now(UTC).date()


def at(day: date) -> datetime:
    return datetime.combine(day, time(9), UTC)


def months_ago(months: int, days: int = 0) -> date:
    return add_months(today(), -months) - timedelta(days=days)


def listing(
    session: Session,
    name: str,
    checked: date,
    *,
    organization: Organization | None = None,
    created: date | None = None,
    **overrides: Any,
) -> Service:
    """A public listing last checked on ``checked``, in the directory since ``created``
    (default: the day it was checked)."""
    organization = organization or make_organization(session, f"{name} Trust")
    return make_service(
        session,
        name,
        organization=organization,
        assured_date=checked,
        last_modified=at(checked),
        created_at=at(created or checked),
        **overrides,
    )


@pytest.fixture
def inbox(app: Flask) -> Iterator[Inbox]:
    """A real SMTP server the app sends to; links are built from :data:`BASE_URL`."""
    with smtp_server() as server:
        app.config.update(mail_config(server))
        app.config["PUBLIC_BASE_URL"] = BASE_URL + "/"
        yield server


def run(app: Flask, *args: str) -> Any:
    """Run a ``flask`` command in its own app context (as cron would)."""
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def setup(app: Flask) -> Any:
    """``with setup(app) as session:`` an app context for arranging data, closed before
    requests are made (so each request gets its own session and signed-in user)."""
    return _Setup(app)


class _Setup:
    def __init__(self, app: Flask) -> None:
        self.context = app.app_context()

    def __enter__(self) -> Session:
        self.context.push()
        return db.session

    def __exit__(self, *exc: object) -> None:
        db.session.commit() if exc[0] is None else db.session.rollback()
        self.context.pop()


def confirm_link(message: Any) -> str:
    """The path of the "still correct" link in a received reminder."""
    text = message.part("plain")
    found = re.search(re.escape(BASE_URL) + r"(/freshness/confirm/[^\s]+)", text)
    assert found, "no confirm link in the email"
    return found.group(1)
