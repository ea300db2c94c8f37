"""Board reports for tests: the hand-counted March 2026 of ``scenario`` in Leksand, a routine
with a goal measured by an indicator, and a draft made through the real services (the tests
run tasks at once, so committing the draft makes it)."""

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from followup import board_services
from followup.models import BoardReport
from followup.periods import year_period
from followup.rollups import rebuild
from followup.tests.scenario import NOW, march_meetings, march_reports
from governance import services as governance_services
from governance.tests import builders as governance_builders
from organisations.models import Role
from tests.world import World

YEAR = 2026
ROUTINE = "Samverkansrutin skola – socialtjänst"
GOAL = "Beslut om utredning fattas inom fyra månader."


def scenario(world: World) -> None:
    """March 2026 of ``scenario`` and a routine whose goal is measured by the share decided
    within the deadline, with the target 75 % (5 of 7 = 71 %: close to the target)."""
    march_reports(world)
    march_meetings(world)
    routine = governance_builders.document(world, title=ROUTINE)
    governance_builders.version(world, routine)
    governance_services.goal_add(
        actor=world.user(Role.COORDINATOR),
        document=routine,
        text=GOAL,
        indicator_key="decided_within_deadline",
        target_value=Decimal(75),
    )
    rebuild(now=NOW)


def draft(world: World, capture: Callable[..., Any], place: str = "leksand") -> BoardReport:
    """A draft for 2026, made (snapshot and PDF) when its transaction commits."""
    with capture(execute=True):
        report = board_services.board_report_create_draft(
            actor=world.user(Role.COORDINATOR, place),
            municipality=world.municipality(place),
            period=year_period(YEAR),
        )
    report.refresh_from_db()
    return report


def published(world: World, capture: Callable[..., Any]) -> BoardReport:
    report = draft(world, capture)
    with capture(execute=True):
        board_services.board_report_publish(actor=world.user(Role.COORDINATOR), report=report)
    report.refresh_from_db()
    return report


@pytest.fixture
def keep_language() -> Iterator[None]:
    """The test client's requests leave their language active in this thread; put back the
    one before, so later tests see the language they expect."""
    before = translation.get_language()
    yield
    translation.activate(before)
