"""The plain rules under the wizard: times people type, sessions as ORUK schedules, the step
order, and what counts as a minor edit."""

from __future__ import annotations

import copy

import pytest

from directory.manage import wizard
from directory.manage.minor import changed_fields, is_minor, small_rewording
from directory.manage.sessions import (
    describe_session,
    parse_time_text,
    schedule_from_session,
    session_from_schedule,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("10am", "10:00"), ("2.30pm", "14:30"), ("14:00", "14:00"), ("9", "09:00"),
     ("12pm", "12:00"), ("12am", "00:00"), ("noon", "12:00"), (" 7 P.M. ", "19:00"),
     ("25:00", None), ("13pm", None), ("10:75", None), ("ten", None), ("", None)],
)  # fmt: skip
def test_times_are_read_as_people_write_them(typed, stored):
    assert parse_time_text(typed) == stored


SESSIONS = [
    ({"frequency": "weekly", "days": ["MO", "WE"], "week": "", "first_date": "",
      "opens": "09:00", "closes": "17:00"}, "Every Monday and Wednesday, 9am to 5pm"),
    ({"frequency": "fortnightly", "days": ["TU"], "week": "", "first_date": "2027-03-02",
      "opens": "10:00", "closes": "12:00"}, "Every other Tuesday, 10am to midday"),
    ({"frequency": "monthly", "days": ["TH"], "week": "1", "first_date": "",
      "opens": "19:00", "closes": "21:00"}, "First Thursday of the month, 7pm to 9pm"),
    ({"frequency": "monthly", "days": ["FR"], "week": "-1", "first_date": "",
      "opens": "14:00", "closes": "16:00"}, "Last Friday of the month, 2pm to 4pm"),
]  # fmt: skip


@pytest.mark.parametrize(("session", "words"), SESSIONS)
def test_a_session_becomes_an_oruk_schedule_and_reads_back(session, words):
    schedule = schedule_from_session(session, "s1")
    assert schedule["timezone"] == "Europe/London" and schedule["id"] == "s1"
    assert schedule["description"] == words
    assert describe_session(session) == words
    assert session_from_schedule(schedule) == session


def test_schedules_the_form_cannot_say_are_left_as_words():
    assert session_from_schedule({"freq": "DAILY", "opens_at": "09:00"}) is None
    assert (
        session_from_schedule({"freq": "MONTHLY", "bymonthday": "15", "opens_at": "9:00"}) is None
    )
    assert session_from_schedule({"freq": "WEEKLY", "byday": "MO"}) is None  # no times
    assert (
        session_from_schedule({"freq": "WEEKLY", "interval": 2, "byday": "MO", "opens_at": "09:00"})
        is None
    )  # which weeks?


def test_the_steps_follow_the_answers():
    state: wizard.State = {}
    assert [s.slug for s in wizard.applicable(state)] == [
        "organisation", "service", "who", "cost", "access", "contact", "where", "when",
        "area", "needs"]  # fmt: skip
    state = wizard.save(state, "where", {"mode": "address"})
    assert wizard.next_step(state, "where") == "address"
    assert wizard.next_step(state, "address") == "when"
    state = wizard.save(state, "where", {"mode": "place"})
    assert wizard.next_step(state, "where") == "place"
    assert wizard.resume_step(state) == "organisation"
    for step in wizard.applicable(state):
        state = wizard.save(state, step.slug, {})
    assert wizard.resume_step(state) is None
    assert wizard.next_step(state, "cost", from_check=True) is None
    state = wizard.save(state, "where", {"mode": "address"})
    assert wizard.next_step(state, "where", from_check=True) == "address"


BASE = {
    "id": "s", "name": "Knit and Natter", "status": "active",
    "description": "A friendly knitting group for anyone in Hoole. Tea and cake every week.",
    "email": "knit@example.org", "url": "https://knit.example.org",
    "contacts": [{"id": "c", "name": "Sue", "phones": [{"id": "p", "number": "01632 960555"}]}],
    "schedules": [{"id": "h", "freq": "WEEKLY", "byday": "WE", "opens_at": "14:00:00",
                   "service_at_location_id": "sal"}],
    "service_at_locations": [{"id": "sal", "location_id": "hoole"}],
    "attributes": [{"id": "a", "link_type": "need", "taxonomy_term_id": "t1"}],
    "minimum_age": 18, "last_modified": "2026-01-01T00:00:00.000Z",
    "organization": {"id": "o", "name": "Hoole Friends", "description": ""},
}  # fmt: skip


def _edit(**changes):
    payload = copy.deepcopy(BASE)
    payload.update(changes)
    return payload


def test_contact_details_opening_times_and_small_rewording_are_minor():
    assert is_minor(BASE, _edit(email="new@example.org", url="https://new.example.org"))
    phones = [{"id": "p", "number": "01632 960999"}]
    assert is_minor(BASE, _edit(contacts=[{"id": "c", "name": "Pat", "phones": phones}]))
    later = [{**BASE["schedules"][0], "opens_at": "15:00:00", "byday": "TH"}]
    assert is_minor(BASE, _edit(schedules=later))
    reworded = "A friendly knitting group for anyone in Hoole. Tea and cake every fortnight."
    assert is_minor(BASE, _edit(description=reworded))
    # Spelling that means nothing is no change, and no change is not an edit to publish.
    assert changed_fields(BASE, _edit(description=" " + BASE["description"] + "\n")) == set()
    assert not is_minor(BASE, copy.deepcopy(BASE))


def test_anything_else_waits_for_a_moderator():
    assert not is_minor(BASE, _edit(name="Knit Club"))
    assert not is_minor(BASE, _edit(minimum_age=16))
    assert not is_minor(BASE, _edit(attributes=[]))
    assert not is_minor(BASE, _edit(service_at_locations=[{"id": "x", "location_id": "hub"}]))
    assert not is_minor(BASE, _edit(organization={**BASE["organization"], "name": "Other"}))
    assert not is_minor(BASE, _edit(description="Tai chi for older people in Upton."))
    moved = [{**BASE["schedules"][0], "service_at_location_id": "elsewhere"}]
    assert not is_minor(BASE, _edit(schedules=moved))
    assert not is_minor(BASE, _edit(email="new@example.org", name="Knit Club"))
    assert not is_minor(None, BASE)


def test_small_rewording_is_measured_in_words():
    assert small_rewording("Open to all. Tea and cake.", "Open to all: tea, and cake!")
    assert not small_rewording("Open to all.", "Closed until further notice, sorry.")
    assert not small_rewording("", "Anything")
