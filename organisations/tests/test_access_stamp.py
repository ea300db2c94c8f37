"""The memberships kept in the shared cache: used while nothing changed, never after a change.

Each "request" below reads the user anew, as the login middleware does; a change must be seen
on the next one, whichever way it is made (a service, a save, a bulk change, a unit or a
municipality changed).
"""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organisations import services
from organisations.models import Membership, Municipality, Role, Unit, User
from organisations.selectors import forget_memberships, memberships_of, read_for_this_request

pytestmark = pytest.mark.django_db


def _next_request(user: User) -> User:
    """The user as the next request reads it (the login middleware reads the whole row)."""
    fresh = User.objects.get(pk=user.pk)
    read_for_this_request(fresh)
    return fresh


def _yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def _roles_and_queries(user: User) -> tuple[set[str], int]:
    fresh = _next_request(user)
    with CaptureQueriesContext(connection) as queries:
        roles = {membership.role for membership in memberships_of(fresh)}
    return roles, len(queries)


def test_the_second_request_reads_the_memberships_from_the_cache(world):
    intake = world.user(Role.INTAKE)
    assert _roles_and_queries(intake) == ({Role.INTAKE}, 1)
    assert _roles_and_queries(intake) == ({Role.INTAKE}, 0)


def test_the_cached_rows_are_whole(world):
    intake = world.user(Role.INTAKE)
    memberships_of(_next_request(intake))
    fresh = _next_request(intake)
    with CaptureQueriesContext(connection) as queries:
        (membership,) = memberships_of(fresh)
        names = (membership.unit.name, membership.unit.municipality.name)
    assert len(queries) == 0
    assert names == (world.unit("intake").name, "Leksand")


def test_a_membership_ended_by_the_service_is_gone_on_the_next_request(world):
    admin = world.user(Role.MUNICIPAL_ADMIN)
    intake = world.user(Role.INTAKE)
    membership = Membership.objects.get(user=intake)
    Membership.objects.filter(pk=membership.pk).update(valid_from=datetime.date(2025, 1, 1))
    assert _roles_and_queries(intake)[0] == {Role.INTAKE}
    membership.refresh_from_db()
    services.membership_end(actor=admin, membership=membership)
    assert _roles_and_queries(intake) == (set(), 1)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda m: Membership.objects.filter(pk=m.pk).update(
                valid_from=datetime.date(2025, 1, 1), valid_to=_yesterday()
            ),
            id="queryset-update",
        ),
        pytest.param(lambda m: Membership.objects.filter(pk=m.pk).delete(), id="queryset-delete"),
        pytest.param(lambda m: m.delete(), id="delete"),
        pytest.param(
            lambda m: Unit.objects.filter(pk=m.unit_id).update(is_active=False),
            id="unit-deactivated-in-bulk",
        ),
        pytest.param(
            lambda m: Membership.objects.bulk_update(
                [Membership(pk=m.pk, user_id=m.user_id, state="refused")], ["state"]
            ),
            id="bulk-update",
        ),
    ],
)
def test_every_way_of_taking_a_role_away_is_seen_on_the_next_request(world, change):
    intake = world.user(Role.INTAKE)
    assert _roles_and_queries(intake)[0] == {Role.INTAKE}
    change(Membership.objects.get(user=intake))
    assert _roles_and_queries(intake)[0] == set()


def test_a_role_given_by_save_or_in_bulk_is_seen_on_the_next_request(world):
    intake = world.user(Role.INTAKE)
    assert _roles_and_queries(intake)[0] == {Role.INTAKE}
    Membership.objects.create(user=intake, unit=world.unit("school"), role=Role.REPORTER)
    assert _roles_and_queries(intake)[0] == {Role.INTAKE, Role.REPORTER}
    Membership.objects.bulk_create(
        [Membership(user=intake, unit=world.unit("school"), role=Role.PRINCIPAL)]
    )
    assert _roles_and_queries(intake)[0] == {Role.INTAKE, Role.REPORTER, Role.PRINCIPAL}


def test_a_renamed_unit_or_municipality_is_seen_on_the_next_request(world):
    intake = world.user(Role.INTAKE)
    memberships_of(_next_request(intake))
    unit = world.unit("intake")
    unit.name = "Mottagningen, nytt namn"
    unit.save()
    assert memberships_of(_next_request(intake))[0].unit.name == "Mottagningen, nytt namn"
    Municipality.objects.filter(pk=unit.municipality_id).update(name="Leksands kommun")
    assert memberships_of(_next_request(intake))[0].unit.municipality.name == "Leksands kommun"


def test_a_rolled_back_change_leaves_the_cached_list_in_use(world):
    intake = world.user(Role.INTAKE)
    memberships_of(_next_request(intake))
    stamp = _next_request(intake).access_stamp

    def delete_then_fail() -> None:
        with transaction.atomic():
            Membership.objects.filter(user=intake).delete()
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        delete_then_fail()
    assert _next_request(intake).access_stamp == stamp
    assert _roles_and_queries(intake) == ({Role.INTAKE}, 0)


def test_each_change_gives_a_stamp_never_seen_before(world):
    intake = world.user(Role.INTAKE)
    membership = Membership.objects.get(user=intake)
    stamps = {_next_request(intake).access_stamp}
    for _ in range(5):
        membership.save()
        stamps.add(_next_request(intake).access_stamp)
    assert len(stamps) == 6


def test_a_user_object_not_read_for_the_request_always_reads_the_database(world):
    # A task's or a command's user object may be older than a change: its stamp says nothing.
    intake = world.user(Role.INTAKE)
    old = User.objects.get(pk=intake.pk)
    memberships_of(_next_request(intake))
    Membership.objects.filter(user=intake).update(state="refused")
    forget_memberships(old)
    old.access_stamp = User.objects.get(pk=intake.pk).access_stamp - 1  # any stamp at all
    with CaptureQueriesContext(connection) as queries:
        assert memberships_of(old) == []
    assert len(queries) == 1


def test_a_user_read_without_the_stamp_is_not_served_from_the_cache(world):
    intake = world.user(Role.INTAKE)
    memberships_of(_next_request(intake))
    partial = User.objects.only("id", "username").get(pk=intake.pk)
    read_for_this_request(partial)
    with CaptureQueriesContext(connection) as queries:
        assert {m.role for m in memberships_of(partial)} == {Role.INTAKE}
    # The memberships' query only: the stamp was not read to find a key.
    assert len(queries) == 1


def test_forgetting_in_the_same_request_reads_the_new_list(world):
    intake = world.user(Role.INTAKE)
    assert {m.role for m in memberships_of(intake)} == {Role.INTAKE}
    Membership.objects.create(user=intake, unit=world.unit("school"), role=Role.REPORTER)
    forget_memberships(intake)
    assert {m.role for m in memberships_of(intake)} == {Role.INTAKE, Role.REPORTER}


@pytest.mark.usefixtures("two_factor_set_up")
def test_a_role_ended_between_two_pages_closes_the_page_at_once(world, client):
    intake = world.user(Role.INTAKE)
    client.force_login(intake)
    inbox = reverse("reports:inbox")
    assert client.get(inbox).status_code == 200
    assert client.get(inbox).status_code == 200  # now from the cache
    Membership.objects.filter(user=intake).update(
        valid_from=datetime.date(2025, 1, 1), valid_to=_yesterday()
    )
    assert client.get(inbox).status_code == 404
