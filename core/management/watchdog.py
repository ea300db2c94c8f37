"""What every watchdog command shares: run here, or ``--enqueue`` the same work as a task
for a worker, and a short report for the cron log."""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Protocol

from django.core.management.base import BaseCommand, CommandParser
from django.tasks import Task
from django.utils import timezone

from operations.services import periodic_run_record


class WatchdogOutcome(Protocol):
    """What a watchdog run returns: its alerts, how many notifications it created, and one
    line per finding for the operator."""

    @property
    def alerts(self) -> Sequence[object]: ...

    @property
    def notifications_created(self) -> int: ...

    def summary_lines(self) -> list[str]: ...


class WatchdogCommand(BaseCommand, ABC):
    """A watchdog's management command. A subclass names itself (``label``, e.g. "report
    watchdog"), the task that does the same work for a worker (``task``), and runs once here
    (``run``). Running it again the same day must be harmless: the watchdogs dedupe their
    notifications, so cron may call the command as often as it likes."""

    label: str
    task: Task

    @abstractmethod
    def run(self) -> WatchdogOutcome:
        """Look once, notify, and say what was found."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help=f"Queue the task {self.task.module_path} for a worker instead of running here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = self.task.enqueue()
            self.stdout.write(f"Queued the {self.label} (task {result.id}).")
            return
        outcome = self.run()
        # For the metrics' "no watchdog run lately" alert (run by a worker, the task's own
        # signal records it: operations.receivers).
        periodic_run_record(job=self.task.module_path, at=timezone.now())
        for line in outcome.summary_lines():
            self.stdout.write(line)
        if not outcome.alerts:
            self.stdout.write("Nothing to report.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{self.label[:1].upper()}{self.label[1:]} done: "
                f"{outcome.notifications_created} new notifications."
            )
        )
