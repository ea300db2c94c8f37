"""Small numbers: 1–4 suppressed, a total never gives a part away, staff counts shown."""

import datetime

from django.utils import translation

from followup.catalogue import CATALOGUE
from followup.periods import Period, PeriodKind, add_months, month_period
from followup.selectors import _protected_months, _trend
from followup.suppression import Cell, Protection, protect_parts, share_shown
from followup.values import shown_share

CHILDREN = Protection.CHILDREN


def _texts(cells: list[Cell]) -> list[str]:
    return [str(cell) for cell in cells]


def test_one_to_four_is_suppressed_zero_and_five_are_shown() -> None:
    cells, total = protect_parts([0, 5, 12], 17, CHILDREN)
    assert _texts(cells) == ["0", "5", "12"]
    assert str(total) == "17"


def test_a_single_suppressed_part_hides_the_smallest_other() -> None:
    cells, total = protect_parts([3, 40, 12, 0], 55, CHILDREN)
    # 55 − 40 − 0 would give 15 for the two unknowns together, not 3 alone.
    assert _texts(cells) == ["<5", "40", "–", "0"]
    assert str(total) == "55"


def test_two_suppressed_parts_protect_each_other() -> None:
    cells, total = protect_parts([3, 2, 40], 45, CHILDREN)
    assert _texts(cells) == ["<5", "<5", "40"]
    assert str(total) == "45"


def test_a_total_made_of_one_small_part_is_suppressed() -> None:
    cells, total = protect_parts([0, 3], 3, CHILDREN)
    assert _texts(cells) == ["0", "<5"]
    assert str(total) == "<5"


def test_staff_counts_are_shown_as_they_are() -> None:
    cells, total = protect_parts([1, 2, 9], 12, Protection.STAFF)
    assert _texts(cells) == ["1", "2", "9"]
    assert str(total) == "12"


def test_a_share_needs_both_counts_shown() -> None:
    assert share_shown(Cell(6), Cell(8), CHILDREN)
    assert not share_shown(Cell(3, suppressed=True), Cell(8), CHILDREN)
    assert not share_shown(Cell(6), Cell(9, hidden=True), CHILDREN)
    # An outcome about children: 9 of 10 means one child without it.
    assert not share_shown(Cell(9), Cell(10), Protection.CHILDREN_OUTCOME)
    assert share_shown(Cell(5), Cell(10), Protection.CHILDREN_OUTCOME)


def _months(start: datetime.date, counts: list[int]) -> dict[datetime.date, dict[str, int]]:
    return {add_months(start, index): {"reports": count} for index, count in enumerate(counts)}


def test_trend_months_are_protected_against_the_totals_beside_them() -> None:
    # January–June 2026 with the six months before it (its previous period) in the trend.
    period = Period(PeriodKind.CUSTOM, datetime.date(2026, 1, 1), datetime.date(2026, 7, 1))
    previous, current = [5, 9, 9, 9, 9, 9], [10, 3, 8, 9, 7, 6]
    monthly = _months(datetime.date(2025, 7, 1), [*previous, *current])
    cells = _protected_months(monthly, period)
    shown = [str(cells[month]) for month in monthly]
    # March 2026 is "<5". Protected against one total for all twelve months, July 2025 (5)
    # would be hidden instead, and March could be worked back from the period's total (43)
    # and its other months. Among the period's months, June (6) is hidden.
    assert shown == ["5", "9", "9", "9", "9", "9", "10", "<5", "8", "9", "7", "–"]


def test_a_trend_month_that_is_its_periods_only_reports_is_suppressed() -> None:
    period = month_period(datetime.date(2026, 6, 15))
    monthly = _months(datetime.date(2025, 7, 1), [0] * 10 + [6, 2])
    cells = _protected_months(monthly, period)
    assert [str(cells[month]) for month in monthly][-2:] == ["6", "<5"]


def test_a_hidden_share_says_dash_and_a_small_one_says_less_than_five() -> None:
    indicator = CATALOGUE["reports_per_100_pupils"]
    hidden = shown_share(indicator, Cell(7, hidden=True), Cell(200), target=None)
    small = shown_share(indicator, Cell(3, suppressed=True), Cell(200), target=None)
    assert (hidden.text, hidden.hidden) == ("–", True)
    assert (small.text, small.hidden) == ("<5", False)


def test_a_trend_over_more_than_two_years_is_drawn_per_year() -> None:
    # March 2023 to February 2026: 36 months, so a bar per calendar year (the first and the
    # last years only partly), each the sum of its months.
    period = Period(PeriodKind.CUSTOM, datetime.date(2023, 3, 1), datetime.date(2026, 3, 1))
    monthly = _months(datetime.date(2023, 3, 1), [10] * 10 + [20] * 12 + [30] * 12 + [7, 8])
    points = _trend(monthly, period, {})["reports"]
    assert [(point.month, point.last) for point in points] == [
        (datetime.date(2023, 3, 1), datetime.date(2023, 12, 1)),
        (datetime.date(2024, 1, 1), datetime.date(2024, 12, 1)),
        (datetime.date(2025, 1, 1), datetime.date(2025, 12, 1)),
        (datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)),
    ]
    assert [point.shown.text for point in points] == ["100", "240", "360", "15"]
    with translation.override("sv"):
        assert [point.label for point in points] == [
            "mars–december 2023",
            "2024",
            "2025",
            "januari–februari 2026",
        ]
        assert [point.axis_label for point in points] == ["2023", "2024", "2025", "2026"]


def test_two_years_are_still_drawn_month_by_month() -> None:
    period = Period(PeriodKind.CUSTOM, datetime.date(2024, 3, 1), datetime.date(2026, 3, 1))
    monthly = _months(datetime.date(2024, 3, 1), [10] * 24)
    points = _trend(monthly, period, {})["reports"]
    assert len(points) == 24
    assert all(point.last is None for point in points)
    with translation.override("sv"):
        assert points[0].label == "mars 2024"
        assert points[0].axis_label == "Mar"


def test_a_yearly_bar_is_protected_like_a_month() -> None:
    # 2024 had three reports in all: its bar says "<5", and 2025's, which could be worked back
    # from the period's total, is hidden.
    period = Period(PeriodKind.CUSTOM, datetime.date(2024, 1, 1), datetime.date(2026, 1, 1))
    monthly = _months(datetime.date(2023, 1, 1), [1] * 12 + [0, 1, 0, 2] + [0] * 8 + [9] * 12)
    # 36 months in the trend, the period's two years and the two before it.
    points = _trend(monthly, period, {})["reports"]
    assert [point.shown.text for point in points] == ["12", "<5", "–"]
