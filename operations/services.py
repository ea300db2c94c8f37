"""Writes of the operations app."""

import datetime

from operations.models import PeriodicRun


def periodic_run_record(*, job: str, at: datetime.datetime) -> None:
    """Record that ``job`` (a task's module path) finished without error at ``at``. Safe to
    call from two workers at once: the row is upserted, and the later time is kept."""
    row, created = PeriodicRun.objects.get_or_create(job=job, defaults={"last_success_at": at})
    if not created:
        PeriodicRun.objects.filter(pk=row.pk, last_success_at__lt=at).update(last_success_at=at)
