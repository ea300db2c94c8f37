"""The demo's finished year of reports: the same every time, and shaped like a real year."""

import datetime

from reports.demo_history import YEAR_SIZE, year_cases
from reports.models import Decision

TODAY = datetime.date(2026, 12, 5)


def test_the_same_year_every_time() -> None:
    assert year_cases("leksand", 2025, TODAY) == year_cases("leksand", 2025, TODAY)
    assert year_cases("leksand", 2025, TODAY) != year_cases("eksjo", 2025, TODAY)


def test_the_year_has_the_shape_of_a_real_one() -> None:
    cases = year_cases("leksand", 2025, TODAY)
    assert len(cases) == YEAR_SIZE["leksand"]
    arrivals = [TODAY - datetime.timedelta(days=case.days_ago) for case in cases]
    assert all(day.year == 2025 and day.weekday() < 5 for day in arrivals)
    july = sum(1 for day in arrivals if day.month == 7)
    september = sum(1 for day in arrivals if day.month == 9)
    assert july < september  # the summer holiday is quiet
    late = [case for case in cases if case.decide_after > 14]
    assert 0 < len(late) < len(cases) // 3  # a tail of late decisions, not the rule
    assert {case.decision for case in cases} <= {
        Decision.OPENED,
        Decision.NOT_OPENED,
        Decision.ADDED_TO_ONGOING,
    }
    asked = sum(1 for case in cases if case.wants_feedback)
    assert 0.7 < asked / len(cases) < 0.97
