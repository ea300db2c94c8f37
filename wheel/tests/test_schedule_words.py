"""The schedule in plain words: each plain choice gives its rule, and a stored rule that means
a plain choice is read back as that choice; anything else stays advanced."""

import pytest
from django.utils import translation

from wheel.models import ScheduleKind
from wheel.schedule_words import (
    PlainRule,
    PlainSchedule,
    describe_schedule,
    plain_rule,
    rule_for,
    times_per_term_words,
)


@pytest.mark.parametrize(
    ("choice", "weekday", "ordinal", "rule"),
    [
        (PlainSchedule.WEEKLY, "TU", None, "FREQ=WEEKLY;BYDAY=TU"),
        (PlainSchedule.EVERY_OTHER_WEEK, "MO", None, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"),
        (PlainSchedule.MONTHLY_WEEKDAY, "WE", 1, "FREQ=MONTHLY;BYDAY=1WE"),
        (PlainSchedule.MONTHLY_WEEKDAY, "TH", -1, "FREQ=MONTHLY;BYDAY=-1TH"),
    ],
)
def test_a_plain_choice_round_trips(choice, weekday, ordinal, rule) -> None:
    assert rule_for(choice, weekday=weekday, ordinal=ordinal) == rule
    assert plain_rule(rule) == PlainRule(choice, weekday, ordinal)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("RRULE:freq=weekly;byday=tu;interval=1;wkst=MO", PlainRule(PlainSchedule.WEEKLY, "TU")),
        ("FREQ=MONTHLY;BYDAY=+2FR", PlainRule(PlainSchedule.MONTHLY_WEEKDAY, "FR", 2)),
        ("FREQ=WEEKLY;BYDAY=TU,TH", None),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU", None),
        ("FREQ=MONTHLY;BYDAY=5TU", None),
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=5", None),
        ("not a rule", None),
    ],
)
def test_stored_rules_are_read_back(rule, expected) -> None:
    assert plain_rule(rule) == expected


def test_swedish_words_and_plurals() -> None:
    with translation.override("sv"):
        assert times_per_term_words(1) == "1 gång per termin"
        assert times_per_term_words(3) == "3 gånger per termin"
        words = describe_schedule(
            kind=ScheduleKind.RRULE, rrule="FREQ=MONTHLY;BYDAY=-1TH", times_per_term=None, months=[]
        )
        assert words == "Den sista torsdagen i månaden"
        words = describe_schedule(
            kind=ScheduleKind.RRULE,
            rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
            times_per_term=None,
            months=[],
        )
        assert words == "Varannan vecka på måndag"
