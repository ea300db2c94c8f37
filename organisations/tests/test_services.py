"""The organisation services: the unit tree, memberships, deactivation and their audit trail."""

import datetime

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from access.models import AuditEvent, AuditEventType
from organisations import services
from organisations.models import Membership, Role, Unit, UnitKind
from organisations.policies import MANAGE, UnitPolicy
from organisations.selectors import forget_memberships, has_role
from organisations.tests.builders import new_unit, new_user

pytestmark = pytest.mark.django_db


def _tree(municipality):
    top = new_unit(municipality=municipality, name="Top", kind=UnitKind.ADMINISTRATION)
    middle = new_unit(
        municipality=municipality, name="Middle", kind=UnitKind.ADMINISTRATION, parent=top
    )
    leaf = new_unit(municipality=municipality, name="Leaf", parent=middle)
    other = new_unit(municipality=municipality, name="Other", kind=UnitKind.ADMINISTRATION)
    return top, middle, leaf, other


def test_moving_a_unit_rewrites_the_paths_of_its_subtree(world):
    top, middle, leaf, other = _tree(world.municipality())
    assert leaf.path == f"/{top.pk}/{middle.pk}/{leaf.pk}/"
    services.unit_update(actor=None, unit=middle, parent=other)
    leaf.refresh_from_db()
    middle.refresh_from_db()
    assert middle.path == f"/{other.pk}/{middle.pk}/"
    assert leaf.path == f"/{other.pk}/{middle.pk}/{leaf.pk}/"
    assert set(Unit.objects.filter(path__startswith=other.path)) == {other, middle, leaf}
    event = AuditEvent.objects.get(event_type=AuditEventType.UNIT_UPDATED, object_id=middle.pk)
    assert event.old_values == {"parent_id": top.pk}
    assert event.new_values == {"parent_id": other.pk}


def test_a_unit_can_not_be_placed_under_itself_or_its_descendants(world):
    top, middle, leaf, _other = _tree(world.municipality())
    for new_parent in (top, middle, leaf):
        with pytest.raises(ValueError, match="under itself"):
            services.unit_update(actor=None, unit=top, parent=new_parent)
    top.refresh_from_db()
    assert top.parent is None


def test_a_parent_from_another_municipality_is_refused(world):
    with pytest.raises(ValueError, match="same municipality"):
        services.unit_create(
            actor=None,
            municipality=world.municipality("leksand"),
            name="Stray",
            kind=UnitKind.SCHOOL,
            parent=world.unit(UnitKind.SCHOOL, "eksjo"),
        )


def test_sector_defaults_from_the_kind_but_can_be_chosen(world):
    admin = world.user(Role.MUNICIPAL_ADMIN)
    default = services.unit_create(
        actor=admin, municipality=world.municipality(), name="Elevhälsa", kind="student_health"
    )
    chosen = services.unit_create(
        actor=admin,
        municipality=world.municipality(),
        name="Förvaltning",
        kind="administration",
        sector="social_services",
    )
    assert default.sector == "school"
    assert chosen.sector == "social_services"
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.UNIT_CREATED, actor=admin, object_id=chosen.pk
    ).exists()


def test_membership_end_removes_access_at_once(world):
    admin = world.user(Role.MUNICIPAL_ADMIN)
    intake = world.user(Role.INTAKE)
    assert has_role(intake, Role.INTAKE)
    membership = Membership.objects.get(user=intake)
    Membership.objects.filter(pk=membership.pk).update(valid_from=datetime.date(2025, 1, 1))
    membership.refresh_from_db()
    services.membership_end(actor=admin, membership=membership)
    forget_memberships(intake)
    assert not has_role(intake, Role.INTAKE)
    membership.refresh_from_db()
    assert membership.valid_to == timezone.localdate() - datetime.timedelta(days=1)
    event = AuditEvent.objects.get(event_type=AuditEventType.MEMBERSHIP_ENDED)
    assert event.actor == admin
    assert event.new_values == {"valid_to": membership.valid_to.isoformat()}


def test_ending_an_ended_membership_does_not_lengthen_it(world):
    intake = world.user(Role.INTAKE)
    membership = Membership.objects.get(user=intake)
    membership.valid_from = datetime.date(2020, 1, 1)
    membership.valid_to = datetime.date(2020, 6, 30)
    membership.save()
    services.membership_end(actor=None, membership=membership)
    membership.refresh_from_db()
    assert membership.valid_to == datetime.date(2020, 6, 30)
    assert not AuditEvent.objects.filter(event_type=AuditEventType.MEMBERSHIP_ENDED).exists()


