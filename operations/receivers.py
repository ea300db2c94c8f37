"""Signal receivers: which task a worker is running (for its log lines), periodic jobs'
last successful run, and requests that failed because the database is unavailable."""

import logging
import sys
from typing import Any

from django.core.signals import got_request_exception
from django.db import DatabaseError
from django.http import HttpRequest
from django.tasks import TaskResultStatus
from django.tasks.signals import log_task_started, task_finished, task_started
from django.utils import timezone

from operations.context import RunningTask, current_task
from operations.logging import is_database_unavailable
from operations.services import periodic_run_record

# The tasks of the periodic jobs (each also a management command, see
# core.management.watchdog): their last successful run is recorded for the metrics.
PERIODIC_TASKS = frozenset(
    {
        "reports.tasks.run_watchdog",
        "governance.tasks.run_watchdog",
        "sip.tasks.run_reminders",
    }
)
logger = logging.getLogger(__name__)

# Set on a request whose processing hit an unavailable database: the error's class name (read
# by the middleware).
DATABASE_UNAVAILABLE = "_samverkan_database_unavailable"


def task_begins(sender: Any, task_result: Any, **kwargs: Any) -> None:  # noqa: ARG001
    current_task.set(RunningTask(name=task_result.task.module_path, id=str(task_result.id)))


def task_ends(sender: Any, task_result: Any, **kwargs: Any) -> None:  # noqa: ARG001
    name = task_result.task.module_path
    try:
        if name in PERIODIC_TASKS and task_result.status == TaskResultStatus.SUCCESSFUL:
            periodic_run_record(job=name, at=timezone.now())
    except DatabaseError:
        # The worker sends this signal inside its own error handling: an exception here would
        # mark the finished task as failed. The job did run; only the timestamp is missing.
        logger.warning("Could not record the last run of %s", name, exc_info=True)
    finally:
        current_task.set(None)


def note_database_unavailable(
    sender: Any,  # noqa: ARG001
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    # Sent by Django inside its exception handler, so the exception is the current one.
    error = sys.exc_info()[1]
    if request is not None and is_database_unavailable(error):
        setattr(request, DATABASE_UNAVAILABLE, type(error).__name__)


def connect() -> None:
    # Receivers run in the order they were connected: the task must be known before Django's
    # own "Task ... RUNNING" line is logged, so that line is moved behind ours.
    task_started.disconnect(log_task_started)
    task_started.connect(task_begins, dispatch_uid="operations_task_begins")
    task_started.connect(log_task_started)
    task_finished.connect(task_ends, dispatch_uid="operations_task_ends")
    got_request_exception.connect(note_database_unavailable, dispatch_uid="operations_db_down")
