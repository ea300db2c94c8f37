"""A sent round of Leksand with answers, an analysis group, a priority on the resource
council's next meeting: the setting of the results and analysis view tests."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from organisations.models import Role, Sector, UnitKind
from surveys.models import Answer, Priority, Round
from surveys.tests.factories_results import answer_many, make_round, make_version
from tests.world import World
from wheel.models import ActivityType, Occurrence
from wheel.tests.calendar_builders import make_occurrence, make_series


@dataclass
class Setting:
    round: Round
    draft: Round
    text: Answer
    priority: Priority
    council: Occurrence


def members(world: World) -> list:
    """The analysis group: the school counsellor and the principal (not the intake)."""
    return [world.user(Role.STUDENT_HEALTH), world.user(Role.PRINCIPAL)]


def readers(world: World) -> list:
    return [
        world.user(role)
        for role in (Role.COORDINATOR, Role.MANAGER, Role.BOARD_MEMBER, Role.AUDITOR)
    ]


def recorders(world: World) -> list:
    """Who records the resource council's meetings: the coordinator and the organiser unit
    (the intake)."""
    return [world.user(Role.COORDINATOR), world.user(Role.INTAKE)]


def council_series(world: World, place: str = "leksand"):
    return make_series(
        municipality=world.municipality(place),
        organiser=world.unit(UnitKind.INTAKE, place),
        created_by=world.user(Role.COORDINATOR, place),
        activity_type=ActivityType.RESOURCE_COUNCIL,
        title="Resursråd",
    )


def build(world: World) -> Setting:
    version = make_version(world.municipality())
    round_ = make_round(
        version, invitations=12, members=members(world), opens_on=datetime.date(2026, 3, 1)
    )
    answer_many(round_, 6, sector=Sector.SCHOOL)
    answer_many(round_, 5, sector=Sector.SOCIAL_SERVICES, start=6)
    draft = make_round(version, sent=False, members=members(world))
    text = Answer.objects.filter(response__round=round_, question__key="comment").first()
    assert text is not None
    council = make_occurrence(council_series(world), timezone.now() + datetime.timedelta(days=10))
    priority = Priority.objects.create(
        round=round_,
        position=1,
        what="Fältassistenter kvällstid",
        why="Oron vid stationen har ökat.",
        responsible_unit=world.unit(UnitKind.MUNICIPAL_OFFICE),
        council_occurrence=council,
        sent_to_council_at=timezone.now(),
    )
    Priority.objects.create(
        round=round_,
        position=2,
        what="Föräldrastöd",
        why="Fler svarar att föräldrar behöver stöd.",
        responsible_unit=world.unit(UnitKind.MUNICIPAL_OFFICE),
    )
    return Setting(round=round_, draft=draft, text=text, priority=priority, council=council)
