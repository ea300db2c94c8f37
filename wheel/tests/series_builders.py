"""Series made through the services, for the tests of series and occurrences."""

import dataclasses
import datetime
from typing import Any

from allauth.mfa.models import Authenticator
from django.utils import timezone

from organisations import services as organisation_services
from organisations import services_breaks
from organisations.models import (
    BreakKind,
    Role,
    SchoolBreak,
    SchoolTerm,
    TermKind,
    Unit,
    UnitKind,
    User,
)
from tests.factories import UserFactory
from tests.world import World
from wheel import services
from wheel.models import ActivitySeries, ActivityType, Occurrence, ScheduleKind

D = datetime.date
TEN = datetime.time(10, 0)

# Leksand's school year 2025/26.
TERMS = [
    (TermKind.AUTUMN, D(2025, 8, 19), D(2025, 12, 19)),
    (TermKind.SPRING, D(2026, 1, 8), D(2026, 6, 11)),
]


def add_terms(world: World, town: str = "leksand") -> list[SchoolTerm]:
    return [
        organisation_services.term_create(
            actor=None,
            municipality=world.municipality(town),
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        for kind, starts_on, ends_on in TERMS
    ]


# The weeks the installation avoided before breaks were the municipality's own data:
# höstlov in week 44, sportlov in week 9, påsklov in week 15 (Monday to Sunday).
OLD_DEFAULT_BREAKS = [
    (BreakKind.AUTUMN, 2025, 44),
    (BreakKind.WINTER, 2026, 9),
    (BreakKind.EASTER, 2026, 15),
]


def add_breaks(world: World, town: str = "leksand") -> list[SchoolBreak]:
    return [
        services_breaks.school_break_create(
            actor=None,
            municipality=world.municipality(town),
            kind=kind,
            starts_on=D.fromisocalendar(year, week, 1),
            ends_on=D.fromisocalendar(year, week, 7),
        )
        for kind, year, week in OLD_DEFAULT_BREAKS
    ]


def series_data(world: World, town: str = "leksand", **overrides: Any) -> services.SeriesData:
    """A collaboration meeting organised by the intake, every Tuesday in March 2026."""
    data = services.SeriesData(
        activity_type=ActivityType.COLLABORATION_MEETING,
        title="Samverkansträff skola–socialtjänst",
        organiser_unit=world.unit(UnitKind.INTAKE, town),
        invited_units=(
            world.unit(UnitKind.SCHOOL, town),
            world.unit(UnitKind.STUDENT_HEALTH, town),
        ),
        invited_sectors=("school", "social_services"),
        schedule_kind=ScheduleKind.RRULE,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        starts_on=D(2026, 3, 1),
        ends_on=D(2026, 3, 31),
        start_time=TEN,
        place="Kommunhuset, sal A",
    )
    return dataclasses.replace(data, **overrides)


def make_series(world: World, town: str = "leksand", **overrides: Any) -> ActivitySeries:
    return services.series_create(
        actor=world.user(Role.COORDINATOR, town),
        municipality=world.municipality(town),
        data=series_data(world, town, **overrides),
    )


def around_today(world: World, town: str = "leksand", **overrides: Any) -> ActivitySeries:
    """A weekly series from eight weeks ago to eight weeks ahead (past and coming meetings)."""
    today = timezone.localdate()
    values: dict[str, Any] = {
        "rrule": "FREQ=WEEKLY",
        "starts_on": today - datetime.timedelta(weeks=8),
        "ends_on": today + datetime.timedelta(weeks=8),
        **overrides,
    }
    return make_series(world, town, **values)


def past_occurrence(series: ActivitySeries) -> Occurrence:
    occurrence = (
        series.occurrences.filter(starts_at__lt=datetime.datetime.now(datetime.UTC))
        .order_by("-starts_at")
        .first()
    )
    assert occurrence is not None
    return occurrence


def future_occurrence(series: ActivitySeries) -> Occurrence:
    occurrence = (
        series.occurrences.filter(starts_at__gt=datetime.datetime.now(datetime.UTC))
        .order_by("starts_at")
        .first()
    )
    assert occurrence is not None
    return occurrence


def member_of(unit: Unit, username: str, role: str = Role.REPORTER) -> User:
    """A user with a membership at ``unit`` (and two-factor set up)."""
    user = UserFactory.create(username=username, municipality=unit.municipality)
    organisation_services.membership_create(actor=None, user=user, unit=unit, role=role)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user
