"""Cells to values: every parser on the forms real exports use, and refusals that say which
column was wrong without repeating the cell."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from directory.help_requests.models import Outcome
from directory.here2help import values
from directory.here2help.needs import is_blank, reportable
from directory.places.geocode import Geocoder


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-15", datetime(2026, 1, 15, tzinfo=UTC)),
        (" 15/01/2026 ", datetime(2026, 1, 15, tzinfo=UTC)),
        ("2026-01-15T10:30", datetime(2026, 1, 15, 10, 30, tzinfo=UTC)),
        ("01/06/2026", datetime(2026, 5, 31, 23, tzinfo=UTC)),
    ],
)
def test_dates(text: str, expected: datetime) -> None:
    assert values.parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026/01/15", "not a date written"),
        ("15-01-2026", "not a date written"),
        ("01/15/2026", "not a real date"),
        ("2026-01-15 25:00", "not a real date"),
        ("2026-01-15 lunchtime", "not a date written"),
        ("9999-12-31", "in the future"),
        ("", "not a date written"),
    ],
)
def test_dates_refused(text: str, message: str) -> None:
    with pytest.raises(values.BadCell, match=message):
        values.parse_date(text)


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("Matched", Outcome.MATCHED),
        ("matched to volunteer", Outcome.MATCHED),
        ("No match", Outcome.NO_MATCH),
        ("not matched", Outcome.NO_MATCH),
        ("no volunteer available", Outcome.NO_MATCH),
        ("Signposted to Age UK", Outcome.SIGNPOSTED),
        ("Referred elsewhere", Outcome.SIGNPOSTED),
        ("self-served", Outcome.SELF_SERVED),
        ("cancelled - no longer needed", Outcome.WITHDRAWN),
        ("WITHDRAWN", Outcome.WITHDRAWN),
        ("", None),
        ("n/a", None),
    ],
)
def test_outcomes(text: str, outcome: Outcome | None) -> None:
    assert values.parse_outcome(text) == outcome


def test_numbers() -> None:
    assert values.parse_radius("5") == 5
    assert values.parse_radius("3.5 km") == 3.5
    assert values.parse_radius("2 miles") == pytest.approx(3.22)
    assert values.parse_radius("") is None
    assert values.parse_capacity("3 people") == 3
    assert values.parse_capacity("-") is None
    for bad in ("lots", "0", "500", "-3"):
        with pytest.raises(values.BadCell, match="radius_km"):
            values.parse_radius(bad)
    for bad in ("many", "2.5", "1e9", "99999"):
        with pytest.raises(values.BadCell, match="capacity"):
            values.parse_capacity(bad)


def test_contacts_and_text() -> None:
    assert values.parse_email(" Sample.Person@Example.org ") == "Sample.Person@Example.org"
    assert values.parse_email("not given") is None
    assert values.parse_phone("(01632) 960 901") == "(01632) 960 901"
    assert values.parse_website("example.net/group") == "https://example.net/group"
    with pytest.raises(values.BadCell, match=r"email is not an email address$"):
        values.parse_email("sample at example dot org")
    with pytest.raises(values.BadCell, match=r"phone is not a phone number$"):
        values.parse_phone("ring after 5")
    assert values.clean("a\x00b\u200bc\n d") == "a b c d"
    assert values.clean("abc def", limit=4) == "abc"
    assert values.clean(" line one \n\n  line\ttwo ", multiline=True) == "line one\n\nline two"


def test_postcodes_without_a_gazetteer(tmp_path) -> None:
    offline = Geocoder(tmp_path / "missing.sqlite")
    assert values.parse_postcode("ch23ae", offline) == values.Place("CH2 3AE", "CH2")
    assert values.parse_postcode("CH65", offline) == values.Place(None, "CH65")
    assert values.parse_postcode("n/a", offline) == values.Place()
    with pytest.raises(values.BadCell, match=r"postcode is not a UK postcode$"):
        values.parse_postcode("Chester", offline)


def test_placeholders_and_reported_words() -> None:
    assert is_blank(" N/A ") and is_blank("not given") and not is_blank("none needed")
    assert reportable("Lifts for Mary O'Neil", ("Mary", "O'Neil")) == "lifts for [name] [name]"
    assert reportable("x" * 100).endswith("…") and len(reportable("x" * 100)) == 60
