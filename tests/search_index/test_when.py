"""Time words in the what box ("lunch club wednesday", "let's talk this week") become a
filter on the listings' weekly sessions instead of words to find."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search_index.when import PERIODS, WEEKEND, take_time_words
from tests.search_index.test_engine import TUESDAY_11AM, names, run, world  # noqa: F401

MONDAY_9PM = datetime(2025, 11, 24, 21, 0)


@pytest.mark.parametrize(
    ("text", "rest", "days", "period"),
    [
        ("lunch club today", "lunch club", {1}, (11 * 60, 24 * 60)),
        ("let's talk this week", "let's talk", None, None),
        ("swimming at the weekend", "swimming", WEEKEND, None),
        ("walking group on saturdays", "walking group", {5}, None),
        ("something tuesday evening", "something", {1}, PERIODS["evening"]),
        ("tomorrow morning", "", {2}, PERIODS["morning"]),
        ("knit and natter monday or friday", "knit and natter", {0, 4}, None),
        ("art class in the afternoon", "art class", None, PERIODS["afternoon"]),
    ],
)
def test_time_words_are_taken_out_of_the_text(text, rest, days, period):
    left, when = take_time_words(text, TUESDAY_11AM)
    assert left == rest
    assert when is not None
    assert when.days == (frozenset(days) if days is not None else None)
    assert when.period == period


@pytest.mark.parametrize(
    "text", ["night shelter", "wed", "sunflower garden", "weekly coffee", "day centre"]
)
def test_words_that_only_look_like_time_stay_words(text):
    assert take_time_words(text, TUESDAY_11AM) == (text, None)


def test_tonight_starts_now_when_the_evening_has_begun():
    _, when = take_time_words("tonight", MONDAY_9PM)
    assert when is not None and when.days == {0} and when.period == (21 * 60, 24 * 60)


@given(st.text(max_size=300))
def test_any_text_is_either_left_alone_or_shortened(text):
    left, when = take_time_words(text, TUESDAY_11AM)
    assert (when is None) == (left == text)
    assert len(left) <= len(text)


def test_a_day_keeps_the_listings_with_sessions_that_day(world):  # noqa: F811
    wednesday = names(run(world, text="lunch club wednesday"))
    assert "Hoole Lunch Club" in wednesday
    assert "Hoole Lunch Club" not in names(run(world, text="lunch club friday"))


def test_a_part_of_the_day_keeps_sessions_running_then(world):  # noqa: F811
    results = run(world, text="debt monday morning", per_page=50)
    assert "Hoole Monday Money Drop-in" in names(results)
    assert "Hoole Monday Money Drop-in" not in names(run(world, text="debt monday afternoon"))
    assert any("sessions on Mondays in the morning" in m for m in results.messages)


def test_time_words_alone_list_what_is_on(world):  # noqa: F811
    everything = run(world, per_page=100)
    saturday = run(world, text="saturday", per_page=100)
    assert 0 < saturday.total < everything.total
    assert "Chester Walking Football" in names(saturday)
    assert not saturday.suggestion


def test_this_week_is_not_searched_for_as_words_and_hides_nothing(world):  # noqa: F811
    """'can't afford food this week' speaks of urgency: phone and delivery services with no
    timetable must still be found."""
    plain = run(world, text="debt", per_page=100)
    this_week = run(world, text="debt this week", per_page=100)
    assert names(this_week) == names(plain)
    assert "Cheshire Debt Helpline" in names(this_week)
    assert not any("sessions" in m for m in this_week.messages)
