"""The scrubber: what a search may leave behind (docs/insights.md, "What a search leaves
behind"). Examples, then hypothesis: it never raises, and its output never holds anything
shaped like an email address, a phone number or a full postcode, whatever it is given."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from directory.insights.scrub import MAX_QUERY, outcode_of_place, scrub

NEED_WORDS = {"food", "carer", "debt", "bills", "lonely", "bereavement", "hungry"}

EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
PHONE = re.compile(r"\d(?:[\s\-().]*\d){6,}")
POSTCODE = re.compile(r"[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}")


def test_the_issue_example_keeps_only_the_outcode() -> None:
    found = scrub("my name is Jane Smith, call 07700 900123 at CH2 3AW, jane@example.org")
    assert found.outcode == "CH2"
    for gone in ("jane", "smith", "07700", "900123", "3aw", "ch2 3", "example", "@"):
        assert gone not in found.query
    assert set(found.query.split()) <= {"my", "name", "is", "call", "at"}


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("food bank near CH1 2HJ", "food bank near"),
        ("I am lonely since my husband died", "i am lonely since my husband died"),
        ("I am Sarah and I need food", "i am and i need food"),
        ("help for Mrs Okonkwo with bills", "help for with bills"),
        ("call me dave please 0124 4 123 456", "call me please"),
        ("food for Grace Liu", "food for"),
        ("jane okonkwo needs food", "needs food"),
        ("Carer support", "carer support"),
        ("debt advice Chester", "debt advice chester"),
        ("tel +44 (0)1244 123456 or www.example.org/jane", "tel or"),
        ("ref 12345678 for council tax", "ref for council tax"),
        ("it's Tom O'Brien, I'm hungry", "it's i'm hungry"),
        ("Will someone help", "will someone help"),
        ("born 01/02/1950 lonely", "born lonely"),
        ("family of 4 in 2 rooms", "family of 4 in 2 rooms"),
    ],
)
def test_examples(typed: str, kept: str) -> None:
    assert scrub(typed, NEED_WORDS).query == kept


def test_need_words_are_never_taken_for_names() -> None:
    assert scrub("my name is Carer", NEED_WORDS).query == "my name is carer"
    assert scrub("Food for Bereavement", NEED_WORDS).query == "food for bereavement"


def test_removing_something_never_joins_two_halves() -> None:
    assert scrub("CH2 x@y.z 3AW").query == ""
    assert scrub("0770 jane@x.org 0900 123").query == ""


def test_the_outcode_of_a_place() -> None:
    assert outcode_of_place("ch23aw") == "CH2"
    assert outcode_of_place(" CH2 ") == "CH2"
    assert outcode_of_place("Hoole, CH2 3AW") == "CH2"
    assert outcode_of_place("Chester") is None
    assert outcode_of_place(None) is None  # type: ignore[arg-type]


def test_long_and_odd_input() -> None:
    assert len(scrub("food " * 10_000).query) <= MAX_QUERY
    assert scrub(None).query == ""  # type: ignore[arg-type]
    assert scrub("\x00\u202e\ufeff").query == ""
    assert scrub("\uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13").query == ""


hostile = st.text(
    alphabet=st.sampled_from(
        [
            *"abcdefghjkmnprstuwxyzABCHJKLMNPRSTW0123456789 @.-()+/_,'\n\t",
            "\u0660",
            "\u06f5",
            "\uff10",
            "\u212a",
            "\u017f",
            "\u0131",
            "\u00e9",
            "\u200b",
        ]
    ),
    max_size=300,
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=400), hostile), st.sets(st.sampled_from(sorted(NEED_WORDS))))
@example("my name is Jane Smith, call 07700 900123 at CH2 3AW, jane@example.org", set())
@example("CH2\u00a03AW", set())
@example("0\u06601\u06602\u06603", set())
def test_never_raises_and_never_keeps_a_pattern(text: str, keep: set[str]) -> None:
    found = scrub(text, keep)
    assert isinstance(found.query, str) and len(found.query) <= MAX_QUERY
    assert not EMAIL.search(found.query)
    assert "@" not in found.query
    assert not PHONE.search(found.query)
    assert not POSTCODE.search(found.query)
    assert found.outcode is None or re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?", found.outcode)
