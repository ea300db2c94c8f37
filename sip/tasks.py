"""Background tasks of coordinated plans (``django.tasks``)."""

from typing import Any

from django.tasks import task
from django.utils import timezone

from sip.reminders import reminders_run


@task()
def run_reminders() -> dict[str, Any]:
    """The SIP reminders (see ``sip.reminders``); returns plan ids and counts only."""
    return reminders_run(today=timezone.localdate()).as_dict()
