"""Recording an occurrence: status rules (a reason for cancelled and moved, a new time for
moved, held only once started), attendance per unit and sector, minutes sanitised and never
holding an identity number, optimistic locking; decisions and follow-up actions."""

import dataclasses
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from access.models import AuditEvent, AuditEventType
from organisations.models import Role, Sector, UnitKind
from tests.world import World
from wheel import services
from wheel.models import (
    ActionStatus,
    ActivityType,
    Attendance,
    MeetingDecision,
    Occurrence,
    OccurrenceStatus,
)
from wheel.recurrence import LOCAL
from wheel.tests.series_builders import D, make_series

# The messages are checked in English, whichever test ran before.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NOW = datetime.datetime(2026, 3, 12, 12, 0, tzinfo=LOCAL)
PNR = "850101-1234"


@pytest.fixture
def occurrence(world: World) -> Occurrence:
    """Tuesday 10 March 2026 at 10:00, before NOW."""
    series = make_series(world)
    return series.occurrences.order_by("starts_at")[1]


def record(
    world: World,
    occurrence: Occurrence,
    *,
    version: int | None = None,
    now: datetime.datetime = NOW,
    **values: object,
) -> Occurrence:
    fields: dict[str, object] = {"status": OccurrenceStatus.HELD, "starts_at": occurrence.starts_at}
    fields.update(values)
    return services.occurrence_record(
        occurrence=occurrence,
        actor=world.user(Role.COORDINATOR),
        expected_version=occurrence.version if version is None else version,
        record=services.OccurrenceRecord(**fields),  # type: ignore[arg-type]
        now=now,
    )


