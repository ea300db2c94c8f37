"""Network meetings of a plan: what was decided there changes the plan in the same
transaction (the actions' status and dates, the next follow-up date), so the plan never shows
a meeting whose decisions are missing, nor decisions without their meeting."""

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AuditEventType
from access.policies import Permit
from organisations.models import User
from sip.models import OPEN_ACTION_STATUSES, ActionStatus, NetworkMeeting, Plan, PlanAction
from sip.policies import SipAction
from sip.services import ConcurrentEditError, _audit


@dataclass(frozen=True)
class ActionDecision:
    """What the meeting decided about one open action: its status, and a new date if moved."""

    action_id: int
    status: str
    due_on: datetime.date | None = None


@dataclass(frozen=True)
class MeetingData:
    held_on: datetime.date
    present_ids: Sequence[int] = ()
    minutes: str = ""
    decisions: str = ""
    is_follow_up: bool = False
    next_follow_up_on: datetime.date | None = None
    actions: Sequence[ActionDecision] = field(default_factory=tuple)


def _check_meeting(plan: Plan, data: MeetingData) -> dict[str, str]:
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if data.held_on > today:
        errors["held_on"] = _(
            "A meeting is recorded after it was held: the date can not be in the future."
        )
    participants = set(plan.participants.values_list("pk", flat=True))
    if not set(data.present_ids) <= participants:
        errors["present"] = _("Choose among the plan's participants.")
    if data.is_follow_up:
        if data.next_follow_up_on is None:
            errors["next_follow_up_on"] = _(
                "The plan was followed up: set the date of the next follow-up."
            )
        elif data.next_follow_up_on <= today:
            errors["next_follow_up_on"] = _("The next follow-up date must be after today.")
    return errors


def _action_changes(
    plan: Plan, decisions: Sequence[ActionDecision], errors: dict[str, str]
) -> list[PlanAction]:
    """The open actions the decisions change (not saved yet); problems go into ``errors``."""
    today = timezone.localdate()
    open_actions = {
        action.pk: action
        for action in plan.actions.filter(status__in=OPEN_ACTION_STATUSES).select_for_update()
    }
    changed: list[PlanAction] = []
    for decision in decisions:
        action = open_actions.get(decision.action_id)
        if action is None:
            errors["actions"] = _("An action is no longer open in the plan.")
            continue
        if decision.status not in ActionStatus.values:
            errors[f"action_{action.pk}_status"] = _("Choose a status.")
            continue
        moved = decision.due_on is not None and decision.due_on != action.due_on
        if moved and decision.due_on is not None and decision.due_on < today:
            errors[f"action_{action.pk}_due_on"] = _("A new date can not be in the past.")
            continue
        if moved or decision.status != action.status:
            action.due_on = decision.due_on if moved else action.due_on
            action.status = decision.status
            changed.append(action)
    return changed


def meeting_record(
    *,
    permit: Permit[Plan],
    actor: User,
    expected_version: int,
    data: MeetingData,
    submission_key: uuid.UUID | None = None,
) -> NetworkMeeting:
    """Record a held network meeting and apply its decisions to the plan's open actions.

    Guarantees: nothing is saved unless everything is (one transaction under the plan's row
    lock); the same ``submission_key`` again returns the meeting made the first time and
    changes nothing; a save based on another version than ``expected_version`` raises
    :class:`ConcurrentEditError` and saves nothing. A follow-up meeting records the follow-up
    date it answered and moves the plan's follow-up date to the next one. Each action change
    is a row in the action's history; the plan's version goes up by one."""
    plan = permit.require(SipAction.EDIT)
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        # Checked under the lock: two clicks racing each other find the first one's meeting.
        if submission_key is not None:
            earlier = NetworkMeeting.objects.filter(
                plan=locked, submission_key=submission_key
            ).first()
            if earlier is not None:
                return earlier
        if locked.version != expected_version:
            raise ConcurrentEditError
        errors = _check_meeting(locked, data)
        changed = _action_changes(locked, data.actions, errors)
        if errors:
            raise ValidationError(errors)

        meeting = NetworkMeeting.objects.create(
            plan=locked,
            held_on=data.held_on,
            minutes=data.minutes.strip(),
            decisions=data.decisions.strip(),
            is_follow_up=data.is_follow_up,
            follow_up_due_on=locked.follow_up_on if data.is_follow_up else None,
            recorded_by=actor,
            submission_key=submission_key,
        )
        meeting.present.set(sorted(set(data.present_ids)))
        for action in changed:
            # One save each: every change is a row in the action's history.
            action._change_reason = "network_meeting"  # type: ignore[attr-defined]
            action.save()
        if data.is_follow_up:
            locked.follow_up_on = data.next_follow_up_on
        locked.version += 1
        locked.save()
        _audit(
            actor,
            locked,
            AuditEventType.SIP_MEETING_RECORDED,
            meeting=meeting.pk,
            follow_up=data.is_follow_up,
            actions_changed=sorted(action.pk for action in changed),
        )
    return meeting
