"""Deadline rules: late arrival, weekends and holiday weeks, extension, the switch to and from
summer time, and inputs in other time zones. No database."""

import dataclasses
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.deadlines import (
    DEFAULT_RULES,
    STOCKHOLM,
    DeadlineRules,
    decision_due,
    end_of_day,
    feedback_due,
    is_overdue,
    is_working_day,
    next_working_day,
    protection_due,
)

UTC = datetime.UTC
D = datetime.date
WINTER = datetime.timedelta(hours=1)
SUMMER = datetime.timedelta(hours=2)


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *rest: int, fold: int = 0
) -> datetime.datetime:
    """A Stockholm wall time; ``rest`` is seconds and microseconds."""
    second, micro = (*rest, 0, 0)[:2]
    return datetime.datetime(year, month, day, hour, minute, second, micro, STOCKHOLM, fold=fold)


def is_end_of(due: datetime.datetime, day: datetime.date) -> bool:
    return due.tzinfo is STOCKHOLM and due == local(
        day.year, day.month, day.day, 23, 59, 59, 999999
    )


# --- protection assessment ---


@pytest.mark.parametrize(
    ("arrived_at", "due_day"),
    [
        (local(2026, 5, 12, 0, 0), D(2026, 5, 12)),
        (local(2026, 5, 12, 15, 59, 59, 999999), D(2026, 5, 12)),
        (local(2026, 5, 12, 16, 0), D(2026, 5, 13)),  # at the late hour: next day
        (local(2026, 5, 12, 23, 59, 59), D(2026, 5, 13)),  # just before midnight
        (local(2026, 6, 5, 23, 0), D(2026, 6, 6)),  # Friday night: Saturday, a holiday, too
        (local(2026, 12, 24, 9, 0), D(2026, 12, 24)),  # julafton: protection does not wait
    ],
)
def test_protection_is_due_the_same_day_or_the_next_after_the_late_hour(arrived_at, due_day):
    assert is_end_of(protection_due(arrived_at, DEFAULT_RULES), due_day)


def test_protection_late_hour_is_configurable():
    arrived = local(2026, 5, 12, 14, 30)
    assert is_end_of(
        protection_due(arrived, DeadlineRules(protection_late_hour=14)), D(2026, 5, 13)
    )
    assert is_end_of(
        protection_due(arrived, DeadlineRules(protection_late_hour=15)), D(2026, 5, 12)
    )
    always_next = DeadlineRules(protection_late_hour=0)
    assert is_end_of(protection_due(local(2026, 5, 12, 0, 0), always_next), D(2026, 5, 13))
    never_late = DeadlineRules(protection_late_hour=24)
    assert is_end_of(protection_due(local(2026, 5, 12, 23, 59), never_late), D(2026, 5, 12))


def test_the_local_day_counts_not_the_utc_day():
    # 22:30 UTC on 30 June is 00:30 on 1 July in Stockholm: a new day, early, due that day.
    assert is_end_of(
        protection_due(datetime.datetime(2026, 6, 30, 22, 30, tzinfo=UTC)), D(2026, 7, 1)
    )
    # 21:59 UTC is 23:59 local on 30 June: late, so due the next day.
    assert is_end_of(
        protection_due(datetime.datetime(2026, 6, 30, 21, 59, tzinfo=UTC)), D(2026, 7, 1)
    )
    # 14:30 UTC is 16:30 local in summer (late) but 15:30 local in winter (not late).
    assert is_end_of(
        protection_due(datetime.datetime(2026, 7, 1, 14, 30, tzinfo=UTC)), D(2026, 7, 2)
    )
    assert is_end_of(
        protection_due(datetime.datetime(2026, 1, 7, 14, 30, tzinfo=UTC)), D(2026, 1, 7)
    )


# --- decision ---


