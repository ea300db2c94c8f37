"""Run the report watchdog. Safe to run from cron every 15 minutes: a second run the same day
creates no notification and sends no e-mail."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from reports.tasks import run_watchdog
from reports.watchdog import watchdog_run


class Command(BaseCommand):
    help = (
        "Notify the intake of reports not received in time or with overdue steps, and the "
        "municipality of an intake that receives nothing. Idempotent per day."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the task reports.tasks.run_watchdog for a worker instead of running here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = run_watchdog.enqueue()
            self.stdout.write(f"Queued the report watchdog (task {result.id}).")
            return
        outcome = watchdog_run(now=timezone.now())
        for line in outcome.summary_lines():
            self.stdout.write(line)
        if not outcome.alerts:
            self.stdout.write("Nothing to report.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Report watchdog done: {outcome.notifications_created} new notifications."
            )
        )
