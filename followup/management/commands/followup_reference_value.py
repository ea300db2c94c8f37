"""Keep the national reference values of the indicators (shown beside the municipality's own
values on the follow-up and in the board report) without touching code."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from followup.catalogue import CATALOGUE
from followup.models import ReferenceValue
from followup.presentation import KEY_INDICATORS
from followup.services import reference_value_remove, reference_value_set


class Command(BaseCommand):
    help = (
        "List, set or remove the national reference value of an indicator for a year, with "
        "its source. The indicator is given by its key in the catalogue (see 'list --keys'). "
        "Every change is recorded as an audit event."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="Show the stored reference values.")
        listing.add_argument(
            "--keys", action="store_true", help="Show the indicators' keys and names instead."
        )
        setting = actions.add_parser("set", help="Store (or replace) the value of a year.")
        setting.add_argument("indicator", help="The indicator's key, e.g. led_to_investigation.")
        setting.add_argument("year", type=int)
        setting.add_argument("value", help="A number, e.g. 38 or 12.5.")
        setting.add_argument("--source", required=True, help="Where the value comes from.")
        removing = actions.add_parser("remove", help="Remove the value of a year.")
        removing.add_argument("indicator")
        removing.add_argument("year", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self._list(keys=options["keys"])
        elif action == "set":
            self._set(options["indicator"], options["year"], options["value"], options["source"])
        else:
            self._remove(options["indicator"], options["year"])

    def _list(self, *, keys: bool) -> None:
        if keys:
            for key, indicator in CATALOGUE.items():
                self.stdout.write(f"{key}\t{indicator.name}")
            return
        rows = list(ReferenceValue.objects.all())
        if not rows:
            self.stdout.write("No reference values are stored.")
        for row in rows:
            self.stdout.write(f"{row.indicator_key}\t{row.year}\t{row.value}\t{row.source}")

    def _set(self, key: str, year: int, value: str, source: str) -> None:
        try:
            row, changed = reference_value_set(
                actor=None, indicator_key=key, year=year, value=value, source=source
            )
        except ValidationError as error:
            raise CommandError(_messages(error)) from error
        if not changed:
            self.stdout.write(f"Unchanged: {row.indicator_key} {row.year} is already {row.value}.")
            return
        self.stdout.write(
            self.style.SUCCESS(f"Stored: {row.indicator_key} {row.year} = {row.value}.")
        )
        if row.indicator_key not in KEY_INDICATORS:
            # Stored all the same: the dashboard may show more indicators' references later.
            self.stdout.write(
                self.style.WARNING(
                    "Note: the follow-up shows reference values beside its key indicators "
                    f"only ({', '.join(KEY_INDICATORS)})."
                )
            )

    def _remove(self, key: str, year: int) -> None:
        if not reference_value_remove(actor=None, indicator_key=key, year=year):
            raise CommandError(f"There is no reference value of {key!r} for {year}.")
        self.stdout.write(self.style.SUCCESS(f"Removed: {key} {year}."))


def _messages(error: ValidationError) -> str:
    return " ".join(
        f"{field}: {' '.join(str(m) for m in messages)}"
        for field, messages in error.message_dict.items()
    )
