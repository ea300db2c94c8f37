"""Who may open each page of the follow-up: the roles of the policy in the municipality;
everyone else, the other municipality above all, the same 404; anonymous visitors log in."""

import pytest
from django.urls import reverse

from organisations.models import Role, User
from tests.factories import UserFactory
from tests.matrix import LOGIN, assert_matrix, everyone_else

VIEWERS = [
    Role.COORDINATOR,
    Role.MANAGER,
    Role.BOARD_MEMBER,
    Role.AUDITOR,
    Role.MUNICIPAL_ADMIN,
    Role.INTAKE,
    Role.PRINCIPAL,
]


def _in_leksand(world, name):
    return reverse(name) + f"?municipality={world.municipality().pk}"


@pytest.mark.parametrize(
    "name", ["followup:dashboard", "followup:export_csv", "followup:export_xlsx"]
)
def test_the_dashboard_and_its_exports(client, world, name):
    allowed = [world.user(role) for role in VIEWERS]
    expectations: list[tuple[User | None, int | str]] = [(None, LOGIN)]
    expectations += [(user, 200) for user in allowed]
    expectations += [(user, 404) for user in everyone_else(world, allowed)]
    assert_matrix(client, _in_leksand(world, name), expectations)


def test_each_viewer_gets_their_own_municipality_without_choosing(client, world):
    eksjo = world.user(Role.BOARD_MEMBER, "eksjo")
    client.force_login(eksjo)
    response = client.get(reverse("followup:dashboard"))
    assert response.status_code == 200
    assert response.context["loaded"].municipality == world.municipality("eksjo")


def test_the_catalogue_for_everyone_with_a_role(client, world):
    nobody = UserFactory.create(username="no.role")
    everyone = [user for place in world.places.values() for user in place.users.values()]
    expectations = [(None, LOGIN), (nobody, 404)] + [(user, 200) for user in everyone]
    assert_matrix(client, reverse("followup:catalogue"), expectations)


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_targets_for_the_coordinator_only(client, world, method):
    allowed = [world.user(Role.COORDINATOR)]
    expectations = [(None, LOGIN), (allowed[0], 200 if method == "get" else 302)]
    expectations += [(user, 404) for user in everyone_else(world, allowed)]
    assert_matrix(
        client,
        _in_leksand(world, "followup:targets"),
        expectations,
        method=method,
        data={},
    )
