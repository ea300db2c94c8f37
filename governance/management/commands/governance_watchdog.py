"""Run the governance watchdog. Safe to run from cron as often as you like: a second run the
same day creates no notification and sends no e-mail."""

from django.utils import timezone

from core.management.watchdog import WatchdogCommand
from governance.tasks import run_watchdog
from governance.watchdog import WatchdogResult, watchdog_run


class Command(WatchdogCommand):
    help = (
        "Notify the coordinators of governance documents that are due or overdue for revision, "
        "have expired, or have overdue measures. Idempotent per day."
    )
    label = "governance watchdog"
    task = run_watchdog

    def run(self) -> WatchdogResult:
        return watchdog_run(today=timezone.localdate())
