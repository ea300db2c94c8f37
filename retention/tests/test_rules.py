"""The rules' defaults and the arithmetic of "due": the years, leap days, the 5/15/25
research sample (personnummer and samordningsnummer), and the ten-year minimum."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.personnummer import make_test_identity_number
from retention.models import ClockStart, RecordType, RetentionRule
from retention.rules import (
    STOCKHOLM,
    add_years,
    born_on_research_day,
    due_on,
    rules_for,
    started_before,
    validate_rule,
)
from tests.world import World

days = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2080, 12, 31))


def test_every_municipality_gets_the_laws_defaults_once(world: World) -> None:
    leksand = world.municipality()
    first = rules_for(leksand)
    again = rules_for(leksand)
    assert {k: v.pk for k, v in first.items()} == {k: v.pk for k, v in again.items()}
    assert RetentionRule.objects.filter(municipality=leksand).count() == 3
    report, plan, medical = (first[t] for t in RecordType.values)
    assert (report.years, report.clock_start, report.research_exception) == (
        5,
        ClockStart.LAST_ENTRY,
        True,
    )
    assert (plan.years, plan.research_exception) == (5, True)
    assert (medical.years, medical.research_exception) == (10, False)
    assert "patientdatalagen" in medical.plan_reference
    assert rules_for(world.municipality("eksjo"))[RecordType.REPORT].pk != report.pk


def test_medical_records_are_kept_at_least_ten_years() -> None:
    validate_rule(record_type=RecordType.MEDICAL_PLAN, years=10)
    validate_rule(record_type=RecordType.REPORT, years=3)
    with pytest.raises(ValidationError) as error:
        validate_rule(record_type=RecordType.MEDICAL_PLAN, years=9)
    assert "years" in error.value.message_dict


def test_a_leap_day_is_due_on_the_first_of_march() -> None:
    assert add_years(datetime.date(2024, 2, 29), 5) == datetime.date(2029, 3, 1)
    assert add_years(datetime.date(2024, 2, 29), 4) == datetime.date(2028, 2, 29)
    closed = datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC)  # 00:30 in Sweden
    assert due_on(closed, 5) == datetime.date(2031, 3, 3)


@given(start=days, today=days, years=st.integers(min_value=1, max_value=30))
def test_the_database_cutoff_agrees_with_the_due_day(
    start: datetime.date, today: datetime.date, years: int
) -> None:
    moment = datetime.datetime.combine(start, datetime.time(12), tzinfo=STOCKHOLM)
    assert (moment < started_before(today, years)) == (add_years(start, years) <= today)


@given(
    birth=st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2025, 12, 31)),
    coordination=st.booleans(),
)
def test_the_research_sample_is_the_5th_15th_and_25th(
    birth: datetime.date, coordination: bool
) -> None:
    number = make_test_identity_number(birth, 985, coordination=coordination).digits
    assert born_on_research_day(number) == (birth.day in (5, 15, 25))


def test_without_a_number_the_recorded_birth_date_decides() -> None:
    assert born_on_research_day("", datetime.date(2015, 3, 25))
    assert not born_on_research_day("", datetime.date(2015, 3, 26))
    assert not born_on_research_day("", None)
    assert not born_on_research_day("not a number", None)
