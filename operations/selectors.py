"""The figures the metrics endpoint computes from the database at each scrape: a handful of
aggregate queries whatever the number of rows (pinned in ``tests/test_metrics.py``). Counts
are labelled by municipality code (SCB's four digits), never by anything about a person."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, DateTimeField, F, Min, Q, When
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from governance.models import GovernanceDocument
from governance.selectors import document_statuses
from operations.models import PeriodicRun
from organisations.models import Municipality
from reports.watchdog import overdue_counts
from sip.models import Plan, PlanStatus


@dataclass(frozen=True)
class TaskQueue:
    by_state: dict[str, int]  # every TaskResultStatus, zero included
    oldest_ready_age_seconds: float  # 0 when nothing waits
    failed_by_task: dict[str, int]


def task_queue(*, now: datetime.datetime) -> TaskQueue:
    """The database task queue: two queries. A task is ready when its status is READY and it
    has no ``run_after`` or one in the past; it has waited since it was enqueued or, when it
    was scheduled for later, since that time."""
    never = get_date_max()
    ready = Q(status=TaskResultStatus.READY) & (Q(run_after=never) | Q(run_after__lte=now))
    row = DBTaskResult.objects.aggregate(
        ready=Count("pk", filter=ready),
        running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
        failed=Count("pk", filter=Q(status=TaskResultStatus.FAILED)),
        successful=Count("pk", filter=Q(status=TaskResultStatus.SUCCESSFUL)),
        oldest=Min(
            Case(
                When(run_after=never, then=F("enqueued_at")),
                default=F("run_after"),
                output_field=DateTimeField(),
            ),
            filter=ready,
        ),
    )
    failed = (
        DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
        .values("task_path")
        .annotate(count=Count("pk"))
        .order_by()
    )
    oldest = row.pop("oldest")
    return TaskQueue(
        by_state={state: row[state.lower()] for state in TaskResultStatus.values},
        oldest_ready_age_seconds=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
        failed_by_task={item["task_path"]: item["count"] for item in failed},
    )


@dataclass(frozen=True)
class Overdue:
    """Per municipality code: reports of concern past a deadline, governance documents past
    their revision date, coordinated plans past their follow-up date. Every municipality is
    present, with zeros, so that a series exists before its first overdue item."""

    reports: dict[str, int]
    governance_revisions: dict[str, int]
    sip_follow_ups: dict[str, int]


def overdue(*, now: datetime.datetime, today: datetime.date) -> Overdue:
    """Five queries: the municipalities, the reports (the watchdog's own count), the
    governance documents and their current versions, and the plans."""
    codes = dict(Municipality.objects.values_list("pk", "code"))
    reports = dict.fromkeys(codes.values(), 0)
    for municipality_id, count in overdue_counts(now=now).items():
        reports[codes[municipality_id]] = count
    revisions = dict.fromkeys(codes.values(), 0)
    for status in document_statuses(GovernanceDocument.objects.order_by(), today=today):
        if status.next_revision is not None and status.next_revision < today:
            revisions[codes[status.document.municipality_id]] += 1
    plans = dict.fromkeys(codes.values(), 0)
    rows = (
        Plan.objects.filter(status=PlanStatus.ACTIVE, follow_up_on__lt=today)
        .values("municipality_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for item in rows:
        plans[codes[item["municipality_id"]]] = item["count"]
    return Overdue(reports=reports, governance_revisions=revisions, sip_follow_ups=plans)


def last_periodic_runs() -> dict[str, datetime.datetime]:
    """When each periodic job last finished without error (one query)."""
    return dict(PeriodicRun.objects.values_list("job", "last_success_at"))
