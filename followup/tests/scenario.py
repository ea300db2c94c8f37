"""A small, hand-countable month of work in Leksand for the follow-up tests: reports through
the real services, meetings of the annual wheel and read confirmations. The expected numbers
in the tests are counted by hand from what is written here."""

import datetime
from zoneinfo import ZoneInfo

from organisations.models import Role, UnitKind
from reports import services_intake
from reports.models import ConcernReport, Decision, ReportStatus
from reports.tests.builders import advance, decision_record, submitted
from tests.world import World
from wheel.models import ActivityType, Attendance, OccurrenceStatus
from wheel.tests.calendar_builders import make_occurrence, make_series

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime.datetime(2026, 4, 15, 12, 0, tzinfo=STOCKHOLM)
MARCH = datetime.date(2026, 3, 1)


def at(day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, 0, tzinfo=STOCKHOLM)


def decided_after(world: World, days: int, *, decision: str = Decision.OPENED) -> ConcernReport:
    """A report that arrived on 2 March and was decided ``days`` days later (no feedback)."""
    intake = world.user(Role.INTAKE)
    report = submitted(world, now=at(2))
    report = advance(report, ReportStatus.PRELIMINARY_ASSESSMENT, intake=intake, now=at(2))
    return services_intake.report_decide(
        report=report,
        actor=intake,
        decision=decision,
        forwarded_to="Rättvik" if decision == Decision.FORWARDED else "",
        now=at(2 + days, 15),
        **decision_record(decision),
    )


def march_reports(world: World) -> None:
    """Eight reports from the Leksand school in March 2026:

    - five decided in time after 0, 1, 2, 3 and 10 days (one of them "not opened"), the one
      after 0 days with feedback given in time;
    - one decided after 20 days (late: no extension);
    - one never assessed (protection and decision overdue on 15 April);
    - one forwarded to another municipality after 1 day.
    """
    intake = world.user(Role.INTAKE)
    first = decided_after(world, 0)
    services_intake.report_give_feedback(report=first, actor=intake, feedback="opened", now=at(3))
    for days in (1, 2, 3):
        decided_after(world, days)
    decided_after(world, 10, decision=Decision.NOT_OPENED)
    decided_after(world, 20)
    submitted(world, now=at(5))
    decided_after(world, 1, decision=Decision.FORWARDED)


def march_meetings(world: World) -> None:
    """Four meetings in March 2026: an intake–principal meeting held at the school with
    minutes (school 2 people, social services 1), a collaboration meeting held without minutes
    (school 3), one cancelled, and one planned on 30 March never recorded."""
    municipality = world.municipality()
    school = world.unit(UnitKind.SCHOOL)
    intake_unit = world.unit(UnitKind.INTAKE)
    coordinator = world.user(Role.COORDINATOR)
    office = world.unit(UnitKind.MUNICIPAL_OFFICE)
    meeting = make_series(
        municipality=municipality,
        organiser=intake_unit,
        created_by=coordinator,
        activity_type=ActivityType.INTAKE_PRINCIPAL,
    )
    held = make_occurrence(
        meeting,
        at(10),
        status=OccurrenceStatus.HELD,
        school=school,
        minutes="<p>Vi gick igenom rutinen.</p>",
    )
    Attendance.objects.create(occurrence=held, unit=school, sector=school.sector, participants=2)
    Attendance.objects.create(
        occurrence=held, unit=intake_unit, sector=intake_unit.sector, participants=1
    )
    collaboration = make_series(municipality=municipality, organiser=office, created_by=coordinator)
    plain = make_occurrence(collaboration, at(12), status=OccurrenceStatus.HELD)
    Attendance.objects.create(occurrence=plain, unit=school, sector=school.sector, participants=3)
    make_occurrence(collaboration, at(19), status=OccurrenceStatus.CANCELLED)
    make_occurrence(collaboration, at(30), status=OccurrenceStatus.PLANNED)
