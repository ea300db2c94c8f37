"""``manage.py requeue_stale_tasks``: run again the background tasks whose worker died.

A timer runs it every few minutes (deploy/). A task counts as orphaned when it is RUNNING and
no live ``task_worker`` holds its lock (``core.worker``); it is queued again, or marked failed
once it has killed ``MAX_ATTEMPTS`` workers. Prints task ids only.
"""

from typing import Any

from django.core.management.base import BaseCommand

from core.worker import requeue_stale_tasks


class Command(BaseCommand):
    help = "Queue again the background tasks whose worker died (PostgreSQL)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=60,
            help="Only tasks started at least this many seconds ago (default 60).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = requeue_stale_tasks(older_than_seconds=options["older_than"])
        if result.get("skipped"):
            self.stdout.write(f"Nothing done: {result['skipped']}.")
            return
        for task_id in result["requeued"]:
            self.stdout.write(f"requeued {task_id}")
        for task_id in result["failed"]:
            self.stdout.write(f"failed {task_id} (its worker died too often)")
        self.stdout.write(f"{len(result['requeued'])} requeued, {len(result['failed'])} failed.")
