"""Make a backup: the database, the uploaded files and a manifest to check them by."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a backup into a new folder: the database (pg_dump -Fc, or an SQLite copy), "
        "media.tar and manifest.json with row counts and hashes. See docs/backup.md."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", type=Path, help="A new (or empty) folder for the backup.")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        try:
            manifest = backup_create(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"Backup written to {folder}: {len(manifest['tables'])} tables, {rows} rows, "
            f"{len(manifest['media'])} files."
        )
