"""GOV.UK-style formatting of dates, times, money, phone numbers and ages."""

from __future__ import annotations

from datetime import date, time

import pytest

from directory.public import formatting as f


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (time(9, 0), "9am"),
        (time(17, 30), "5:30pm"),
        (time(12, 0), "midday"),
        (time(0, 0), "midnight"),
        (time(12, 15), "12:15pm"),
        (time(0, 5), "12:05am"),
    ],
)
def test_format_time(value, expected):
    assert f.format_time(value) == expected


def test_format_date_and_ranges():
    assert f.format_date(date(2026, 3, 3)) == "3 March 2026"
    assert f.format_date(None) == ""
    assert f.format_time_range(time(10), time(12)) == "10am to midday"
    assert f.format_time_range(time(19), None) == "from 7pm"


@pytest.mark.parametrize(
    ("number", "href"),
    [
        ("0300 123 4567", "tel:03001234567"),
        ("+44 (0)300 123 4567", "tel:+443001234567"),
        ("01632 960001 (option 2)", "tel:016329600012"),
        ("116 123", "tel:116123"),
        ("ask at reception", None),
        ("", None),
        (None, None),
    ],
)
def test_tel_href(number, href):
    assert f.tel_href(number) == href


def test_money_ages_and_slugs():
    assert f.format_money(5) == "£5"
    assert f.format_money(2.5) == "£2.50"
    assert f.format_money(None) == ""
    assert f.ages_text(18, None) == "Ages 18 and over"
    assert f.ages_text(11, 19) == "Ages 11 to 19"
    assert f.ages_text(None, 4) == "Up to age 4"
    assert f.ages_text(0, None) is None
    assert f.ages_text(None, None) is None
    assert f.slug("Blacon Friendship Café") == "blacon-friendship-cafe"
    assert f.slug("Hoole Parents' Coffee Morning") == "hoole-parents-coffee-morning"
    assert f.slug("!!!") == "listing"


def test_directions_paragraphs_and_lists():
    assert f.directions_url("CH1 2HJ", "Chester Town Hall") == (
        "https://www.google.com/maps/dir/?api=1&destination=Chester+Town+Hall%2C+CH1+2HJ"
    )
    assert f.directions_url(None) is None
    assert f.paragraphs("One.\n\nTwo\nlines.\n \n") == ["One.", "Two\nlines."]
    assert f.join_words(["a", "b", "c"]) == "a, b and c"
    assert f.join_words(["a"]) == "a"
