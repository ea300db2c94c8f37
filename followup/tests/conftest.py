import pytest
import time_machine
from django.utils import translation

from conftest import give_totp
from followup.rollups import rebuild
from followup.tests.scenario import NOW, march_meetings, march_reports
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
