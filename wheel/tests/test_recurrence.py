"""Where occurrences fall: recurrence rules (BYDAY, INTERVAL, COUNT, UNTIL, refused rules),
N times per school term over real term dates (holidays, break weeks and the breaks between
terms avoided, never two on a day), fixed months, and wall-clock times across summer time."""

import datetime
import itertools
import time

import pytest
from django.utils import translation

from organisations.calendar import swedish_holidays
from wheel.recurrence import (
    LOCAL,
    MAX_OCCURRENCES,
    ScheduleError,
    describe_rrule,
    expand_rrule,
    fixed_months,
    local_datetime,
    spread_per_term,
)

pytestmark = pytest.mark.usefixtures("english")


TEN = datetime.time(10, 0)
D = datetime.date

# Leksand's school year 2025/26 (the municipality's own dates, roughly as published).
AUTUMN = (D(2025, 8, 19), D(2025, 12, 19))
SPRING = (D(2026, 1, 8), D(2026, 6, 11))
TERMS = [AUTUMN, SPRING]


def iso_weeks(*weeks: tuple[int, int]) -> frozenset[datetime.date]:
    """Every day (Monday to Sunday) of the given (year, ISO week) pairs."""
    return frozenset(
        datetime.date.fromisocalendar(year, week, weekday)
        for year, week in weeks
        for weekday in range(1, 8)
    )


# Höstlov in week 44, sportlov in week 9, påsklov in week 15 (the old installation default).
BREAKS = iso_weeks((2025, 44), (2026, 9), (2026, 15))


def days(starts: list[datetime.datetime]) -> list[datetime.date]:
    return [start.date() for start in starts]


def offset_hours(moment: datetime.datetime) -> float:
    offset = moment.utcoffset()
    assert offset is not None
    return offset.total_seconds() / 3600


# --- recurrence rules ----------------------------------------------------------------------------


def test_weekly_on_tuesdays_at_local_time() -> None:
    starts = expand_rrule(
        "FREQ=WEEKLY;BYDAY=TU", starts_on=D(2026, 2, 2), ends_on=D(2026, 2, 28), start_time=TEN
    )
    assert days(starts) == [D(2026, 2, 3), D(2026, 2, 10), D(2026, 2, 17), D(2026, 2, 24)]
    assert all(start.tzinfo == LOCAL and start.hour == 10 and start.minute == 0 for start in starts)


def test_several_weekdays_and_an_interval() -> None:
    starts = expand_rrule(
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
        starts_on=D(2026, 2, 2),
        ends_on=D(2026, 3, 1),
        start_time=TEN,
    )
    # Weeks 6 and 8 (every other week from the first day's week).
    assert days(starts) == [D(2026, 2, 2), D(2026, 2, 5), D(2026, 2, 16), D(2026, 2, 19)]


def test_monthly_on_the_first_wednesday() -> None:
    starts = expand_rrule(
        "FREQ=MONTHLY;BYDAY=1WE", starts_on=D(2026, 1, 1), ends_on=D(2026, 4, 30), start_time=TEN
    )
    assert days(starts) == [D(2026, 1, 7), D(2026, 2, 4), D(2026, 3, 4), D(2026, 4, 1)]


def test_last_weekday_of_the_month_with_bysetpos() -> None:
    starts = expand_rrule(
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        starts_on=D(2026, 1, 1),
        ends_on=D(2026, 3, 31),
        start_time=TEN,
    )
    assert days(starts) == [D(2026, 1, 30), D(2026, 2, 27), D(2026, 3, 31)]


def test_count_is_respected() -> None:
    starts = expand_rrule(
        "FREQ=WEEKLY;BYDAY=WE;COUNT=3",
        starts_on=D(2026, 9, 1),
        ends_on=D(2026, 12, 31),
        start_time=TEN,
    )
    assert days(starts) == [D(2026, 9, 2), D(2026, 9, 9), D(2026, 9, 16)]


