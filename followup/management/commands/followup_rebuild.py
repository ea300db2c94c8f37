"""Rebuild the follow-up's summary tables from the raw data."""

from typing import Any

from django.core.management.base import BaseCommand

from followup.rollups import rebuild


class Command(BaseCommand):
    help = (
        "Recompute every month of the summary tables from the reports and the annual wheel "
        "(read-confirmation snapshots of past months are kept). Safe to run at any time."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = rebuild()
        self.stdout.write(f"{count} months rebuilt.")
