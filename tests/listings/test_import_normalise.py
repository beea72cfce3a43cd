"""The value cleaners the importer relies on, on the spellings real exports use."""

from __future__ import annotations

from datetime import date, time

import pytest

from directory.listings import normalise as n
from directory.listings.phones import normalise_phone


@pytest.mark.parametrize(
    ("text", "number", "extension"),
    [
        ("(01244) 977 000", "01244 977000", None),
        ("+44 (0)1905 768053", "01905 768053", None),
        ("01905768053 ext 2", "01905 768053", "2"),
        ('"+44 1234 234567"', "01234 234567", None),
        ("116 123", "116 123", None),
        ("+1 212 555 0100", "+1 212-555-0100", None),
    ],
)
def test_phone_numbers_take_their_readable_form(text, number, extension):
    parsed = normalise_phone(text)
    assert parsed is not None
    assert (parsed.number, parsed.extension) == (number, extension)


def test_unreadable_phone_numbers_give_none():
    assert normalise_phone("Ask at reception") is None
    assert normalise_phone("01244 97") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9:00", time(9)), ("0900", time(9)), ("09:00:00", time(9)), ("5.30pm", time(17, 30)),
     ("noon", time(12)), ("25:30", time(1, 30)), ("24:00", time(0)), ("10:00:00Z", time(10))],
)  # fmt: skip
def test_times(text, expected):
    assert n.parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Monday,Tuesday", "MO,TU"), ("MO TU", "MO,TU"), ("mon-fri", "MO,TU,WE,TH,FR"),
     ("1MO,-1FR", "1MO,-1FR"), ("Tuesdays and Thursdays", "TU,TH")],
)  # fmt: skip
def test_days(text, expected):
    assert n.normalise_byday(text) == expected


def test_dates_are_read_day_first():
    assert n.parse_date("15/03/2023") == date(2023, 3, 15)
    assert n.parse_date("15 March 2023") == date(2023, 3, 15)
    with pytest.raises(ValueError, match="not a real date"):
        n.parse_date("31/02/2023")


def test_hours_and_days_in_prose():
    assert n.hours_in_text("Open 9am-5pm Monday to Friday") == (time(9), time(17))
    assert n.hours_in_text("9-5") == (time(9), time(17))
    assert n.hours_in_text("from 22:00 to 01:00") == (time(22), time(1))
    assert n.days_in_text("Monday to Friday") == "MO,TU,WE,TH,FR"
    assert n.monthly_day_in_text("First Wednesday of the month") == "1WE"


def test_numbers_written_as_text():
    assert n.parse_number("12") == 12.0
    assert n.parse_number("£2.50") == 2.5
    with pytest.raises(ValueError):
        n.parse_number("twelve")
