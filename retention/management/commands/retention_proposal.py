"""Print what is due for erasure under each retention rule: references only, no personal data.

    manage.py retention_proposal [--municipality CODE] [--date YYYY-MM-DD]

Read-only: it records nothing and erases nothing (a municipal admin decides on the page).
"""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organisations.models import Municipality
from retention.rules import rules_for
from retention.selectors import proposal_page


class Command(BaseCommand):
    help = "List the records due for erasure under each municipality's retention rules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", help="municipality code, e.g. 2029 (default: all)")
        parser.add_argument("--date", help="the day to compute for (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
        municipalities = Municipality.objects.order_by("code")
        if options["municipality"]:
            municipalities = municipalities.filter(code=options["municipality"])
            if not municipalities.exists():
                raise CommandError("No municipality with that code.")
        for municipality in municipalities:
            for rule in rules_for(municipality).values():
                self._rule(municipality, rule, today)

    def _rule(self, municipality: Municipality, rule: Any, today: datetime.date | None) -> None:
        cursor, due, kept = "", 0, 0
        while True:
            page = proposal_page(rule, cursor=cursor, today=today)
            for row in page.rows:
                mark = "kept (research)" if row.kept_for_research else "due"
                self.stdout.write(
                    f"{municipality.code}\t{rule.record_type}\t{row.reference}\t"
                    f"{row.case_number}\t{row.closed_on}\t{row.due_on}\t{mark}"
                )
            due += len(page.to_erase)
            kept += len(page.kept)
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        self.stdout.write(
            f"# {municipality.code} {rule.record_type}: {due} due, {kept} kept for research"
        )
