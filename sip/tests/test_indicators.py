"""SIP's indicators in the follow-up, on the hand-counted plans of ``indicator_scenario``:
what each month counts, the period's edges, suppression, the dashboard's queries, and that
the marks the services leave give the same rows as a rebuild."""

import datetime
from collections import Counter
from collections.abc import Iterator

import pytest
import time_machine
from django.utils import translation

from followup.catalogue import CATALOGUE
from followup.models import Rollup, RollupSource
from followup.periods import Period, PeriodKind, month_period
from followup.presentation import KEY_INDICATORS, indicator_rows
from followup.rollups import changes_process, mark_time_dependent, rebuild
from followup.selectors import comparisons, dashboard
from organisations.models import UnitKind
from sip.indicators import plan_counts
from sip.tests.indicator_scenario import APRIL, JANUARY, MARCH, NOW, Scenario, build

SIP_KEYS = [
    "sip_started",
    "sip_started_from_report",
    "sip_follow_up_on_time",
    "sip_responsible_named",
    "sip_consent_ended_first",
]


@pytest.fixture
def scenario(db) -> Iterator[Scenario]:  # noqa: ARG001 - asks pytest for the database
    built = build()
    with time_machine.travel(NOW, tick=False):
        rebuild(now=NOW)
        yield built


def _sectors(scenario: Scenario) -> tuple[str, str, str]:
    world = scenario.world
    return (
        str(world.unit(UnitKind.MEDICAL_STUDENT_HEALTH).sector),
        str(world.unit(UnitKind.INTAKE).sector),
        str(world.unit(UnitKind.HEALTH_REGION_CLINIC).sector),
    )


def _metrics(counts: Counter) -> dict[tuple[str, str], int]:
    return {(sector, metric): value for (_unit, sector, metric), value in counts.items() if value}


def test_march_counts_by_hand(scenario: Scenario) -> None:
    medical, social, health = _sectors(scenario)
    counts = plan_counts(scenario.world.municipality().pk, MARCH, now=NOW)
    assert _metrics(counts) == {
        (medical, "sip_started"): 2,  # 1 March 00:30 and the proposal taken up
        (social, "sip_started"): 2,
        (social, "sip_started_from_report"): 1,
        (health, "sip_started"): 1,  # 31 March 23:30
        (medical, "sip_follow_up_due"): 4,
        (medical, "sip_follow_up_on_time"): 1,
        (medical, "sip_active"): 6,
        (medical, "sip_active_responsible"): 5,
        (medical, "sip_closed_with_consent"): 3,
        (medical, "sip_consent_ended_first"): 2,
    }
    assert all(unit is None for unit, _sector, _metric in counts)


def test_april_and_january_counts_by_hand(scenario: Scenario) -> None:
    medical, _social, _health = _sectors(scenario)
    mid = scenario.world.municipality().pk
    assert _metrics(plan_counts(mid, APRIL, now=NOW)) == {
        (medical, "sip_started"): 1,  # 1 April 00:10
        # G's date, met on 30 March; E's (20 April) has not come yet.
        (medical, "sip_follow_up_due"): 1,
        (medical, "sip_follow_up_on_time"): 1,
        (medical, "sip_active"): 6,  # now
        (medical, "sip_active_responsible"): 5,
    }
    assert _metrics(plan_counts(mid, datetime.date(2026, 1, 1), now=NOW)) == {
        (medical, "sip_started"): 10,
        (medical, "sip_active"): 9,  # A–I, made active on 15 January
        (medical, "sip_active_responsible"): 8,
    }
    # A month before anything, and one in the future, count nothing.
    assert not _metrics(plan_counts(mid, datetime.date(2025, 12, 1), now=NOW))
    assert not _metrics(plan_counts(mid, datetime.date(2026, 5, 1), now=NOW))


def test_a_follow_up_date_not_yet_passed_is_not_due(scenario: Scenario) -> None:
    medical, _social, _health = _sectors(scenario)
    mid = scenario.world.municipality().pk
    # On 20 March: A is met, B late (met on the 14th), C's date is today: not late yet.
    counts = _metrics(
        plan_counts(mid, MARCH, now=datetime.datetime(2026, 3, 20, 12, tzinfo=NOW.tzinfo))
    )
    assert counts[(medical, "sip_follow_up_due")] == 2
    assert counts[(medical, "sip_follow_up_on_time")] == 1


