"""Background tasks of the follow-up (``django.tasks``)."""

from django.tasks import task

from followup.rollups import changes_process


@task()
def refresh_rollups() -> int:
    """Recompute the summary-table buckets marked as changed; the number of buckets."""
    return changes_process()


def enqueue_refresh() -> None:
    refresh_rollups.enqueue()
