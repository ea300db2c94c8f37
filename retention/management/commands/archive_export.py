"""Export closed records to an e-archive package, or check a package.

    manage.py archive_export --municipality CODE --type report [--output DIR]
    manage.py archive_export --verify PACKAGE.zip [--sha256 HEX]

The export takes every closed record of the type (due or not); it changes nothing. A deletion
decision writes its own package of exactly its records before erasing them.
"""

import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from organisations.models import Municipality
from retention.archive import PackageError, PackageMetadata, build_package, read_package
from retention.kinds import KINDS
from retention.models import RecordType
from retention.rules import rules_for


class Command(BaseCommand):
    help = "Write an e-archive package of closed records, or verify one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", help="municipality code, e.g. 2029")
        parser.add_argument("--type", choices=RecordType.values, default=RecordType.REPORT)
        parser.add_argument("--output", help="directory for the package")
        parser.add_argument("--verify", help="a package to read back and check")
        parser.add_argument("--sha256", default="", help="the package's expected checksum")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verify"]:
            self._verify(Path(options["verify"]), options["sha256"])
            return
        code = options["municipality"]
        municipality = Municipality.objects.filter(code=code).first() if code else None
        if municipality is None:
            raise CommandError("Name the municipality by its code (--municipality).")
        rule = rules_for(municipality)[options["type"]]
        kind = KINDS[rule.record_type]
        records = list(kind.candidates(rule).order_by("pk"))
        metadata = PackageMetadata(
            package_id=f"samverkan-{municipality.code}-{uuid.uuid4()}",
            municipality_name=municipality.name,
            municipality_code=municipality.code,
            record_type=rule.record_type,
            decision_reference="",
            created_at=timezone.now(),
        )
        output = Path(options["output"]) if options["output"] else None
        built = build_package(metadata, kind.export(records), directory=output)
        self.stdout.write(f"{built.path}\t{len(records)} records\tsha256 {built.sha256}")

    def _verify(self, path: Path, sha256: str) -> None:
        try:
            package = read_package(path, expected_sha256=sha256)
        except (PackageError, OSError, ValueError) as error:
            raise CommandError(f"The package does not verify: {error}") from None
        self.stdout.write(
            f"{path.name}: {len(package.records)} records, {len(package.files)} data files, "
            "every checksum matches"
        )
