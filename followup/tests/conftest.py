import datetime

import pytest
import time_machine
from django.utils import translation

from conftest import give_totp
from followup.models import Rollup, RollupSource
from followup.rollups import rebuild
from followup.tests.scenario import NOW, march_meetings, march_reports
from organisations.models import UnitKind
from tests.factories import UnitFactory
from tests.world import build_world


@pytest.fixture(autouse=True)
def _two_factor_set_up(request):
    """Where a test uses the world, its users have TOTP, as pages are reached in production."""
    if "world" in request.fixturenames:
        request.getfixturevalue("two_factor_set_up")


@pytest.fixture
def march(db):  # noqa: ARG001 - asks pytest for the database
    """The hand-counted March 2026 of ``scenario``, seen on 15 April 2026 (the world is built
    then too, so that its memberships are in force)."""
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        give_totp(*(user for place in world.places.values() for user in place.users.values()))
        march_reports(world)
        march_meetings(world)
        rebuild(now=NOW)
        yield world


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Each test starts in the default language (Swedish), whatever a request of an earlier
    test left active; a test about English texts asks for ``english``."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def two_schools(world):
    """Leksand's school sent 10 reports in March 2026, a second school 3 (hand-made summary
    rows: the dashboard reads nothing else)."""
    municipality = world.municipality()
    small = UnitFactory.create(
        municipality=municipality, name="Lilla skolan", kind=UnitKind.SCHOOL, pupil_count=100
    )
    big = world.unit(UnitKind.SCHOOL)
    for unit, sent in ((big, 10), (small, 3)):
        Rollup.objects.create(
            municipality=municipality,
            source=RollupSource.REPORTS,
            month=datetime.date(2026, 3, 1),
            unit=unit,
            sector="school",
            metric="sent",
            value=sent,
        )
    return world, big, small
