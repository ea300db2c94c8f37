"""Redis gone: with REDIS_URL pointing at nothing, login (with two-factor) still works, failed
logins are still limited, and the limit and the once-per-form guard are shared between app
processes (the database stands in for Redis, core/cache.py). A real Redis that is stopped and
started again is left and taken back without an error page."""

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.local import Local
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse

from core import cache as resilient
from core.models import CacheFallbackEntry
from core.tests.logs import Collected, collected
from core.tests.test_auth import (
    activate_totp,
    code_for,
    current_user,
    failed_logins_allowed_per_account,
    password_login,
)
from operations.tests.test_metrics import TOKEN, samples, scrape
from organisations.models import Role, UnitKind
from sip.models import Plan
from sip.tests.test_plan_views import _nurse
from tests.tools import skip_unless_ci
from tests.world import World


def free_port() -> int:
    """A port nothing listens on (bound and let go at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def redis_cache_settings(location: str) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "core.cache.FallbackRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def new_process() -> None:
    """What another app process would have: its own cache objects and outage state."""
    resilient._outages.clear()
    caches._connections = Local(caches.thread_critical)  # type: ignore[attr-defined]


@pytest.fixture
def cache_log() -> Iterator[Collected]:
    with collected("core.cache") as log:
        yield log


@pytest.fixture
def redis_gone(settings) -> Iterator[str]:
    location = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = redis_cache_settings(location)
    resilient._outages.clear()
    yield location
    resilient._outages.clear()


@pytest.mark.usefixtures("redis_gone")
def test_login_with_two_factor_works_while_redis_is_gone(
    client: Client, world: World, cache_log: Collected
) -> None:
    user = world.user(Role.INTAKE)
    secret = activate_totp(user)
    response = password_login(client, user)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    assert response.status_code == 302
    assert current_user(client) == user
    assert cache.degraded()  # type: ignore[attr-defined]
    # The used code and the rate-limit history are in the database, shared by the processes.
    assert CacheFallbackEntry.objects.exists()
    # One warning for the whole login, without the address.
    assert cache_log.messages == [
        "Redis is unreachable (ConnectionError): the cache uses the database until it answers "
        "again."
    ]
    # The same code again (a replay) is refused, even by another process.
    new_process()
    other = Client(headers={"Accept-Language": "en"})
    password_login(other, user)
    other.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    assert current_user(other) is None


@pytest.mark.usefixtures("redis_gone")
def test_failed_logins_are_limited_across_processes_while_redis_is_gone(
    client: Client, world: World
) -> None:
    user = world.user(Role.COORDINATOR)
    allowed = failed_logins_allowed_per_account()
    for attempt in range(allowed):
        if attempt % 2:
            new_process()  # every other attempt reaches the other app process
        response = password_login(client, user, "wrong-password-123")
        assert "are not correct" in response.content.decode()
    new_process()
    response = password_login(client, user)
    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert current_user(client) is None


@pytest.mark.usefixtures("redis_gone", "two_factor_set_up")
def test_a_double_submitted_plan_start_makes_one_plan_while_redis_is_gone(
    client: Client, world: World
) -> None:
    client.force_login(_nurse(world))
    data = {
        "once_key": str(uuid.uuid4()),
        "unit": world.unit(UnitKind.MEDICAL_STUDENT_HEALTH).pk,
        "child_name": "Ebba Dubbel",
        "child_birth_date": "2014-05-05",
    }
    first = client.post(reverse("sip:plan_start"), data)
    new_process()  # the second press reaches the other app process
    second = client.post(reverse("sip:plan_start"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Plan.objects.filter(child_name="Ebba Dubbel").count() == 1


@pytest.mark.usefixtures("redis_gone")
def test_redis_is_left_alone_for_a_while_and_warned_about_once_a_minute(
    db: None,  # noqa: ARG001 - the fallback table
    cache_log: Collected,
    monkeypatch,
) -> None:
    now = [1000.0]
    monkeypatch.setattr(resilient.time, "monotonic", lambda: now[0])
    tried: list[str] = []
    original = resilient.RedisCache.get

    def counting_get(self: Any, *args: Any, **kwargs: Any) -> Any:
        tried.append("redis")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(resilient.RedisCache, "get", counting_get)
    for _ in range(3):
        assert cache.get("k", "missing") == "missing"
    assert tried == ["redis"]  # then left alone: no connection attempt per request
    now[0] += resilient.RETRY_SECONDS + 1
    cache.get("k")
    assert tried == ["redis", "redis"]  # tried again, still down
    assert len(cache_log.messages) == 1  # but no second warning within the minute
    now[0] += resilient.WARNING_INTERVAL_SECONDS
    cache.get("k")
    assert len(cache_log.messages) == 2


@pytest.fixture
def real_redis(tmp_path) -> Iterator[tuple[str, Any]]:
    """A Redis server of this test's own, on a free port; ``restart`` stops or starts it."""
    server = shutil.which("redis-server")
    if server is None:
        skip_unless_ci("redis-server is not installed (Debian: apt-get install redis-server)")
    port = free_port()
    command = [server, "--port", str(port), "--save", "", "--appendonly", "no"]
    command += ["--dir", str(tmp_path), "--bind", "127.0.0.1"]
    process: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        process.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))  # noqa: S603
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop() -> None:
        running = process.pop()
        running.terminate()
        running.wait(timeout=10)

    start()
    try:
        yield f"redis://127.0.0.1:{port}/0", (start, stop)
    finally:
        while process:
            stop()


def test_a_stopped_redis_is_left_and_taken_back(
    db: None,  # noqa: ARG001 - the fallback table
    settings,
    real_redis: tuple[str, Any],
    monkeypatch,
) -> None:
    location, (start, stop) = real_redis
    settings.CACHES = redis_cache_settings(location)
    resilient._outages.clear()
    now = [1000.0]
    monkeypatch.setattr(resilient.time, "monotonic", lambda: now[0])
    cache.set("answer", 42)
    assert cache.get("answer") == 42
    assert not CacheFallbackEntry.objects.exists()  # Redis answers: the database is not used

    stop()
    assert cache.get("answer") is None  # a miss, not an error
    assert cache.add("guard", 1)
    assert not cache.add("guard", 1)  # the guard holds in the database meanwhile
    assert CacheFallbackEntry.objects.filter(cache_key__endswith="guard").exists()

    start()
    now[0] += resilient.RETRY_SECONDS + 1
    cache.set("answer", 43)
    assert cache.get("answer") == 43
    assert not cache.degraded()  # type: ignore[attr-defined]
    assert cache.add("guard", 1)  # back on the (emptied) Redis


@pytest.mark.usefixtures("redis_gone")
@pytest.mark.django_db
def test_the_metrics_say_when_the_database_stands_in_for_redis(settings):
    settings.METRICS_TOKEN = TOKEN
    assert samples(scrape())[("samverkan_cache_fallback", ())] == 0
    cache.set("probe", 1)  # Redis does not answer: the database takes over
    default = caches["default"]
    assert isinstance(default, resilient.FallbackRedisCache)
    assert default.degraded()
    assert samples(scrape())[("samverkan_cache_fallback", ())] == 1


def test_one_redis_client_serves_every_operation(settings, real_redis: tuple[str, Any]) -> None:
    location, _restart = real_redis
    settings.CACHES = redis_cache_settings(location)
    resilient._outages.clear()
    default = caches["default"]
    cache.set("answer", 42)
    client = default._cache.get_client(write=False)  # type: ignore[attr-defined]
    assert cache.get("answer") == 42
    assert default._cache.get_client(write=True) is client  # type: ignore[attr-defined]
