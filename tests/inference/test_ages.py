"""Ages that say who a listing is for, and numbers that are not ages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.inference.ages import CHILDREN, OLDER, YOUNG, age_groups


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("Aged 60 and over.", OLDER),
        ("aged 55 or older", OLDER),
        ("A club for the over 50s", OLDER),
        ("Suitable for people over 65 who have had a fall.", OLDER),
        ("aged 55+", OLDER),
        ("Our 50+ club meets on Fridays", OLDER),
        ("Open to 11-19 year olds", YOUNG),
        ("For young people aged 16 to 24", YOUNG),
        ("Stay and play for under-5s", CHILDREN),
        ("Ages 0 - 4 with a parent", CHILDREN),
    ],
)
def test_an_age_that_marks_a_group(text, group):
    assert [code for code, _ in age_groups(text)] == [group]


@pytest.mark.parametrize(
    "text",
    [
        "Aged 18 and over.",
        "Aged 5 to 17.",  # children and teenagers: no one group
        "Runs 10am to 12 noon, Monday to Friday.",
        "Over 100 volunteers and over 60 groups.",
        "We run 50+ groups across the county.",
        "Tickets £5+ on the door.",
        "Under 10 minutes from the station.",
    ],
)
def test_numbers_that_mark_no_group(text):
    assert list(age_groups(text)) == []


def test_the_words_that_said_it_are_given():
    assert list(age_groups("Open to people aged 60 and over.")) == [(OLDER, "60 and over")]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789 -+aged over under yrs olds s'.\u2013"),
               max_size=120))  # fmt: skip
def test_no_text_makes_the_age_reader_raise(text):
    for code, words in age_groups(text):
        assert code in {OLDER, YOUNG, CHILDREN} and words
