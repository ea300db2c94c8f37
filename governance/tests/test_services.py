"""Every change writes its audit event, in the document's municipality; a change that changes
nothing writes none; units of another municipality are refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from access.models import AuditEvent, AuditEventType
from governance import services
from governance.models import MeasureStatus
from governance.tests import builders
from organisations.models import Role, UnitKind

E = AuditEventType


def _events():
    return list(AuditEvent.objects.order_by("id").values_list("event_type", flat=True))


def test_each_change_is_audited_once(world):
    actor = world.user(Role.COORDINATOR)
    document = builders.document(world)
    version = builders.version(world, document)
    goal = services.goal_add(
        actor=actor, document=document, text="Mål", indicator_key="meetings_held"
    )
    services.goal_update(actor=actor, goal=goal, text="Mål 2", indicator_key="meetings_held")
    services.goal_update(
        actor=actor, goal=goal, text="Mål 2", indicator_key="meetings_held"
    )  # no-op
    row = services.responsibility_add(
        actor=actor, document=document, role_name="Rektor", responsibility="Ansvar"
    )
    services.responsibility_update(
        actor=actor, responsibility_row=row, role_name="Rektor", responsibility="Mer ansvar"
    )
    measure = services.measure_add(actor=actor, document=document, what="Åtgärd", owner="IFO")
    services.measure_update(
        actor=actor, measure=measure, what="Åtgärd", owner="IFO", due_on=datetime.date(2027, 1, 1)
    )
    services.measure_status_change(actor=actor, measure=measure, status=MeasureStatus.DONE)
    services.measure_status_change(actor=actor, measure=measure, status=MeasureStatus.DONE)
    services.read_confirm(user=world.user(Role.REPORTER), version=version)
    services.goal_delete(actor=actor, goal=goal)
    services.responsibility_delete(actor=actor, responsibility_row=row)
    assert [event for event in _events() if event.startswith("document_")] == [
        E.DOCUMENT_CREATED,
        E.DOCUMENT_VERSION_ADDED,
        E.DOCUMENT_GOAL_ADDED,
        E.DOCUMENT_GOAL_UPDATED,
        E.DOCUMENT_RESPONSIBILITY_ADDED,
        E.DOCUMENT_RESPONSIBILITY_UPDATED,
        E.DOCUMENT_MEASURE_ADDED,
        E.DOCUMENT_MEASURE_UPDATED,
        E.DOCUMENT_MEASURE_STATUS_CHANGED,
        E.DOCUMENT_READ_CONFIRMED,
        E.DOCUMENT_GOAL_DELETED,
        E.DOCUMENT_RESPONSIBILITY_DELETED,
    ]
    assert set(
        AuditEvent.objects.filter(event_type__startswith="document_").values_list(
            "municipality_id", flat=True
        )
    ) == {world.municipality().pk}
    deleted = AuditEvent.objects.get(event_type=E.DOCUMENT_GOAL_DELETED)
    assert deleted.old_values["text"] == "Mål 2"


def test_units_and_people_of_another_municipality_are_refused(world):
    actor = world.user(Role.COORDINATOR)
    eksjo_unit = world.unit(UnitKind.SCHOOL, "eksjo")
    with pytest.raises(ValidationError) as error:
        builders.document(world, owner_unit=eksjo_unit)
    assert "owner_unit" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        builders.document(world, parties=[eksjo_unit])
    assert "parties" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        builders.document(world, owner_person=world.user(Role.COORDINATOR, "eksjo"))
    assert "owner_person" in error.value.message_dict
    document = builders.document(world)
    with pytest.raises(ValidationError):
        services.measure_add(
            actor=actor, document=document, what="x", owner="y", owner_unit=eksjo_unit
        )
    with pytest.raises(ValidationError):
        services.responsibility_add(
            actor=actor, document=document, role_name="x", responsibility="y", unit=eksjo_unit
        )
    assert not document.measures.exists()


@pytest.mark.parametrize("key", ["", "feedback_on_time", "routine_confirmed", "meetings_held"])
def test_indicator_keys_of_the_catalogue_are_accepted(world, key):
    document = builders.document(world)
    goal = services.goal_add(
        actor=world.user(Role.COORDINATOR), document=document, text="Mål", indicator_key=key
    )
    assert goal.indicator_key == key


@pytest.mark.parametrize("key", ["reports_feedback_share", "Reports", "x" * 101])
def test_indicator_keys_outside_the_catalogue_are_refused(world, key):
    document = builders.document(world)
    with pytest.raises(ValidationError) as error:
        services.goal_add(
            actor=world.user(Role.COORDINATOR), document=document, text="Mål", indicator_key=key
        )
    assert "indicator_key" in error.value.message_dict
