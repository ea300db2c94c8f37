"""Generate a deterministic data set for the benchmark (issue 13, PERFORMANCE.md)."""

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from datagen.manifest import default_path, write_manifest
from datagen.profiles import PROFILES
from datagen.runner import DatabaseNotEmptyError, Options, generate


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--as-of wants a date such as 2026-12-01, not {text!r}.") from error


class Command(BaseCommand):
    help = (
        "Fill an empty database with generated municipalities, staff, reports of concern and "
        "access-log rows (bulk loaded; COPY on PostgreSQL) and write a manifest for the "
        "benchmark. The same profile, seed and --as-of give the same content hash."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--profile", required=True, choices=sorted(PROFILES))
        parser.add_argument("--seed", type=int, required=True)
        parser.add_argument(
            "--as-of", type=_day, default=None, help="The day the data ends (default: today)."
        )
        parser.add_argument(
            "--manifest",
            type=Path,
            default=None,
            help="Default: var/generate/<profile>-<seed>.json",
        )
        parser.add_argument(
            "--skip-rollups",
            action="store_true",
            help="Do not rebuild the follow-up's summary tables (run followup_rebuild later).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = options["as_of"] or timezone.localdate()
        run = Options(
            profile=options["profile"],
            seed=options["seed"],
            as_of=as_of,
            rollups=not options["skip_rollups"],
        )
        try:
            manifest = generate(run, log=lambda line: self.stdout.write(line))
        except DatabaseNotEmptyError as error:
            raise CommandError(str(error)) from error
        path = options["manifest"] or default_path(run.profile, run.seed)
        write_manifest(manifest, path)
        self.stdout.write(
            self.style.SUCCESS(
                f"{run.profile} (seed {run.seed}, as of {as_of}) in {manifest['seconds']} s: "
                f"{manifest['content_hash']}; manifest {path}"
            )
        )
