"""Sessions are read through the shared cache, and the cached copy lasts a minute at most
(core/sessions.py): an ended session whose cached copy could not be deleted (Redis
unreachable at that moment) is gone a minute later."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.sessions import CACHED_SECONDS
from core.tests.test_auth import current_user, is_login_redirect
from organisations.models import Role
from tests.world import World

pytestmark = pytest.mark.usefixtures("demo_mode")  # no two-factor set-up in these tests

START = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)


def test_a_page_reads_its_session_from_the_cache(client: Client, world: World) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    client.get(reverse("core:start"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("core:start")).status_code == 200
    assert not [query for query in queries if "django_session" in query["sql"]]


def test_a_session_ended_behind_the_cache_is_gone_within_a_minute(
    client: Client, world: World
) -> None:
    user = world.user(Role.COORDINATOR)
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(user)
        assert client.get(reverse("core:start")).status_code == 200
        # Ended in the database only, as while Redis could not be told.
        Session.objects.filter(session_key=client.session.session_key).delete()
        clock.shift(datetime.timedelta(seconds=CACHED_SECONDS - 5))
        assert client.get(reverse("core:start")).status_code == 200  # the cached copy
        clock.shift(datetime.timedelta(seconds=10))
        assert is_login_redirect(client.get(reverse("core:start")))
        assert current_user(client) is None


def test_a_live_session_outlasts_its_cached_copy(client: Client, world: World) -> None:
    user = world.user(Role.COORDINATOR)
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(user)
        client.get(reverse("core:start"))
        clock.shift(datetime.timedelta(seconds=CACHED_SECONDS * 3))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("core:start")).status_code == 200
        assert [query for query in queries if "django_session" in query["sql"]]
        assert current_user(client) == user