def test_count_counts_before_holidays_are_left_out() -> None:
    # Thursdays from 7 May 2026: the 14th is Ascension Day and is left out, as an EXDATE.
    starts = expand_rrule(
        "FREQ=WEEKLY;BYDAY=TH;COUNT=3",
        starts_on=D(2026, 5, 7),
        ends_on=D(2026, 6, 30),
        start_time=TEN,
    )
    assert days(starts) == [D(2026, 5, 7), D(2026, 5, 21)]


def test_the_series_end_cuts_a_count_off() -> None:
    starts = expand_rrule(
        "FREQ=WEEKLY;BYDAY=WE;COUNT=10",
        starts_on=D(2026, 9, 1),
        ends_on=D(2026, 9, 10),
        start_time=TEN,
    )
    assert days(starts) == [D(2026, 9, 2), D(2026, 9, 9)]


def test_until_as_a_date_includes_that_day() -> None:
    starts = expand_rrule(
        "FREQ=WEEKLY;BYDAY=WE;UNTIL=20260916",
        starts_on=D(2026, 9, 1),
        ends_on=D(2026, 12, 31),
        start_time=datetime.time(15, 30),
    )
    assert days(starts) == [D(2026, 9, 2), D(2026, 9, 9), D(2026, 9, 16)]


def test_until_in_utc_is_read_in_utc() -> None:
    # 08:00 UTC is 10:00 in Swedish summer time: a 10:00 meeting on the 16th is included,
    # an 11:00 one is not.
    rule = "RRULE:FREQ=WEEKLY;BYDAY=WE;UNTIL=20260916T080000Z"
    ten = expand_rrule(rule, starts_on=D(2026, 9, 1), ends_on=D(2026, 12, 31), start_time=TEN)
    eleven = expand_rrule(
        rule, starts_on=D(2026, 9, 1), ends_on=D(2026, 12, 31), start_time=datetime.time(11)
    )
    assert days(ten)[-1] == D(2026, 9, 16)
    assert days(eleven)[-1] == D(2026, 9, 9)


def test_the_prefix_and_lower_case_are_accepted() -> None:
    starts = expand_rrule(
        "rrule:freq=weekly;byday=fr;count=2",
        starts_on=D(2026, 2, 2),
        ends_on=D(2026, 3, 1),
        start_time=TEN,
    )
    assert days(starts) == [D(2026, 2, 6), D(2026, 2, 13)]


def test_holidays_and_avoided_days_are_left_out() -> None:
    starts = expand_rrule(
        "FREQ=DAILY",
        starts_on=D(2025, 12, 22),
        ends_on=D(2026, 1, 7),
        start_time=TEN,
        avoid={D(2025, 12, 22)},
    )
    holidays = swedish_holidays(D(2025, 12, 22), D(2026, 1, 7))
    assert D(2025, 12, 22) not in days(starts)
    assert not set(days(starts)) & set(holidays)
    assert D(2025, 12, 23) in days(starts)
    assert D(2025, 12, 24) not in days(starts)  # julafton, a de-facto holiday


def test_more_than_the_limit_is_refused() -> None:
    with pytest.raises(ScheduleError, match=str(MAX_OCCURRENCES)) as error:
        expand_rrule("FREQ=DAILY", starts_on=D(2026, 1, 1), ends_on=D(2027, 12, 31), start_time=TEN)
    assert error.value.field == "rrule"


