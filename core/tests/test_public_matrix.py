"""The public pages of core (on the URL walk's allow-list) answer everyone alike: anonymous
visitors and every role of both municipalities."""

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from tests.matrix import assert_matrix
from tests.world import World


@pytest.fixture(autouse=True)
def _two_factor_set_up(world: World) -> None:
    Authenticator.objects.bulk_create(
        Authenticator(user=user, type=Authenticator.Type.TOTP, data={"secret": "test"})
        for place in world.places.values()
        for user in place.users.values()
    )


@pytest.mark.parametrize("name", ["core:healthz", "core:accessibility"])
def test_public_pages_answer_everyone(client: Client, world: World, name: str) -> None:
    everyone = [user for place in world.places.values() for user in place.users.values()]
    assert_matrix(client, reverse(name), [(None, 200), *[(user, 200) for user in everyone]])
