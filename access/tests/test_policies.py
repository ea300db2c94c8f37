"""The policy base: the list filter and the object check come from the same grants and agree."""

from typing import override

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from access.policies import Grant, NotPermitted, Permit, Policy
from access.tests.conftest import UnitAction
from organisations.models import Role, Unit, UnitKind, User
from organisations.selectors import memberships_of
from tests.world import World

ACTIONS = tuple(UnitAction)


class UnitTestPolicy(Policy[Unit, UnitAction]):
    """Two grants: a user sees the units they are a member of (any action but "nothing"), and
    for "view" also every school of the municipality that administers their account."""

    model = Unit
    actions = UnitAction

    def grants(self, user: User, action: str) -> list[Grant]:
        if action == "nothing":
            return []
        memberships = memberships_of(user)
        grants = [
            Grant(
                rule="own_units",
                q=Q(pk__in=[membership.unit_id for membership in memberships]),
                membership=memberships[0] if memberships else None,
            )
        ]
        if action == "view":
            grants.append(
                Grant(
                    rule="schools_of_my_municipality",
                    q=Q(municipality_id=user.municipality_id, kind=UnitKind.SCHOOL),
                )
            )
        return grants


class FixedGrantsPolicy(Policy[Unit, UnitAction]):
    """The grants are given, whoever asks: for the property test."""

    model = Unit
    actions = UnitAction

    def __init__(self, grants: list[Grant]) -> None:
        self.fixed = grants

    @override
    def grants(self, user: User, action: str) -> list[Grant]:
        return self.fixed


def expected_rule(user: User, action: str, unit: Unit) -> str | None:
    """The same rules as UnitTestPolicy, written in plain Python, first grant first."""
    if action == "nothing":
        return None
    if unit.pk in {membership.unit_id for membership in memberships_of(user)}:
        return "own_units"
    if (
        action == "view"
        and unit.municipality_id == user.municipality_id
        and unit.kind == UnitKind.SCHOOL
    ):
        return "schools_of_my_municipality"
    return None


def test_visible_can_and_find_agree_for_every_user_unit_and_action(world: World) -> None:
    policy = UnitTestPolicy()
    units = list(Unit.objects.all())
    users = [*world.places["leksand"].users.values(), world.user(Role.PRINCIPAL, "eksjo")]
    checked = 0
    for user in users:
        for action in ACTIONS:
            visible_ids = set(policy.visible(user, action).values_list("pk", flat=True))
            for unit in units:
                rule = expected_rule(user, action, unit)
                found = policy.find(user, action, pk=unit.pk)
                assert (unit.pk in visible_ids) is (rule is not None), (user, action, unit)
                assert policy.can(user, action, unit) is (rule is not None), (user, action, unit)
                assert (found.grant.rule if found else None) == rule, (user, action, unit)
                if found is not None:
                    assert found.obj == unit
                checked += 1
    assert checked == len(users) * len(ACTIONS) * len(units)


def test_find_returns_the_grant_that_allowed_it_with_its_membership(world: World) -> None:
    principal = world.user(Role.PRINCIPAL)
    school = world.unit(UnitKind.SCHOOL)
    intake = world.unit(UnitKind.INTAKE)
    policy = UnitTestPolicy()

    found = policy.find(principal, UnitAction.VIEW, pk=school.pk)
    assert found is not None
    assert found.grant.rule == "own_units"
    assert found.grant.membership == memberships_of(principal)[0]

    # An intake worker edits only their own unit; for "view" the schools come with a second rule.
    intake_worker = world.user(Role.INTAKE)
    found = policy.find(intake_worker, UnitAction.EDIT, pk=intake.pk)
    assert found is not None
    assert found.grant.rule == "own_units"
    assert policy.find(intake_worker, UnitAction.EDIT, pk=school.pk) is None
    found = policy.find(intake_worker, UnitAction.VIEW, pk=school.pk)
    assert found is not None
    assert found.grant.rule == "schools_of_my_municipality"
    assert found.grant.membership is None


def test_no_grants_give_an_empty_queryset_and_none(world: World) -> None:
    user = world.user(Role.INTAKE)
    policy = UnitTestPolicy()
    assert list(policy.visible(user, UnitAction.NOTHING)) == []
    assert policy.find(user, UnitAction.NOTHING, pk=world.unit(UnitKind.INTAKE).pk) is None
    assert policy.can(user, UnitAction.NOTHING, world.unit(UnitKind.INTAKE)) is False
    assert list(FixedGrantsPolicy([]).visible(user, UnitAction.VIEW)) == []


def test_anonymous_and_inactive_users_get_nothing(world: World) -> None:
    everything = FixedGrantsPolicy([Grant(rule="all", q=Q())])
    unit = world.unit(UnitKind.SCHOOL)
    inactive = world.user(Role.PRINCIPAL)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    for user in (AnonymousUser(), inactive):
        for policy in (everything, UnitTestPolicy()):
            assert list(policy.visible(user, UnitAction.VIEW)) == []  # type: ignore[arg-type]
            assert policy.find(user, UnitAction.VIEW, pk=unit.pk) is None  # type: ignore[arg-type]
            assert policy.can(user, UnitAction.VIEW, unit) is False  # type: ignore[arg-type]
    # The same grants do give rows to an active user.
    assert everything.can(world.user(Role.INTAKE), UnitAction.VIEW, unit)


