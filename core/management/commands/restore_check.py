"""The restore drill: restore a backup into scratch copies and compare it with its manifest."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore_check


class Command(BaseCommand):
    help = (
        "Restore a backup into a fresh scratch database and a temporary folder, recompute row "
        "counts and hashes and compare them with its manifest. Exit code 1 on any difference. "
        "The scratch copies are removed. See docs/backup.md."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", type=Path, help="A folder written by manage.py backup.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore_check(options["folder"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        for difference in result.differences:
            self.stderr.write(difference)
        if result.differences:
            raise CommandError(
                f"The restore drill found {len(result.differences)} differences.", returncode=1
            )
        self.stdout.write(
            f"Restore drill passed: {result.tables} tables, {result.rows} rows and "
            f"{result.media} files as in the manifest."
        )