@pytest.mark.parametrize(
    ("arrived_on", "due_day"),
    [
        (D(2026, 5, 5), D(2026, 5, 19)),  # a Tuesday: plain 14 days
        (D(2026, 5, 2), D(2026, 5, 18)),  # lands on Saturday 16 May: Monday
        (D(2026, 5, 3), D(2026, 5, 18)),  # lands on Sunday 17 May: Monday
        (D(2026, 4, 17), D(2026, 5, 4)),  # 1 May (Friday), then the weekend
        (D(2026, 4, 30), D(2026, 5, 15)),  # Ascension Day, Thursday 14 May
        (D(2026, 3, 20), D(2026, 4, 7)),  # Good Friday 3 April, Easter, Easter Monday
        (D(2026, 6, 5), D(2026, 6, 22)),  # midsommarafton 19 June, midsommardagen, Sunday
        (D(2026, 12, 10), D(2026, 12, 28)),  # julafton, juldagen, annandag jul, Sunday
        (D(2025, 12, 10), D(2025, 12, 29)),  # julafton on a Wednesday: five days off
        (D(2026, 12, 11), D(2026, 12, 28)),  # juldagen
        (D(2026, 12, 12), D(2026, 12, 28)),  # annandag jul (a Saturday)
        (D(2026, 12, 17), D(2027, 1, 4)),  # nyårsafton, nyårsdagen, into the next year
        (D(2026, 12, 23), D(2027, 1, 7)),  # trettondedag jul, Wednesday 6 January
        (D(2027, 1, 5), D(2027, 1, 19)),  # trettondagsafton (5 Jan) is a working day
    ],
)
def test_decision_is_due_after_fourteen_days_on_a_working_day(arrived_on, due_day):
    arrived_at = local(arrived_on.year, arrived_on.month, arrived_on.day, 10, 0)
    due = decision_due(arrived_at, DEFAULT_RULES)
    assert is_end_of(due, due_day)
    assert is_working_day(due.date())


def test_the_late_hour_does_not_change_the_decision_day():
    assert decision_due(local(2026, 5, 5, 23, 59)) == decision_due(local(2026, 5, 5, 0, 0))


def test_moving_off_non_working_days_can_be_switched_off():
    rules = DeadlineRules(move_off_non_working_days=False)
    assert is_end_of(decision_due(local(2026, 12, 10, 10, 0), rules), D(2026, 12, 24))
    assert is_end_of(decision_due(local(2026, 5, 2, 10, 0), rules), D(2026, 5, 16))


def test_decision_days_are_configurable():
    rules = DeadlineRules(decision_days=21)
    assert is_end_of(decision_due(local(2026, 5, 5, 10, 0), rules), D(2026, 5, 26))


def test_an_extension_replaces_the_computed_date_as_it_stands():
    arrived = local(2026, 12, 10, 10, 0)
    assert is_end_of(
        decision_due(arrived, DEFAULT_RULES, extended_until=D(2027, 1, 15)), D(2027, 1, 15)
    )
    # A decided date is kept even on a Saturday.
    saturday = D(2027, 1, 16)
    assert is_end_of(decision_due(arrived, DEFAULT_RULES, extended_until=saturday), saturday)


# --- feedback ---


def test_feedback_is_due_a_week_after_the_decision_and_moves_like_it():
    # SoL 19 kap. 6 § as amended: within one week of the decision.
    assert is_end_of(feedback_due(local(2026, 5, 5, 15, 0)), D(2026, 5, 12))
    # Friday 19 June 2026 is midsommarafton: the Monday after.
    assert is_end_of(feedback_due(local(2026, 6, 12, 23, 30)), D(2026, 6, 22))
    # Thursday 24 December is julafton: over Christmas and the weekend to Monday 28.
    assert is_end_of(feedback_due(local(2026, 12, 17, 8, 0)), D(2026, 12, 28))
    thirty = DeadlineRules(feedback_days=30)
    assert is_end_of(feedback_due(local(2026, 5, 5, 15, 0), thirty), D(2026, 6, 4))
    fixed = DeadlineRules(move_off_non_working_days=False)
    assert is_end_of(feedback_due(local(2026, 6, 12, 12, 0), fixed), D(2026, 6, 19))


DECIDED = local(2026, 5, 5, 15, 0)  # a Tuesday; the week ends on Tuesday 12 May


def test_feedback_asked_for_before_or_within_the_week_is_due_when_the_week_ends():
    for asked in (local(2026, 4, 20, 9, 0), DECIDED, local(2026, 5, 12, 23, 0)):
        assert is_end_of(feedback_due(DECIDED, requested_at=asked), D(2026, 5, 12)), asked


def test_feedback_asked_for_after_the_week_is_due_at_once():
    assert is_end_of(feedback_due(DECIDED, requested_at=local(2026, 5, 13, 0, 5)), D(2026, 5, 13))
    # At once is the day of the request, a Saturday too: it is not a period that can move.
    assert is_end_of(feedback_due(DECIDED, requested_at=local(2026, 5, 23, 10, 0)), D(2026, 5, 23))


def test_feedback_on_a_report_added_to_an_ongoing_investigation_is_due_at_once():
    assert is_end_of(feedback_due(DECIDED, already_ongoing=True), D(2026, 5, 5))
    # Asked for after the decision: the day of the request.
    asked = local(2026, 5, 7, 9, 0)
    assert is_end_of(feedback_due(DECIDED, already_ongoing=True, requested_at=asked), D(2026, 5, 7))


