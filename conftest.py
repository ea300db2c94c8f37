from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from xdist.remote import Producer
from xdist.scheduler import LoadScopeScheduling

from organisations.models import User
from tests.world import World
from tests.world_snapshot import world_for_test


class DemoTogetherScheduling(LoadScopeScheduling):
    """pytest-xdist's ``load`` distribution, except that the browser test modules with the demo
    data (the ones calling ``load_demo``) go to one worker together, and so do the tests
    against the started production stack (tests/ops). That worker loads each set
    of demo modules once and copies it back for each later test (tests/demo_snapshot.py);
    spread over both workers, both would load every set. xdist hands out the largest unit of
    work first, so this one starts at once, beside the rest of the suite on the other worker.

    (The scheduler decides on node ids alone, without the tests' marks; ``xdist_group`` marks
    would do this but pytest-xdist 3.8 can not rename pytest 9.2's node ids to group them.)"""

    def __init__(self, config: pytest.Config, log: Producer) -> None:
        super().__init__(config, log)
        browser = config.rootpath / "tests" / "browser"
        self.demo_modules = {
            path.relative_to(config.rootpath).as_posix()
            for path in browser.glob("test_*.py")
            if "load_demo(" in path.read_text(encoding="utf-8")
        }

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        if module in self.demo_modules:
            return "demo"
        if module.startswith("tests/ops/test_stack_"):
            # The tests against the started production stack (tests/ops) share one stack per
            # worker; on one worker it is started once instead of twice, with a minute of
            # migrations each time.
            return "stack"
        return nodeid  # every other test is a unit of its own, as with ``load``


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> LoadScopeScheduling | None:
    if config.getvalue("dist") != "load":
        return None  # another --dist asked for explicitly
    return DemoTogetherScheduling(config, log)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Fast password hashing, no demo mode, media in a temporary folder, tasks run at once, an
    empty cache (what one test kept, keyed by ids, must not meet the next test's rows: the
    database gives their ids again)."""
    cache.clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEMO_MODE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        "default": {"BACKEND": "core.storage.AtomicFileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def world(db) -> World:  # noqa: ARG001 - asks pytest for the database
    return world_for_test()


@pytest.fixture
def demo_mode(settings):
    settings.DEMO_MODE = True


@pytest.fixture
def client() -> Client:
    """A test client that asks for English pages, so that assertions on texts hold whatever
    the Swedish translation says. A test about the Swedish pages asks for them itself
    (``Client(headers={"Accept-Language": "sv"})``)."""
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def english() -> Iterator[None]:
    """English for code that runs outside a request (forms, services' messages, mails)."""
    with translation.override("en"):
        yield


def give_totp(*users: User) -> None:
    """Give users an authenticator app (a stored TOTP device; the secret is never used)."""
    Authenticator.objects.bulk_create(
        Authenticator(user=user, type=Authenticator.Type.TOTP, data={"secret": "test"})
        for user in users
    )


@pytest.fixture
def totp():
    """``totp(user, ...)`` gives users an authenticator app, as they must have one outside demo
    mode if their role sees children (or they are Django admin staff)."""
    return give_totp


@pytest.fixture
def two_factor_set_up(world: World) -> None:
    """Every user of the test world has TOTP set up, so that pages are reached the way they are
    in production. Tests of the two-factor set-up itself leave it out."""
    give_totp(*(user for place in world.places.values() for user in place.users.values()))