def test_the_march_dashboard_protects_small_counts(scenario: Scenario) -> None:
    dash = dashboard(scenario.world.municipality(), month_period(MARCH), today=NOW.date())
    values = dash.values
    assert values["sip_started"].text == "5"
    assert values["sip_started_from_report"].text == "<5"  # 1 of 5
    assert values["sip_follow_up_on_time"].text == "<5"  # 1 of 4
    assert values["sip_consent_ended_first"].text == "<5"  # 2 of 3
    responsible = values["sip_responsible_named"]
    # 5 of 6: the share is shown, the counts not (6 − 5 = 1 would give a plan away).
    assert responsible.value is not None
    assert round(responsible.value) == 83
    assert responsible.counts_text == ""
    with translation.override("sv"):
        assert responsible.text == "83 %"
        assert str(responsible.light_label) == "Målet inte nått"  # 10 points short or more
    # February: nothing started; 8 of the 9 plans active at its end named the responsible.
    previous = dash.previous
    assert previous["sip_started"].text == "0"
    assert round(previous["sip_responsible_named"].value or 0) == 89
    assert dash.sip is not None
    assert [str(part.started) for part in dash.sip.sectors] == ["<5", "<5", "<5"]
    assert [str(part.started) for part in dash.sip.origins] == ["<5", "<5"]
    assert str(dash.sip.total) == "5"


def test_the_indicator_rows_and_their_comparison(scenario: Scenario) -> None:
    municipality = scenario.world.municipality()
    period = month_period(MARCH)
    dash = dashboard(municipality, period, today=NOW.date())
    compared, references = comparisons(municipality, period, [*KEY_INDICATORS, *SIP_KEYS])
    assert "sip_follow_up_on_time" in compared
    assert "sip_responsible_named" not in compared  # a month-end count is no sum to compare
    with translation.override("sv"):
        rows = {row.indicator.key: row for row in indicator_rows(dash, compared, references)}
        assert rows["sip_responsible_named"].change == "−6 procentenheter"
        assert rows["sip_responsible_named"].target == "minst 100 %"
        assert rows["sip_started"].target == "Inget mål"
        assert rows["sip_follow_up_on_time"].light_label == "Kan inte bedömas: för få för att visas"
        # Eksjö has no numbers for March at all: only Leksand is on the list.
        assert rows["sip_follow_up_on_time"].compared_text == "Ingen annan kommun att jämföra med"


def test_the_quarter_sums_the_months_and_takes_the_last_month_end(scenario: Scenario) -> None:
    dash = dashboard(
        scenario.world.municipality(),
        Period(PeriodKind.CUSTOM, datetime.date(2026, 1, 1), APRIL),
        today=NOW.date(),
    )
    assert dash.values["sip_started"].text == "15"  # 10 in January, 5 in March
    # Not 9 + 9 + 6 active plans: the value at the end of March.
    assert dash.values["sip_responsible_named"].denominator is not None
    assert dash.values["sip_responsible_named"].denominator.value == 6


def test_the_other_municipality_sees_none_of_it(scenario: Scenario) -> None:
    dash = dashboard(scenario.world.municipality("eksjo"), month_period(MARCH), today=NOW.date())
    assert dash.values["sip_started"].text == "0"
    assert dash.values["sip_follow_up_on_time"].value is None
    assert dash.sip is not None
    assert not dash.sip.any


def test_the_dashboard_costs_the_same_queries_with_plans(
    scenario: Scenario, django_assert_num_queries
) -> None:
    # As ``followup.tests.test_indicators``: seven queries, whatever the number of plans.
    with django_assert_num_queries(7):
        dashboard(scenario.world.municipality(), month_period(MARCH), today=NOW.date())


def test_catalogue_entries_name_the_law(db) -> None:  # noqa: ARG001
    with translation.override("sv"):
        for key in SIP_KEYS:
            indicator = CATALOGUE[key]
            assert "10 kap. 8–9 §§ socialtjänstlagen (2025:400)" in str(indicator.source)
            assert "16 kap. 4 § hälso- och sjukvårdslagen" in str(indicator.source)
            assert str(indicator.name) != indicator.key
            assert str(indicator.definition) != str(indicator.name)


def _sip_rows() -> set[tuple]:
    return set(
        Rollup.objects.filter(source=RollupSource.SIP).values_list(
            "municipality_id", "month", "unit_id", "sector", "metric", "value"
        )
    )


@pytest.mark.django_db
def test_the_marks_and_the_hourly_refresh_give_the_rebuilds_rows() -> None:
    build()
    # The periodic refresh, once a day from January to 15 April, after everything happened:
    # the marks the services left are processed first, then time passes.
    day = JANUARY
    while day <= NOW:
        with time_machine.travel(day, tick=False):
            mark_time_dependent(now=day)
            changes_process(now=day)
        day += datetime.timedelta(days=1)
    incremental = _sip_rows()
    assert incremental
    with time_machine.travel(NOW, tick=False):
        rebuild(now=NOW)
    assert _sip_rows() == incremental