def test_without_the_at_once_rule_a_late_request_gets_the_days_from_the_request():
    before = DeadlineRules(feedback_days=14, feedback_at_once=False)
    assert is_end_of(feedback_due(DECIDED, before, already_ongoing=True), D(2026, 5, 19))
    late = local(2026, 6, 1, 9, 0)
    assert is_end_of(feedback_due(DECIDED, before, requested_at=late), D(2026, 6, 15))


# --- summer time ---


def test_spring_forward_the_due_is_the_end_of_the_local_day_with_the_right_offset():
    # Summer time starts at 02:00 on Sunday 29 March 2026.
    early = protection_due(local(2026, 3, 28, 10, 0))
    assert is_end_of(early, D(2026, 3, 28))
    assert early.utcoffset() == WINTER
    late = protection_due(local(2026, 3, 28, 17, 0))
    assert is_end_of(late, D(2026, 3, 29))
    assert late.utcoffset() == SUMMER
    assert late.astimezone(UTC) == datetime.datetime(2026, 3, 29, 21, 59, 59, 999999, tzinfo=UTC)
    # Saturday 28 March + 14 = Saturday 11 April: Monday 13 April, in summer time.
    decision = decision_due(local(2026, 3, 28, 10, 0))
    assert is_end_of(decision, D(2026, 4, 13))
    assert decision.utcoffset() == SUMMER


def test_fall_back_the_due_is_the_end_of_the_local_day_with_the_right_offset():
    # Summer time ends at 03:00 on Sunday 25 October 2026.
    early = protection_due(local(2026, 10, 24, 10, 0))
    assert is_end_of(early, D(2026, 10, 24))
    assert early.utcoffset() == SUMMER
    late = protection_due(local(2026, 10, 24, 16, 30))
    assert is_end_of(late, D(2026, 10, 25))
    assert late.utcoffset() == WINTER
    assert late.astimezone(UTC) == datetime.datetime(2026, 10, 25, 22, 59, 59, 999999, tzinfo=UTC)
    decision = decision_due(local(2026, 10, 24, 10, 0))  # Saturday 7 November: Monday 9th
    assert is_end_of(decision, D(2026, 11, 9))
    assert decision.utcoffset() == WINTER


def test_the_missing_hour_of_spring_is_handled():
    # 02:30 on 29 March 2026 does not exist in Stockholm; zoneinfo reads it with the winter
    # offset, i.e. 01:30 UTC, which is 03:30 summer time. Either way it is early on the 29th.
    missing = local(2026, 3, 29, 2, 30)
    assert missing.astimezone(UTC) == datetime.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    due = protection_due(missing)
    assert is_end_of(due, D(2026, 3, 29))
    assert due.utcoffset() == SUMMER
    just_after = datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 summer time
    assert protection_due(just_after) == due
    # The hour that counts is the real one (03), not the written one (02).
    assert protection_due(missing, DeadlineRules(protection_late_hour=3)).date() == D(2026, 3, 30)


def test_the_repeated_hour_of_autumn_is_handled():
    # 02:30 on 25 October 2026 happens twice: first in summer time, then in winter time.
    first, second = local(2026, 10, 25, 2, 30, fold=0), local(2026, 10, 25, 2, 30, fold=1)
    assert second.astimezone(UTC) - first.astimezone(UTC) == datetime.timedelta(hours=1)
    assert protection_due(first) == protection_due(second)
    assert is_end_of(protection_due(first), D(2026, 10, 25))
    assert protection_due(first).utcoffset() == WINTER
    late_at_two = DeadlineRules(protection_late_hour=2)
    assert protection_due(first, late_at_two).date() == D(2026, 10, 26)


def test_end_of_day_exists_on_both_switch_days():
    for day, offset in ((D(2026, 3, 29), SUMMER), (D(2026, 10, 25), WINTER)):
        end = end_of_day(day)
        assert end.utcoffset() == offset
        # The next microsecond is the next local day.
        following = (end.astimezone(UTC) + datetime.timedelta(microseconds=1)).astimezone(STOCKHOLM)
        assert following.date() == day + datetime.timedelta(days=1)
        assert following.time() == datetime.time(0, 0)


# --- properties over any arrival ---

