from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.utils import translation

from organisations.models import User
from tests.world import World, build_world


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Fast password hashing, no demo mode, media in a temporary folder, tasks run at once."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEMO_MODE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def world(db) -> World:  # noqa: ARG001 - asks pytest for the database
    return build_world()


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
