"""School breaks: whoever edits the terms edits the breaks, per municipality; outsiders get the
same 404 as for a break that does not exist; bad input is kept with a message."""

import datetime

import pytest
from django.urls import reverse

from access.models import AuditEvent, AuditEventType
from organisations import services_breaks
from organisations.models import BreakKind, Role, SchoolBreak
from tests.matrix import LOGIN, assert_matrix, everyone_else

D = datetime.date


def _break(world):
    return services_breaks.school_break_create(
        actor=None,
        municipality=world.municipality(),
        kind=BreakKind.WINTER,
        starts_on=D(2026, 2, 23),
        ends_on=D(2026, 2, 27),
    )


def test_a_coordinator_adds_changes_and_deletes_a_break(client, world):
    coordinator = world.user(Role.COORDINATOR)
    client.force_login(coordinator)
    response = client.post(
        reverse("organisations:school_break_create"),
        {"kind": "winter", "name": "", "starts_on": "2026-02-23", "ends_on": "2026-02-27"},
    )
    assert response.status_code == 302
    school_break = SchoolBreak.objects.get()
    assert school_break.municipality == world.municipality()
    listing = client.get(reverse("organisations:term_list")).content.decode()
    assert reverse("organisations:school_break_edit", args=[school_break.pk]) in listing
    response = client.post(
        reverse("organisations:school_break_edit", args=[school_break.pk]),
        {"kind": "other", "name": "Studiedag", "starts_on": "2026-03-02", "ends_on": "2026-03-02"},
    )
    assert response.status_code == 302
    school_break.refresh_from_db()
    assert (school_break.label, school_break.starts_on) == ("Studiedag", D(2026, 3, 2))
    response = client.post(reverse("organisations:school_break_delete", args=[school_break.pk]))
    assert response.status_code == 302
    assert not SchoolBreak.objects.exists()
    events = AuditEvent.objects.filter(actor=coordinator).values_list("event_type", flat=True)
    assert set(events) >= {
        AuditEventType.SCHOOL_BREAK_CREATED,
        AuditEventType.SCHOOL_BREAK_UPDATED,
        AuditEventType.SCHOOL_BREAK_DELETED,
    }


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "winter", "starts_on": "2026-02-27", "ends_on": "2026-02-23"}, "ends_on"),
        ({"kind": "winter", "starts_on": "2026-02-01", "ends_on": "2026-04-30"}, "ends_on"),
        ({"kind": "winter", "starts_on": "2026-02-25", "ends_on": "2026-03-01"}, "starts_on"),
        ({"kind": "", "starts_on": "2026-13-01", "ends_on": "2026-03-01"}, "starts_on"),
    ],
)
def test_bad_input_is_kept_with_a_message(client, world, data, field):
    _break(world)
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    response = client.post(reverse("organisations:school_break_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f'value="{data["starts_on"]}"' in response.content.decode()
    assert SchoolBreak.objects.count() == 1


def test_outsiders_get_404(client, world):
    school_break = _break(world)
    allowed = [world.user(Role.COORDINATOR), world.user(Role.MUNICIPAL_ADMIN)]
    outsiders = [*everyone_else(world, allowed), None]
    for name in ("school_break_edit", "school_break_delete"):
        url = reverse(f"organisations:{name}", args=[school_break.pk])
        assert_matrix(
            client,
            url,
            [(user, 404 if user else LOGIN) for user in outsiders]
            + [(user, 200) for user in allowed],
        )
        missing = reverse(f"organisations:{name}", args=[school_break.pk + 1000])
        assert_matrix(client, missing, [(world.user(Role.COORDINATOR), 404)])
    create = reverse("organisations:school_break_create")
    eksjo_admin = world.user(Role.MUNICIPAL_ADMIN, "eksjo")
    assert_matrix(
        client,
        create,
        [(world.user(Role.REPORTER), 404), (None, LOGIN), (eksjo_admin, 200)],
    )
    assert SchoolBreak.objects.get().starts_on == D(2026, 2, 23)


def test_another_municipalitys_admin_can_not_post_to_a_break(client, world):
    school_break = _break(world)
    client.force_login(world.user(Role.MUNICIPAL_ADMIN, "eksjo"))
    url = reverse("organisations:school_break_delete", args=[school_break.pk])
    assert client.post(url).status_code == 404
    assert SchoolBreak.objects.filter(pk=school_break.pk).exists()
