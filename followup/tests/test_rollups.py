"""The summary tables: what each bucket counts, by hand; incremental equals rebuild."""

import datetime
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
import time_machine

from datagen.runner import Options, generate
from followup.models import Rollup, RollupChange, RollupSource
from followup.rollups import (
    bucket_rows,
    changes_process,
    local_month,
    mark_time_dependent,
    rebuild,
)
from followup.tests.scenario import MARCH, NOW, at, march_meetings, march_reports
from organisations.models import Role, UnitKind
from reports.models import ConcernCategory, ConcernReport, ReceivedVia, ReportSource
from reports.services_registration import ReportedConcern, Reporter, report_register
from tests.world import World, build_world
from wheel import services as wheel_services
from wheel.models import ActivityType, OccurrenceStatus
from wheel.tests.series_builders import make_series, series_data


@pytest.fixture
def march(db) -> Iterator[World]:  # noqa: ARG001 - asks pytest for the database
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        march_reports(world)
        march_meetings(world)
        yield world


def _metrics(world: World, source: str, *, unit=None, sector: str = "") -> dict[str, int]:
    rows = bucket_rows(world.municipality().pk, source, MARCH, now=NOW)
    return {
        row.metric: row.value
        for row in rows
        if row.unit_id == (unit.pk if unit else None) and row.sector == sector
    }


def test_the_reports_bucket_counts_by_hand(march: World) -> None:
    whole = _metrics(march, RollupSource.REPORTS)
    assert whole == {
        "reports": 8,
        # Seven assessed in time (all but the one never assessed), which is overdue.
        "protection_due": 8,
        "protection_on_time": 7,
        # The forwarded one is decided elsewhere: seven decisions due, five in time.
        "decision_due": 7,
        "decision_on_time": 5,
        "decided": 6,
        "decision_days_0": 1,
        "decision_days_1": 1,
        "decision_days_2": 1,
        "decision_days_3": 1,
        "decision_days_10": 1,
        "decision_days_20": 1,
        "investigation": 5,
        # Every report asked for feedback; due once decided, one week after the decision.
        "feedback_due": 6,
        "feedback_on_time": 1,
    }


def test_the_school_rows_count_what_the_school_sent(march: World) -> None:
    school = march.unit(UnitKind.SCHOOL)
    assert _metrics(march, RollupSource.REPORTS, unit=school, sector=school.sector) == {
        "sent": 8,
        "sent_feedback_requested": 8,
        "sent_feedback_given": 1,
    }


def test_a_report_from_another_source_counts_for_the_intake_not_for_the_school(
    march: World,
) -> None:
    """A phone call from the police on 4 March, registered by the intake and not yet
    assessed: one more report whose protection and decision are overdue, and nothing more in
    the school's rows (reports per 100 pupils count reports from school only)."""
    report_register(
        actor=march.user(Role.INTAKE),
        municipality=march.municipality(),
        reporter=Reporter(
            source=ReportSource.POLICE, name="Anna Polis", organisation="Polisen", phone="114 14"
        ),
        concern=ReportedConcern(
            what_happened="Larm om bråk i familjen.",
            acute_danger=False,
            categories=(ConcernCategory.WITNESSING_VIOLENCE,),
            child_name="Vide",
            child_approximate_age=9,
        ),
        received_via=ReceivedVia.PHONE,
        arrived_at=at(4, 9),
        submission_key=uuid.uuid4(),
        now=at(4, 10),
    )
    whole = _metrics(march, RollupSource.REPORTS)
    assert (whole["reports"], whole["protection_due"], whole["protection_on_time"]) == (9, 9, 7)
    assert (whole["decision_due"], whole["decision_on_time"]) == (8, 5)
    school = march.unit(UnitKind.SCHOOL)
    assert _metrics(march, RollupSource.REPORTS, unit=school, sector=school.sector)["sent"] == 8
    rows = bucket_rows(march.municipality().pk, RollupSource.REPORTS, MARCH, now=NOW)
    assert {row.unit_id for row in rows} == {None, school.pk}


def test_the_wheel_bucket_counts_by_hand(march: World) -> None:
    school = march.unit(UnitKind.SCHOOL)
    assert _metrics(march, RollupSource.WHEEL) == {
        "occ_due": 3,  # held, cancelled and the planned one of 30 March
        "occ_held": 1,
        "occ_no_minutes": 1,
    }
    assert _metrics(march, RollupSource.WHEEL, unit=school) == {
        "occ_due": 1,
        "occ_held": 1,
        "held_intake_principal": 1,
    }
    assert _metrics(march, RollupSource.WHEEL, sector="school") == {
        "attended": 2,
        "participants": 5,
    }
    assert _metrics(march, RollupSource.WHEEL, sector="social_services") == {
        "attended": 1,
        "participants": 1,
    }


