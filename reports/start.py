"""What reports of concern put on the start page (``core.attention.register_panel``):

- for whoever files reports (teacher, student health, nurse, principal): the button for a new
  report, the municipality's numbers to call (the intake, the emergency line, 112), and their
  latest reports with the step they are at and the next expected date;
- for the principal: the school's new reports and feedback since their last visit.

Each provider costs a fixed number of queries whatever the number of reports; the reports
shown are read through ``report_policy`` and written to the access log.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.functional import Promise

from access.policies import read_page
from core.attention import StartPanel
from core.visits import FIRST_VISIT_DAYS, start_page_visit_record
from organisations.models import Membership, Municipality, Role, Sector, User
from organisations.selectors_contacts import call_boxes
from reports.models import ConcernReport
from reports.policies import (
    FOLLOW,
    VIEW_OWN,
    medical_confidentiality_reference,
    report_policy,
    reporting_memberships,
)
from reports.progress import Progress, report_progress
from reports.selectors_school import child_label_masked, school_status

RECENT_SHOWN = 5  # the author's latest reports on their start page
NEWS_SHOWN = 5  # the principal's new reports and feedback listed (the rest are counted)

# A user with several reporting roles sees the button, the numbers and their reports once,
# in the section of the first of these roles they hold.
_REPORTER_ORDER = (
    Role.REPORTER,
    Role.STUDENT_HEALTH,
    Role.MEDICAL_STUDENT_HEALTH,
    Role.PRINCIPAL,
)
# Where the panels stand in the principal's section (``StartPanel.order``): the news first,
# then the meeting with the intake (the follow-up's), then the principal's own reporting.
PRINCIPAL_NEWS_ORDER = 10
PRINCIPAL_REPORTING_ORDER = 30


def _first_reporting_role(user: User) -> str | None:
    held = {membership.role for membership in reporting_memberships(user)}
    return next((role for role in _REPORTER_ORDER if role in held), None)


def _municipalities(memberships: list[Membership]) -> list[Municipality]:
    found: dict[int, Municipality] = {}
    for membership in memberships:
        found.setdefault(membership.unit.municipality_id, membership.unit.municipality)
    return list(found.values())


def _is_medical(membership: Membership) -> bool:
    return (
        membership.role == Role.MEDICAL_STUDENT_HEALTH
        or membership.unit.sector == Sector.MEDICAL_STUDENT_HEALTH
    )


@dataclass(frozen=True)
class ReportRow:
    """One report on a start page: who it is about, where it stands, what comes next."""

    public_id: str
    reference: str
    child_label: str
    school_name: str
    submitted_at: datetime.datetime | None
    status_key: str
    status_label: str | Promise
    progress: Progress


def _row(report: ConcernReport, *, author: bool, today: datetime.date) -> ReportRow:
    key, label = school_status(report)
    return ReportRow(
        public_id=str(report.public_id),
        reference=report.reference,
        child_label=child_label_masked(report),
        # Reports on a reporter's start page come from a school; a report the intake
        # registered from another source has none.
        school_name=report.school_unit.name if report.school_unit is not None else "",
        submitted_at=report.submitted_at,
        status_key=key,
        status_label=label,
        progress=report_progress(report, today=today, author=author),
    )


def reporter_panels(user: User, memberships: list[Membership]) -> list[StartPanel]:
    """The button for a new report and the numbers to call, first in the section; then the
    user's latest submitted reports with their steps (two queries, and the access log's)."""
    first = _first_reporting_role(user)
    if not memberships or memberships[0].role != first:
        return []  # shown in the section of the user's first reporting role only
    reporting = reporting_memberships(user)
    principal = first == Role.PRINCIPAL
    lead = StartPanel(
        "reports/start/report_lead.html",
        {
            "boxes": call_boxes(user, _municipalities(reporting)),
            "medical": any(_is_medical(membership) for membership in reporting),
            "medical_reference": medical_confidentiality_reference(),
        },
        lead=not principal,
        order=PRINCIPAL_REPORTING_ORDER if principal else 0,
    )
    today = timezone.localdate()
    reports, more = read_page(
        report_policy.visible(user, VIEW_OWN)
        .select_related("school_unit", "municipality")
        .order_by("-submitted_at", "-id"),
        RECENT_SHOWN,
    )
    if not reports:
        return [lead]
    recent = StartPanel(
        "reports/start/my_recent.html",
        {"rows": [_row(r, author=True, today=today) for r in reports], "more": more},
        order=lead.order,
    )
    return [lead, recent]


def _news_filter(since: datetime.datetime) -> Q:
    return Q(submitted_at__gte=since) | Q(feedback_given_at__gte=since)


def principal_panels(user: User, memberships: list[Membership]) -> list[StartPanel]:
    """The reports filed from the principal's schools since their last visit of the start
    page, and the feedback given on the school's reports since then (first visit: the last
    30 days). Medical student health's reports are not among them (the policy's rule).
    Records the visit; four queries and the access log's, whatever the number of reports."""
    if not memberships:
        return []
    since = start_page_visit_record(user=user)
    school = report_policy.visible(user, FOLLOW)
    counts = school.aggregate(
        new=Count("id", filter=Q(submitted_at__gte=since.moment)),
        feedback=Count("id", filter=Q(feedback_given_at__gte=since.moment)),
    )
    latest = Greatest(F("submitted_at"), Coalesce(F("feedback_given_at"), F("submitted_at")))
    reports, more = read_page(
        school.filter(_news_filter(since.moment))
        .select_related("school_unit", "municipality")
        .order_by(latest.desc(), "-id"),
        NEWS_SHOWN,
    )
    today = timezone.localdate()
    rows = [_news_row(report, since.moment, today) for report in reports]
    return [
        StartPanel(
            "reports/start/principal_news.html",
            {
                "since": since,
                "first_visit_days": FIRST_VISIT_DAYS,
                "new_count": counts["new"],
                "feedback_count": counts["feedback"],
                "rows": rows,
                "more": more,
                "several_schools": len({m.unit_id for m in memberships}) > 1
                or any(m.includes_subtree for m in memberships),
            },
            order=PRINCIPAL_NEWS_ORDER,
        )
    ]


@dataclass(frozen=True)
class NewsRow:
    row: ReportRow
    is_new: bool  # filed since the last visit
    feedback_at: datetime.datetime | None  # feedback given since the last visit


def _news_row(report: ConcernReport, since: datetime.datetime, today: datetime.date) -> NewsRow:
    given = report.feedback_given_at
    return NewsRow(
        row=_row(report, author=False, today=today),
        is_new=bool(report.submitted_at and report.submitted_at >= since),
        feedback_at=given if given and given >= since else None,
    )