def test_exactly_the_limit_is_accepted() -> None:
    starts = expand_rrule(
        f"FREQ=DAILY;COUNT={MAX_OCCURRENCES}",
        starts_on=D(2026, 1, 1),
        ends_on=D(2028, 12, 31),
        start_time=TEN,
    )
    assert MAX_OCCURRENCES - 40 < len(starts) <= MAX_OCCURRENCES  # minus the holidays


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "Write a recurrence rule"),
        ("   ", "Write a recurrence rule"),
        ("every tuesday", "NAME=VALUE"),
        ("BYDAY=TU", "needs FREQ"),
        ("FREQ=HOURLY", "DAILY, WEEKLY, MONTHLY or"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY takes weekdays"),
        ("FREQ=WEEKLY;BYDAY=1MO", "works only with FREQ=MONTHLY"),
        ("FREQ=MONTHLY;BYDAY=6MO", "works only with FREQ=MONTHLY"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20260101", "either COUNT or UNTIL"),
        ("FREQ=WEEKLY;COUNT=0", "COUNT must be a whole number"),
        (f"FREQ=WEEKLY;COUNT={MAX_OCCURRENCES + 1}", "COUNT must be a whole number"),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL must be a whole number"),
        ("FREQ=WEEKLY;INTERVAL=two", "must be a number"),
        ("FREQ=WEEKLY;BYHOUR=10", "start time field"),
        ("DTSTART:20260101T100000\nRRULE:FREQ=WEEKLY", "one line"),
        ("FREQ=WEEKLY;DTSTART=20260101", "Leave DTSTART out"),
        ("FREQ=WEEKLY;BYWEEKNO=3", "not supported"),
        ("FREQ=WEEKLY;FREQ=DAILY", "given twice"),
        ("FREQ=YEARLY;BYMONTH=13", "1 to 12"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY takes days"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "can never happen"),
        ("FREQ=DAILY;BYMONTH=4;BYMONTHDAY=-31", "can never happen"),
        ("FREQ=WEEKLY;BYSETPOS=1;BYDAY=MO", "BYSETPOS picks"),
        ("FREQ=WEEKLY;WKST=XX", "WKST takes a weekday"),
        ("FREQ=WEEKLY;UNTIL=2026", "Write UNTIL as a date"),
        ("FREQ=WEEKLY;UNTIL=20261332", "not a real date"),
    ],
)
def test_bad_rules_are_refused_with_a_clear_message(rule: str, message: str) -> None:
    started = time.monotonic()
    with pytest.raises(ScheduleError, match=message):
        expand_rrule(rule, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31), start_time=TEN)
    assert time.monotonic() - started < 1  # refused before any long expansion


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ScheduleError, match="before its first day") as error:
        expand_rrule("FREQ=WEEKLY", starts_on=D(2026, 2, 1), ends_on=D(2026, 1, 1), start_time=TEN)
    assert error.value.field == "ends_on"


def test_descriptions_of_common_rules() -> None:
    with translation.override("en"):
        assert describe_rrule("FREQ=WEEKLY;BYDAY=TU") == "Every week on Tuesday"
        assert describe_rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH") == (
            "Every 2 weeks on Monday, Thursday"
        )
        assert describe_rrule("FREQ=MONTHLY") == "Every month"
        assert describe_rrule("FREQ=MONTHLY;BYDAY=1WE") == "FREQ=MONTHLY;BYDAY=1WE"
        assert describe_rrule("FREQ=WEEKLY;COUNT=3") == "FREQ=WEEKLY;COUNT=3"
        assert describe_rrule("nonsense") == "nonsense"


# --- summer time ---------------------------------------------------------------------------------


def test_ten_o_clock_stays_ten_o_clock_across_the_spring_change() -> None:
    # Summer time starts on Sunday 29 March 2026.
    starts = expand_rrule(
        "FREQ=WEEKLY;BYDAY=MO", starts_on=D(2026, 3, 16), ends_on=D(2026, 4, 12), start_time=TEN
    )
    assert days(starts) == [D(2026, 3, 16), D(2026, 3, 23), D(2026, 3, 30)]  # 6 April: Easter
    assert [start.hour for start in starts] == [10, 10, 10]
    assert [offset_hours(start) for start in starts] == [1, 1, 2]
    assert [start.astimezone(datetime.UTC).hour for start in starts] == [9, 9, 8]


def test_ten_o_clock_stays_ten_o_clock_across_the_autumn_change() -> None:
    # Summer time ends on Sunday 25 October 2026.
    starts = expand_rrule(
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        starts_on=D(2026, 10, 22),
        ends_on=D(2026, 10, 27),
        start_time=TEN,
    )
    assert days(starts) == [D(2026, 10, 22), D(2026, 10, 23), D(2026, 10, 26), D(2026, 10, 27)]
    assert all(start.hour == 10 for start in starts)
    assert [offset_hours(start) for start in starts] == [2, 2, 1, 1]