def errors_of(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


# --- status --------------------------------------------------------------------------------------


def test_a_held_meeting_with_minutes_and_attendance(world: World, occurrence: Occurrence) -> None:
    school = world.unit(UnitKind.SCHOOL)
    health = world.unit(UnitKind.STUDENT_HEALTH)
    intake = world.unit(UnitKind.INTAKE)
    saved = record(
        world,
        occurrence,
        minutes="Vi gick igenom rutinen.\n\nNästa gång: utbildning.",
        attendance={school.pk: 3, health.pk: 2, intake.pk: 1},
        place="Skolans bibliotek",
    )
    assert saved.status == OccurrenceStatus.HELD
    assert saved.version == 2
    assert saved.place == "Skolans bibliotek"
    assert saved.minutes == "<p>Vi gick igenom rutinen.</p><p>Nästa gång: utbildning.</p>"
    rows = {row.unit_id: row for row in Attendance.objects.filter(occurrence=saved)}
    assert {unit_id: row.participants for unit_id, row in rows.items()} == {
        school.pk: 3,
        health.pk: 2,
        intake.pk: 1,
    }
    assert rows[school.pk].sector == Sector.SCHOOL
    assert rows[intake.pk].sector == Sector.SOCIAL_SERVICES
    event = AuditEvent.objects.get(event_type=AuditEventType.OCCURRENCE_RECORDED)
    assert event.old_values["status"] == OccurrenceStatus.PLANNED
    assert event.new_values["status"] == OccurrenceStatus.HELD
    assert event.new_values["participants"] == 6
    assert event.new_values["has_minutes"] is True


def test_attendance_is_replaced_and_zero_means_nobody(world: World, occurrence: Occurrence) -> None:
    school = world.unit(UnitKind.SCHOOL)
    health = world.unit(UnitKind.STUDENT_HEALTH)
    saved = record(world, occurrence, attendance={school.pk: 3, health.pk: 2})
    record(world, saved, attendance={school.pk: 0, health.pk: 4})
    assert list(Attendance.objects.values_list("unit_id", "participants")) == [(health.pk, 4)]


def test_minutes_are_sanitised(world: World, occurrence: Occurrence) -> None:
    saved = record(
        world,
        occurrence,
        minutes='<p onclick="x()">Beslut</p><script>alert(1)</script><a href="javascript:x">l</a>',
    )
    assert "script" not in saved.minutes
    assert "onclick" not in saved.minutes
    assert "javascript" not in saved.minutes
    assert "<p>Beslut</p>" in saved.minutes


@pytest.mark.parametrize("status", [OccurrenceStatus.CANCELLED, OccurrenceStatus.MOVED])
def test_cancelled_and_moved_need_a_reason(
    world: World, occurrence: Occurrence, status: str
) -> None:
    starts_at = occurrence.starts_at + datetime.timedelta(days=7)
    with pytest.raises(ValidationError) as error:
        record(world, occurrence, status=status, starts_at=starts_at, status_reason="  ")
    assert "reason" in errors_of(error)["status_reason"][0]


def test_a_cancelled_meeting(world: World, occurrence: Occurrence) -> None:
    saved = record(
        world, occurrence, status=OccurrenceStatus.CANCELLED, status_reason="För få anmälda"
    )
    assert saved.status == OccurrenceStatus.CANCELLED
    assert saved.status_reason == "För få anmälda"
    assert saved.starts_at == occurrence.starts_at


def test_a_moved_meeting_gets_its_new_time_and_keeps_its_length(
    world: World, occurrence: Occurrence
) -> None:
    new_start = datetime.datetime(2026, 3, 19, 13, 0, tzinfo=LOCAL)
    saved = record(
        world,
        occurrence,
        status=OccurrenceStatus.MOVED,
        status_reason="Krockar med lovet",
        starts_at=new_start,
    )
    assert saved.starts_at == new_start
    assert saved.ends_at == new_start + datetime.timedelta(minutes=90)


def test_moved_without_a_new_time_is_refused(world: World, occurrence: Occurrence) -> None:
    with pytest.raises(ValidationError) as error:
        record(world, occurrence, status=OccurrenceStatus.MOVED, status_reason="Sjukdom")
    assert "new date" in errors_of(error)["date"][0]


@pytest.mark.parametrize(
    ("status", "message"),
    [(OccurrenceStatus.PLANNED, "choose the status Moved"), (OccurrenceStatus.CANCELLED, "keeps")],
)
def test_a_new_time_needs_moved_or_held(
    world: World, occurrence: Occurrence, status: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        record(
            world,
            occurrence,
            status=status,
            status_reason="x",
            starts_at=occurrence.starts_at + datetime.timedelta(hours=2),
        )
    assert message in errors_of(error)["date"][0]


def test_held_on_another_day_than_planned(world: World, occurrence: Occurrence) -> None:
    held_at = occurrence.starts_at + datetime.timedelta(days=1)
    saved = record(world, occurrence, starts_at=held_at)
    assert saved.status == OccurrenceStatus.HELD
    assert saved.starts_at == held_at


def test_a_meeting_to_come_can_not_be_held(world: World, occurrence: Occurrence) -> None:
    with pytest.raises(ValidationError) as error:
        record(world, occurrence, now=occurrence.starts_at - datetime.timedelta(minutes=1))
    assert "once it has started" in errors_of(error)["status"][0]


def test_attendance_only_for_a_held_meeting(world: World, occurrence: Occurrence) -> None:
    with pytest.raises(ValidationError) as error:
        record(
            world,
            occurrence,
            status=OccurrenceStatus.CANCELLED,
            status_reason="Sjukdom",
            attendance={world.unit(UnitKind.SCHOOL).pk: 2},
        )
    assert "held meeting" in errors_of(error)["attendance"][0]


def test_attendance_only_for_invited_units(world: World, occurrence: Occurrence) -> None:
    with pytest.raises(ValidationError) as error:
        record(world, occurrence, attendance={world.unit(UnitKind.AUDITORS).pk: 2})
    assert "invited units" in errors_of(error)["attendance"][0]


def test_the_school_must_be_a_school_of_the_municipality(
    world: World, occurrence: Occurrence
) -> None:
    with pytest.raises(ValidationError) as error:
        record(world, occurrence, school=world.unit(UnitKind.SCHOOL, "eksjo"))
    assert "school" in errors_of(error)
    saved = record(world, occurrence, school=world.unit(UnitKind.SCHOOL))
    assert saved.school == world.unit(UnitKind.SCHOOL)


# --- no identified children ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "minutes",
    [
        f"Vi pratade om {PNR}.",
        "Eleven 198501011234 behöver stöd.",
        "850101<strong>-</strong>1234",  # split by a tag
        "850101&#45;1234",  # an entity for the hyphen
        "<p>8501011234</p>",
    ],
)
def test_minutes_with_an_identity_number_are_refused(
    world: World, occurrence: Occurrence, minutes: str
) -> None:
    with pytest.raises(ValidationError) as error:
        record(world, occurrence, minutes=minutes)
    assert errors_of(error)["minutes"] == [str(services.IDENTITY_NUMBER_MESSAGE)]
    occurrence.refresh_from_db()
    assert occurrence.minutes == ""
    assert occurrence.version == 1


def test_a_reason_with_an_identity_number_is_refused(world: World, occurrence: Occurrence) -> None:
    with pytest.raises(ValidationError) as error:
        record(
            world,
            occurrence,
            status=OccurrenceStatus.CANCELLED,
            status_reason=f"Ärende {PNR} akut",
        )
    assert "status_reason" in errors_of(error)


def test_phone_numbers_and_dates_are_fine_in_minutes(world: World, occurrence: Occurrence) -> None:
    saved = record(world, occurrence, minutes="Ring 070-123 45 67. Nästa möte 2026-04-14.")
    assert "070-123 45 67" in saved.minutes


# --- optimistic locking --------------------------------------------------------------------------


def test_a_stale_save_changes_nothing(world: World, occurrence: Occurrence) -> None:
    first = record(world, occurrence, minutes="Först")
    assert first.version == 2
    with pytest.raises(services.ConcurrentEditError):
        record(
            world,
            occurrence,
            version=1,
            status=OccurrenceStatus.CANCELLED,
            status_reason="Sent",
            minutes="Sedan",
        )
    occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.HELD
    assert occurrence.minutes == "<p>Först</p>"
    assert occurrence.version == 2
    assert AuditEvent.objects.filter(event_type=AuditEventType.OCCURRENCE_RECORDED).count() == 1


def test_the_current_version_saves(world: World, occurrence: Occurrence) -> None:
    first = record(world, occurrence, minutes="Först")
    second = record(world, first, minutes="Sedan")
    assert second.version == 3
    assert second.minutes == "<p>Sedan</p>"


# --- minutes as a file ---------------------------------------------------------------------------


def test_minutes_as_a_file(world: World, occurrence: Occurrence) -> None:
    upload = SimpleUploadedFile("Protokoll mars.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    saved = record(world, occurrence, minutes_file=upload)
    assert saved.minutes_file_name == "Protokoll mars.pdf"
    stored = saved.minutes_file.name or ""
    assert stored.startswith("wheel/minutes/")
    assert stored.endswith(".pdf")
    assert "mars" not in stored  # the stored name holds nothing typed
    removed = record(world, saved, remove_minutes_file=True)
    assert not removed.minutes_file
    assert removed.minutes_file_name == ""


def test_a_file_that_is_not_what_it_says_is_refused(world: World, occurrence: Occurrence) -> None:
    upload = SimpleUploadedFile("protokoll.pdf", b"MZ\x90\x00", "application/pdf")
    with pytest.raises(ValidationError) as error:
        record(world, occurrence, minutes_file=upload)
    assert "minutes_file" in errors_of(error)


# --- decisions -----------------------------------------------------------------------------------


def test_a_decision_is_added_and_changed(world: World, occurrence: Occurrence) -> None:
    coordinator = world.user(Role.COORDINATOR)
    decision = services.decision_add(
        occurrence=occurrence,
        actor=coordinator,
        data=services.DecisionData(text="Rutinen revideras i maj."),
    )
    assert decision.text == "Rutinen revideras i maj."
    changed = services.decision_update(
        decision=decision,
        actor=coordinator,
        data=services.DecisionData(text="Rutinen revideras i juni."),
    )
    assert changed.text == "Rutinen revideras i juni."
    types = list(
        AuditEvent.objects.filter(object_type="wheel.meetingdecision")
        .order_by("id")
        .values_list("event_type", flat=True)
    )
    assert types == [
        AuditEventType.MEETING_DECISION_ADDED,
        AuditEventType.MEETING_DECISION_UPDATED,
    ]


def test_a_decision_with_an_identity_number_is_refused(
    world: World, occurrence: Occurrence
) -> None:
    with pytest.raises(ValidationError) as error:
        services.decision_add(
            occurrence=occurrence,
            actor=world.user(Role.COORDINATOR),
            data=services.DecisionData(text=f"Stöd till {PNR}"),
        )
    assert errors_of(error)["text"] == [str(services.IDENTITY_NUMBER_MESSAGE)]
    assert not MeetingDecision.objects.exists()


def test_a_resource_council_decision_names_resource_unit_and_follow_up(world: World) -> None:
    series = make_series(world, activity_type=ActivityType.RESOURCE_COUNCIL)
    occurrence = series.occurrences.first()
    assert occurrence is not None
    data = services.DecisionData(text="Extra resurs beviljas.")
    with pytest.raises(ValidationError) as error:
        services.decision_add(occurrence=occurrence, actor=world.user(Role.COORDINATOR), data=data)
    assert set(errors_of(error)) == {"resource", "receiving_unit", "follow_up_on"}
    decision = services.decision_add(
        occurrence=occurrence,
        actor=world.user(Role.COORDINATOR),
        data=dataclasses.replace(
            data,
            resource="Elevassistent 50 %",
            receiving_unit=world.unit(UnitKind.SCHOOL),
            follow_up_on=D(2026, 6, 1),
        ),
    )
    assert decision.receiving_unit == world.unit(UnitKind.SCHOOL)
    with pytest.raises(ValidationError) as error:
        services.decision_update(
            decision=decision,
            actor=world.user(Role.COORDINATOR),
            data=dataclasses.replace(data, receiving_unit=world.unit(UnitKind.SCHOOL, "eksjo")),
        )
    assert "receiving_unit" in errors_of(error)


# --- follow-up actions ---------------------------------------------------------------------------


def test_an_action_is_added_changed_and_closed(world: World, occurrence: Occurrence) -> None:
    coordinator = world.user(Role.COORDINATOR)
    action = services.action_add(
        occurrence=occurrence,
        actor=coordinator,
        data=services.ActionData(what="Boka utbildning", owner="Samordnaren", due_on=D(2026, 4, 1)),
    )
    assert action.status == ActionStatus.OPEN
    action = services.action_update(
        action=action,
        actor=coordinator,
        data=services.ActionData(what="Boka utbildning", owner="Rektor", due_on=D(2026, 4, 15)),
    )
    assert (action.owner, action.due_on) == ("Rektor", D(2026, 4, 15))
    closed = services.action_close(action=action, actor=coordinator)
    assert closed.status == ActionStatus.DONE
    again = services.action_close(action=closed, actor=coordinator, status=ActionStatus.CANCELLED)
    assert again.status == ActionStatus.DONE  # closing a closed action changes nothing
    assert (
        AuditEvent.objects.filter(object_type="wheel.followupaction").count() == 3
    )  # added, changed, closed


@pytest.mark.parametrize(
    ("what", "owner", "field"),
    [(f"Kontakta vårdnadshavare till {PNR}", "Rektor", "what"), ("Ring", "", "owner")],
)
def test_bad_actions_are_refused(
    world: World, occurrence: Occurrence, what: str, owner: str, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        services.action_add(
            occurrence=occurrence,
            actor=world.user(Role.COORDINATOR),
            data=services.ActionData(what=what, owner=owner),
        )
    assert field in errors_of(error)


def test_an_action_is_closed_as_done_or_cancelled_only(
    world: World, occurrence: Occurrence
) -> None:
    action = services.action_add(
        occurrence=occurrence,
        actor=world.user(Role.COORDINATOR),
        data=services.ActionData(what="Ring", owner="Rektor"),
    )
    with pytest.raises(ValidationError):
        services.action_close(action=action, actor=world.user(Role.COORDINATOR), status="open")


def test_an_unchanged_decision_or_action_records_nothing_and_a_change_only_what_changed(
    world: World, occurrence: Occurrence
) -> None:
    coordinator = world.user(Role.COORDINATOR)
    decision_data = services.DecisionData(text="Rutinen revideras i maj.")
    decision = services.decision_add(occurrence=occurrence, actor=coordinator, data=decision_data)
    action_data = services.ActionData(what="Boka utbildning", owner="Samordnaren")
    action = services.action_add(occurrence=occurrence, actor=coordinator, data=action_data)
    before = AuditEvent.objects.count()
    services.decision_update(decision=decision, actor=coordinator, data=decision_data)
    services.action_update(action=action, actor=coordinator, data=action_data)
    assert AuditEvent.objects.count() == before
    services.action_update(
        action=action, actor=coordinator, data=dataclasses.replace(action_data, owner="Rektor")
    )
    event = AuditEvent.objects.latest("id")
    assert event.event_type == AuditEventType.FOLLOW_UP_ACTION_UPDATED
    assert (event.old_values, event.new_values) == ({"owner": "Samordnaren"}, {"owner": "Rektor"})
