"""Background tasks of governance documents (``django.tasks``)."""

from typing import Any

from django.tasks import task
from django.utils import timezone

from governance.watchdog import watchdog_run


@task()
def run_watchdog() -> dict[str, Any]:
    """The governance watchdog (see ``governance.watchdog``); returns what it found."""
    return watchdog_run(today=timezone.localdate()).as_dict()
