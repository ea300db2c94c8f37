"""The analysis group's work on a round: removing personal data from free-text answers, the
analysis text, the prioritised resources and sending them to the resource council.

Every service takes a :class:`~access.policies.Permit` for the round with the ANALYSE action
(the round's analysis group), or, for linking the council's decision, a wheel RECORD permit
for the decision. Each writes its audit event in the same transaction. Audit events name the
round, the question or the priority, never a free text: it may hold the personal data being
removed.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AuditEventType
from access.policies import Permit
from access.services import audit_event_record
from organisations.models import Unit, User
from surveys.models import Answer, Priority, QuestionKind, Round
from surveys.policies_results import ANALYSE
from wheel.models import ActivityType, MeetingDecision, Occurrence, OccurrenceStatus
from wheel.policies import RECORD
from wheel.services import contains_identity_number


class AnalysisChangedMeanwhile(ValueError):
    """Someone else saved the analysis since the form was opened; nothing was saved."""


def _identity_number_error() -> str:
    return _(
        "The text seems to contain a personal identity number (YYMMDD-XXXX). The analysis "
        "is about groups, never about one person: remove it."
    )


def _check_texts(**texts: str) -> None:
    errors = {
        name: [ValidationError(_identity_number_error(), code="identity_number")]
        for name, text in texts.items()
        if contains_identity_number(text)
    }
    if errors:
        raise ValidationError(errors)


def _locked_round(permit: Permit[Round]) -> Round:
    round_ = permit.require(ANALYSE)
    return Round.objects.select_for_update().get(pk=round_.pk)


def _audit(actor: User, round_: Round, event: str, obj: Any, **new: Any) -> None:
    audit_event_record(
        actor=actor,
        municipality=round_.municipality,
        event_type=event,
        obj=obj,
        new={"round": round_.pk, **new},
    )


# --- free texts -----------------------------------------------------------------------------------


@transaction.atomic
def free_text_remove(*, permit: Permit[Round], actor: User, answer_id: int) -> Answer:
    """Erase a free-text answer that holds personal data: the text is emptied and marked as
    removed by the analysis group. The audit event names who and which round and question,
    never the text. Removing an answer already removed changes nothing."""
    round_ = permit.require(ANALYSE)
    answer = (
        Answer.objects.select_for_update()
        .select_related("question")
        .get(pk=answer_id, response__round_id=round_.pk, question__kind=QuestionKind.TEXT)
    )
    if answer.text_removed:
        return answer
    answer.text = ""
    answer.text_removed = True
    answer.save(update_fields=["text", "text_removed"])
    _audit(
        actor,
        round_,
        AuditEventType.SURVEY_FREE_TEXT_REMOVED,
        round_,
        question=answer.question.key,
    )
    return answer


# --- the analysis ---------------------------------------------------------------------------------


@transaction.atomic
def analysis_save(*, permit: Permit[Round], actor: User, text: str, expected_version: int) -> Round:
    """Save the analysis text. Refused with :class:`AnalysisChangedMeanwhile` (nothing saved)
    when someone saved another text since ``expected_version`` was read; the same text again
    (a double submit) saves nothing."""
    round_ = _locked_round(permit)
    text = text.strip()
    if round_.lock_version != expected_version:
        # A double submit of the same text finds its own first save: nothing to refuse.
        if text == round_.analysis:
            return round_
        raise AnalysisChangedMeanwhile
    _check_texts(text=text)
    if text == round_.analysis:
        return round_
    old_length = len(round_.analysis)
    round_.analysis = text
    round_.analysis_updated_at = timezone.now()
    round_.analysis_updated_by = actor
    round_.lock_version += 1
    round_.save(
        update_fields=["analysis", "analysis_updated_at", "analysis_updated_by", "lock_version"]
    )
    audit_event_record(
        actor=actor,
        municipality=round_.municipality,
        event_type=AuditEventType.SURVEY_ANALYSIS_SAVED,
        obj=round_,
        old={"characters": old_length},
        new={"characters": len(text), "version": round_.lock_version},
    )
    return round_


# --- prioritised resources ------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityData:
    what: str
    why: str
    responsible_unit: Unit | None


def _check_priority(round_: Round, data: PriorityData) -> None:
    errors: dict[str, Any] = {}
    if not data.what.strip():
        errors["what"] = _("Write which resource is prioritised.")
    if not data.why.strip():
        errors["why"] = _("Write why it is prioritised.")
    if data.responsible_unit is None:
        errors["responsible_unit"] = _("Choose the unit responsible for it.")
    elif data.responsible_unit.municipality_id != round_.municipality_id:
        errors["responsible_unit"] = _("Choose a unit of the municipality.")
    try:
        _check_texts(what=data.what, why=data.why)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


def _priority(round_: Round, priority_id: int) -> Priority:
    return Priority.objects.select_for_update().get(pk=priority_id, round_id=round_.pk)


@transaction.atomic
def priority_add(*, permit: Permit[Round], actor: User, data: PriorityData) -> Priority:
    """Add a prioritised resource last in the list. A double submit (the same resource, reason
    and unit again) returns the one already made instead of a copy."""
    round_ = _locked_round(permit)
    _check_priority(round_, data)
    assert data.responsible_unit is not None
    what, why = data.what.strip(), data.why.strip()
    existing = Priority.objects.filter(
        round_id=round_.pk, what=what, why=why, responsible_unit=data.responsible_unit
    ).first()
    if existing is not None:
        return existing
    last = Priority.objects.filter(round_id=round_.pk).aggregate(last=Max("position"))["last"]
    priority = Priority.objects.create(
        round=round_,
        position=(last or 0) + 1,
        what=what,
        why=why,
        responsible_unit=data.responsible_unit,
        created_by=actor,
    )
    _audit(
        actor,
        round_,
        AuditEventType.SURVEY_PRIORITY_ADDED,
        priority,
        what=what,
        responsible_unit=priority.responsible_unit_id,
    )
    return priority


@transaction.atomic
def priority_update(
    *, permit: Permit[Round], actor: User, priority_id: int, data: PriorityData
) -> Priority:
    round_ = _locked_round(permit)
    priority = _priority(round_, priority_id)
    _check_priority(round_, data)
    assert data.responsible_unit is not None
    old: dict[str, Any] = {
        "what": priority.what,
        "why": priority.why,
        "responsible_unit": priority.responsible_unit_id,
    }
    new: dict[str, Any] = {
        "what": data.what.strip(),
        "why": data.why.strip(),
        "responsible_unit": data.responsible_unit.pk,
    }
    if old == new:
        return priority
    priority.what, priority.why = data.what.strip(), data.why.strip()
    priority.responsible_unit = data.responsible_unit
    priority.save(update_fields=["what", "why", "responsible_unit"])
    audit_event_record(
        actor=actor,
        municipality=round_.municipality,
        event_type=AuditEventType.SURVEY_PRIORITY_CHANGED,
        obj=priority,
        old={key: value for key, value in old.items() if new[key] != value},
        new={key: value for key, value in new.items() if old[key] != value},
    )
    return priority


@transaction.atomic
def priority_remove(*, permit: Permit[Round], actor: User, priority_id: int) -> None:
    """Remove a prioritised resource; one already on the resource council's agenda stays
    (the council's agenda must not change behind its back)."""
    round_ = _locked_round(permit)
    priority = _priority(round_, priority_id)
    if priority.sent_to_council_at is not None:
        raise ValidationError(
            _("It is on the resource council's agenda and can no longer be removed.")
        )
    _audit(
        actor,
        round_,
        AuditEventType.SURVEY_PRIORITY_REMOVED,
        priority,
        what=priority.what,
    )
    priority.delete()
    _renumber(round_)


def _renumber(round_: Round, order: list[Priority] | None = None) -> None:
    rows = order if order is not None else list(Priority.objects.filter(round_id=round_.pk))
    changed = []
    for position, priority in enumerate(rows, 1):
        if priority.position != position:
            priority.position = position
            changed.append(priority)
    Priority.objects.bulk_update(changed, ["position"])


@transaction.atomic
def priority_move(*, permit: Permit[Round], actor: User, priority_id: int, up: bool) -> None:
    """Move a prioritised resource one place up or down (at the end: nothing changes)."""
    round_ = _locked_round(permit)
    rows = list(Priority.objects.filter(round_id=round_.pk))
    index = next((i for i, row in enumerate(rows) if row.pk == priority_id), None)
    if index is None:
        raise Priority.DoesNotExist
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    _renumber(round_, rows)
    _audit(
        actor,
        round_,
        AuditEventType.SURVEY_PRIORITY_MOVED,
        rows[other],
        order=[row.pk for row in rows],
    )


# --- the resource council -------------------------------------------------------------------------


def next_council_occurrence(
    municipality_id: int, now: datetime.datetime | None = None
) -> Occurrence | None:
    """The municipality's next resource-council meeting in the annual wheel: the first
    occurrence of a resource-council series that starts after ``now`` and is not cancelled."""
    return (
        Occurrence.objects.filter(
            municipality_id=municipality_id,
            series__activity_type=ActivityType.RESOURCE_COUNCIL,
            starts_at__gt=now or timezone.now(),
        )
        .exclude(status=OccurrenceStatus.CANCELLED)
        .select_related("series")
        .order_by("starts_at", "pk")
        .first()
    )


@transaction.atomic
def priority_send_to_council(
    *, permit: Permit[Round], actor: User, priority_id: int
) -> Occurrence | None:
    """Put the prioritised resource on the agenda of the resource council's next meeting and
    return that meeting; ``None`` (and nothing changed) when no meeting is planned. A resource
    already sent stays on the meeting it was sent to."""
    round_ = _locked_round(permit)
    priority = _priority(round_, priority_id)
    if priority.council_occurrence_id is not None:
        return Occurrence.objects.select_related("series").get(pk=priority.council_occurrence_id)
    occurrence = next_council_occurrence(round_.municipality_id)
    if occurrence is None:
        return None
    priority.council_occurrence = occurrence
    priority.sent_to_council_at = timezone.now()
    priority.save(update_fields=["council_occurrence", "sent_to_council_at"])
    _audit(
        actor,
        round_,
        AuditEventType.SURVEY_PRIORITY_TO_COUNCIL,
        priority,
        occurrence=occurrence.pk,
    )
    return occurrence


@transaction.atomic
def priority_decision_link(
    *, permit: Permit[MeetingDecision], actor: User, priority_id: int
) -> Priority:
    """Record which of the meeting's decisions answered the prioritised resource (for those
    who record the meeting: a wheel RECORD permit for the decision)."""
    decision = permit.require(RECORD)
    priority = Priority.objects.select_for_update().get(
        pk=priority_id, council_occurrence_id=decision.occurrence_id
    )
    if priority.decision_id == decision.pk:
        return priority
    old = priority.decision_id
    priority.decision = decision
    priority.save(update_fields=["decision"])
    audit_event_record(
        actor=actor,
        municipality=decision.occurrence.municipality,
        event_type=AuditEventType.SURVEY_PRIORITY_DECISION,
        obj=priority,
        old={"decision": old},
        new={"decision": decision.pk},
    )
    return priority
