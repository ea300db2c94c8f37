import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.utils import translation


@pytest.fixture(autouse=True)
def _two_factor_set_up(request):
    """The world's users have TOTP set up, as they must outside demo mode, so that pages are
    reached the way they are in production."""
    if "world" not in request.fixturenames:
        return
    world = request.getfixturevalue("world")
    Authenticator.objects.bulk_create(
        Authenticator(user=user, type=Authenticator.Type.TOTP, data={"secret": "test"})
        for place in world.places.values()
        for user in place.users.values()
    )


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """A test client that asks for English pages."""
    return Client(headers={"Accept-Language": "en"})
