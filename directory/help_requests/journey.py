"""Where a person is in "Ask for help", and their answers so far.

The answers live in the signed session cookie until the request is sent: nothing about the
person reaches the database, a log or a URL before they say "Send", and nothing is kept if
they stop (closing the browser ends the session). The cookie is signed, not encrypted, which
is why it stays on their own device; it is cleared the moment the request is sent.

Each question needs the answers before it: :func:`first_missing` names the earliest question
not yet answered, and the pages send anyone who skips ahead (a bookmark, the Back button after
sending) there. A cookie holds about 4 KB shared with My list and the CSRF token, so
:func:`fits` measures an answer before it is kept and the page asks for a shorter one instead
of the browser silently dropping the cookie.

Functions take the session mapping as an argument, so they are tested without a request.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from flask import Flask

from directory.help_requests.models import Urgency
from directory.help_requests.services import RequestAnswers
from directory.mylist.session_list import COOKIE_BUDGET

SESSION_KEY = "ask_for_help"
#: The reference of the request just sent, for the confirmation page (no personal data).
SENT_KEY = "ask_for_help_sent"

#: The questions in order, and the answer each one gives (that later questions need).
STEPS = (
    ("safety", "safe"),
    ("need", "asked"),
    ("confirm", "needs"),
    ("who", "for"),
    ("postcode", "postcode"),
    ("services", "seen"),
    ("contact", "contact_by"),
    ("consent", "consent"),
    ("check", None),
)
STEP_NAMES = tuple(name for name, _ in STEPS)
WHO = ("me", "someone_else")
CONTACT_BY = ("phone", "email", "either")


def read(store: Mapping[str, Any]) -> dict[str, Any]:
    """The answers so far (a copy); anything that is not ours reads as no answers."""
    value = store.get(SESSION_KEY)
    return dict(value) if isinstance(value, dict) else {}


def update(store: MutableMapping[str, Any], **values: Any) -> None:
    """Keep these answers; ``None`` removes one."""
    answers = read(store)
    for key, value in values.items():
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
    store[SESSION_KEY] = answers


def clear(store: MutableMapping[str, Any]) -> None:
    store.pop(SESSION_KEY, None)


def first_missing(store: Mapping[str, Any], step: str) -> str | None:
    """The earliest question before ``step`` still to answer, or None when ``step`` may be
    shown."""
    answers = read(store)
    for name, gives in STEPS[: STEP_NAMES.index(step)]:
        if gives is not None and not _answered(answers, gives):
            return name
    return None


def _answered(answers: Mapping[str, Any], key: str) -> bool:
    if key == "needs":
        return isinstance(answers.get("needs"), list)
    return bool(answers.get(key))


def complete(store: Mapping[str, Any]) -> bool:
    return first_missing(store, "check") is None


def cookie_size(app: Flask, store: Mapping[str, Any]) -> int:
    """Bytes the session cookie's value would take holding ``store``."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    if serializer is None:
        return 0
    return len(serializer.dumps(dict(store)))


def fits(app: Flask, store: Mapping[str, Any], **values: Any) -> bool:
    """Whether the cookie would still fit a browser with these answers kept."""
    trial = dict(store)
    trial[SESSION_KEY] = {**read(store), **{k: v for k, v in values.items() if v is not None}}
    return cookie_size(app, trial) <= COOKIE_BUDGET


def for_someone_else(store: Mapping[str, Any]) -> bool:
    return read(store).get("for") == "someone_else"


def request_answers(store: Mapping[str, Any]) -> RequestAnswers:
    """The answers as :func:`~directory.help_requests.services.create_request` takes them
    (call only when :func:`complete`)."""
    answers = read(store)
    urgency = answers.get("urgency")
    return RequestAnswers(
        needs=[n for n in answers.get("needs", []) if isinstance(n, str)],
        details=answers.get("details") or None,
        for_someone_else=answers.get("for") == "someone_else",
        postcode=answers.get("postcode"),
        outcode=answers.get("outcode"),
        latitude=_number(answers.get("latitude")),
        longitude=_number(answers.get("longitude")),
        name=answers.get("name") or "",
        phone=answers.get("phone") or None,
        email=answers.get("email") or None,
        contact_by=answers.get("contact_by")
        if answers.get("contact_by") in CONTACT_BY
        else "either",
        contact_times=answers.get("contact_times") or None,
        urgency=Urgency(urgency) if urgency in {u.value for u in Urgency} else Urgency.NOT_URGENT,
        extra={"services_shown": int(answers.get("shown") or 0)},
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
