"""The analysis group's services: removing a free text (audit without the text), the analysis
with optimistic locking, the prioritised resources, the resource council's next meeting and
the decision linked to a priority."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from access.models import AuditEvent, AuditEventType
from access.policies import NotPermitted
from organisations.models import Role, UnitKind
from surveys.models import Answer, Priority
from surveys.policies_results import ANALYSE, READ, results_policy
from surveys.services_analysis import (
    AnalysisChangedMeanwhile,
    PriorityData,
    analysis_save,
    free_text_remove,
    next_council_occurrence,
    priority_add,
    priority_decision_link,
    priority_move,
    priority_remove,
    priority_send_to_council,
    priority_update,
)
from surveys.tests.results_world import Setting, build, council_series, members
from tests.world import World
from wheel.models import ActivityType, MeetingDecision, OccurrenceStatus
from wheel.policies import RECORD, decision_policy
from wheel.tests.calendar_builders import make_occurrence, make_series

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(world: World) -> Setting:
    return build(world)


def permit(world: World, setting: Setting, user=None):
    found = results_policy.find(user or members(world)[0], ANALYSE, pk=setting.round.pk)
    assert found is not None
    return found


def data(world: World, what: str = "Samordnad insats mot narkotika") -> PriorityData:
    return PriorityData(
        what=what,
        why="Fler ser narkotika vid stationen.",
        responsible_unit=world.unit(UnitKind.INTAKE),
    )


def test_a_reader_gets_no_analyse_permit(world, setting):
    assert results_policy.find(world.user(Role.COORDINATOR), READ, pk=setting.round.pk)
    assert results_policy.find(world.user(Role.COORDINATOR), ANALYSE, pk=setting.round.pk) is None
    reader = results_policy.find(world.user(Role.COORDINATOR), READ, pk=setting.round.pk)
    assert reader is not None
    with pytest.raises(NotPermitted):
        free_text_remove(
            permit=reader, actor=world.user(Role.COORDINATOR), answer_id=setting.text.pk
        )


def test_removing_a_free_text_erases_it_and_audits_without_the_text(world, setting):
    secret = setting.text.text
    member = members(world)[0]
    free_text_remove(permit=permit(world, setting), actor=member, answer_id=setting.text.pk)
    setting.text.refresh_from_db()
    assert setting.text.text == ""
    assert setting.text.text_removed
    event = AuditEvent.objects.get(event_type=AuditEventType.SURVEY_FREE_TEXT_REMOVED)
    assert event.actor == member
    assert event.object_id == str(setting.round.pk)
    assert secret not in str(event.old_values) + str(event.new_values)
    # Again: nothing more happens.
    free_text_remove(permit=permit(world, setting), actor=member, answer_id=setting.text.pk)
    assert (
        AuditEvent.objects.filter(event_type=AuditEventType.SURVEY_FREE_TEXT_REMOVED).count() == 1
    )


def test_only_a_free_text_of_the_round_can_be_removed(world, setting):
    choice = Answer.objects.filter(response__round=setting.round, question__key="drugs").first()
    assert choice is not None
    with pytest.raises(Answer.DoesNotExist):
        free_text_remove(
            permit=permit(world, setting), actor=members(world)[0], answer_id=choice.pk
        )


def test_the_analysis_refuses_a_stale_save(world, setting):
    first, second = members(world)
    version = setting.round.lock_version
    saved = analysis_save(
        permit=permit(world, setting, first),
        actor=first,
        text="Oron har ökat.",
        expected_version=version,
    )
    assert saved.lock_version == version + 1
    with pytest.raises(AnalysisChangedMeanwhile):
        analysis_save(
            permit=permit(world, setting, second),
            actor=second,
            text="Min version",
            expected_version=version,
        )
    # A double submit of the first save is not a conflict, and saves nothing more.
    again = analysis_save(
        permit=permit(world, setting, first),
        actor=first,
        text="Oron har ökat.",
        expected_version=version,
    )
    assert again.lock_version == version + 1
    setting.round.refresh_from_db()
    assert setting.round.analysis == "Oron har ökat."
    assert setting.round.analysis_updated_by == first
    assert AuditEvent.objects.filter(event_type=AuditEventType.SURVEY_ANALYSIS_SAVED).count() == 1


def test_the_analysis_refuses_an_identity_number(world, setting):
    with pytest.raises(ValidationError) as error:
        analysis_save(
            permit=permit(world, setting),
            actor=members(world)[0],
            text="Eleven 20130101-9809 behöver stöd",
            expected_version=setting.round.lock_version,
        )
    assert "text" in error.value.message_dict


def test_priorities_are_added_once_changed_moved_and_removed(world, setting):
    member = members(world)[0]
    first = priority_add(permit=permit(world, setting), actor=member, data=data(world))
    again = priority_add(permit=permit(world, setting), actor=member, data=data(world))
    assert first.pk == again.pk  # a double submit makes one
    assert first.position == 3
    priority_update(
        permit=permit(world, setting),
        actor=member,
        priority_id=first.pk,
        data=data(world, "Samordnad insats mot narkotika i centrum"),
    )
    first.refresh_from_db()
    assert first.what == "Samordnad insats mot narkotika i centrum"
    priority_move(permit=permit(world, setting), actor=member, priority_id=first.pk, up=True)
    order = list(Priority.objects.filter(round=setting.round).values_list("what", "position"))
    assert order == [
        ("Fältassistenter kvällstid", 1),
        ("Samordnad insats mot narkotika i centrum", 2),
        ("Föräldrastöd", 3),
    ]
    priority_remove(permit=permit(world, setting), actor=member, priority_id=first.pk)
    assert list(
        Priority.objects.filter(round=setting.round).values_list("position", flat=True)
    ) == [1, 2]
    # One on the council's agenda stays.
    with pytest.raises(ValidationError):
        priority_remove(
            permit=permit(world, setting), actor=member, priority_id=setting.priority.pk
        )
    types = set(AuditEvent.objects.values_list("event_type", flat=True))
    assert {
        AuditEventType.SURVEY_PRIORITY_ADDED,
        AuditEventType.SURVEY_PRIORITY_CHANGED,
        AuditEventType.SURVEY_PRIORITY_MOVED,
        AuditEventType.SURVEY_PRIORITY_REMOVED,
    } <= types


def test_a_priority_needs_what_why_and_a_unit_of_the_municipality(world, setting):
    with pytest.raises(ValidationError) as error:
        priority_add(
            permit=permit(world, setting),
            actor=members(world)[0],
            data=PriorityData(
                what=" ", why="", responsible_unit=world.unit(UnitKind.INTAKE, "eksjo")
            ),
        )
    assert set(error.value.message_dict) == {"what", "why", "responsible_unit"}


def test_the_next_council_meeting_is_the_first_planned_one_after_now(world, setting):
    now = timezone.now()
    series = council_series(world)
    make_occurrence(series, now - datetime.timedelta(days=3))  # past
    make_occurrence(series, now + datetime.timedelta(days=2), status=OccurrenceStatus.CANCELLED)
    expected = make_occurrence(series, now + datetime.timedelta(days=5))
    make_occurrence(series, now + datetime.timedelta(days=40))
    other = make_series(
        municipality=world.municipality(),
        organiser=world.unit(UnitKind.INTAKE),
        created_by=world.user(Role.COORDINATOR),
        activity_type=ActivityType.COLLABORATION_MEETING,
    )
    make_occurrence(other, now + datetime.timedelta(days=1))  # not the resource council
    make_occurrence(council_series(world, "eksjo"), now + datetime.timedelta(days=1))
    assert next_council_occurrence(world.municipality().pk) == expected

    member = members(world)[0]
    second = Priority.objects.exclude(pk=setting.priority.pk).get()
    sent = priority_send_to_council(
        permit=permit(world, setting), actor=member, priority_id=second.pk
    )
    assert sent == expected
    second.refresh_from_db()
    assert second.council_occurrence == expected
    assert second.sent_to_council_at is not None
    # Sending again keeps the meeting it went to.
    assert (
        priority_send_to_council(permit=permit(world, setting), actor=member, priority_id=second.pk)
        == expected
    )


def test_no_council_meeting_planned_changes_nothing(world, setting):
    setting.council.status = OccurrenceStatus.CANCELLED
    setting.council.save()
    second = Priority.objects.exclude(pk=setting.priority.pk).get()
    assert next_council_occurrence(world.municipality().pk) is None
    sent = priority_send_to_council(
        permit=permit(world, setting), actor=members(world)[0], priority_id=second.pk
    )
    assert sent is None
    second.refresh_from_db()
    assert second.council_occurrence is None
    assert second.sent_to_council_at is None


def test_the_decision_is_linked_by_who_records_the_meeting(world, setting):
    decision = MeetingDecision.objects.create(occurrence=setting.council, text="Beviljat")
    coordinator = world.user(Role.COORDINATOR)
    decision_permit = decision_policy.find(coordinator, RECORD, pk=decision.pk)
    assert decision_permit is not None
    priority_decision_link(
        permit=decision_permit, actor=coordinator, priority_id=setting.priority.pk
    )
    setting.priority.refresh_from_db()
    assert setting.priority.decision == decision
    assert AuditEvent.objects.filter(event_type=AuditEventType.SURVEY_PRIORITY_DECISION).exists()
    # A decision of another meeting does not answer this priority.
    elsewhere = MeetingDecision.objects.create(
        occurrence=make_occurrence(council_series(world), timezone.now()), text="Annat"
    )
    other_permit = decision_policy.find(coordinator, RECORD, pk=elsewhere.pk)
    assert other_permit is not None
    with pytest.raises(Priority.DoesNotExist):
        priority_decision_link(
            permit=other_permit, actor=coordinator, priority_id=setting.priority.pk
        )
