"""iCalendar feeds: they parse back with ``icalendar`` and carry the right sessions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from icalendar import Calendar

from directory.listings.ical import CalendarItem, calendar_for
from directory.listings.models import Schedule

STAMP = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)

COFFEE = Schedule(
    id="6a1c9d1e-2f0b-4a55-9d7e-3b1f0c2e4a10",
    freq="WEEKLY",
    byday="TU,TH",
    opens_at=time(10),
    closes_at=time(12),
    notes="Free tea and coffee, no need to book.",
)
SHELTER = Schedule(
    id="0b7d2c8e-9a4f-4d3b-8c21-5e6f7a8b9c0d",
    freq="WEEKLY",
    byday="SA",
    opens_at=time(22),
    closes_at=time(2),
)
CLINIC = Schedule(id="c3f0e6a2-1b2c-4d5e-8f90-a1b2c3d4e5f6", freq="MONTHLY", byday="-1FR")


def feed(**kw) -> Calendar:
    items = [
        CalendarItem(
            title="Coffee morning",
            schedules=[COFFEE],
            location="St Mark's Hall, 12 Church Lane, Leeds LS6 2AB",
            description="A friendly drop-in for anyone over 60.",
            url="https://example.org/coffee",
        ),
        CalendarItem(title="Night shelter", schedules=[SHELTER]),
        CalendarItem(title="Benefits clinic", schedules=[CLINIC]),
    ]
    raw = calendar_for(
        "St Mark's Hall",
        items,
        datetime(2026, 3, 23, tzinfo=UTC),
        datetime(2026, 4, 6, tzinfo=UTC),
        domain="directory.example.org",
        stamp=STAMP,
        **kw,
    )
    assert isinstance(raw, bytes)
    return Calendar.from_ical(raw)


def events(cal: Calendar) -> list:
    return list(cal.walk("VEVENT"))


def test_feed_parses_back_with_one_event_per_session():
    cal = feed()
    assert str(cal["x-wr-calname"]) == "St Mark's Hall"
    found = [(str(e["summary"]), e.decoded("dtstart")) for e in events(cal)]
    coffee = [start.date() for summary, start in found if summary == "Coffee morning"]
    assert coffee == [date(2026, 3, d) for d in (24, 26, 31)] + [date(2026, 4, 2)]
    shelter = [start.date() for summary, start in found if summary == "Night shelter"]
    assert shelter == [date(2026, 3, 28), date(2026, 4, 4)]
    clinic = [start for summary, start in found if summary == "Benefits clinic"]
    assert clinic == [date(2026, 3, 27)]
    assert [e.decoded("dtstart") for e in events(cal)] == sorted(
        (e.decoded("dtstart") for e in events(cal)),
        key=lambda d: (
            d if isinstance(d, datetime) else datetime(d.year, d.month, d.day, tzinfo=UTC)
        ),
    )


def test_timed_events_use_europe_london_with_a_vtimezone():
    cal = feed()
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/London"
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    coffee = [e for e in events(cal) if str(e["summary"]) == "Coffee morning"]
    assert all(e["dtstart"].params["TZID"] == "Europe/London" for e in coffee)
    before, after = coffee[0], coffee[2]  # 24 March (GMT), 31 March (BST)
    assert before.decoded("dtstart").astimezone(UTC) == datetime(2026, 3, 24, 10, tzinfo=UTC)
    assert after.decoded("dtstart").astimezone(UTC) == datetime(2026, 3, 31, 9, tzinfo=UTC)
    assert after.decoded("dtend").astimezone(UTC) == datetime(2026, 3, 31, 11, tzinfo=UTC)


def test_past_midnight_over_the_clock_change_has_its_real_length():
    cal = feed()
    first = next(e for e in events(cal) if str(e["summary"]) == "Night shelter")
    starts, ends = first.decoded("dtstart"), first.decoded("dtend")
    assert (starts.date(), ends.date()) == (date(2026, 3, 28), date(2026, 3, 29))
    assert (ends.astimezone(UTC) - starts.astimezone(UTC)).total_seconds() == 3 * 3600


def test_uids_are_stable_unique_and_made_of_schedule_and_date():
    first, second = feed(), feed()
    uids = [str(e["uid"]) for e in events(first)]
    assert len(uids) == len(set(uids))
    assert f"{COFFEE.id}-20260324@directory.example.org" in uids
    assert uids == [str(e["uid"]) for e in events(second)]
    assert first.to_ical() == second.to_ical()


def test_event_details_location_description_and_url():
    cal = feed()
    coffee = next(e for e in events(cal) if str(e["summary"]) == "Coffee morning")
    assert str(coffee["location"]) == "St Mark's Hall, 12 Church Lane, Leeds LS6 2AB"
    description = str(coffee["description"])
    assert "A friendly drop-in for anyone over 60." in description
    assert "Every Tuesday and Thursday, 10am to midday" in description
    assert "Free tea and coffee" in description
    assert str(coffee["url"]) == "https://example.org/coffee"
    shelter = next(e for e in events(cal) if str(e["summary"]) == "Night shelter")
    assert str(shelter["location"]) == "St Mark's Hall"
    assert coffee.decoded("dtstamp") == STAMP


def test_unknown_times_are_all_day_events():
    cal = feed()
    clinic = next(e for e in events(cal) if str(e["summary"]) == "Benefits clinic")
    assert clinic["dtstart"].params.get("VALUE") == "DATE"
    assert clinic.decoded("dtend") == date(2026, 3, 28)
    assert "Times not given" in str(clinic["description"])


def test_closures_and_bank_holidays_leave_sessions_out():
    items = [
        CalendarItem(
            title="Coffee morning",
            schedules=[COFFEE],
            closed_dates=frozenset({date(2026, 3, 26)}),
        ),
        CalendarItem(
            title="Advice line",
            schedules=[
                Schedule(
                    id="advice",
                    freq="WEEKLY",
                    byday="MO,FR",
                    opens_at=time(9),
                    description="Not available on public holidays",
                )
            ],
        ),
    ]
    raw = calendar_for(
        "Hub", items, datetime(2026, 3, 30, tzinfo=UTC), datetime(2026, 4, 11, tzinfo=UTC)
    )
    found = {
        (str(e["summary"]), e.decoded("dtstart").date()) for e in events(Calendar.from_ical(raw))
    }
    assert ("Advice line", date(2026, 4, 3)) not in found  # Good Friday
    assert ("Advice line", date(2026, 4, 6)) not in found  # Easter Monday
    assert ("Advice line", date(2026, 3, 30)) in found
    opens_only = next(
        e for e in events(Calendar.from_ical(raw)) if str(e["summary"]) == "Advice line"
    )
    assert "dtend" not in opens_only and "Finish time not given" in str(opens_only["description"])
    raw = calendar_for(
        "Hub", items[:1], datetime(2026, 3, 23, tzinfo=UTC), datetime(2026, 3, 28, tzinfo=UTC)
    )
    assert [e.decoded("dtstart").date() for e in events(Calendar.from_ical(raw))] == [
        date(2026, 3, 24)
    ]
