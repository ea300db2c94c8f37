"""Series and occurrences for the tests of the wheel's views, coverage and calendars.

Rows are made directly (the scheduling and recording services have their own tests): these
tests are about what is shown, to whom, and at what cost."""

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from organisations.models import Municipality, Unit, User
from wheel.models import ActivitySeries, ActivityType, Occurrence, OccurrenceStatus, ScheduleKind

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def make_series(
    *,
    municipality: Municipality,
    organiser: Unit,
    created_by: User,
    activity_type: str = ActivityType.COLLABORATION_MEETING,
    title: str = "Samverkansträff",
    invited_units: Iterable[Unit] = (),
    invited_sectors: Iterable[str] = (),
    place: str = "Kommunhuset, sal A",
) -> ActivitySeries:
    series = ActivitySeries.objects.create(
        municipality=municipality,
        activity_type=activity_type,
        title=title,
        organiser_unit=organiser,
        invited_sectors=list(invited_sectors),
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=[9],
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2035, 12, 31),
        start_time=datetime.time(9, 0),
        place=place,
        created_by=created_by,
    )
    series.invited_units.set(list(invited_units))
    return series


def make_occurrence(
    series: ActivitySeries,
    starts_at: datetime.datetime,
    *,
    status: str = OccurrenceStatus.PLANNED,
    school: Unit | None = None,
    minutes: str = "",
    place: str = "",
    version: int = 1,
) -> Occurrence:
    return Occurrence.objects.create(
        series=series,
        municipality=series.municipality,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=series.duration_minutes),
        status=status,
        school=school,
        minutes=minutes,
        place=place,
        version=version,
    )
