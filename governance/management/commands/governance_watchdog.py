"""Run the governance watchdog. Safe to run from cron as often as you like: a second run the
same day creates no notification and sends no e-mail."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from governance.tasks import run_watchdog
from governance.watchdog import watchdog_run


class Command(BaseCommand):
    help = (
        "Notify the coordinators of governance documents that are due or overdue for revision, "
        "have expired, or have overdue measures. Idempotent per day."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the task governance.tasks.run_watchdog for a worker instead.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = run_watchdog.enqueue()
            self.stdout.write(f"Queued the governance watchdog (task {result.id}).")
            return
        outcome = watchdog_run(today=timezone.localdate())
        for line in outcome.summary_lines():
            self.stdout.write(line)
        if not outcome.alerts:
            self.stdout.write("Nothing to report.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Governance watchdog done: {outcome.notifications_created} new notifications."
            )
        )
