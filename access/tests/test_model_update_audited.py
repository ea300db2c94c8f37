"""The one audited update: lock, set and save only what changed, one audit event with the old
and new values of what changed, and nothing at all when nothing changed."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from access.models import AuditEvent, AuditEventType
from access.services import model_update_audited
from governance.models import Measure, MeasureStatus
from governance.tests import builders
from organisations.models import Role, UnitKind
from tests.world import World

pytestmark = pytest.mark.django_db


def _measure(world: World) -> Measure:
    document = builders.document(world)
    return Measure.objects.create(document=document, what="Åtgärd", owner="IFO")


def _updates(queries: CaptureQueriesContext) -> list[str]:
    """The updates of the measure's table (a saved measure also renews its municipality's
    follow-up stamp: organisations/followup_stamp.py)."""
    return [
        query["sql"]
        for query in queries
        if query["sql"].startswith("UPDATE") and "organisations_municipality" not in query["sql"]
    ]


def test_nothing_changed_saves_nothing_and_records_nothing(world: World) -> None:
    measure = _measure(world)
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        locked, changed = model_update_audited(
            obj=measure,
            actor=world.user(Role.COORDINATOR),
            fields={"what": "Åtgärd", "owner": "IFO", "owner_unit": None},
            event_type=AuditEventType.DOCUMENT_MEASURE_UPDATED,
            municipality=world.municipality(),
        )
    assert changed is False
    assert locked.pk == measure.pk
    assert _updates(queries) == []
    assert AuditEvent.objects.count() == before


def test_a_change_saves_only_the_changed_fields_and_records_one_event(world: World) -> None:
    measure = _measure(world)
    actor = world.user(Role.COORDINATOR)
    unit = world.unit(UnitKind.SCHOOL)
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        locked, changed = model_update_audited(
            obj=measure,
            actor=actor,
            fields={
                "what": "Åtgärd",  # the same: neither saved nor recorded
                "owner_unit": unit,
                "due_on": datetime.date(2027, 1, 1),
            },
            event_type=AuditEventType.DOCUMENT_MEASURE_UPDATED,
            municipality=world.municipality(),
        )
    assert changed is True
    assert (locked.owner_unit, locked.due_on) == (unit, datetime.date(2027, 1, 1))
    (update,) = _updates(queries)
    saved = {
        column
        for column in ("what", "owner", "status", "owner_unit_id", "due_on")
        if f'"{column}"' in update
    }
    assert saved == {"owner_unit_id", "due_on"}
    stored = Measure.objects.get(pk=measure.pk)
    assert (stored.owner_unit_id, stored.due_on) == (unit.pk, datetime.date(2027, 1, 1))
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.event_type == AuditEventType.DOCUMENT_MEASURE_UPDATED
    assert (event.actor, event.municipality) == (actor, world.municipality())
    assert (event.object_type, event.object_id) == ("governance.measure", str(measure.pk))
    # A related object is recorded by its primary key, under the key it was given by.
    assert event.old_values == {"owner_unit": None, "due_on": None}
    assert event.new_values == {"owner_unit": unit.pk, "due_on": "2027-01-01"}


def test_a_foreign_key_may_be_given_by_its_id_name(world: World) -> None:
    measure = _measure(world)
    unit = world.unit(UnitKind.SCHOOL)
    locked, changed = model_update_audited(
        obj=measure,
        actor=None,
        fields={"owner_unit_id": unit, "status": MeasureStatus.DONE},
        event_type=AuditEventType.DOCUMENT_MEASURE_UPDATED,
        municipality=world.municipality(),
    )
    assert changed is True
    assert locked.owner_unit == unit
    event = AuditEvent.objects.latest("id")
    assert event.old_values == {"owner_unit_id": None, "status": MeasureStatus.PLANNED}
    assert event.new_values == {"owner_unit_id": unit.pk, "status": MeasureStatus.DONE}
    # Given again, nothing changes and nothing more is recorded.
    _, again = model_update_audited(
        obj=locked,
        actor=None,
        fields={"owner_unit_id": unit.pk, "status": MeasureStatus.DONE},
        event_type=AuditEventType.DOCUMENT_MEASURE_UPDATED,
        municipality=world.municipality(),
    )
    assert again is False
    assert AuditEvent.objects.latest("id").pk == event.pk


def test_the_comparison_is_with_the_stored_row_not_the_stale_object(world: World) -> None:
    """Another request changed the row after the caller loaded it: the lock reads it again,
    so the event's old value is what was stored, and the caller's value is still applied."""
    measure = _measure(world)
    Measure.objects.filter(pk=measure.pk).update(owner="Rektor")
    _locked, changed = model_update_audited(
        obj=measure,  # still says owner="IFO"
        actor=None,
        fields={"owner": "IFO"},
        event_type=AuditEventType.DOCUMENT_MEASURE_UPDATED,
        municipality=world.municipality(),
    )
    assert changed is True
    assert Measure.objects.get(pk=measure.pk).owner == "IFO"
    event = AuditEvent.objects.latest("id")
    assert (event.old_values, event.new_values) == ({"owner": "Rektor"}, {"owner": "IFO"})