def test_weekly_days_on_the_change_itself_keep_their_time() -> None:
    starts = expand_rrule(
        "FREQ=WEEKLY;BYDAY=SU;COUNT=2",
        starts_on=D(2026, 3, 22),
        ends_on=D(2026, 4, 30),
        start_time=TEN,
    )
    assert days(starts) == [D(2026, 3, 22), D(2026, 3, 29)]
    assert [(start.hour, offset_hours(start)) for start in starts] == [(10, 1), (10, 2)]


def test_a_time_that_does_not_exist_moves_forward_an_hour() -> None:
    moment = local_datetime(D(2026, 3, 29), datetime.time(2, 30))
    assert (moment.hour, moment.minute, offset_hours(moment)) == (3, 30, 2)


def test_per_term_dates_keep_their_time_across_summer_time() -> None:
    starts = spread_per_term(6, [SPRING], start_time=datetime.time(13, 15), avoid=BREAKS)
    assert {(start.hour, start.minute) for start in starts} == {(13, 15)}
    assert {offset_hours(start) for start in starts} == {1, 2}


# --- N times per term ----------------------------------------------------------------------------


def test_four_per_term_over_real_term_dates() -> None:
    starts = spread_per_term(4, TERMS, start_time=TEN, avoid=BREAKS)
    dates = days(starts)
    holidays = swedish_holidays(D(2025, 8, 1), D(2026, 6, 30))
    assert len(dates) == 8
    assert dates == sorted(set(dates)), "sorted, never two on one day"
    assert sum(AUTUMN[0] <= day <= AUTUMN[1] for day in dates) == 4
    assert sum(SPRING[0] <= day <= SPRING[1] for day in dates) == 4
    for day in dates:
        assert day.weekday() < 5
        assert day not in holidays
        assert day.isocalendar().week not in (44, 9, 15)
    # Spread: one in each quarter of the term, well apart.
    for first, last in TERMS:
        in_term = [day for day in dates if first <= day <= last]
        quarter = (last - first) / 4
        for index, day in enumerate(in_term):
            assert first + quarter * index <= day <= first + quarter * (index + 1)
        assert min((b - a).days for a, b in itertools.pairwise(in_term)) >= 21


def test_two_per_term_as_the_youth_health_network() -> None:
    # The centres of the halves of each term; Sunday 15 Feb 2026 becomes Monday the 16th.
    dates = days(spread_per_term(2, TERMS, start_time=TEN, avoid=BREAKS))
    assert dates == [D(2025, 9, 18), D(2025, 11, 19), D(2026, 2, 16), D(2026, 5, 4)]


def test_a_date_in_the_autumn_break_week_moves_to_the_nearest_free_day() -> None:
    # The centre of 1 Oct – 28 Nov 2025 is Thursday 30 October, in week 44 (höstlov);
    # 1 November is All Saints' Day and a Saturday. Monday 3 Nov is nearer than Friday 24 Oct.
    dates = days(
        spread_per_term(
            1,
            [(D(2025, 10, 1), D(2025, 11, 28))],
            start_time=TEN,
            avoid=iso_weeks((2025, 44)),
        )
    )
    assert dates == [D(2025, 11, 3)]


def test_a_date_on_a_holiday_moves_to_the_nearest_working_day_earlier_on_a_tie() -> None:
    # The centre of 4–24 May 2026 is Thursday 14 May, Ascension Day: the 13th and the 15th are
    # as near; the earlier is taken.
    dates = days(spread_per_term(1, [(D(2026, 5, 4), D(2026, 5, 24))], start_time=TEN))
    assert dates == [D(2026, 5, 13)]


def test_a_date_on_a_weekend_moves_to_a_weekday() -> None:
    # The centre of 2–16 Feb 2026 (15 days) is offset 7: Monday 9th. Of 2–18 Feb (17 days)
    # offset 8: Tuesday 10th. Of 5–17 Jan (13 days) offset 6: Sunday 11 Jan -> Monday 12th.
    assert days(spread_per_term(1, [(D(2026, 1, 5), D(2026, 1, 17))], start_time=TEN)) == [
        D(2026, 1, 12)
    ]