# Hypothesis takes naive bounds and attaches the time zone itself.
arrivals = st.datetimes(
    datetime.datetime(2020, 1, 1),  # noqa: DTZ001
    datetime.datetime(2035, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(arrivals, st.integers(0, 24))
def test_protection_is_due_within_a_day_of_arrival(arrived_at, late_hour):
    due = protection_due(arrived_at, DeadlineRules(protection_late_hour=late_hour))
    arrival_day = arrived_at.astimezone(STOCKHOLM).date()
    assert due > arrived_at
    assert due.date() in {arrival_day, arrival_day + datetime.timedelta(days=1)}
    assert is_end_of(due, due.date())


@given(arrivals, st.integers(0, 60), st.booleans())
def test_decision_is_the_first_allowed_day_after_the_period(arrived_at, days, move):
    rules = DeadlineRules(decision_days=days, move_off_non_working_days=move)
    due = decision_due(arrived_at, rules)
    last = arrived_at.astimezone(STOCKHOLM).date() + datetime.timedelta(days=days)
    assert is_end_of(due, due.date())
    if not move:
        assert due.date() == last
        return
    assert is_working_day(due.date())
    # No working day was skipped: every day from the last day up to the due day was free.
    skipped = [last + datetime.timedelta(days=n) for n in range((due.date() - last).days)]
    assert not any(is_working_day(day) for day in skipped)
    assert len(skipped) <= 5  # the longest run: julafton on a Wednesday to the Sunday after


@given(st.dates(D(2020, 1, 1), D(2035, 12, 31)))
def test_next_working_day_is_the_day_itself_when_it_is_one(day):
    moved = next_working_day(day)
    assert moved >= day
    assert (moved == day) is is_working_day(day)


def test_working_days_follow_the_calendar():
    assert is_working_day(D(2026, 6, 18))  # Thursday before midsommar
    for free in (D(2026, 6, 19), D(2026, 12, 24), D(2026, 12, 31), D(2026, 6, 6), D(2026, 5, 16)):
        assert not is_working_day(free)


# --- overdue ---

DUE = local(2026, 5, 19, 23, 59, 59, 999999)
AFTER = DUE + datetime.timedelta(microseconds=1)
BEFORE = local(2026, 5, 19, 12, 0)


@pytest.mark.parametrize(
    ("done_at", "now", "expected"),
    [
        (None, BEFORE, False),
        (None, DUE, False),  # the last microsecond still counts
        (None, AFTER, True),
        (BEFORE, AFTER, False),  # done in time stays done in time
        (DUE, AFTER, False),
        (AFTER, AFTER, True),  # done late stays late
        (AFTER, AFTER + datetime.timedelta(days=30), True),
    ],
)
def test_is_overdue(done_at, now, expected):
    assert is_overdue(DUE, done_at, now) is expected


def test_is_overdue_compares_instants_across_time_zones():
    assert not is_overdue(DUE, None, DUE.astimezone(UTC))
    assert is_overdue(DUE, None, AFTER.astimezone(UTC))


# --- refusals ---

# The kind of datetime the deadline functions refuse.
NAIVE = datetime.datetime(2026, 5, 5, 10, 0)  # noqa: DTZ001
NAIVE_MIDNIGHT = datetime.datetime(2026, 5, 5)  # noqa: DTZ001


@pytest.mark.parametrize(
    "call",
    [
        lambda: protection_due(NAIVE),
        lambda: decision_due(NAIVE),
        lambda: decision_due(NAIVE, extended_until=D(2026, 6, 1)),
        lambda: feedback_due(NAIVE),
        lambda: is_overdue(DUE, None, NAIVE),
        lambda: is_overdue(NAIVE_MIDNIGHT, None, DUE),
        lambda: is_overdue(DUE, NAIVE_MIDNIGHT, DUE),
    ],
)
def test_naive_datetimes_are_refused(call):
    with pytest.raises(ValueError, match="aware datetime"):
        call()


@pytest.mark.parametrize(
    "changes",
    [
        {"protection_late_hour": -1},
        {"protection_late_hour": 25},
        {"decision_days": -1},
        {"feedback_days": -1},
    ],
)
def test_impossible_rules_are_refused(changes):
    with pytest.raises(ValueError, match=r"must be|can not be"):
        dataclasses.replace(DeadlineRules(), **changes)


def test_default_rules_are_the_law_and_carry_references():
    law = DeadlineRules(
        protection_late_hour=16,
        decision_days=14,
        feedback_days=7,
        feedback_at_once=True,
        move_off_non_working_days=True,
    )
    assert law == DEFAULT_RULES
    # The standard form: the act in force, the former paragraph where guidance still uses it.
    assert DEFAULT_RULES.decision_reference == "20 kap. 2 § socialtjänstlagen (2025:400)"
    assert DEFAULT_RULES.protection_reference == (
        "20 kap. 1 § socialtjänstlagen (2025:400) (tidigare 11 kap. 1 a § SoL)"
    )
    assert DEFAULT_RULES.feedback_reference == (
        "19 kap. 6 § socialtjänstlagen (2025:400) (tidigare 14 kap. 1 b § SoL)"
    )
    assert DEFAULT_RULES.reporting_duty_reference == (
        "19 kap. 1 § socialtjänstlagen (2025:400) (tidigare 14 kap. 1 § SoL)"
    )
