"""The indicators not counted in ``test_indicators``, on additions to the hand-counted March of
``scenario``: read confirmations per sector, attendance per sector, parent-meeting coverage,
silent schools and the schools' protected counts, and a document's days to its revision."""

import datetime

import pytest
import time_machine

from followup.periods import month_period
from followup.rollups import rebuild
from followup.selectors import dashboard
from followup.tests.scenario import MARCH, NOW, at, march_meetings, march_reports
from governance import services as governance_services
from governance.tests import builders as governance_builders
from organisations.models import Role, Sector, UnitKind
from reports.tests.builders import submitted
from tests.factories import UnitFactory
from tests.world import World, build_world
from wheel.models import ActivityType, OccurrenceStatus
from wheel.tests.calendar_builders import make_occurrence, make_series


@pytest.fixture
def more(db):  # noqa: ARG001 - asks pytest for the database
    """The March scenario, and:

    - a routine approved on 15 January 2026 (revision every 12 months) that the reporter, the
      principal and the intake confirmed: 3 of the 7 staff of the world (the school's 2 of 2;
      the school sector's 2 of 3, with the student health unit; social services 1 of 1);
    - a parent-meeting visit held at the school in March;
    - a second school of 200 pupils that sent nothing, and a third of 1,000 pupils that sent
      one report in March: 1 per 1,000 pupils against the municipality's 9 per 1,500.
    """
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        march_reports(world)
        march_meetings(world)
        routine = governance_builders.document(world)
        version = governance_builders.version(
            world, routine, approved_on=datetime.date(2026, 1, 15)
        )
        for role in (Role.REPORTER, Role.PRINCIPAL, Role.INTAKE):
            governance_services.read_confirm(user=world.user(role), version=version)
        visit = make_series(
            municipality=world.municipality(),
            organiser=world.unit(UnitKind.INTAKE),
            created_by=world.user(Role.COORDINATOR),
            activity_type=ActivityType.PARENT_MEETING_VISIT,
        )
        make_occurrence(
            visit, at(17, 18), status=OccurrenceStatus.HELD, school=world.unit(UnitKind.SCHOOL)
        )
        municipality = world.municipality()
        UnitFactory.create(municipality=municipality, name="Tysta skolan", pupil_count=200)
        large = UnitFactory.create(municipality=municipality, name="Stora skolan", pupil_count=1000)
        submitted(world, now=at(9), school=large)
        rebuild(now=NOW)
        yield world


def _march(world: World):
    return dashboard(world.municipality(), month_period(MARCH), today=NOW.date())


def test_read_confirmations_at_the_end_of_the_period_per_sector(more: World) -> None:
    # The snapshot is taken in April (when the staff confirmed): April shows it, March not.
    april = dashboard(
        more.municipality(), month_period(datetime.date(2026, 4, 1)), today=NOW.date()
    )
    assert april.values["routine_confirmed"].text == "43 %"  # 3 of 7
    assert april.values["routine_confirmed"].counts_text == "3 av 7"  # staff: never "<5"
    sectors = {row.sector: row.confirmed.text for row in april.sectors}
    assert sectors[Sector.SCHOOL] == "67 %"  # 2 of 3
    assert sectors[Sector.SOCIAL_SERVICES] == "100 %"  # 1 of 1
    assert sectors[Sector.MANAGEMENT] == "0 %"  # the coordinator and the manager: 0 of 2
    assert _march(more).values["routine_confirmed"].text == "–"


def test_attendance_per_sector(more: World) -> None:
    rows = {row.sector: row for row in _march(more).sectors}
    # Three meetings held (the visit recorded no attendance): the school sector attended two
    # (5 people), social services one.
    assert (rows[Sector.SCHOOL].attendance.text, rows[Sector.SCHOOL].participants) == (
        "67 %",
        5,
    )
    assert rows[Sector.SOCIAL_SERVICES].attendance.text == "33 %"


def test_coverage_of_the_schools(more: World) -> None:
    values = _march(more).values
    # Three schools now: only the first met the intake and was visited at a parent meeting.
    assert values["intake_principal_coverage"].text == "33 %"
    assert values["parent_meeting_coverage"].text == "33 %"
    assert values["meetings_held"].counts_text == "3 av 5"  # the visit is a meeting too


def test_silent_schools_and_the_schools_protected_counts(more: World) -> None:
    result = _march(more)
    rows = {row.unit.name: row for row in result.schools}
    assert rows["Tysta skolan"].silent  # nothing in twelve months
    assert rows["Stora skolan"].silent  # 0.1 per 100 pupils, under a quarter of 0.6
    assert not rows["Leksand school"].silent
    assert result.values["silent_schools"].text == "2"
    # One report is "<5"; the 8 are hidden too, so that 9 − 8 does not give the 1 away.
    assert str(rows["Stora skolan"].sent) == "<5"
    assert rows["Stora skolan"].rate.text == "<5"
    assert str(rows["Leksand school"].sent) == "–"
    assert str(rows["Tysta skolan"].sent) == "0"
    assert result.values["reports_per_100_pupils"].text == "0,6"  # 9 per 1,500 pupils


def test_days_to_the_documents_revision(more: World) -> None:
    result = _march(more)
    [document] = result.documents
    # Approved 15 January 2026, revised every 12 months: 15 January 2027, 275 days ahead.
    assert (document.date, document.days) == (datetime.date(2027, 1, 15), 275)
    assert result.values["document_days_to_revision"].light == "green"


def test_silent_schools_in_the_current_year_are_judged_on_the_last_twelve_months(
    more: World,
) -> None:
    from organisations.models import Unit

    quiet = Unit.objects.get(name="Tysta skolan")
    with time_machine.travel(NOW, tick=False):
        # Its only report arrived last November: inside the last twelve months on 15 April.
        submitted(more, now=datetime.datetime(2025, 11, 10, 9, 0, tzinfo=NOW.tzinfo), school=quiet)
        rebuild(now=NOW)
    rows = {row.unit.name: row for row in _this_year(more, NOW.date()).schools}
    assert not rows["Tysta skolan"].silent  # May 2025 – April 2026, not January – December
    # Seen from next December, the school has been silent for twelve months.
    later = _this_year(more, datetime.date(2026, 12, 20))
    assert {row.unit.name: row for row in later.schools}["Tysta skolan"].silent


def _this_year(world: World, today: datetime.date):
    from followup.periods import year_period

    return dashboard(world.municipality(), year_period(2026), today=today)


def test_the_previous_periods_silent_schools_are_judged_on_its_own_twelve_months(
    more: World,
) -> None:
    # February 2026's twelve months (March 2025 – February 2026) hold no report at all: every
    # school was silent then. In March only Leksand school wakes (Stora skolan's one report
    # is far below the municipality's rate).
    result = _march(more)
    assert result.previous["silent_schools"].text == "3"
    assert result.values["silent_schools"].text == "2"
