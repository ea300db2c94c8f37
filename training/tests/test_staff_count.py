"""The number of staff per unit, the denominator of the share trained: the municipal admin sets
it where units are edited, and the change is audited."""

import pytest
from django.test import Client
from django.urls import reverse

from access.models import AuditEvent, AuditEventType
from organisations.models import Role, SchoolForm, UnitKind
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")


def test_the_admin_sets_a_unit_s_number_of_staff(client: Client, world: World) -> None:
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    school = world.unit(UnitKind.SCHOOL)
    url = reverse("organisations:unit_edit", args=[school.pk])
    data = {
        "name": school.name,
        "kind": UnitKind.SCHOOL,
        "sector": "school",
        "school_forms": [SchoolForm.COMPULSORY],
        "pupil_count": "300",
        "staff_count": "42",
        "is_active": "on",
    }
    assert client.post(url, data).status_code == 302
    school.refresh_from_db()
    assert school.staff_count == 42
    event = AuditEvent.objects.get(event_type=AuditEventType.UNIT_UPDATED, object_id=school.pk)
    assert event.new_values == {"staff_count": 42}
    assert 'value="42"' in client.get(url).content.decode()
    # A negative number is refused, what was typed is kept.
    response = client.post(url, {**data, "staff_count": "-3"})
    assert response.status_code == 200
    assert 'value="-3"' in response.content.decode()
    school.refresh_from_db()
    assert school.staff_count == 42
