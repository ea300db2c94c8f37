"""Every page of the admin's management UI: anonymous users log in, the right role gets the
page, every other role and the other municipality's admin get the same 404."""

import datetime

import pytest
from django.urls import reverse

from organisations import services
from organisations.models import Membership, Role, UnitKind, User
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World


@pytest.fixture
def leksand_term(world):
    return services.term_create(
        actor=None,
        municipality=world.municipality("leksand"),
        kind="autumn",
        starts_on=datetime.date(2026, 8, 17),
        ends_on=datetime.date(2026, 12, 18),
    )


Expectations = list[tuple[User | None, int | str]]


def _expect(world: World, allowed: list[User]) -> Expectations:
    """Anonymous: log in; ``allowed``: the page; everyone else in the world: 404."""
    rows: Expectations = [(None, LOGIN)]
    rows += [(user, 200) for user in allowed]
    rows += [(user, 404) for user in everyone_else(world, allowed)]
    return rows


def _outsiders(world: World, allowed: list[User]) -> Expectations:
    rows: Expectations = [(None, LOGIN)]
    rows += [(user, 404) for user in everyone_else(world, allowed)]
    return rows


def _admins(world):
    return [world.user(Role.MUNICIPAL_ADMIN, "leksand"), world.user(Role.MUNICIPAL_ADMIN, "eksjo")]


def _term_staff(world):
    return [
        world.user(role, place)
        for role in (Role.MUNICIPAL_ADMIN, Role.COORDINATOR)
        for place in ("leksand", "eksjo")
    ]


@pytest.mark.parametrize("name", ["unit_list", "unit_create", "user_list", "user_create"])
def test_admin_pages_of_own_municipality(client, world, name):
    """Each admin gets the page for their own municipality; no one else does."""
    assert_matrix(client, reverse(f"organisations:{name}"), _expect(world, _admins(world)))


def _leksand_objects(world):
    teacher = world.user(Role.REPORTER, "leksand")
    membership = Membership.objects.get(user=teacher)
    return {
        "unit_edit": world.unit(UnitKind.SCHOOL, "leksand").pk,
        "user_detail": teacher.pk,
        "user_edit": teacher.pk,
        "membership_create": teacher.pk,
        "user_deactivate": teacher.pk,
        "user_sessions_end": teacher.pk,
        "membership_end": membership.pk,
    }


@pytest.mark.parametrize(
    "name",
    [
        "unit_edit",
        "user_detail",
        "user_edit",
        "membership_create",
        "user_deactivate",
        "user_sessions_end",
        "membership_end",
    ],
)
def test_object_pages_only_for_the_admin_of_that_municipality(client, world, name):
    leksand_admin = world.user(Role.MUNICIPAL_ADMIN, "leksand")
    url = reverse(f"organisations:{name}", args=[_leksand_objects(world)[name]])
    assert_matrix(client, url, _expect(world, [leksand_admin]))


@pytest.mark.parametrize(
    "name",
    [
        "unit_edit",
        "user_edit",
        "membership_create",
        "user_deactivate",
        "user_sessions_end",
        "membership_end",
    ],
)
def test_posts_from_outsiders_are_404_and_change_nothing(client, world, name):
    url = reverse(f"organisations:{name}", args=[_leksand_objects(world)[name]])
    teacher = world.user(Role.REPORTER, "leksand")
    assert_matrix(
        client,
        url,
        _outsiders(world, [world.user(Role.MUNICIPAL_ADMIN, "leksand")]),
        method="post",
        data={"name": "Taken over", "first_name": "X", "last_name": "Y", "email": "x@example.org"},
    )
    teacher.refresh_from_db()
    assert teacher.is_active
    assert Membership.objects.get(user=teacher).valid_to is None
    assert world.unit(UnitKind.SCHOOL, "leksand").name != "Taken over"


@pytest.mark.parametrize("name", ["term_list", "term_create"])
def test_term_pages_for_admins_and_coordinators(client, world, name):
    assert_matrix(client, reverse(f"organisations:{name}"), _expect(world, _term_staff(world)))


@pytest.mark.parametrize("name", ["term_edit", "term_delete"])
def test_term_object_pages_only_for_that_municipality(client, world, leksand_term, name):
    allowed = [world.user(Role.MUNICIPAL_ADMIN), world.user(Role.COORDINATOR)]
    assert_matrix(
        client, reverse(f"organisations:{name}", args=[leksand_term.pk]), _expect(world, allowed)
    )


def test_term_delete_by_outsiders_is_404(client, world, leksand_term):
    allowed = [world.user(Role.MUNICIPAL_ADMIN), world.user(Role.COORDINATOR)]
    assert_matrix(
        client,
        reverse("organisations:term_delete", args=[leksand_term.pk]),
        _outsiders(world, allowed),
        method="post",
    )
    leksand_term.refresh_from_db()  # still there


@pytest.mark.parametrize(
    "name",
    [
        "unit_edit",
        "user_detail",
        "user_edit",
        "membership_create",
        "user_deactivate",
        "user_sessions_end",
        "membership_end",
        "term_edit",
        "term_delete",
    ],
)
def test_missing_objects_are_the_same_404(client, world, name):
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    assert client.get(reverse(f"organisations:{name}", args=[999_999])).status_code == 404


def test_eksjo_admin_sees_no_leksand_rows_in_lists(client, world):
    client.force_login(world.user(Role.MUNICIPAL_ADMIN, "eksjo"))
    for name in ("unit_list", "user_list", "unit_create", "user_create"):
        page = client.get(reverse(f"organisations:{name}")).content.decode()
        assert "reporter.leksand" not in page
        assert "Leksand school" not in page


def test_user_with_roles_elsewhere_is_visible_but_only_local_roles(client, world):
    """A Leksand account with a role in Eksjö: the Eksjö admin sees the account and only the
    Eksjö role, may end it, but may not change the account data."""
    teacher = world.user(Role.REPORTER, "leksand")
    eksjo_role = services.membership_create(
        actor=None, user=teacher, unit=world.unit(UnitKind.SCHOOL, "eksjo"), role=Role.PRINCIPAL
    )
    leksand_role = Membership.objects.get(user=teacher, unit__municipality__name="Leksand")
    eksjo_admin = world.user(Role.MUNICIPAL_ADMIN, "eksjo")
    client.force_login(eksjo_admin)
    page = client.get(reverse("organisations:user_detail", args=[teacher.pk])).content.decode()
    assert "Eksjö school" in page
    assert "Leksand school" not in page
    assert reverse("organisations:membership_end", args=[eksjo_role.pk]) in page
    assert reverse("organisations:membership_end", args=[leksand_role.pk]) not in page
    assert reverse("organisations:user_edit", args=[teacher.pk]) not in page
    for name, pk in (
        ("membership_end", leksand_role.pk),
        ("user_edit", teacher.pk),
        ("user_sessions_end", teacher.pk),
    ):
        assert client.get(reverse(f"organisations:{name}", args=[pk])).status_code == 404
    users = client.get(reverse("organisations:user_list")).content.decode()
    assert teacher.username in users