def test_ending_a_membership_that_has_not_started_removes_it(world):
    user = world.user(Role.REPORTER)
    future = services.membership_create(
        actor=None,
        user=user,
        unit=world.unit(UnitKind.SCHOOL),
        role=Role.PRINCIPAL,
        valid_from=timezone.localdate() + datetime.timedelta(days=10),
    )
    assert services.membership_end(actor=None, membership=future) is None
    assert not Membership.objects.filter(pk=future.pk).exists()


def _tracked_session(user):
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store.create()
    UserSession.objects.create(user=user, ip="127.0.0.1", session_key=store.session_key)
    return store.session_key


def test_deactivate_ends_local_roles_and_the_account_when_none_remain(world):
    admin = world.user(Role.MUNICIPAL_ADMIN)
    intake = world.user(Role.INTAKE)
    session_key = _tracked_session(intake)
    Membership.objects.filter(user=intake).update(valid_from=datetime.date(2025, 1, 1))
    services.user_deactivate(actor=admin, municipality=world.municipality(), user=intake)
    intake.refresh_from_db()
    assert not intake.is_active
    assert not SessionStore().exists(session_key)
    assert not UserSession.objects.filter(user=intake).exists()
    ended = Membership.objects.get(user=intake).valid_to
    assert ended is not None
    assert ended < timezone.localdate()
    types = set(AuditEvent.objects.filter(actor=admin).values_list("event_type", flat=True))
    assert {
        AuditEventType.MEMBERSHIP_ENDED,
        AuditEventType.USER_DEACTIVATED,
        AuditEventType.SESSIONS_ENDED,
    } <= types


def test_deactivate_keeps_an_account_with_roles_in_another_municipality(world):
    intake = world.user(Role.INTAKE, "leksand")
    eksjo_role = services.membership_create(
        actor=None,
        user=intake,
        unit=world.unit(UnitKind.INTAKE, "eksjo"),
        role=Role.INTAKE,
        valid_from=datetime.date(2025, 1, 1),
    )
    services.user_deactivate(
        actor=world.user(Role.MUNICIPAL_ADMIN, "eksjo"),
        municipality=world.municipality("eksjo"),
        user=intake,
    )
    intake.refresh_from_db()
    eksjo_role.refresh_from_db()
    assert intake.is_active
    assert eksjo_role.valid_to is not None
    assert Membership.objects.get(user=intake, unit__municipality__name="Leksand").valid_to is None


def test_user_sessions_end_logs_out_everywhere(world):
    user = world.user(Role.REPORTER)
    keys = [_tracked_session(user), _tracked_session(user)]
    assert services.user_sessions_end(actor=world.user(Role.MUNICIPAL_ADMIN), user=user) == 2
    assert not any(SessionStore().exists(key) for key in keys)
    assert AuditEvent.objects.get(event_type=AuditEventType.SESSIONS_ENDED).new_values == {
        "sessions": 2
    }


def test_user_create_with_membership_is_all_or_nothing(world):
    unit = world.unit(UnitKind.SCHOOL)
    new_user(username="taken")
    with pytest.raises(Exception):  # noqa: B017, PT011 - the database's unique error
        services.user_create_with_membership(
            actor=None, unit=unit, role=Role.REPORTER, username="taken", password=None
        )
    user, membership = services.user_create_with_membership(
        actor=None,
        unit=unit,
        role=Role.REPORTER,
        username="new.person",
        password=None,
        first_name="Ny",
        last_name="Person",
    )
    assert user.municipality == world.municipality()
    assert not user.has_usable_password()
    assert membership.unit == unit
    assert Membership.objects.filter(user__username="taken").count() == 0


def test_unit_policy_sees_only_administered_municipality(world):
    policy = UnitPolicy()
    admin = world.user(Role.MUNICIPAL_ADMIN, "leksand")
    names = set(policy.visible(admin, MANAGE).values_list("municipality__name", flat=True))
    assert names == {"Leksand"}
    assert not policy.can(admin, MANAGE, world.unit(UnitKind.SCHOOL, "eksjo"))
    assert policy.visible(world.user(Role.COORDINATOR), MANAGE).count() == 0
