"""Coverage: intake–principal meetings per school and term, parent-meeting visits per school
and school year; gaps named, one grouped query per table."""

import datetime

import pytest
from django.utils import translation

from organisations import services as organisation_services
from organisations.models import Role, SchoolForm, TermKind, UnitKind
from tests.world import World
from wheel import coverage
from wheel.models import ActivityType, OccurrenceStatus
from wheel.tests.calendar_builders import local, make_occurrence, make_series

TODAY = datetime.date(2026, 11, 27)  # in the autumn term of school year 2026/27


@pytest.fixture
def setup(world: World):
    municipality = world.municipality()
    terms = [
        (TermKind.AUTUMN, datetime.date(2025, 8, 18), datetime.date(2025, 12, 19)),
        (TermKind.SPRING, datetime.date(2026, 1, 8), datetime.date(2026, 6, 12)),
        (TermKind.AUTUMN, datetime.date(2026, 8, 17), datetime.date(2026, 12, 18)),
        (TermKind.SPRING, datetime.date(2027, 1, 7), datetime.date(2027, 6, 11)),
    ]
    for kind, starts_on, ends_on in terms:
        organisation_services.term_create(
            actor=None, municipality=municipality, kind=kind, starts_on=starts_on, ends_on=ends_on
        )
    first = world.unit(UnitKind.SCHOOL)
    second = organisation_services.unit_create(
        actor=None,
        municipality=municipality,
        name="Åkerö skola 7–9",
        kind=UnitKind.SCHOOL,
        school_forms=[SchoolForm.COMPULSORY],
    )
    organisation_services.unit_create(
        actor=None, municipality=municipality, name="Solgläntan", kind=UnitKind.PRESCHOOL
    )
    coordinator = world.user(Role.COORDINATOR)
    intake = make_series(
        municipality=municipality,
        organiser=world.unit(UnitKind.INTAKE),
        created_by=coordinator,
        activity_type=ActivityType.INTAKE_PRINCIPAL,
        title="Mottagningen möter rektor",
    )
    visits = make_series(
        municipality=municipality,
        organiser=world.unit(UnitKind.INTAKE),
        created_by=coordinator,
        activity_type=ActivityType.PARENT_MEETING_VISIT,
        title="Föräldramöte",
    )
    return {"first": first, "second": second, "intake": intake, "visits": visits}


def _states(table: coverage.Table) -> dict[str, list[str]]:
    return {row.school.name: [cell.state for cell in row.cells] for row in table.rows}


def test_intake_principal_meetings_per_term(world: World, setup) -> None:
    first, second, series = setup["first"], setup["second"], setup["intake"]
    # First school: held in both terms of 2025/26 (twice in the autumn), planned this autumn.
    make_occurrence(series, local(2025, 9, 10), status=OccurrenceStatus.HELD, school=first)
    make_occurrence(series, local(2025, 11, 12), status=OccurrenceStatus.HELD, school=first)
    make_occurrence(series, local(2026, 3, 4), status=OccurrenceStatus.HELD, school=first)
    make_occurrence(series, local(2026, 12, 2), status=OccurrenceStatus.PLANNED, school=first)
    # Second school: only a cancelled meeting and one without a school; nothing this year.
    make_occurrence(series, local(2025, 10, 1), status=OccurrenceStatus.CANCELLED, school=second)
    make_occurrence(series, local(2025, 10, 2), status=OccurrenceStatus.HELD)
    # Between terms and of another type: not counted.
    make_occurrence(series, local(2026, 7, 1), status=OccurrenceStatus.HELD, school=second)
    make_occurrence(setup["visits"], local(2026, 3, 5), status=OccurrenceStatus.HELD, school=second)

    with translation.override("en"):
        table = coverage.intake_principal_coverage(
            world.municipality(), school_year=2026, today=TODAY
        )
        assert table.rows[1].cells[0].label == "Missing"
    assert [period.label for period in table.periods] == [
        "Autumn term 2025",
        "Spring term 2026",
        "Autumn term 2026",
        "Spring term 2027",
    ]
    # Schools only (not preschools), by name.
    assert [row.school.name for row in table.rows] == ["Leksand school", "Åkerö skola 7–9"]
    states = _states(table)
    assert states["Leksand school"] == ["held", "held", "planned", "not_planned"]
    assert states["Åkerö skola 7–9"] == ["missing", "missing", "not_planned", "not_planned"]
    assert table.rows[0].cells[0].held == 2
    assert table.gaps == 5