def _table() -> list[tuple]:
    rows = Rollup.objects.values_list(
        "municipality_id", "source", "month", "unit_id", "sector", "metric", "value"
    )
    return sorted(rows, key=lambda row: (*row[:3], row[3] or 0, *row[4:]))


@pytest.mark.usefixtures("march")
def test_incremental_and_rebuild_give_the_same_rows() -> None:
    with time_machine.travel(NOW, tick=False):
        # The services marked what they changed; the meetings were made directly, so mark
        # what time changed (the periodic refresh) and process every mark.
        assert RollupChange.objects.filter(source=RollupSource.REPORTS).exists()
        mark_time_dependent(now=NOW - datetime.timedelta(days=16))  # covers 30 March
        mark_time_dependent(now=NOW)
        changes_process(now=NOW)
        incremental = _table()
        assert not RollupChange.objects.exists()
        rebuild(now=NOW)
        assert _table() == incremental
    assert any(row[5] == "decided" and row[6] == 6 for row in incremental)


@pytest.mark.usefixtures("march")
def test_a_bucket_is_replaced_not_added_to() -> None:
    with time_machine.travel(NOW, tick=False):
        rebuild(now=NOW)
        first = _table()
        rebuild(now=NOW)
        changes_process(now=NOW)
        assert _table() == first


@pytest.mark.usefixtures("march")
def test_the_refresh_commands_run() -> None:
    from django.core.management import call_command

    with time_machine.travel(NOW, tick=False):
        call_command("followup_rebuild", verbosity=0)
        call_command("followup_refresh", verbosity=0)
    assert Rollup.objects.filter(metric="reports", value=8).exists()


def test_changing_a_series_type_recounts_its_past_meetings(db) -> None:  # noqa: ARG001
    with time_machine.travel(NOW, tick=False):  # 15 April: March's meetings are past
        world = build_world()
        school = world.unit(UnitKind.SCHOOL)
        series = make_series(world, activity_type=ActivityType.INTAKE_PRINCIPAL, school=school)
        series.occurrences.filter(starts_at__lt=NOW).update(status=OccurrenceStatus.HELD)
        rebuild(now=NOW)
        before = _metrics(world, RollupSource.WHEEL, unit=school)
        assert before["held_intake_principal"] == before["occ_held"] == 5  # March's Tuesdays

        wheel_services.series_update(
            series=series,
            actor=world.user(Role.COORDINATOR),
            data=series_data(
                world, activity_type=ActivityType.COLLABORATION_MEETING, school=school
            ),
        )
        changes_process(now=NOW)
        incremental = _table()
        rebuild(now=NOW)
        assert _table() == incremental
        assert "held_intake_principal" not in _metrics(world, RollupSource.WHEEL, unit=school)


@pytest.mark.django_db
def test_the_rebuilds_single_pass_counts_what_each_bucket_counts() -> None:
    """The rebuild counts every report in one pass; a refresh counts one bucket with a query
    of its own. On a generated installation (three municipalities, ten years) both give the
    same rows for every bucket of reports."""
    generate(Options(profile="tiny", seed=7, as_of=datetime.date(2026, 12, 1), rollups=False))
    now = datetime.datetime(2026, 12, 1, 8, tzinfo=datetime.UTC)
    rebuild(now=now)
    submitted = ConcernReport.objects.filter(submitted_at__isnull=False).values_list(
        "municipality_id", "school_unit__municipality_id", "submitted_at"
    )
    buckets = {
        (municipality_id, local_month(submitted_at))
        for report_municipality, school_municipality, submitted_at in submitted
        if submitted_at is not None
        for municipality_id in (report_municipality, school_municipality)
        if municipality_id is not None
    }
    columns = ("municipality_id", "month", "unit_id", "sector", "metric", "value")
    expected = Counter(
        tuple(getattr(row, column) for column in columns)
        for municipality_id, month in buckets
        for row in bucket_rows(municipality_id, RollupSource.REPORTS, month, now=now)
    )
    written = Counter(Rollup.objects.filter(source=RollupSource.REPORTS).values_list(*columns))
    assert len(buckets) > 50
    assert written == expected
