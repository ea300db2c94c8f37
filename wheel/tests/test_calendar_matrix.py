"""The permission matrix of the annual wheel's pages that other tests reach only one way: the
current month's redirect, creating a calendar feed, the public feed itself (its token is the
credential) and the occurrence page's second name."""

import pytest
from django.test import Client
from django.urls import reverse

from organisations.models import Role, User
from tests.factories import UserFactory
from tests.matrix import LOGIN, assert_matrix
from tests.world import World
from wheel import feeds
from wheel.models import CalendarFeed
from wheel.tests.series_builders import around_today, past_occurrence


@pytest.fixture(autouse=True)
def _two_factor(two_factor_set_up: None) -> None:
    """Every user of the world has TOTP, as in production."""


@pytest.fixture
def everyone(world: World) -> list[User]:
    return [user for place in world.places.values() for user in place.users.values()]


@pytest.fixture
def nobody(world: World) -> User:
    """A user of Leksand without any role: a member of nothing."""
    return UserFactory.create(username="no.role.leksand", municipality=world.municipality())


def test_this_month_is_for_every_logged_in_user(
    client: Client, everyone: list[User], nobody: User
) -> None:
    # A redirect to the month page, which does its own checks: it shows nothing itself.
    assert_matrix(
        client,
        reverse("wheel:this_month"),
        [(None, LOGIN), *[(user, 302) for user in [*everyone, nobody]]],
    )


def test_creating_a_feed_is_for_members(client: Client, everyone: list[User], nobody: User) -> None:
    url = reverse("wheel:calendar_feed_create")
    assert_matrix(
        client,
        url,
        [(None, LOGIN), (nobody, 404), *[(user, 302) for user in everyone]],
        method="post",
    )
    assert_matrix(client, url, [(everyone[0], 405)])
    assert not CalendarFeed.objects.filter(user=nobody).exists()
    assert CalendarFeed.objects.filter(user=everyone[0]).count() == 1


@pytest.mark.usefixtures("everyone")
def test_the_feed_answers_its_token_only(client: Client, world: World, nobody: User) -> None:
    principal = world.user(Role.PRINCIPAL)
    feed = feeds.calendar_feed_create(user=principal)
    # The feed has no login (calendar apps have no session): the token is the credential,
    # whoever holds it.
    assert_matrix(
        client,
        reverse("wheel:feed", args=[feed.token]),
        [(None, 200), (principal, 200), (world.user(Role.COORDINATOR, "eksjo"), 200)],
    )
    unknown = "x" * 43
    assert_matrix(client, reverse("wheel:feed", args=[unknown]), [(None, 404), (principal, 404)])
    feeds.calendar_feed_revoke(actor=principal, feed=feed)
    assert_matrix(client, reverse("wheel:feed", args=[feed.token]), [(None, 404), (principal, 404)])
    # A user without memberships has nothing to subscribe to.
    lonely = feeds.calendar_feed_create(user=nobody)
    assert_matrix(client, reverse("wheel:feed", args=[lonely.token]), [(None, 404)])


def test_the_occurrence_pages_second_name_has_the_same_matrix(client: Client, world: World) -> None:
    occurrence = past_occurrence(around_today(world))
    assert reverse("wheel:occurrence", args=[occurrence.pk]) == reverse(
        "wheel:occurrence_detail", args=[occurrence.pk]
    )
    leksand = list(world.places["leksand"].users.values())
    eksjo = list(world.places["eksjo"].users.values())
    assert_matrix(
        client,
        reverse("wheel:occurrence", args=[occurrence.pk]),
        [(None, LOGIN), *[(u, 200) for u in leksand], *[(u, 404) for u in eksjo]],
    )
