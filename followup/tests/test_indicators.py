"""Every indicator's value on the hand-counted March of ``scenario``, with protection."""

from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from followup.catalogue import CATALOGUE, indicator_choices, percentile_days
from followup.models import IndicatorTarget
from followup.periods import month_period
from followup.rollups import rebuild
from followup.selectors import dashboard
from followup.suppression import Cell
from followup.tests.scenario import MARCH, NOW, march_meetings, march_reports
from followup.values import Light, shown_share
from tests.world import World, build_world


@pytest.fixture
def board(db):  # noqa: ARG001 - asks pytest for the database
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        march_reports(world)
        march_meetings(world)
        rebuild(now=NOW)
        yield world


def _march(world: World):
    return dashboard(world.municipality(), month_period(MARCH), today=NOW.date())


def test_the_values_of_march_by_hand(board: World) -> None:
    values = _march(board).values
    with translation.override("sv"):
        texts = {key: shown.text for key, shown in values.items()}
    assert texts["protection_on_time"] == "88 %"  # 7 of 8
    assert texts["decided_within_deadline"] == "71 %"  # 5 of 7
    assert texts["decision_days_median"] == "2"  # days 0 1 2 3 10 20: the 3rd
    assert texts["decision_days_p90"] == "20"  # the 6th of 6
    assert texts["meetings_held"] == "50 %"  # 2 held of 4 whose day passed
    assert texts["meetings_without_minutes"] == "1"  # meetings, not children: shown
    assert texts["intake_principal_coverage"] == "100 %"  # the one school met the intake
    assert texts["reports_per_100_pupils"] == "2,7"  # 8 sent, 300 pupils (Swedish decimal comma)
    assert texts["silent_schools"] == "0"
    # Feedback in time for 1 of 6: one child is too few to show.
    assert texts["feedback_on_time"] == "<5"
    # 5 of 6 led to an investigation: the one that did not is a single child.
    assert texts["led_to_investigation"] == "<5"


@pytest.mark.usefixtures("english")  # the texts are translated: checked in English here
def test_counts_behind_a_share_are_hidden_when_their_difference_is_small(board: World) -> None:
    # 5 of 7 decided in time: "5 of 7" would tell that 2 were late. The share is shown.
    shown = _march(board).values["decided_within_deadline"]
    assert (shown.text, shown.counts_text) == ("71 %", "")
    assert (str(shown.numerator), str(shown.denominator)) == ("–", "–")


@pytest.mark.usefixtures("english")
def test_counts_behind_a_share_are_shown_when_nothing_small_follows() -> None:
    indicator = CATALOGUE["decided_within_deadline"]
    shown = shown_share(indicator, Cell(10), Cell(17), target=None)
    assert (shown.text, shown.counts_text) == ("59 %", "10 of 17")
    # 13 of 17 would give away the 4 that were late; 13 of 18 would not.
    assert shown_share(indicator, Cell(13), Cell(17), target=None).counts_text == ""
    assert shown_share(indicator, Cell(13), Cell(18), target=None).counts_text == "13 of 18"
    # An outcome about the child: the share itself is hidden.
    outcome = shown_share(CATALOGUE["led_to_investigation"], Cell(13), Cell(17), target=None)
    assert (outcome.text, outcome.hidden) == ("<5", False)


@pytest.mark.usefixtures("english")
def test_traffic_lights_in_words_and_own_targets(board: World) -> None:
    values = _march(board).values
    assert values["decided_within_deadline"].light == Light.RED  # 71 % against 100 %
    assert str(values["decided_within_deadline"].light_label) == "Target not met"
    IndicatorTarget.objects.create(
        municipality=board.municipality(), indicator_key="decided_within_deadline", target=75
    )
    assert _march(board).values["decided_within_deadline"].light == Light.AMBER
    assert values["led_to_investigation"].light == Light.NONE


def test_the_previous_period_and_the_trend(board: World) -> None:
    result = _march(board)
    assert result.previous["decided_within_deadline"].text == "–"  # February: no data
    assert result.previous["decision_days_median"].text == "–"  # no decision is not 0 days
    march = next(point for point in result.trend["reports"] if point.month == MARCH)
    assert march.shown.text == "8"
    assert all(p.shown.text == "0" for p in result.trend["reports"] if p.month != MARCH)


def test_the_dashboard_costs_a_fixed_number_of_queries(
    board: World, django_assert_num_queries
) -> None:
    # No document with an approved version here; one query for the audits.
    with django_assert_num_queries(7):
        _march(board)


def test_percentiles_by_nearest_rank() -> None:
    histogram = {"decision_days_4": 2, "decision_days_9": 1, "decision_days_30": 1}
    assert percentile_days(histogram, Decimal("0.5")).value == 4
    assert percentile_days(histogram, Decimal("0.9")).value == 30
    assert percentile_days({}, Decimal("0.5")).numerator == 0


def test_every_indicator_is_described() -> None:
    for indicator in CATALOGUE.values():
        assert indicator.name
        assert indicator.definition
        assert indicator.formula
        assert indicator.source
        assert indicator.levels
        assert indicator.period_kinds
    names = [name for _key, name in indicator_choices()]
    assert names == sorted(names)


def test_unnamed_municipalities_are_lettered_by_value_not_by_name() -> None:
    from followup.selectors import _compared

    indicator = CATALOGUE["decided_within_deadline"]
    sums = {
        1: {"decision_on_time": 9, "decision_due": 10},  # Arvika, 90 %
        2: {"decision_on_time": 5, "decision_due": 10},  # Borås, 50 %
        3: {"decision_on_time": 7, "decision_due": 10},  # Ö-vik (this one), 70 %
    }
    names = {1: "Arvika", 2: "Borås", 3: "Örnsköldsvik"}
    with translation.override("en"):
        entries = _compared(indicator, sums, names, set(), own_id=3)
    assert [(entry.label, entry.shown.text) for entry in entries] == [
        ("Örnsköldsvik", "70 %"),
        ("Municipality A", "50 %"),  # Borås: the lowest value first, whatever its name
        ("Municipality B", "90 %"),
    ]
