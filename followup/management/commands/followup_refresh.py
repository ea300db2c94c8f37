"""Bring the follow-up's summary tables up to date (run hourly from cron or a systemd timer)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from followup.rollups import changes_process, mark_time_dependent


class Command(BaseCommand):
    help = (
        "Recompute the summary-table months whose numbers changed: marked by the services, "
        "or changed because a deadline or a meeting day passed. Idempotent; run it hourly."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        mark_time_dependent(now=now)
        count = changes_process(now=now)
        self.stdout.write(f"{count} months recomputed.")
