"""Django's admin shows the access log and the audit events, and changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from access.models import AccessLog, AuditEvent
from access.tests.conftest import add_log_rows, local
from organisations import services
from organisations.models import Role, UnitKind, User
from tests.world import World


@pytest.fixture
def superuser(db, totp) -> User:  # noqa: ARG001 - asks pytest for the database
    root = User.objects.create_superuser("root", "root@example.org", "a-long-test-password-1")
    totp(root)  # the admin is behind two-factor
    return root


def test_access_log_and_audit_events_are_read_only(
    client: Client, world: World, superuser: User
) -> None:
    row = add_log_rows(
        user=world.user(Role.INTAKE), municipality=world.municipality(), at=local(2025, 3, 1)
    )[0]
    services.unit_create(
        actor=superuser, municipality=world.municipality(), name="Ny skola", kind=UnitKind.SCHOOL
    )
    event = AuditEvent.objects.first()
    assert event is not None
    client.force_login(superuser)
    for model, obj in ((AccessLog, row), (AuditEvent, event)):
        name = f"admin:access_{model._meta.model_name}"
        assert client.get(reverse(f"{name}_changelist")).status_code == 200
        change_page = client.get(reverse(f"{name}_change", args=[obj.pk]))
        assert change_page.status_code == 200
        assert 'name="_save"' not in change_page.content.decode()
        assert client.get(reverse(f"{name}_add")).status_code == 403
        assert client.get(reverse(f"{name}_delete", args=[obj.pk])).status_code == 403
        assert client.post(reverse(f"{name}_change", args=[obj.pk]), {}).status_code == 403
        bulk_delete = client.post(
            reverse(f"{name}_changelist"),
            {"action": "delete_selected", "_selected_action": [obj.pk]},
        )
        assert bulk_delete.status_code in (200, 302)
        assert model.objects.filter(pk=obj.pk).exists()
