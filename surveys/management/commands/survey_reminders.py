"""E-mail a reminder to those who have not answered open rounds closing soon (run daily).

Safe to run twice, or in parallel: each invitation is claimed by a conditional update before
its reminder is sent, so nobody gets the same reminder twice."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from surveys.services_rounds import REMINDER_DAYS_BEFORE_CLOSING, reminders_send_due


class Command(BaseCommand):
    help = "E-mail reminders to unanswered invitations of survey rounds closing soon."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days-before",
            type=int,
            default=REMINDER_DAYS_BEFORE_CLOSING,
            help="Remind this many days before a round closes (default %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = reminders_send_due(days_before=options["days_before"])
        self.stdout.write(f"Survey reminders sent: {sent}")
