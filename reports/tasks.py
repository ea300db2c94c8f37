"""Background tasks of reports of concern (``django.tasks``)."""

from typing import Any

from django.tasks import task
from django.utils import timezone

from reports.watchdog import watchdog_run


@task()
def run_watchdog() -> dict[str, Any]:
    """The report watchdog (see ``reports.watchdog``); returns the counts per municipality."""
    return watchdog_run(now=timezone.now()).as_dict()
