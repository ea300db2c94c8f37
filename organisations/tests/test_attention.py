"""The municipal admin's start page: roles that end soon and accounts with no role."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organisations import services
from organisations.attention import municipal_admin_attention
from organisations.models import Membership, Role, UnitKind
from organisations.selectors import memberships_with_role
from organisations.tests.builders import new_user


def _items(admin):
    return municipal_admin_attention(admin, memberships_with_role(admin, [Role.MUNICIPAL_ADMIN]))


def test_roles_ending_soon_and_idle_accounts(world):
    today = timezone.localdate()
    teacher = world.user(Role.REPORTER)
    Membership.objects.filter(user=teacher).update(valid_to=today + datetime.timedelta(days=20))
    later = world.user(Role.INTAKE)
    Membership.objects.filter(user=later).update(valid_to=today + datetime.timedelta(days=40))
    idle = new_user(username="idle", municipality=world.municipality())
    new_user(username="idle.inactive", municipality=world.municipality(), is_active=False)
    coming = new_user(username="coming", municipality=world.municipality())
    services.membership_create(
        actor=None,
        user=coming,
        unit=world.unit(UnitKind.SCHOOL),
        role=Role.REPORTER,
        valid_from=today + datetime.timedelta(days=5),
    )
    new_user(username="idle.eksjo", municipality=world.municipality("eksjo"))
    items = _items(world.user(Role.MUNICIPAL_ADMIN))
    urls = [item.url for item in items]
    assert reverse("organisations:user_detail", args=[teacher.pk]) in urls
    assert reverse("organisations:user_detail", args=[later.pk]) not in urls
    assert reverse("organisations:user_detail", args=[idle.pk]) in urls
    assert reverse("organisations:user_detail", args=[coming.pk]) not in urls
    assert len(items) == 2
    assert [item.severity for item in items] == ["info", "warning"]


def test_long_lists_are_cut_short_with_a_fixed_number_of_queries(world):
    municipality = world.municipality()
    admin = world.user(Role.MUNICIPAL_ADMIN)
    _items(admin)  # the admin's memberships are cached from here on
    with CaptureQueriesContext(connection) as few:
        _items(admin)
    for index in range(15):
        new_user(username=f"idle{index}", municipality=municipality)
    with CaptureQueriesContext(connection) as many:
        items = _items(admin)
    assert len(many) == len(few) == 3
    assert len(items) == 11
    assert items[-1].url == reverse("organisations:user_list")


def test_the_start_page_shows_the_items(client, world):
    new_user(
        username="idle", first_name="Ida", last_name="Ledig", municipality=world.municipality()
    )
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    page = client.get(reverse("core:start")).content.decode()
    assert "Ida Ledig has an active account but no current role." in page


@pytest.mark.django_db
def test_no_items_without_admin_memberships():
    user = new_user()
    assert municipal_admin_attention(user, []) == []