def test_a_full_term_takes_every_free_day_once() -> None:
    term = (D(2026, 2, 2), D(2026, 2, 13))  # two weeks, no holidays: ten weekdays
    dates = days(spread_per_term(10, [term], start_time=TEN))
    assert dates == [
        day
        for day in (D(2026, 2, 2) + datetime.timedelta(n) for n in range(12))
        if day.weekday() < 5
    ]


def test_too_many_for_a_term_is_refused() -> None:
    with pytest.raises(ScheduleError, match="only 10 free weekdays") as error:
        spread_per_term(11, [(D(2026, 2, 2), D(2026, 2, 13))], start_time=TEN)
    assert error.value.field == "times_per_term"


def test_no_terms_is_refused() -> None:
    with pytest.raises(ScheduleError, match="no school terms"):
        spread_per_term(4, [], start_time=TEN)


def test_zero_times_is_refused() -> None:
    with pytest.raises(ScheduleError, match="at least 1"):
        spread_per_term(0, TERMS, start_time=TEN)


def test_dates_never_leave_their_term() -> None:
    # Many per term: the dates near the ends must stay inside, never in the break between.
    starts = days(spread_per_term(15, TERMS, start_time=TEN, avoid=BREAKS))
    assert all(AUTUMN[0] <= d <= AUTUMN[1] or SPRING[0] <= d <= SPRING[1] for d in starts)
    assert len(starts) == len(set(starts)) == 30


# --- fixed months --------------------------------------------------------------------------------


def test_fixed_months_on_the_first_working_day_from_the_tenth() -> None:
    starts = fixed_months(
        [12, 3, 6, 9], starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31), start_time=TEN
    )
    assert days(starts) == [D(2026, 3, 10), D(2026, 6, 10), D(2026, 9, 10), D(2026, 12, 10)]
    assert all(start.hour == 10 for start in starts)
    assert [offset_hours(start) for start in starts] == [1, 2, 2, 1]


def test_fixed_months_skip_weekends_and_holidays() -> None:
    # 10 January 2026 is a Saturday; 1 May 2026 (day_rule 1) is May Day, a Friday.
    assert days(
        fixed_months([1], starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31), start_time=TEN)
    ) == [D(2026, 1, 12)]
    assert days(
        fixed_months(
            [5], starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31), start_time=TEN, day_rule=1
        )
    ) == [D(2026, 5, 4)]


def test_fixed_months_avoid_the_given_days() -> None:
    starts = fixed_months(
        [3],
        starts_on=D(2026, 1, 1),
        ends_on=D(2026, 12, 31),
        start_time=TEN,
        avoid={D(2026, 3, 10)},
    )
    assert days(starts) == [D(2026, 3, 11)]


def test_fixed_months_within_the_period_only() -> None:
    starts = fixed_months([3, 9], starts_on=D(2026, 3, 15), ends_on=D(2026, 9, 5), start_time=TEN)
    assert days(starts) == [D(2026, 3, 16)]  # from the first day; September is after the end


def test_fixed_months_over_several_years() -> None:
    starts = fixed_months([2], starts_on=D(2025, 1, 1), ends_on=D(2027, 12, 31), start_time=TEN)
    assert [day.year for day in days(starts)] == [2025, 2026, 2027]


@pytest.mark.parametrize(
    ("months", "day_rule", "message"),
    [([], 10, "at least one month"), ([13], 10, "1 to 12"), ([3], 30, "from 1 to 28")],
)
def test_bad_fixed_months_are_refused(months: list[int], day_rule: int, message: str) -> None:
    with pytest.raises(ScheduleError, match=message) as error:
        fixed_months(
            months,
            starts_on=D(2026, 1, 1),
            ends_on=D(2026, 12, 31),
            start_time=TEN,
            day_rule=day_rule,
        )
    assert error.value.field == "months"
