"""Hole 6: an admin can not take over access to children's data alone. A role that sees
children given to oneself waits for a second admin of the municipality; a changed e-mail
address is told to the old address; both are events to check in the log review."""

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from access.models import AuditEvent, AuditEventType
from core.security import ROLES_REQUIRING_TWO_FACTOR
from organisations import services
from organisations.models import (
    ROLES_THAT_SEE_CHILDREN,
    Membership,
    MembershipState,
    Role,
    UnitKind,
)
from organisations.selectors import (
    EVENTS_TO_CHECK,
    events_to_check,
    forget_memberships,
    has_role,
    memberships_of,
)
from organisations.tests.builders import new_user
from tests.matrix import LOGIN, assert_matrix, everyone_else

APPROVALS = reverse("organisations:membership_approvals")


@pytest.fixture
def admin(world):
    return world.user(Role.MUNICIPAL_ADMIN)


@pytest.fixture
def second_admin(world):
    """Another municipal admin of Leksand, with TOTP as admins must have."""
    person = new_user(username="second.admin", municipality=world.municipality())
    services.membership_create(
        actor=None,
        user=person,
        unit=world.unit(UnitKind.MUNICIPAL_OFFICE),
        role=Role.MUNICIPAL_ADMIN,
    )
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return person


def _own_role(admin, world, role=Role.INTAKE, kind=UnitKind.INTAKE):
    return services.membership_create(actor=admin, user=admin, unit=world.unit(kind), role=role)


def test_the_roles_that_see_children_are_those_of_design_section_2():
    """One constant; every role that must use two-factor because it sees children is in it,
    and the reporter too (they read their own reports and the intake's feedback)."""
    assert {
        Role.REPORTER,
        Role.STUDENT_HEALTH,
        Role.MEDICAL_STUDENT_HEALTH,
        Role.PRINCIPAL,
        Role.INTAKE,
        Role.SIP_PARTICIPANT,
    } == ROLES_THAT_SEE_CHILDREN
    assert ROLES_REQUIRING_TWO_FACTOR - {Role.MUNICIPAL_ADMIN} <= ROLES_THAT_SEE_CHILDREN


# --- requesting -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(ROLES_THAT_SEE_CHILDREN))
def test_an_own_role_that_sees_children_waits_and_gives_no_access(world, admin, role):
    # The school nurse's role is given only at a unit of medical student health.
    kind = (
        UnitKind.MEDICAL_STUDENT_HEALTH if role == Role.MEDICAL_STUDENT_HEALTH else UnitKind.SCHOOL
    )
    membership = _own_role(admin, world, role=role, kind=kind)
    assert membership.state == MembershipState.PENDING
    forget_memberships(admin)
    assert membership.pk not in {m.pk for m in memberships_of(admin)}
    assert not has_role(admin, role)
    event = AuditEvent.objects.get(object_id=membership.pk, object_type="organisations.membership")
    assert event.event_type == AuditEventType.MEMBERSHIP_REQUESTED
    assert event.actor == admin
    assert event.new_values["state"] == "pending"


def test_other_roles_and_roles_given_to_others_take_effect_at_once(world, admin):
    own_coordinator = _own_role(admin, world, role=Role.COORDINATOR, kind=UnitKind.MUNICIPAL_OFFICE)
    teacher_intake = services.membership_create(
        actor=admin, user=world.user(Role.REPORTER), unit=world.unit(UnitKind.INTAKE), role="intake"
    )
    assert own_coordinator.state == teacher_intake.state == MembershipState.ACTIVE
    forget_memberships(admin)
    assert has_role(admin, Role.COORDINATOR)


def test_a_pending_intake_role_does_not_open_the_intake_inbox(client, world, admin):
    client.force_login(admin)
    inbox = reverse("reports:inbox")
    assert client.get(inbox).status_code == 404
    _own_role(admin, world)
    assert client.get(inbox).status_code == 404


