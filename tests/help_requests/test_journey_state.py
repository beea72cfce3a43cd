"""The answers between pages as plain functions over a session mapping (no request): which
question comes next, what a hand-edited or old cookie reads as, and the cookie budget."""

from __future__ import annotations

from directory.help_requests import journey
from directory.help_requests.models import Urgency

COMPLETE = {
    "safe": True,
    "asked": True,
    "details": "I feel lonely",
    "needs": ["term-1"],
    "for": "someone_else",
    "postcode": "CH1 2HJ",
    "outcode": "CH1",
    "latitude": 53.19,
    "longitude": -2.89,
    "seen": True,
    "shown": 3,
    "name": "Jo",
    "phone": "",
    "email": "jo@example.net",
    "contact_by": "email",
    "contact_times": "",
    "urgency": "today",
    "consent": True,
}


def test_each_question_waits_for_the_ones_before_it():
    store: dict = {}
    assert journey.first_missing(store, "safety") is None
    assert journey.first_missing(store, "check") == "safety"
    journey.update(store, safe=True, asked=True)
    assert journey.first_missing(store, "who") == "confirm"
    journey.update(store, needs=[])  # "None of these" is an answer
    assert journey.first_missing(store, "who") is None
    assert journey.first_missing(store, "check") == "who"
    store[journey.SESSION_KEY] = dict(COMPLETE)
    assert journey.complete(store)
    journey.update(store, consent=None)
    assert journey.first_missing(store, "check") == "consent"


def test_a_cookie_that_is_not_ours_reads_as_no_answers():
    for junk in (None, "text", ["a"], 42):
        assert journey.read({journey.SESSION_KEY: junk}) == {}
        assert journey.first_missing({journey.SESSION_KEY: junk}, "need") == "safety"


def test_the_answers_as_a_request():
    answers = journey.request_answers({journey.SESSION_KEY: COMPLETE})
    assert answers.needs == ["term-1"] and answers.for_someone_else is True
    assert answers.phone is None and answers.email == "jo@example.net"
    assert answers.urgency is Urgency.TODAY and answers.contact_times is None
    assert answers.extra == {"services_shown": 3}


def test_odd_values_fall_back_safely():
    odd = {**COMPLETE, "urgency": "yesterday", "contact_by": "pigeon", "latitude": True,
           "needs": ["term-1", 7, None]}  # fmt: skip
    answers = journey.request_answers({journey.SESSION_KEY: odd})
    assert answers.urgency is Urgency.NOT_URGENT and answers.contact_by == "either"
    assert answers.latitude is None and answers.needs == ["term-1"]


def test_clearing_removes_every_answer():
    store = {journey.SESSION_KEY: dict(COMPLETE), "mylist": []}
    journey.clear(store)
    assert store == {"mylist": []}


def test_the_cookie_budget_is_measured_on_the_signed_cookie(app):
    store: dict = {}
    assert journey.fits(app, store, details="a" * 1000)
    assert journey.cookie_size(app, {"x": "a" * 1000}) < 200  # compressed
    noisy = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(1500))
    assert journey.cookie_size(app, {"x": noisy}) > 3800
    assert not journey.fits(app, store, details=noisy)
