"""Audit event types are checked in code, not by database choices: a new type needs no
migration, and a type that is not listed is refused before anything is written."""

import pytest

from access.models import AuditEvent, AuditEventType
from access.services import audit_event_record
from organisations.models import Role
from tests.world import World


def test_the_column_has_no_database_choices() -> None:
    assert not AuditEvent._meta.get_field("event_type").choices


def test_an_unknown_event_type_is_refused_and_nothing_is_written(world: World) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="Unknown audit event type"):
        audit_event_record(
            actor=None,
            municipality=world.municipality(),
            event_type="report_recieved",  # a typo
            obj=world.user(Role.INTAKE),
        )
    assert AuditEvent.objects.count() == before


def test_a_listed_type_is_written_and_has_its_label(world: World) -> None:
    event = audit_event_record(
        actor=None,
        municipality=world.municipality(),
        event_type=AuditEventType.USER_UPDATED,
        obj=world.user(Role.INTAKE),
    )
    assert event.event_type_label == str(AuditEventType.USER_UPDATED.label)
    assert AuditEvent(event_type="retired_type").event_type_label == "retired_type"