def test_the_admin_is_told_the_role_waits(client, world, admin):
    client.force_login(admin)
    response = client.post(
        reverse("organisations:membership_create", args=[admin.pk]),
        {
            "unit": world.unit(UnitKind.INTAKE).pk,
            "role": Role.INTAKE,
            "valid_from": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "it gives access once another administrator of the municipality" in page
    assert "Waiting for approval" in page  # the account's roles show the state
    assert Membership.objects.get(user=admin, role=Role.INTAKE).state == MembershipState.PENDING


# --- deciding ---------------------------------------------------------------------------------


def test_a_second_admin_approves_and_the_role_then_gives_access(client, world, admin, second_admin):
    membership = _own_role(admin, world)
    client.force_login(second_admin)
    page = client.get(APPROVALS).content.decode()
    assert admin.display_name in page
    assert "Intake social worker" in page
    start = client.get(reverse("core:start")).content.decode()
    assert "1 role waits for your approval." in start
    response = client.post(
        reverse("organisations:membership_decide", args=[membership.pk]),
        {"decision": "approve"},
        follow=True,
    )
    assert "now has the role “Intake social worker”" in response.content.decode()
    membership.refresh_from_db()
    assert membership.state == MembershipState.ACTIVE
    assert membership.decided_by == second_admin
    assert membership.decided_at is not None
    event = AuditEvent.objects.get(event_type=AuditEventType.MEMBERSHIP_APPROVED)
    assert event.actor == second_admin
    assert event.new_values["user"] == admin.username
    forget_memberships(admin)
    assert has_role(admin, Role.INTAKE)
    # Deciding again changes nothing.
    again = client.post(
        reverse("organisations:membership_decide", args=[membership.pk]),
        {"decision": "refuse"},
    )
    assert again.status_code == 404  # no longer pending: not there to decide
    assert AuditEvent.objects.filter(event_type=AuditEventType.MEMBERSHIP_REFUSED).count() == 0


def test_a_second_admin_refuses_and_the_role_never_gives_access(client, world, admin, second_admin):
    membership = _own_role(admin, world)
    client.force_login(second_admin)
    client.post(
        reverse("organisations:membership_decide", args=[membership.pk]), {"decision": "refuse"}
    )
    membership.refresh_from_db()
    assert membership.state == MembershipState.REFUSED
    assert AuditEvent.objects.get(event_type=AuditEventType.MEMBERSHIP_REFUSED).actor == (
        second_admin
    )
    forget_memberships(admin)
    assert not has_role(admin, Role.INTAKE)
    # A refused role does not block asking again.
    assert _own_role(admin, world).state == MembershipState.PENDING


def test_nobody_approves_their_own_role(world, admin, second_admin):
    membership = _own_role(admin, world)
    with pytest.raises(PermissionDenied):
        services.membership_approve(actor=admin, membership=membership)
    eksjo_admin = world.user(Role.MUNICIPAL_ADMIN, "eksjo")
    with pytest.raises(PermissionDenied):
        services.membership_approve(actor=eksjo_admin, membership=membership)
    services.membership_approve(actor=second_admin, membership=membership)
    with pytest.raises(ValidationError):
        services.membership_refuse(actor=second_admin, membership=membership)
    membership.refresh_from_db()
    assert membership.state == MembershipState.ACTIVE


def test_decide_is_for_a_second_admin_of_the_municipality_only(client, world, admin, second_admin):
    membership = _own_role(admin, world)
    url = reverse("organisations:membership_decide", args=[membership.pk])
    outsiders = [
        (user, 404) for user in everyone_else(world, [second_admin]) if user.pk != admin.pk
    ]
    # The person the role is for, another municipality's admin, every other role: 404. The
    # second admin goes last, as their answer decides the role.
    assert_matrix(
        client,
        url,
        [(None, LOGIN), (admin, 404), *outsiders, (second_admin, 302)],
        method="post",
        data={"decision": "approve"},
    )
    membership.refresh_from_db()
    assert membership.decided_by == second_admin


def test_the_approvals_page_is_for_admins_and_shows_only_others_roles(
    client, world, admin, second_admin
):
    _own_role(admin, world)
    admins = [admin, second_admin, world.user(Role.MUNICIPAL_ADMIN, "eksjo")]
    outsiders = [(user, 404) for user in everyone_else(world, admins)]
    assert_matrix(client, APPROVALS, [(None, LOGIN), *[(a, 200) for a in admins], *outsiders])
    for user, shown in ((admin, 0), (second_admin, 1), (admins[2], 0)):
        client.force_login(user)
        assert len(client.get(APPROVALS).context["pending"]) == shown, user.username


# --- e-mail address ---------------------------------------------------------------------------


def test_an_email_change_is_told_to_the_old_address(
    client, world, admin, django_capture_on_commit_callbacks
):
    teacher = world.user(Role.REPORTER)
    old_address = teacher.email
    client.force_login(admin)
    edit = client.get(reverse("organisations:user_edit", args=[teacher.pk])).content.decode()
    assert "If you change it, the old address is told" in edit
    data = {
        "first_name": teacher.first_name,
        "last_name": teacher.last_name,
        "email": "taken.over@elsewhere.example",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("organisations:user_edit", args=[teacher.pk]), data)
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [old_address]
    assert message.subject == "E-postadressen till ditt konto i Samverkan har ändrats"
    assert "kontakta din kommuns administratör" in message.body
    assert "/accounts/login/" in message.body
    # A link only: no names, not the new address.
    assert "taken.over" not in message.body
    assert teacher.first_name not in message.body
    assert teacher.last_name not in message.body
    event = AuditEvent.objects.get(event_type=AuditEventType.USER_EMAIL_CHANGED)
    assert event.actor == admin
    assert event.old_values == {"email": old_address}
    assert event.new_values == {"user": teacher.username, "email": "taken.over@elsewhere.example"}


def test_no_mail_when_the_address_stays_the_same(world, admin, django_capture_on_commit_callbacks):
    teacher = world.user(Role.REPORTER)
    with django_capture_on_commit_callbacks(execute=True):
        services.user_update(
            actor=admin, municipality=world.municipality(), user=teacher, title="Lärare"
        )
        services.user_update(
            actor=admin,
            municipality=world.municipality(),
            user=teacher,
            email=teacher.email.upper(),
        )
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(event_type=AuditEventType.USER_EMAIL_CHANGED).exists()


def test_the_mail_waits_for_the_commit(world, admin, django_capture_on_commit_callbacks):
    teacher = world.user(Role.REPORTER)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.user_update(
            actor=admin, municipality=world.municipality(), user=teacher, email="new@x.example"
        )
    assert mail.outbox == []
    assert len(callbacks) == 1


# --- events to check in the log review --------------------------------------------------------


def test_the_log_review_lists_the_events_to_check_of_the_own_municipalities(
    client, world, admin, second_admin
):
    membership = _own_role(admin, world)
    services.membership_approve(actor=second_admin, membership=membership)
    services.user_update(
        actor=admin,
        municipality=world.municipality(),
        user=world.user(Role.REPORTER),
        email="new.address@leksand.example",
    )
    eksjo_admin = world.user(Role.MUNICIPAL_ADMIN, "eksjo")
    services.membership_create(
        actor=eksjo_admin,
        user=eksjo_admin,
        unit=world.unit(UnitKind.INTAKE, "eksjo"),
        role=Role.INTAKE,
    )
    forget_memberships(admin)
    rows = events_to_check(admin)
    assert [row.event.event_type for row in rows] == [
        AuditEventType.USER_EMAIL_CHANGED,
        AuditEventType.MEMBERSHIP_APPROVED,
        AuditEventType.MEMBERSHIP_REQUESTED,
    ]
    assert {row.event.event_type for row in rows} <= EVENTS_TO_CHECK
    client.force_login(admin)
    with translation.override("en"):
        page = client.get(reverse("access:log_review")).content.decode()
    assert "Events to check" in page
    assert "Own role requested, waiting for approval" in page
    assert "Own role approved by a second admin" in page
    assert "Email address of an account changed" in page
    # People by name: the one who decided, and the account with its username beside the name.
    assert second_admin.get_full_name() in page
    reporter = world.user(Role.REPORTER)
    assert f"{reporter.get_full_name()} ({reporter.username})" in page
    assert "Intake social worker" in page
    # Eksjö's admin sees Eksjö's own request only; a non-admin sees nothing.
    assert [row.event.actor for row in events_to_check(eksjo_admin)] == [eksjo_admin]
    assert events_to_check(world.user(Role.INTAKE)) == []


def test_the_events_to_check_are_capped(world, admin, django_assert_num_queries):
    from organisations.selectors import EVENTS_TO_CHECK_SHOWN

    teacher = world.user(Role.REPORTER)
    for number in range(EVENTS_TO_CHECK_SHOWN + 5):
        services.user_update(
            actor=admin,
            municipality=world.municipality(),
            user=teacher,
            email=f"n{number}@leksand.example",
        )
    with django_assert_num_queries(2):  # the events, and the names of their accounts
        rows = events_to_check(admin)
    assert len(rows) == EVENTS_TO_CHECK_SHOWN
    assert rows[0].event.new_values["email"] == f"n{EVENTS_TO_CHECK_SHOWN + 4}@leksand.example"


def test_an_ended_own_role_is_not_pending_any_more(world, admin):
    """Ending a pending role (changing one's mind) removes it; nothing is left to approve."""
    membership = _own_role(admin, world)
    services.membership_end(actor=admin, membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_refused_role_does_not_keep_an_account_active(world, admin, second_admin):
    membership = _own_role(admin, world)
    services.membership_refuse(actor=second_admin, membership=membership)
    services.user_deactivate(actor=second_admin, municipality=world.municipality(), user=admin)
    admin.refresh_from_db()
    assert not admin.is_active
    membership.refresh_from_db()
    assert membership.valid_to is None  # never in force: nothing to end
