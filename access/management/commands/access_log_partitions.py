"""Keep the access log's coming months ready (PostgreSQL; see access/partitions.py).

Run daily from the schedule (deploy/schedule.py). Safe to run at any time and in parallel.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from access.partitions import (
    DEFAULT_PARTITION,
    MONTHS_AHEAD,
    ensure_partitions,
    partitioned,
    partitions,
    rows_in_default,
)


class Command(BaseCommand):
    help = (
        "PostgreSQL only: create the access log's monthly partitions up to --months-ahead "
        "months after the current one, and list the partitions with --list. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--months-ahead",
            type=int,
            default=MONTHS_AHEAD,
            choices=range(25),
            metavar="{0..24}",
            help=f"Months after the current one to make ready (default {MONTHS_AHEAD}).",
        )
        parser.add_argument(
            "--list", action="store_true", help="Also list every partition and its row estimate."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not partitioned():
            # Not an error: the demo's SQLite has one plain table, and a deploy script may
            # call this anyway.
            self.stdout.write("The access log is one table here (not PostgreSQL): nothing to do.")
            return
        created = ensure_partitions(months_ahead=options["months_ahead"])
        self.stdout.write(
            f"Created: {', '.join(created)}." if created else "Every month is ready already."
        )
        if options["list"]:
            for partition in partitions():
                span = (
                    f"{partition.start:%Y-%m-%d} – {partition.end:%Y-%m-%d}"
                    if partition.start and partition.end
                    else "any other time"
                )
                self.stdout.write(f"{partition.name}: {span}, ~{partition.estimated_rows} rows")
        stray = rows_in_default()
        if stray:
            # Rows whose month had no partition when they were written: they are read like any
            # other, but their month can not get a partition of its own any more.
            self.stderr.write(
                self.style.WARNING(
                    f"{stray} rows are in {DEFAULT_PARTITION}: their months had no partition "
                    "when they were written. Run this command daily so that the months are "
                    "made ahead of time."
                )
            )
