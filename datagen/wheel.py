"""The annual wheel: a few activity series per municipality on fixed months, with their
occurrences over the last two years and the next half year. Past occurrences were held (a
few cancelled) with attendance per sector; future ones are planned."""

import datetime
import random

from datagen.loader import Loader, Table
from datagen.organisations import Place
from datagen.timeline import local_moment
from organisations.models import Sector
from wheel.models import (
    ActivitySeries,
    ActivityType,
    Attendance,
    Occurrence,
    OccurrenceStatus,
    ScheduleKind,
)

_TERM_MONTHS = [1, 2, 3, 4, 5, 9, 10, 11, 12]
# (type, title, months, organiser unit key, attending unit keys with their sectors)
_SERIES = (
    (
        ActivityType.COLLABORATION_MEETING,
        "Samverkansträff skola och socialtjänst",
        [2, 4, 9, 11],
        "office",
        (("education", Sector.SCHOOL), ("intake", Sector.SOCIAL_SERVICES)),
    ),
    (
        ActivityType.STUDENT_HEALTH_TEAM,
        "Elevhälsoteam",
        _TERM_MONTHS,
        "student_health",
        (("student_health", Sector.SCHOOL), ("medical", Sector.MEDICAL_STUDENT_HEALTH)),
    ),
    (
        ActivityType.REGION_CONSULTATION,
        "Konsultationsmöte med regionen",
        [2, 4, 10, 12],
        "student_health",
        (("student_health", Sector.SCHOOL), ("cap", Sector.HEALTH_REGION)),
    ),
    (
        ActivityType.RESOURCE_COUNCIL,
        "Resurssamråd",
        [3, 10],
        "social",
        (("social", Sector.SOCIAL_SERVICES), ("education", Sector.SCHOOL)),
    ),
)


def _first_tuesday(year: int, month: int) -> datetime.date:
    day = datetime.date(year, month, 1)
    return day + datetime.timedelta(days=(1 - day.weekday()) % 7)


class WheelWriter:
    """Writes series, occurrences and attendance; remembers occurrence ids per municipality."""

    def __init__(self, loader: Loader, parents: list[Table], *, as_of: datetime.date) -> None:
        self.loader = loader
        self.as_of = as_of
        self.series = loader.table(
            ActivitySeries,
            [
                "id",
                "municipality_id",
                "activity_type",
                "title",
                "description",
                "organiser_unit_id",
                "organiser_person_id",
                "invited_sectors",
                "governance_document_id",
                "schedule_kind",
                "rrule",
                "times_per_term",
                "months",
                "starts_on",
                "ends_on",
                "start_time",
                "duration_minutes",
                "place",
                "created_at",
                "created_by_id",
            ],
            parents,
        )
        self.occurrences = loader.table(
            Occurrence,
            [
                "id",
                "series_id",
                "municipality_id",
                "starts_at",
                "ends_at",
                "place",
                "school_id",
                "status",
                "status_reason",
                "minutes",
                "minutes_file",
                "minutes_file_name",
                "uid",
                "version",
            ],
            [self.series],
        )
        self.attendance = loader.table(
            Attendance,
            ["id", "occurrence_id", "unit_id", "sector", "participants"],
            [self.occurrences],
        )
        self.ids: dict[int, list[int]] = {}

    def write(self, rng: random.Random, place: Place) -> None:
        """The municipality's series and their occurrences."""
        starts_on = datetime.date(self.as_of.year - 2, 1, 1)
        ends_on = datetime.date(self.as_of.year + 1, 6, 30)
        coordinator = place.staff["coordinator"][0]
        for activity, title, months, organiser, attending in _SERIES:
            series_id = self.loader.next_id(ActivitySeries)
            sectors = sorted({str(sector) for _unit, sector in attending})
            self.series.add(
                (
                    series_id,
                    place.id,
                    activity,
                    title,
                    "",
                    place.units[organiser],
                    coordinator,
                    sectors,
                    None,
                    ScheduleKind.FIXED_MONTHS,
                    "",
                    None,
                    months,
                    starts_on,
                    ends_on,
                    datetime.time(13, 0),
                    90,
                    "Kommunhuset",
                    local_moment(starts_on, 480),
                    coordinator,
                )
            )
            for year in range(starts_on.year, ends_on.year + 1):
                for month in months:
                    day = _first_tuesday(year, month)
                    if starts_on <= day <= ends_on:
                        self._occurrence(rng, place, series_id, day, attending)

    def _occurrence(
        self,
        rng: random.Random,
        place: Place,
        series_id: int,
        day: datetime.date,
        attending: tuple[tuple[str, str], ...],
    ) -> None:
        occurrence_id = self.loader.next_id(Occurrence)
        starts_at = local_moment(day, 13 * 60)
        past = day < self.as_of
        status = OccurrenceStatus.PLANNED
        if past:
            status = OccurrenceStatus.CANCELLED if rng.random() < 0.08 else OccurrenceStatus.HELD
        minutes = "Genomgång av aktuella ärenden och samverkan." if status == "held" else ""
        self.occurrences.add(
            (
                occurrence_id,
                series_id,
                place.id,
                starts_at,
                starts_at + datetime.timedelta(minutes=90),
                "Kommunhuset",
                None,
                status,
                "Sjukdom" if status == OccurrenceStatus.CANCELLED else "",
                minutes,
                "",
                "",
                f"{rng.getrandbits(128):032x}@samverkan",
                2 if past else 1,
            )
        )
        self.ids.setdefault(place.id, []).append(occurrence_id)
        if status == OccurrenceStatus.HELD:
            for unit_key, sector in attending:
                if rng.random() < 0.9:
                    self.attendance.add(
                        (
                            self.loader.next_id(Attendance),
                            occurrence_id,
                            place.units[unit_key],
                            sector,
                            1 + rng.randrange(4),
                        )
                    )
