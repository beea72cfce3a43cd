"""Availability slots and the words of the reasons, on their own."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.matching import slots, wording
from directory.matching.slots import ALL_SLOTS, describe, parse_slots, slots_from_text

WEEKDAY_MORNINGS = frozenset((d, "am") for d in range(5))


def test_stored_slots_are_read_and_junk_is_skipped():
    assert parse_slots(["mon-am", "SAT-PM", "Sunday-eve", "xyz-am", "mon-noon", 7, None]) == {
        (0, "am"),
        (5, "pm"),
        (6, "eve"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Weekday mornings", WEEKDAY_MORNINGS),
        ("any time", ALL_SLOTS),
        ("Anytime is fine", ALL_SLOTS),
        ("after 6pm on Tuesdays", frozenset({(1, "eve")})),
        ("before 10am", frozenset((d, "am") for d in range(7))),
        ("weekends", frozenset((d, p) for d in (5, 6) for p in ("am", "pm", "eve"))),
        ("mon-am, tue-pm", frozenset({(0, "am"), (1, "pm")})),
        ("2pm Thursday", frozenset({(3, "pm")})),
    ],
)
def test_a_persons_words_become_slots(text, expected):
    assert slots_from_text(text) == expected


@pytest.mark.parametrize("text", [None, "", "please ring me", "07700 900123"])
def test_words_naming_no_time_are_unknown_not_never(text):
    assert slots_from_text(text) is None


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], "any time"),
        ([f"{d}-am" for d in ("mon", "tue", "wed", "thu", "fri")], "weekday mornings"),
        (["sat-pm"], "Saturday afternoons"),
        (["sat-am", "sun-am"], "weekend mornings"),
        (["mon-eve", "wed-eve"], "Monday and Wednesday evenings"),
        ([f"{d}-eve" for d in slots.DAYS], "every evening"),
        (["tue-am", "tue-pm", "tue-eve"], "all day on Tuesday"),
        (["sat-pm", *(f"{d}-eve" for d in slots.DAYS)], "Saturday afternoons and every evening"),
    ],
)
def test_slots_in_plain_words(values, expected):
    assert describe(parse_slots(values)) == expected


def test_soon_means_today_or_tomorrow():
    sunday_only = parse_slots(["sun-am"])
    assert slots.soon(sunday_only, 6) and slots.soon(sunday_only, 5)
    assert not slots.soon(sunday_only, 2)
    assert slots.soon(frozenset(), 2)  # any time


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_reads_without_error(text):
    found = slots_from_text(text)
    assert found is None or found <= ALL_SLOTS
    assert isinstance(describe(found or ()), str)


@settings(max_examples=100, deadline=None)
@given(st.sets(st.sampled_from(sorted(ALL_SLOTS))))
def test_every_set_of_slots_can_be_described(chosen):
    text = describe(chosen)
    assert text and "  " not in text


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, "today"), (1, "yesterday"), (5, "5 days ago"), (20, "2 weeks ago"),
     (75, "2 months ago"), (200, "7 months ago"), (400, "over a year ago"),
     (800, "over 2 years ago")],
)  # fmt: skip
def test_how_long_ago(days, expected):
    today = date(2026, 6, 30)
    assert wording.ago(date.fromordinal(today.toordinal() - days), today) == expected


def test_needs_reason_and_labels():
    assert (
        wording.needs_reason("Offers", ["Shopping", "Food"], [], []) == "Offers shopping and food"
    )
    assert (
        wording.needs_reason("Helps with", ["Food"], ["Loneliness and isolation"], [])
        == "Helps with food, not loneliness and isolation"
    )
    assert wording.join_words(["food", "loneliness and isolation"]) == (
        "food, and loneliness and isolation"
    )
    assert wording.lower_label("NHS Talking Therapies") == "NHS Talking Therapies"


@pytest.mark.parametrize(
    ("km", "expected"),
    [(0.05, "Under 100 m away"), (0.8, "800 m away"), (2.14, "2.1 km away"), (14.4, "14 km away")],
)
def test_distances(km, expected):
    assert wording.distance_text(km) == expected
