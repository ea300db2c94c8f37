"""Coverage of the meetings the Eksjö audit asks for, per school: intake–principal meetings in
every school term, and a parent-meeting visit by the intake in every school year.

Each table costs one grouped query (the periods are assigned in SQL with ``CASE``), plus one
for the schools and one for the terms, however many schools, terms and occurrences there are.
A gap is named in words ("Missing", "Not planned"), never by colour alone.
"""

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from organisations.models import Municipality, SchoolTerm, Unit, UnitKind
from wheel.models import ActivityType, Occurrence, OccurrenceStatus

STOCKHOLM = ZoneInfo("Europe/Stockholm")

HELD = "held"
PLANNED = "planned"
MISSING = "missing"  # the period is over and nothing was held
NOT_PLANNED = "not_planned"  # the period is current or coming and nothing is held or planned

STATE_LABELS = {
    HELD: _("Held"),
    PLANNED: _("Planned"),
    MISSING: _("Missing"),
    NOT_PLANNED: _("Not planned"),
}
_COUNTED = [OccurrenceStatus.HELD, OccurrenceStatus.PLANNED, OccurrenceStatus.MOVED]


@dataclass(frozen=True)
class Period:
    """A column: a school term or a school year, local dates, both inclusive."""

    label: str
    starts_on: datetime.date
    ends_on: datetime.date


@dataclass(frozen=True)
class Cell:
    held: int
    planned: int
    state: str

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def is_gap(self) -> bool:
        return self.state in (MISSING, NOT_PLANNED)


@dataclass(frozen=True)
class Row:
    school: Unit
    cells: list[Cell]


@dataclass(frozen=True)
class Table:
    periods: list[Period]
    rows: list[Row]

    @property
    def gaps(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell.is_gap)


def school_year_of(day: datetime.date) -> int:
    """The year the school year of ``day`` starts in (school years start in August)."""
    return day.year if day.month >= 8 else day.year - 1


def school_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def schools_of(municipality: Municipality) -> list[Unit]:
    return list(
        Unit.objects.filter(
            municipality=municipality, kind=UnitKind.SCHOOL, is_active=True
        ).order_by("name")
    )


def term_periods(municipality: Municipality, school_year: int) -> list[Period]:
    """The municipality's terms of the school year before ``school_year`` and of that year."""
    terms = SchoolTerm.objects.filter(
        municipality=municipality,
        starts_on__gte=datetime.date(school_year - 1, 7, 1),
        starts_on__lt=datetime.date(school_year + 1, 7, 1),
    ).order_by("starts_on")
    return [Period(str(term), term.starts_on, term.ends_on) for term in terms]


def year_periods(school_year: int) -> list[Period]:
    return [
        Period(school_year_label(year), datetime.date(year, 8, 1), datetime.date(year + 1, 7, 31))
        for year in (school_year - 1, school_year)
    ]


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=STOCKHOLM)


def _counts(
    municipality: Municipality,
    activity_type: str,
    periods: list[Period],
) -> dict[tuple[int, int, str], int]:
    """(school id, period index, status) -> number of occurrences, in one grouped query."""
    if not periods:
        return {}
    period = Case(
        *[
            When(
                starts_at__gte=_start_of(p.starts_on),
                starts_at__lt=_start_of(p.ends_on + datetime.timedelta(days=1)),
                then=Value(index),
            )
            for index, p in enumerate(periods)
        ],
        default=Value(-1),
        output_field=IntegerField(),
    )
    rows: Any = (
        Occurrence.objects.filter(
            Q(municipality=municipality)
            & Q(series__activity_type=activity_type)
            & Q(school__isnull=False)
            & Q(status__in=_COUNTED)
            & Q(starts_at__gte=_start_of(periods[0].starts_on))
            & Q(starts_at__lt=_start_of(periods[-1].ends_on + datetime.timedelta(days=1)))
        )
        .annotate(period=period)
        .values("school_id", "period", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(row["school_id"], row["period"], row["status"]): row["n"] for row in rows}


def _table(
    schools: list[Unit],
    periods: list[Period],
    counts: dict[tuple[int, int, str], int],
    today: datetime.date,
) -> Table:
    rows = []
    for school in schools:
        cells = []
        for index, period in enumerate(periods):
            held = counts.get((school.pk, index, OccurrenceStatus.HELD), 0)
            planned = counts.get((school.pk, index, OccurrenceStatus.PLANNED), 0) + counts.get(
                (school.pk, index, OccurrenceStatus.MOVED), 0
            )
            if held:
                state = HELD
            elif period.ends_on < today:
                state = MISSING
            elif planned:
                state = PLANNED
            else:
                state = NOT_PLANNED
            cells.append(Cell(held=held, planned=planned, state=state))
        rows.append(Row(school=school, cells=cells))
    return Table(periods=periods, rows=rows)


def intake_principal_coverage(
    municipality: Municipality, *, school_year: int, today: datetime.date
) -> Table:
    """Schools × terms: held intake–principal meetings with each school in each term."""
    periods = term_periods(municipality, school_year)
    schools = schools_of(municipality)
    counts = _counts(municipality, ActivityType.INTAKE_PRINCIPAL, periods)
    return _table(schools, periods, counts, today)


def parent_meeting_coverage(
    municipality: Municipality,
    *,
    school_year: int,
    today: datetime.date,
    schools: list[Unit] | None = None,
) -> Table:
    """Schools × school years: held parent-meeting visits by the intake at each school."""
    periods = year_periods(school_year)
    if schools is None:
        schools = schools_of(municipality)
    counts = _counts(municipality, ActivityType.PARENT_MEETING_VISIT, periods)
    return _table(schools, periods, counts, today)


def coverage(
    municipality: Municipality, *, school_year: int, today: datetime.date
) -> tuple[Table, Table]:
    """Both tables: four queries in all (schools, terms, and one grouped query per table)."""
    schools = schools_of(municipality)
    periods = term_periods(municipality, school_year)
    intake = _table(
        schools, periods, _counts(municipality, ActivityType.INTAKE_PRINCIPAL, periods), today
    )
    visits = parent_meeting_coverage(
        municipality, school_year=school_year, today=today, schools=schools
    )
    return intake, visits
