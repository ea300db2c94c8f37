"""Django's admin for the organisation goes through the services, so paths and audit events
stay right; memberships are added and ended there, never edited."""

import datetime

import pytest
from django.urls import reverse

from access.models import AuditEvent, AuditEventType
from organisations import services
from organisations.models import Membership, Municipality, SchoolTerm, Unit, UnitKind, User


@pytest.fixture
def root_client(client, world, totp):  # noqa: ARG001 - the world must exist
    root = User.objects.create_superuser("root", "root@example.org", "a-long-test-password-1")
    totp(root)  # the admin is behind two-factor
    client.force_login(root)
    client.root = root
    return client


@pytest.mark.parametrize("model", [Municipality, Unit, User, Membership, SchoolTerm])
def test_the_lists_and_add_pages_open(root_client, model):
    name = f"admin:organisations_{model._meta.model_name}"
    assert root_client.get(reverse(f"{name}_changelist")).status_code == 200
    # Accounts are created in the app's user management, never in the admin.
    expected = 403 if model is User else 200
    assert root_client.get(reverse(f"{name}_add")).status_code == expected


def test_a_unit_added_in_the_admin_gets_its_path_and_audit_event(root_client, world):
    office = world.unit(UnitKind.MUNICIPAL_OFFICE)
    response = root_client.post(
        reverse("admin:organisations_unit_add"),
        {
            "municipality": world.municipality().pk,
            "parent": office.pk,
            "name": "Admin-skolan",
            "kind": UnitKind.SCHOOL,
            "sector": "school",
            "school_forms": "[]",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(name="Admin-skolan")
    assert unit.path == f"{office.path}{unit.pk}/"
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.UNIT_CREATED, object_id=unit.pk, actor=root_client.root
    ).exists()


@pytest.mark.usefixtures("world")
def test_memberships_are_ended_not_edited(root_client):
    membership = Membership.objects.first()
    assert membership is not None
    Membership.objects.filter(pk=membership.pk).update(valid_from=datetime.date(2025, 1, 1))
    change = root_client.get(
        reverse("admin:organisations_membership_change", args=[membership.pk])
    ).content.decode()
    assert 'name="_save"' not in change
    root_client.post(
        reverse("admin:organisations_membership_changelist"),
        {"action": "end_now", "_selected_action": [membership.pk]},
    )
    membership.refresh_from_db()
    assert membership.valid_to is not None
    assert AuditEvent.objects.filter(event_type=AuditEventType.MEMBERSHIP_ENDED).exists()


def test_a_term_deleted_in_the_admin_is_audited(root_client, world):
    term = services.term_create(
        actor=None,
        municipality=world.municipality(),
        kind="autumn",
        starts_on=datetime.date(2026, 8, 17),
        ends_on=datetime.date(2026, 12, 22),
    )
    root_client.post(
        reverse("admin:organisations_schoolterm_delete", args=[term.pk]), {"post": "yes"}
    )
    assert not SchoolTerm.objects.exists()
    assert AuditEvent.objects.filter(event_type=AuditEventType.TERM_DELETED).exists()


def test_the_admin_shows_the_services_rules_as_form_errors(root_client, world):
    """The admin saves through the services, too late for a form error; its forms ask the
    same rule checks first, so a clash is a message on the field, not a server error."""
    leksand = world.municipality()
    services.term_create(
        actor=None,
        municipality=leksand,
        kind="autumn",
        starts_on=datetime.date(2026, 8, 17),
        ends_on=datetime.date(2026, 12, 22),
    )
    term = root_client.post(
        reverse("admin:organisations_schoolterm_add"),
        {
            "municipality": leksand.pk,
            "kind": "spring",
            "starts_on": "2026-12-01",
            "ends_on": "2027-06-11",
        },
    )
    assert term.status_code == 200
    assert "starts_on" in term.context["adminform"].form.errors
    unit = root_client.post(
        reverse("admin:organisations_unit_add"),
        {
            "municipality": leksand.pk,
            "name": "LEKSAND SCHOOL ",
            "kind": UnitKind.SCHOOL,
            "sector": "school",
            "school_forms": "[]",
            "is_active": "on",
        },
    )
    assert unit.status_code == 200
    assert "name" in unit.context["adminform"].form.errors
    teacher = Membership.objects.filter(role="reporter", unit__municipality=leksand).first()
    assert teacher is not None
    role = root_client.post(
        reverse("admin:organisations_membership_add"),
        {
            "user": teacher.user_id,
            "unit": teacher.unit_id,
            "role": "reporter",
            "valid_from": teacher.valid_from.isoformat(),
        },
    )
    assert role.status_code == 200
    assert "valid_from" in role.context["adminform"].form.errors
    assert SchoolTerm.objects.filter(municipality=leksand).count() == 1
    assert Membership.objects.filter(user_id=teacher.user_id, role="reporter").count() == 1
