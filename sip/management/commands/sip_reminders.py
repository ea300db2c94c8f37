"""Send the reminders about coordinated plans. Safe to run from cron as often as wanted: a
second run the same day creates no notification and sends no e-mail."""

from django.utils import timezone

from core.management.watchdog import WatchdogCommand
from sip.reminders import RemindersResult, reminders_run
from sip.tasks import run_reminders


class Command(WatchdogCommand):
    help = (
        "Remind the conveners and the parties of coordinated plans whose follow-up is near or "
        "has passed, or whose actions are overdue. Idempotent."
    )
    label = "SIP reminders"
    task = run_reminders

    def run(self) -> RemindersResult:
        return reminders_run(today=timezone.localdate())
