"""What a log line outside the request cycle needs to say where it came from: the task a
worker is running (set from django.tasks' signals in ``operations.receivers``)."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RunningTask:
    name: str  # the task's module path, e.g. "reports.tasks.run_watchdog"
    id: str


current_task: ContextVar[RunningTask | None] = ContextVar("current_task", default=None)
