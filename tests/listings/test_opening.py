"""Opening times: occurrences, open now, index filters and the words shown on the site.

Every test uses a fixed "now"; schedules are real (unsaved) ``Schedule`` model instances.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from directory.listings.models import Schedule
from directory.listings.opening import (
    describe_occurrence,
    describe_schedule,
    describe_week,
    is_open_at,
    occurrences,
    open_during,
    open_status,
    open_weekdays,
    text_says_closed_on_bank_holidays,
    upcoming_sessions,
    weekly_signature,
)
from directory.listings.opening_text import format_time

LONDON = ZoneInfo("Europe/London")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


def weekly(byday: str, opens: time | None = None, closes: time | None = None, **kw) -> Schedule:
    return Schedule(freq="WEEKLY", byday=byday, opens_at=opens, closes_at=closes, **kw)


OFFICE = weekly("MO,TU,WE,TH,FR", time(9), time(17), id="office")
NIGHT_SHELTER = weekly("SA", time(22), time(2), id="night")


def days_of(schedules, start: date, end: date, **kw) -> list[date]:
    found = occurrences(
        schedules, at(start.year, start.month, start.day), at(*end.timetuple()[:3]), **kw
    )
    return [o.day for o in found]


# Occurrences ----------------------------------------------------------------------------------


def test_weekday_rule_gives_one_session_per_listed_day():
    found = occurrences([OFFICE], at(2026, 3, 2), at(2026, 3, 9))
    assert [o.day.isoformat() for o in found] == [f"2026-03-0{d}" for d in range(2, 7)]
    assert found[0].starts == at(2026, 3, 2, 9) and found[0].ends == at(2026, 3, 2, 17)
    assert found[0].schedule is OFFICE and found[0].starts.tzinfo == LONDON


def test_every_other_week_counts_weeks_from_dtstart():
    club = weekly("WE", time(14), time(16), interval=2, dtstart=date(2026, 3, 4))
    assert days_of([club], date(2026, 3, 1), date(2026, 4, 30)) == [
        date(2026, 3, 4),
        date(2026, 3, 18),
        date(2026, 4, 1),
        date(2026, 4, 15),
        date(2026, 4, 29),
    ]
    assert not is_open_at([club], at(2026, 3, 11, 15))
    assert is_open_at([club], at(2026, 3, 18, 15))


def test_every_other_week_anchors_on_valid_from_and_needs_an_anchor():
    anchored = weekly("WE", time(14), time(16), interval=2, valid_from=date(2026, 3, 11))
    assert days_of([anchored], date(2026, 3, 1), date(2026, 3, 31)) == [
        date(2026, 3, 11),
        date(2026, 3, 25),
    ]
    unanchored = weekly("WE", time(14), time(16), interval=2)
    assert occurrences([unanchored], at(2026, 3, 1), at(2026, 4, 1)) == []
    assert describe_schedule(unanchored) == "Every other Wednesday, 2pm to 4pm"


def test_first_tuesday_and_last_friday_of_the_month():
    first_tue = Schedule(freq="MONTHLY", byday="1TU", opens_at=time(19), closes_at=time(21))
    last_fri = Schedule(freq="MONTHLY", byday="-1FR")
    assert days_of([first_tue], date(2026, 3, 1), date(2026, 6, 1)) == [
        date(2026, 3, 3),
        date(2026, 4, 7),
        date(2026, 5, 5),
    ]
    assert days_of([last_fri], date(2026, 3, 1), date(2026, 6, 1)) == [
        date(2026, 3, 27),
        date(2026, 4, 24),
        date(2026, 5, 29),
    ]


def test_second_and_fourth_and_monthly_interval():
    twice = Schedule(freq="MONTHLY", byday="2TH,4TH", opens_at=time(10), closes_at=time(11))
    assert days_of([twice], date(2026, 3, 1), date(2026, 4, 1)) == [
        date(2026, 3, 12),
        date(2026, 3, 26),
    ]
    alternate = Schedule(freq="MONTHLY", byday="1MO", interval=2, dtstart=date(2026, 1, 5))
    assert days_of([alternate], date(2026, 1, 1), date(2026, 7, 1)) == [
        date(2026, 1, 5),
        date(2026, 3, 2),
        date(2026, 5, 4),
    ]


def test_bymonthday_including_from_the_end_of_the_month():
    pay_days = Schedule(freq="MONTHLY", bymonthday="1,15", opens_at=time(9), closes_at=time(12))
    assert days_of([pay_days], date(2026, 2, 1), date(2026, 3, 31)) == [
        date(2026, 2, 1),
        date(2026, 2, 15),
        date(2026, 3, 1),
        date(2026, 3, 15),
    ]
    month_end = Schedule(freq="MONTHLY", bymonthday="-1")
    assert days_of([month_end], date(2026, 1, 1), date(2026, 4, 1)) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]


def test_valid_from_valid_to_until_and_count_bound_the_rule():
    term = weekly("MO", time(10), time(11), valid_from=date(2026, 3, 9), valid_to=date(2026, 3, 23))
    assert days_of([term], date(2026, 3, 1), date(2026, 4, 30)) == [
        date(2026, 3, 9),
        date(2026, 3, 16),
        date(2026, 3, 23),
    ]
    course = weekly("TH", time(18), time(20), dtstart=date(2026, 3, 5), count=3)
    assert days_of([course], date(2026, 3, 1), date(2026, 5, 1)) == [
        date(2026, 3, 5),
        date(2026, 3, 12),
        date(2026, 3, 19),
    ]
    ending = weekly("TH", time(18), time(20), until=date(2026, 3, 12))
    assert days_of([ending], date(2026, 3, 1), date(2026, 4, 1)) == [
        date(2026, 3, 5),
        date(2026, 3, 12),
    ]


def test_sessions_past_midnight_run_into_the_next_day():
    assert is_open_at([NIGHT_SHELTER], at(2026, 3, 8, 1))  # Sunday 1am
    assert is_open_at([NIGHT_SHELTER], at(2026, 3, 7, 23))
    assert not is_open_at([NIGHT_SHELTER], at(2026, 3, 8, 2))
    assert not is_open_at([NIGHT_SHELTER], at(2026, 3, 7, 21, 59))
    (session,) = occurrences([NIGHT_SHELTER], at(2026, 3, 8, 0, 30), at(2026, 3, 8, 1))
    assert (session.starts, session.ends) == (at(2026, 3, 7, 22), at(2026, 3, 8, 2))


def test_spring_forward_night_is_an_hour_shorter():
    (session,) = occurrences([NIGHT_SHELTER], at(2026, 3, 28, 12), at(2026, 3, 29, 12))
    assert session.ends - session.starts == timedelta(hours=4)  # same tzinfo: wall clock
    assert session.ends.astimezone(UTC) - session.starts.astimezone(UTC) == timedelta(hours=3)
    assert session.ends.utcoffset() == timedelta(hours=1)


def test_fall_back_night_is_an_hour_longer_and_the_repeated_hour_is_told_apart():
    (session,) = occurrences([NIGHT_SHELTER], at(2026, 10, 24, 12), at(2026, 10, 25, 12))
    assert session.ends.astimezone(UTC) - session.starts.astimezone(UTC) == timedelta(hours=5)
    early = weekly("SU", time(0), time(1, 45))
    first_130 = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=0)  # BST, 00:30 UTC
    second_130 = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1)  # GMT, 01:30 UTC
    assert is_open_at([early], first_130)
    assert not is_open_at([early], second_130)


def test_times_follow_the_clocks_and_gap_times_land_after_the_change():
    monday_after = occurrences([OFFICE], at(2026, 3, 30), at(2026, 3, 31))[0]
    assert monday_after.starts.astimezone(UTC) == datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert is_open_at([OFFICE], datetime(2026, 3, 30, 8, 30, tzinfo=UTC))
    assert not is_open_at([OFFICE], datetime(2026, 3, 30, 16, 30, tzinfo=UTC))
    in_gap = weekly("SU", time(1, 30), time(4))
    (session,) = occurrences([in_gap], at(2026, 3, 29), at(2026, 3, 30))
    assert session.starts.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_missing_times_mean_the_day_with_unknown_hours():
    drop_in = weekly("TU")
    (day,) = occurrences([drop_in], at(2026, 3, 3), at(2026, 3, 4))
    assert not day.times_known and (day.starts, day.ends) == (at(2026, 3, 3), at(2026, 3, 4))
    assert not is_open_at([drop_in], at(2026, 3, 3, 11))
    assert is_open_at([drop_in], at(2026, 3, 3, 11), include_unknown_times=True)
    evening = weekly("TU", time(19))
    (session,) = occurrences([evening], at(2026, 3, 3), at(2026, 3, 4))
    assert session.times_known and not session.end_known and session.ends == at(2026, 3, 4)


# Closures and bank holidays -------------------------------------------------------------------


def test_bank_holidays_are_closed_when_the_schedule_text_says_so():
    says = weekly("MO,TU,WE,TH,FR", time(9), time(17), description="Closed bank holidays")
    assert date(2026, 8, 31) not in days_of([says], date(2026, 8, 31), date(2026, 9, 1))
    christmas = days_of([says], date(2026, 12, 21), date(2026, 12, 31))
    assert date(2026, 12, 25) not in christmas and date(2026, 12, 28) not in christmas
    assert date(2026, 12, 24) in christmas
    assert days_of([OFFICE], date(2026, 8, 31), date(2026, 9, 1)) == [date(2026, 8, 31)]


def test_bank_holiday_option_region_and_explicit_closed_dates():
    forced = days_of([OFFICE], date(2026, 8, 31), date(2026, 9, 1), closed_on_bank_holidays=True)
    assert forced == []
    scottish = days_of(
        [OFFICE], date(2026, 8, 31), date(2026, 9, 1), closed_on_bank_holidays=True, region="SCT"
    )
    assert scottish == [date(2026, 8, 31)]  # Scotland's summer holiday is 3 August
    closed = days_of([OFFICE], date(2026, 3, 2), date(2026, 3, 5), closed_dates={date(2026, 3, 3)})
    assert closed == [date(2026, 3, 2), date(2026, 3, 4)]
    assert not is_open_at([OFFICE], at(2026, 3, 3, 10), closed_dates={date(2026, 3, 3)})


@pytest.mark.parametrize(
    "text",
    [
        "Not available on public holidays",
        "closed bank holidays",
        "Monday to Friday except bank holidays",
        "Every Tuesday (no sessions during school or bank holidays)",
        "Closed for Christmas and bank holidays.",
        "Not open on Sundays or bank holidays",
        "Bank holidays: closed",
        "We are shut on bank and public holidays",
    ],
)
def test_closed_on_bank_holidays_phrases(text):
    assert text_says_closed_on_bank_holidays(text)


@pytest.mark.parametrize(
    "text",
    [
        "Open bank holidays",
        "Open every day including bank holidays",
        "Closed Sundays; open bank holidays 10am to 2pm",
        "Bank holiday opening hours may vary",
        "Closed on Sundays",
        None,
    ],
)
def test_phrases_that_do_not_close_on_bank_holidays(text):
    assert not text_says_closed_on_bank_holidays(text)


# Hostile data ---------------------------------------------------------------------------------


def test_hostile_fields_are_ignored_and_the_rest_still_works():
    assert days_of([weekly("XX,MO", time(9), time(10))], date(2026, 3, 1), date(2026, 3, 8)) == [
        date(2026, 3, 2)
    ]
    for interval in (0, -3):
        found = days_of(
            [weekly("MO", time(9), time(10), interval=interval)],
            date(2026, 3, 1),
            date(2026, 3, 15),
        )
        assert found == [date(2026, 3, 2), date(2026, 3, 9)]
    no_opening = weekly("MO", None, time(17))
    assert occurrences([no_opening], at(2026, 3, 2), at(2026, 3, 3))[0].times_known is False
    backwards = weekly(
        "MO", time(9), time(10), valid_from=date(2026, 3, 9), valid_to=date(2026, 1, 1)
    )
    assert days_of([backwards], date(2026, 3, 1), date(2026, 3, 17)) == [
        date(2026, 3, 9),
        date(2026, 3, 16),
    ]
    strings = Schedule(freq="weekly", byday="mo", opens_at="09:00Z", closes_at="17:30:00+01:00")
    (session,) = occurrences([strings], at(2026, 6, 1), at(2026, 6, 2))
    assert (session.starts.hour, session.ends.hour, session.ends.minute) == (9, 17, 30)


def test_schedule_timezone_is_honoured_and_a_bad_one_means_london():
    new_york = weekly("MO", time(9), time(10), timezone="America/New_York")
    (session,) = occurrences([new_york], at(2026, 3, 16), at(2026, 3, 17))
    assert session.starts == at(2026, 3, 16, 13) and session.starts.tzinfo == LONDON
    nowhere = weekly("MO", time(9), time(10), timezone="Mars/Olympus_Mons")
    (session,) = occurrences([nowhere], at(2026, 3, 16), at(2026, 3, 17))
    assert session.starts == at(2026, 3, 16, 9)


def test_unusable_rules_yield_nothing_and_describe_falls_back_to_text():
    garbage = [
        weekly("XX", description="Drop in most weekday mornings"),
        Schedule(freq="YEARLY", byday="MO", description="Annual fun day"),
        Schedule(freq="MONTHLY", bymonthday="0,40,abc"),
    ]
    assert occurrences(garbage, at(2026, 1, 1), at(2027, 1, 1)) == []
    assert describe_schedule(garbage[0]) == "Drop in most weekday mornings"
    assert describe_schedule(garbage[1]) == "Annual fun day"
    assert describe_schedule(garbage[2]) == ""
    assert open_status(garbage, at(2026, 3, 2, 10)).text == ""
    assert weekly_signature(garbage) == {day: [] for day in range(7)}


# Words ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (time(9), "9am"),
        (time(17), "5pm"),
        (time(12, 30), "12:30pm"),
        (time(12), "midday"),
        (time(0), "midnight"),
        (time(0, 15), "12:15am"),
        (time(9, 5), "9:05am"),
    ],
)
def test_format_time(value, text):
    assert format_time(value) == text


@pytest.mark.parametrize(
    ("schedules", "now", "text"),
    [
        ([OFFICE], at(2026, 3, 2, 10), "Open now until 5pm"),
        ([weekly("MO", time(9), time(12, 30))], at(2026, 3, 2, 10), "Open now until 12:30pm"),
        ([weekly("FR", time(19), time(0))], at(2026, 3, 6, 21), "Open now until midnight"),
        ([NIGHT_SHELTER], at(2026, 3, 7, 23), "Open now until 2am tomorrow"),
        ([weekly("MO", time(19), time(21))], at(2026, 3, 2, 10), "Opens today at 7pm"),
        ([OFFICE], at(2026, 3, 2, 18), "Opens tomorrow at 9am"),
        ([OFFICE], at(2026, 3, 6, 18), "Opens Monday 9am"),
        ([weekly("MO", time(19))], at(2026, 3, 2, 20), "Open now"),
        ([weekly("TU")], at(2026, 3, 3, 10), "Open today, times not given"),
        ([weekly("FR")], at(2026, 3, 3, 10), "Open Friday, times not given"),
        ([], at(2026, 3, 3, 10), ""),
    ],
)
def test_open_status_text(schedules, now, text):
    assert open_status(schedules, now).text == text


def test_open_status_more_than_six_days_away_gives_the_date():
    first_tue = Schedule(freq="MONTHLY", byday="1TU", opens_at=time(10), closes_at=time(12))
    status = open_status([first_tue], at(2025, 2, 24, 12))
    assert status.text == "Opens Tuesday 4 March at 10am"
    assert status.next_open == at(2025, 3, 4, 10) and not status.open_now
    next_year = open_status([first_tue], at(2026, 12, 10, 12))
    assert next_year.text == "Opens Tuesday 5 January 2027 at 10am"


def test_open_status_follows_back_to_back_sessions_and_closures():
    morning = weekly("MO", time(9), time(12))
    afternoon = weekly("MO", time(12), time(17))
    status = open_status([morning, afternoon], at(2026, 3, 2, 10))
    assert status.open_now and status.closes_at == at(2026, 3, 2, 17)
    assert status.text == "Open now until 5pm"
    holiday = open_status([OFFICE], at(2026, 8, 31, 10), closed_on_bank_holidays=True)
    assert not holiday.open_now and holiday.text == "Opens tomorrow at 9am"


EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"


def test_round_the_clock_services_say_open_24_hours_not_until_11_59pm():
    """Feeds write a whole day as 00:00 to 23:59, since a time cannot say 24:00."""
    helpline = weekly(EVERY_DAY, time(0), time(23, 59), description="24 hours a day")
    status = open_status([helpline], at(2026, 3, 4, 15))
    assert status.open_now and status.text == "Open 24 hours"
    assert describe_schedule(helpline) == "Every day, 24 hours"
    assert weekly_signature([helpline]) == {day: [(0, 24 * 60)] for day in range(7)}
    late = weekly("SA", time(18), time(23, 59))
    assert open_status([late], at(2026, 3, 7, 20)).text == "Open now until midnight"
    assert describe_schedule(late) == "Every Saturday, 6pm to midnight"
    weekend = weekly("SA,SU", time(0), time(23, 59))
    assert open_status([weekend], at(2026, 3, 7, 20)).text == "Open now until midnight tomorrow"
    long_weekend = weekly("FR,SA,SU", time(0), time(23, 59))
    assert open_status([long_weekend], at(2026, 3, 6, 9)).text == (
        "Open now until midnight on Sunday"
    )


@pytest.mark.parametrize(
    ("schedule", "text"),
    [
        (OFFICE, "Monday to Friday, 9am to 5pm"),
        (weekly("TU", time(10), time(12)), "Every Tuesday, 10am to midday"),
        (
            weekly("WE", time(14), time(16), interval=2, dtstart=date(2026, 3, 4)),
            "Every other Wednesday, 2pm to 4pm",
        ),
        (
            Schedule(freq="MONTHLY", byday="1TU", opens_at=time(19), closes_at=time(21)),
            "First Tuesday of the month, 7pm to 9pm",
        ),
        (Schedule(freq="MONTHLY", byday="-1FR"), "Last Friday of the month"),
        (
            Schedule(freq="MONTHLY", byday="2WE,4WE", opens_at=time(10)),
            "Second and fourth Wednesday of the month, from 10am",
        ),
        (Schedule(freq="MONTHLY", bymonthday="1,15"), "1st and 15th of the month"),
        (
            weekly("MO,WE,FR", time(9, 30), time(13)),
            "Every Monday, Wednesday and Friday, 9:30am to 1pm",
        ),
        (weekly("SA,SU", time(10), time(16)), "Every Saturday and Sunday, 10am to 4pm"),
        (weekly("MO,TU,WE,TH,FR,SA,SU", time(0), time(0)), "Every day, 24 hours"),
        (NIGHT_SHELTER, "Every Saturday, 10pm to 2am"),
        (
            weekly("TH", time(18), time(20), interval=3, dtstart=date(2026, 1, 1)),
            "Every third week on Thursday, 6pm to 8pm",
        ),
    ],
)
def test_describe_schedule(schedule, text):
    assert describe_schedule(schedule) == text


def test_describe_schedule_without_every():
    saturday = weekly("SA", time(9), time(12))
    assert describe_schedule(saturday, every=False) == "Saturday, 9am to midday"


def test_describe_week_rows():
    rows = describe_week(
        [
            weekly("MO,TU,WE,TH,FR", time(9), time(12, 30)),
            weekly("MO,TU,WE,TH,FR", time(13, 30), time(17)),
            weekly("SA", time(9), time(12)),
            weekly("SA", time(9), time(12), valid_to=date(2025, 12, 31)),
            Schedule(freq="MONTHLY", byday="1TU", opens_at=time(19), closes_at=time(21)),
        ],
        today=date(2026, 3, 2),
    )
    assert rows == [
        ("Monday", "9am to 12:30pm and 1:30pm to 5pm"),
        ("Tuesday", "9am to 12:30pm and 1:30pm to 5pm"),
        ("Wednesday", "9am to 12:30pm and 1:30pm to 5pm"),
        ("Thursday", "9am to 12:30pm and 1:30pm to 5pm"),
        ("Friday", "9am to 12:30pm and 1:30pm to 5pm"),
        ("Saturday", "9am to midday"),
        ("Sunday", "Closed"),
        ("First Tuesday of the month", "7pm to 9pm"),
    ]
    assert describe_week([weekly("WE")])[2] == ("Wednesday", "Times not given")


# Index ----------------------------------------------------------------------------------------


def test_weekly_signature_splits_past_midnight_and_merges():
    signature = weekly_signature(
        [
            NIGHT_SHELTER,
            weekly("MO", time(9), time(12)),
            weekly("MO", time(12), time(17)),
            Schedule(freq="MONTHLY", byday="1TU", opens_at=time(19), closes_at=time(21)),
            weekly("WE"),
        ]
    )
    assert signature == {
        0: [(540, 1020)],
        1: [(1140, 1260)],
        2: [],
        3: [],
        4: [],
        5: [(1320, 1440)],
        6: [(0, 120)],
    }
    assert open_weekdays([weekly("WE"), NIGHT_SHELTER]) == {2, 5}
    ended = weekly("TH", time(9), time(10), valid_to=date(2025, 1, 1))
    assert weekly_signature([ended], today=date(2026, 3, 2))[3] == []


@pytest.mark.parametrize(
    ("day", "start", "end", "expected"),
    [
        (0, None, None, True),
        (2, None, None, True),
        (
            6,
            None,
            None,
            False,
        ),  # day alone: a session starting that day; the shelter starts Saturday
        (6, time(1), None, True),  # but it is open at 1am on Sunday
        (0, time(10), time(16), True),
        (0, time(8), time(10), False),
        (0, time(16, 59), None, True),
        (0, time(17), None, False),
        (0, None, time(17), True),
        (5, time(23), time(1), True),  # Saturday 11pm to Sunday 1am
        (5, time(23), time(3), False),
        (None, time(23), time(1), True),
        (None, time(6), time(8), False),
        (7, None, None, False),
    ],
)
def test_open_during(day, start, end, expected):
    assert open_during([OFFICE, NIGHT_SHELTER], day, start, end) is expected


def test_upcoming_sessions_this_week_and_next_and_their_words():
    club = weekly("TU,TH", time(10), time(12))
    found = upcoming_sessions([club], at(2026, 3, 5, 11))  # Thursday, mid-session
    assert [o.day for o in found] == [date(2026, 3, 5), date(2026, 3, 10), date(2026, 3, 12)]
    assert (
        describe_occurrence(found[1], today=date(2026, 3, 5)) == "Tuesday 10 March, 10am to midday"
    )
    (unknown,) = occurrences([weekly("WE")], at(2026, 3, 4), at(2026, 3, 5))
    assert describe_occurrence(unknown) == "Wednesday 4 March 2026"
