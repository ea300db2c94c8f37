"""What reports of concern put on the start page: for the intake, the overdue and unreceived
reports of its municipalities; for reporters, their unsent drafts and new feedback. One query
per provider, counts only (no child data)."""

import datetime
import uuid

from django.db.models import CharField, Count, Max, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from core.attention import AttentionItem
from organisations.models import Membership, Role, User
from organisations.selectors import memberships_with_role
from reports.models import ConcernReport, ReportStatus
from reports.policies import REPORTER_ROLES

# Feedback given within this many days counts as news on the reporter's start page.
FEEDBACK_NEWS_DAYS = 30

# A user with several reporter roles sees the items once, in the first of these sections.
_REPORTER_ORDER = (
    Role.REPORTER,
    Role.STUDENT_HEALTH,
    Role.MEDICAL_STUDENT_HEALTH,
    Role.PRINCIPAL,
)


_WORKLOAD_ATTR = "_intake_workload"


def intake_workload(user: User, municipality_ids: set[int]) -> dict[str, int]:
    """The open, overdue and unreceived reports of the municipalities, in one query, kept on
    the user object for the request (the start page's attention items and the follow-up's
    panel both show them)."""
    cache: dict[frozenset[int], dict[str, int]] = user.__dict__.setdefault(_WORKLOAD_ATTR, {})
    key = frozenset(municipality_ids)
    if key not in cache:
        now = timezone.now()
        cache[key] = (
            ConcernReport.objects.filter(municipality_id__in=municipality_ids)
            .exclude(status__in=[ReportStatus.DRAFT, ReportStatus.CLOSED])
            .aggregate(
                open=Count("id"),
                overdue=Count("id", filter=Q(next_due_at__lt=now)),
                unreceived=Count("id", filter=Q(status=ReportStatus.SUBMITTED)),
            )
        )
    return cache[key]


def intake_attention(user: User, memberships: list[Membership]) -> list[AttentionItem]:
    """``memberships`` are the user's intake memberships of today."""
    municipality_ids = {membership.unit.municipality_id for membership in memberships}
    if not municipality_ids:
        return []
    counts = intake_workload(user, municipality_ids)
    inbox = reverse("reports:inbox")
    items = []
    if counts["overdue"]:
        items.append(
            AttentionItem(
                text=ngettext(
                    "%(count)s report has an overdue step.",
                    "%(count)s reports have an overdue step.",
                    counts["overdue"],
                )
                % {"count": counts["overdue"]},
                url=inbox + "?overdue=1",
                severity="danger",
            )
        )
    if counts["unreceived"]:
        items.append(
            AttentionItem(
                text=ngettext(
                    "%(count)s report has not been received yet.",
                    "%(count)s reports have not been received yet.",
                    counts["unreceived"],
                )
                % {"count": counts["unreceived"]},
                url=inbox + "?status=submitted",
                severity="warning",
            )
        )
    return items


def reporter_attention(user: User, memberships: list[Membership]) -> list[AttentionItem]:
    """The user's own drafts not submitted, and feedback on their reports of the last days."""
    held = {membership.role for membership in memberships_with_role(user, REPORTER_ROLES)}
    first = next((role for role in _REPORTER_ORDER if role in held), None)
    if not memberships or memberships[0].role != first:
        return []  # shown in the section of the user's first reporter role only
    since = timezone.now() - datetime.timedelta(days=FEEDBACK_NEWS_DAYS)
    drafts, feedback = Q(status=ReportStatus.DRAFT), Q(feedback_given_at__gte=since)
    # With a single draft (or a single report with feedback) its id comes in the same query,
    # so that the item opens it in one click instead of the list.
    public_id = Cast("public_id", CharField())
    counts = ConcernReport.objects.filter(author=user).aggregate(
        drafts=Count("id", filter=drafts),
        feedback=Count("id", filter=feedback),
        a_draft=Max(public_id, filter=drafts),
        a_feedback=Max(public_id, filter=feedback),
    )
    if not counts["drafts"] and not counts["feedback"]:
        return []
    mine = reverse("reports:my_reports")
    draft_url = (
        reverse("reports:draft_edit", args=[uuid.UUID(counts["a_draft"])])
        if counts["drafts"] == 1
        else mine + "#drafts"
    )
    feedback_url = (
        reverse("reports:status", args=[uuid.UUID(counts["a_feedback"])])
        if counts["feedback"] == 1
        else mine + "#submitted"
    )
    items = []
    if counts["drafts"]:
        items.append(
            AttentionItem(
                text=ngettext(
                    "%(count)s draft not submitted.",
                    "%(count)s drafts not submitted.",
                    counts["drafts"],
                )
                % {"count": counts["drafts"]},
                url=draft_url,
                severity="warning",
            )
        )
    if counts["feedback"]:
        items.append(
            AttentionItem(
                text=ngettext(
                    "Feedback received on %(count)s report.",
                    "Feedback received on %(count)s reports.",
                    counts["feedback"],
                )
                % {"count": counts["feedback"]},
                url=feedback_url,
            )
        )
    return items
