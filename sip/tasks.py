"""Background tasks of coordinated plans (``django.tasks``)."""

from typing import Any

from django.tasks import task
from django.utils import timezone

from sip.family import family_pdf_make
from sip.reminders import reminders_run


@task()
def run_reminders() -> dict[str, Any]:
    """The SIP reminders (see ``sip.reminders``); returns plan ids and counts only."""
    return reminders_run(today=timezone.localdate()).as_dict()


@task()
def render_family_plan(print_id: int) -> str:
    """Make the PDF of the plan for the family asked for (``sip.family.family_pdf_request``)."""
    return family_pdf_make(print_id)
