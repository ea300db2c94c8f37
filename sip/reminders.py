"""Reminders about coordinated plans: the follow-up date is near, the follow-up date has
passed, actions are overdue. They go to the people who may act on the plan: the conveners of
its convening unit, and the participants named with an account whose unit a consent in force
covers (the same people who see the plan). In the app, and by e-mail with a link only: the
text names the plan by its reference, never the child, an identity number or what the plan
says.

It runs from cron (``manage.py sip_reminders``) or as the task ``sip.tasks.run_reminders``.
Each reminder is one notification per plan, kind and the date it is about (the follow-up date,
or the earliest overdue action's date), so a second run creates nothing and nobody is told the
same thing twice. The plans and the recipients are found with a fixed number of queries,
whatever the number of plans.

Setting: ``SIP_FOLLOW_UP_REMINDER_DAYS`` (default 7): how many days before the follow-up date
the first reminder goes out.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from core.notifications import notify
from organisations.models import ROLES_THAT_SEE_CHILDREN, Membership, Role, User, active_on
from sip.models import (
    OPEN_ACTION_STATUSES,
    Consent,
    ConsentPurpose,
    Participant,
    Plan,
    PlanStatus,
    consent_in_force,
)
from sip.policies import CONVENER_SECTORS


class ReminderKind(StrEnum):
    FOLLOW_UP_SOON = "follow_up_soon"
    FOLLOW_UP_PASSED = "follow_up_passed"
    ACTIONS_OVERDUE = "actions_overdue"


@dataclass(frozen=True)
class Reminder:
    kind: ReminderKind
    plan_id: int
    about: datetime.date
    notifications_created: int


@dataclass(frozen=True)
class RemindersResult:
    alerts: tuple[Reminder, ...]

    @property
    def notifications_created(self) -> int:
        return sum(reminder.notifications_created for reminder in self.alerts)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (the task's return value): plan ids and counts, no child data."""
        return {
            "notifications_created": self.notifications_created,
            "reminders": [
                {
                    "kind": str(reminder.kind),
                    "plan_id": reminder.plan_id,
                    "notifications_created": reminder.notifications_created,
                }
                for reminder in self.alerts
            ],
        }

    def summary_lines(self) -> list[str]:
        return [
            f"Plan #{reminder.plan_id}: {reminder.kind} {reminder.about.isoformat()} "
            f"({reminder.notifications_created} new notifications)"
            for reminder in self.alerts
        ]


def reminder_days() -> int:
    return int(getattr(settings, "SIP_FOLLOW_UP_REMINDER_DAYS", 7))


def _due(today: datetime.date, days: int) -> list[tuple[ReminderKind, int, datetime.date]]:
    """(kind, plan id, the date it is about) of every reminder due today: two queries."""
    found = []
    follow_ups = Plan.objects.filter(
        status=PlanStatus.ACTIVE,
        follow_up_on__isnull=False,
        follow_up_on__lte=today + datetime.timedelta(days=days),
    ).values_list("pk", "follow_up_on")
    for plan_id, follow_up_on in follow_ups:
        assert follow_up_on is not None  # filtered above
        kind = (
            ReminderKind.FOLLOW_UP_PASSED if follow_up_on < today else ReminderKind.FOLLOW_UP_SOON
        )
        found.append((kind, plan_id, follow_up_on))
    overdue = (
        Plan.objects.filter(status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE])
        .annotate(
            first_overdue=Min(
                "actions__due_on",
                filter=Q(actions__status__in=OPEN_ACTION_STATUSES, actions__due_on__lt=today),
            )
        )
        .filter(first_overdue__isnull=False)
        .values_list("pk", "first_overdue")
    )
    found.extend(
        (ReminderKind.ACTIONS_OVERDUE, plan_id, day) for plan_id, day in overdue if day is not None
    )
    return found