def test_parent_meeting_visits_per_school_year(world: World, setup) -> None:
    first, series = setup["first"], setup["visits"]
    make_occurrence(series, local(2025, 9, 3, 18), status=OccurrenceStatus.HELD, school=first)
    make_occurrence(series, local(2026, 9, 2, 18), status=OccurrenceStatus.HELD, school=first)
    table = coverage.parent_meeting_coverage(world.municipality(), school_year=2026, today=TODAY)
    assert [period.label for period in table.periods] == ["2025/26", "2026/27"]
    states = _states(table)
    assert states["Leksand school"] == ["held", "held"]
    assert states["Åkerö skola 7–9"] == ["missing", "not_planned"]  # the gap
    assert table.gaps == 2


def test_a_meeting_late_on_the_last_day_of_term_counts(world: World, setup) -> None:
    make_occurrence(
        setup["intake"],
        local(2025, 12, 19, 23, 30),
        status=OccurrenceStatus.HELD,
        school=setup["first"],
    )
    table = coverage.intake_principal_coverage(world.municipality(), school_year=2026, today=TODAY)
    assert _states(table)["Leksand school"][0] == "held"


@pytest.mark.usefixtures("setup")
def test_the_other_municipality_does_not_count(world: World) -> None:
    eksjo = make_series(
        municipality=world.municipality("eksjo"),
        organiser=world.unit(UnitKind.INTAKE, "eksjo"),
        created_by=world.user(Role.COORDINATOR, "eksjo"),
        activity_type=ActivityType.INTAKE_PRINCIPAL,
    )
    make_occurrence(
        eksjo,
        local(2025, 9, 10),
        status=OccurrenceStatus.HELD,
        school=world.unit(UnitKind.SCHOOL, "eksjo"),
    )
    table = coverage.intake_principal_coverage(world.municipality(), school_year=2026, today=TODAY)
    assert all(row.school.municipality_id == world.municipality().pk for row in table.rows)
    assert _states(table)["Leksand school"][0] == "missing"


@pytest.mark.parametrize("occurrences", [2, 80])
def test_four_queries_however_many_occurrences(
    world: World, setup, django_assert_num_queries, occurrences: int
) -> None:
    for index in range(occurrences):
        school = setup["first"] if index % 2 else setup["second"]
        day = datetime.date(2025, 9, 1) + datetime.timedelta(days=index * 4)
        make_occurrence(
            setup["intake"], local(day.year, day.month, day.day), status="held", school=school
        )
        make_occurrence(
            setup["visits"], local(day.year, day.month, day.day), status="held", school=school
        )
    # Schools, terms, and one grouped query per table.
    with django_assert_num_queries(4):
        intake, visits = coverage.coverage(world.municipality(), school_year=2026, today=TODAY)
    assert intake.rows
    assert visits.rows


def test_without_terms_the_term_table_is_empty(world: World) -> None:
    table = coverage.intake_principal_coverage(world.municipality(), school_year=2026, today=TODAY)
    assert table.periods == []
    assert table.gaps == 0


def test_school_year_of() -> None:
    assert coverage.school_year_of(datetime.date(2026, 8, 1)) == 2026
    assert coverage.school_year_of(datetime.date(2026, 7, 31)) == 2025
    assert coverage.school_year_label(2029) == "2029/30"
    assert coverage.school_year_label(2099) == "2099/00"
