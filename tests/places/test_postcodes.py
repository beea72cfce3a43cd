"""Postcode normalisation follows the published format rules and never trips on bad input."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.places.postcodes import (
    OUTCODE_RE,
    POSTCODE_RE,
    compact_postcode,
    find_postcode_in,
    is_outcode,
    is_postcode,
    normalise_outcode,
    normalise_postcode,
    outcode_of,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CH1 1AA", "CH1 1AA"),
        ("ch11aa", "CH1 1AA"),
        (" CH1  1AA ", "CH1 1AA"),
        ("Ch1 1aA", "CH1 1AA"),
        ("ch1\t1aa\n", "CH1 1AA"),
        ("CH1\u00a01AA", "CH1 1AA"),  # non-breaking space pasted from a web page
        ("\uff23\uff28\uff11 \uff11\uff21\uff21", "CH1 1AA"),  # full-width characters
        ("CH650DP", "CH65 0DP"),  # AA99 9AA
        ("M1 1AE", "M1 1AE"),  # A9 9AA
        ("B33 8TH", "B33 8TH"),  # A99 9AA
        ("CR2 6XH", "CR2 6XH"),  # AA9 9AA
        ("DN55 1PT", "DN55 1PT"),  # AA99 9AA
        ("W1A 0AX", "W1A 0AX"),  # A9A 9AA
        ("EC1A 1BB", "EC1A 1BB"),  # AA9A 9AA
        ("SW1A 2AA", "SW1A 2AA"),
        ("gir0aa", "GIR 0AA"),
        ("BT1 1AA", "BT1 1AA"),
        # Not postcodes:
        ("", None),
        ("   ", None),
        ("CH1", None),  # an outcode, not a full postcode
        ("CH1 1A", None),
        ("CH1 1AAA", None),
        ("CH1 1CA", None),  # C is never an inward letter
        ("CH1 1AI", None),  # nor is I
        ("QH1 1AA", None),  # Q never starts a postcode
        ("VA1 1AA", None),
        ("XA1 1AA", None),
        ("CI1 1AA", None),  # I never second
        ("AZ1 1AA", None),  # nor Z
        ("W1I 0AX", None),  # I not allowed in A9A
        ("EC1C 1BB", None),  # C not allowed in AA9A
        ("BFPO 1234", None),  # BFPO is out
        ("ASCN 1ZZ", None),  # overseas territories are out
        ("NPT 0AD", None),  # pre-1984 Newport format
        ("CH1-1AA", None),
        ("1CH 1AA", None),
        ("CH1 1AA" * 2, None),
        ("CH1\x001AA", None),
        ("CH1 1AA\U0001f600", None),
        ("\U0001f600", None),
        ("x" * 10_000, None),
    ],
)
def test_normalise_postcode(text: str, expected: str | None) -> None:
    assert normalise_postcode(text) == expected
    assert is_postcode(text) is (expected is not None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ch1", "CH1"),
        (" CH65 ", "CH65"),
        ("ec1a", "EC1A"),
        ("W1A", "W1A"),
        ("m1", "M1"),
        ("CH", None),  # an area, not an outcode
        ("CH1 1AA", None),
        ("CH123", None),
        ("Q1", None),
        ("EC1C", None),
        ("", None),
        ("\x00", None),
    ],
)
def test_normalise_outcode(text: str, expected: str | None) -> None:
    assert normalise_outcode(text) == expected
    assert is_outcode(text) is (expected is not None)


def test_outcode_of_and_compact_form() -> None:
    assert outcode_of("ch650dp") == "CH65"
    assert outcode_of("gir 0aa") == "GIR"
    assert outcode_of("nonsense") is None
    assert compact_postcode(" ch1 1aa ") == "CH11AA"
    assert compact_postcode("CH1") is None


def test_finds_a_postcode_inside_an_address() -> None:
    assert find_postcode_in("Town Hall, Northgate St, Chester CH1 2HJ") == "CH1 2HJ"
    assert find_postcode_in("chester ch12hj, uk") == "CH1 2HJ"
    assert find_postcode_in("Flat 12, 3 High Street") is None
    assert find_postcode_in("x" * 10_000) is None


def test_non_strings_are_not_postcodes() -> None:
    for value in (None, 123, b"CH1 1AA", ["CH1 1AA"]):
        assert normalise_postcode(value) is None  # type: ignore[arg-type]
        assert normalise_outcode(value) is None  # type: ignore[arg-type]


def test_huge_input_is_rejected_fast() -> None:
    texts = ["A" * 10_000_000, "\U0001f600" * 100_000, "\x00" * 100_000, " " * 1_000_000]
    started = time.perf_counter()
    for text in texts:
        assert normalise_postcode(text) is None
        assert normalise_outcode(text) is None
    assert time.perf_counter() - started < 0.05


@given(st.text(max_size=50))
def test_normalise_never_raises_and_output_is_canonical(text: str) -> None:
    result = normalise_postcode(text)
    assert result is None or POSTCODE_RE.fullmatch(result)
    outcode = normalise_outcode(text)
    assert outcode is None or OUTCODE_RE.fullmatch(outcode)


_letters = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_digits = st.sampled_from("0123456789")
_fragments = st.lists(st.one_of(_letters, _digits, st.sampled_from(" \t")), max_size=10)


@given(_fragments.map("".join))
def test_postcode_like_text_normalises_idempotently(text: str) -> None:
    result = normalise_postcode(text)
    if result is not None:
        assert POSTCODE_RE.fullmatch(result)
        assert normalise_postcode(result) == result
        assert normalise_postcode(result.lower().replace(" ", "")) == result