def _recipients(plan_ids: set[int], today: datetime.date) -> dict[int, list[User]]:
    """Who is told about each plan: its conveners and its parties with a consent in force.
    Three queries for all plans."""
    plans = dict(Plan.objects.filter(pk__in=plan_ids).values_list("pk", "convening_unit_id"))
    conveners = Membership.objects.filter(
        active_on(today),
        Q(role__in=[Role.MEDICAL_STUDENT_HEALTH, Role.INTAKE])
        | Q(role=Role.SIP_PARTICIPANT, unit__sector__in=CONVENER_SECTORS),
        unit_id__in=set(plans.values()),
        user__is_active=True,
    ).select_related("user")
    by_unit: dict[int, dict[int, User]] = defaultdict(dict)
    for membership in conveners:
        by_unit[membership.unit_id][membership.user_id] = membership.user
    found: dict[int, dict[int, User]] = {
        plan_id: dict(by_unit.get(unit_id, {})) for plan_id, unit_id in plans.items()
    }
    covered = Consent.objects.filter(
        consent_in_force(today),
        purpose=ConsentPurpose.SIP,
        plan_id=OuterRef("plan_id"),
        parties=OuterRef("unit_id"),
    )
    may_see = Membership.objects.filter(
        active_on(today),
        user_id=OuterRef("user_id"),
        unit_id=OuterRef("unit_id"),
        role__in=ROLES_THAT_SEE_CHILDREN,
    )
    parties = (
        Participant.objects.filter(plan_id__in=plan_ids, user__isnull=False, user__is_active=True)
        .filter(Exists(covered), Exists(may_see))
        .select_related("user")
    )
    for participant in parties:
        assert participant.user is not None
        found[participant.plan_id][participant.user_id] = participant.user  # type: ignore[index]
    return {
        plan_id: sorted(users.values(), key=lambda user: user.pk)
        for plan_id, users in found.items()
    }


def plan_url(public_id: Any) -> str:
    """The plan's page."""
    return reverse("sip:plan_detail", args=[public_id])


def _message(kind: ReminderKind, reference: str, about: datetime.date) -> tuple[str, str]:
    """The notification's text and the e-mail's subject: the plan's reference and a date,
    nothing about the child or the plan's content."""
    day = formats.date_format(about, "DATE_FORMAT")
    match kind:
        case ReminderKind.FOLLOW_UP_SOON:
            text = _("The coordinated plan %(reference)s is to be followed up on %(date)s.")
            subject = _("A coordinated plan is to be followed up soon")
        case ReminderKind.FOLLOW_UP_PASSED:
            text = _(
                "The follow-up date of the coordinated plan %(reference)s, %(date)s, has "
                "passed. Record the follow-up meeting or set a new date."
            )
            subject = _("A coordinated plan's follow-up date has passed")
        case _:
            text = _(
                "The coordinated plan %(reference)s has actions that were due by %(date)s "
                "and are not done."
            )
            subject = _("A coordinated plan has overdue actions")
    return text % {"reference": reference, "date": day}, subject


def reminders_run(*, today: datetime.date) -> RemindersResult:
    """Send the reminders due on ``today``; a second run the same day creates nothing."""
    due = _due(today, reminder_days())
    if not due:
        return RemindersResult(alerts=())
    plan_ids = {plan_id for _kind, plan_id, _about in due}
    plans = {
        plan.pk: plan
        for plan in Plan.objects.filter(pk__in=plan_ids).only("pk", "public_id", "reference_code")
    }
    recipients = _recipients(plan_ids, today)
    reminders = []
    for kind, plan_id, about in due:
        plan = plans[plan_id]
        text, subject = _message(kind, plan.reference, about)
        created = notify(
            users=recipients.get(plan_id, []),
            text=text,
            url=plan_url(plan.public_id),
            dedupe_key=f"sip:{kind}:{plan_id}:{about.isoformat()}",
            severity="info" if kind == ReminderKind.FOLLOW_UP_SOON else "warning",
            email_subject=subject,
        )
        reminders.append(Reminder(kind, plan_id, about, len(created)))
    return RemindersResult(alerts=tuple(reminders))