def test_an_empty_grant_means_every_row_also_beside_other_grants(world: World) -> None:
    user = world.user(Role.INTAKE)
    policy = FixedGrantsPolicy(
        [Grant(rule="schools", q=Q(kind=UnitKind.SCHOOL)), Grant(rule="all", q=Q())]
    )
    own = Unit.objects.filter(municipality_id=world.unit(UnitKind.INTAKE).municipality_id)
    assert policy.visible(user, UnitAction.VIEW).count() == own.count()
    found = policy.find(user, UnitAction.VIEW, pk=world.unit(UnitKind.INTAKE).pk)
    assert found is not None
    assert found.grant.rule == "all"


# Conditions a real grant might use, including negations over nullable columns and joins,
# where SQL's NULL logic could make the list filter and the CASE in ``find`` disagree.
CONDITIONS: list[tuple[str, object]] = [
    ("all", lambda _world: Q()),
    ("schools", lambda _world: Q(kind=UnitKind.SCHOOL)),
    ("leksand", lambda world: Q(municipality=world.municipality("leksand"))),
    ("not_eksjo", lambda world: ~Q(municipality=world.municipality("eksjo"))),
    ("big", lambda _world: Q(pupil_count__gte=100)),
    ("not_big", lambda _world: ~Q(pupil_count__gte=100)),
    ("top_level", lambda _world: Q(parent__isnull=True)),
    ("parent_not_school", lambda _world: ~Q(parent__kind=UnitKind.SCHOOL)),
    ("intake_or_police", lambda _world: Q(kind__in=[UnitKind.INTAKE, UnitKind.POLICE])),
    ("none", lambda _world: Q(pk__in=[])),
]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    picks=st.lists(st.sampled_from(range(len(CONDITIONS))), max_size=4),
)
def test_property_visible_and_find_agree_for_any_grants(world: World, picks: list[int]) -> None:
    # The world is only read here, so one world serves every example.
    grants = [
        Grant(rule=CONDITIONS[index][0], q=CONDITIONS[index][1](world))  # type: ignore[operator]
        for index in picks
    ]
    policy = FixedGrantsPolicy(grants)
    user = world.user(Role.INTAKE)
    # The tenant backstop: whatever the grants say, only the user's municipality.
    own = Unit.objects.filter(municipality_id=world.unit(UnitKind.INTAKE).municipality_id)
    allowed_by = {
        grant.rule: set(own.filter(grant.q).values_list("pk", flat=True)) for grant in grants
    }
    visible_ids = set(policy.visible(user, UnitAction.VIEW).values_list("pk", flat=True))
    assert visible_ids == set().union(*allowed_by.values())
    for unit in Unit.objects.all():
        first = next((grant.rule for grant in grants if unit.pk in allowed_by[grant.rule]), None)
        found = policy.find(user, UnitAction.VIEW, pk=unit.pk)
        assert (found.grant.rule if found else None) == first
        assert policy.can(user, UnitAction.VIEW, unit) is (first is not None)


# --- by construction: typed actions, permits, the tenant backstop, flags ---------------------


def test_a_bare_string_action_is_a_type_error(world: World) -> None:
    policy = UnitTestPolicy()
    user = world.user(Role.INTAKE)
    with pytest.raises(TypeError):
        policy.visible(user, "view")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        policy.find(user, "edit", pk=1)  # type: ignore[arg-type]


def test_only_a_policy_makes_permits(world: World) -> None:
    unit = world.unit(UnitKind.INTAKE)
    with pytest.raises(TypeError):
        Permit(
            obj=unit, action=UnitAction.VIEW, grant=Grant("x", Q()), user=world.user(Role.INTAKE)
        )
    permit = UnitTestPolicy().require(world.user(Role.INTAKE), UnitAction.EDIT, unit)
    assert permit.require(UnitAction.EDIT) == unit
    with pytest.raises(NotPermitted):
        permit.require(UnitAction.VIEW)


def test_require_refuses_an_outsider(world: World) -> None:
    unit = world.unit(UnitKind.INTAKE)
    with pytest.raises(NotPermitted):
        UnitTestPolicy().require(world.user(Role.INTAKE, "eksjo"), UnitAction.EDIT, unit)
    with pytest.raises(NotPermitted):
        UnitTestPolicy().require(None, UnitAction.EDIT, unit)


def test_the_tenant_backstop_holds_whatever_a_grant_says(world: World) -> None:
    # A grant that would let a Leksand user see every unit of every municipality.
    everything = FixedGrantsPolicy([Grant(rule="all", q=Q())])
    user = world.user(Role.INTAKE)
    eksjo_unit = world.unit(UnitKind.INTAKE, "eksjo")
    assert not everything.visible(user, UnitAction.VIEW).filter(pk=eksjo_unit.pk).exists()
    assert everything.find(user, UnitAction.VIEW, pk=eksjo_unit.pk) is None
    assert everything.actions_for(user, eksjo_unit) == frozenset()


def test_actions_for_gives_every_allowed_action_in_one_query(
    world: World, django_assert_num_queries
) -> None:
    policy = UnitTestPolicy()
    user = world.user(Role.INTAKE)
    memberships_of(user)  # cached, as on a page
    intake, school = world.unit(UnitKind.INTAKE), world.unit(UnitKind.SCHOOL)
    with django_assert_num_queries(1):
        on_intake = policy.actions_for(user, intake)
    assert on_intake == {UnitAction.VIEW, UnitAction.EDIT}
    assert policy.actions_for(user, school) == {UnitAction.VIEW}
