"""A page that is not there, or not the user's, gets one friendly 404 page in our layout that
tells neither apart."""

import uuid

from django.test import Client
from django.urls import reverse

from organisations.models import Role
from tests.world import World


def test_the_404_page_is_ours_in_swedish_and_the_same_for_missing_and_not_yours(
    client: Client, world: World, settings
) -> None:
    settings.DEBUG = False
    client.force_login(world.user(Role.REPORTER, "eksjo"))
    swedish = {"Accept-Language": "sv"}
    missing = client.get(reverse("reports:status", args=[uuid.uuid4()]), headers=swedish)
    other = client.get(reverse("reports:inbox"), headers=swedish)
    for response in (missing, other):
        assert response.status_code == 404
        page = response.content.decode()
        assert 'class="site-header"' in page
        assert "<h1>Sidan hittades inte</h1>" in page
    assert missing.templates[0].name == other.templates[0].name == "404.html"
