"""Run the report watchdog. Safe to run from cron every 15 minutes: a second run the same day
creates no notification and sends no e-mail."""

from django.utils import timezone

from core.management.watchdog import WatchdogCommand
from reports.tasks import run_watchdog
from reports.watchdog import WatchdogResult, watchdog_run


class Command(WatchdogCommand):
    help = (
        "Notify the intake of reports not received in time or with overdue steps, and the "
        "municipality of an intake that receives nothing. Idempotent per day."
    )
    label = "report watchdog"
    task = run_watchdog

    def run(self) -> WatchdogResult:
        return watchdog_run(now=timezone.now())
