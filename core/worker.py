"""The background worker, with recovery of tasks whose worker died.

django-tasks-db marks a task RUNNING when a worker claims it and SUCCESSFUL or FAILED when the
task ends. A worker that is killed in between (out of memory, SIGKILL, the machine gone) leaves
the row RUNNING for ever: nothing runs it again.

On PostgreSQL this worker holds a session advisory lock on the task while it runs, on a
connection of its own that nothing else uses or closes. PostgreSQL releases the lock the moment
that connection goes, whatever killed the process. ``requeue_stale_tasks`` (a timer every few
minutes) looks at RUNNING rows, and a row whose lock it can take has no live worker: it is set
back to READY and runs again. The tasks themselves are written so that a second run adds no
duplicate e-mail, notification or record (their docstrings say how).

The order closes the race between a claim and the lock: the requeue takes the lock for its own
transaction only and changes the row in that transaction, and the worker, once it has the lock,
reads the row again and runs the task only when the row is still RUNNING under its own claim.

On SQLite (development, the demo) there are no advisory locks and one worker; the worker runs
tasks as django-tasks-db's does.
"""

import datetime
import logging
import uuid
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# A task that has killed this many workers is not run again: it is marked failed instead, so
# one task that always crashes its worker can not take the workers down in a loop.
MAX_ATTEMPTS = 3
LOST_WORKER_ERROR = "core.worker.WorkerLost"


def lock_key(task_id: uuid.UUID | str) -> int:
    """The advisory-lock key of a task: the first 8 bytes of its id, as PostgreSQL's bigint."""
    value = uuid.UUID(str(task_id)).int >> 64
    return value - (1 << 64) if value >= (1 << 63) else value


def advisory_locks_available(using: str = DEFAULT_DB_ALIAS) -> bool:
    return connections[using].vendor == "postgresql"


class TaskLockConnection:
    """A database connection of the worker's own, used for the task locks and nothing else.

    Django's connection is closed and reopened between tasks (``close_old_connections``) and
    a task may use it in any way; this one lives as long as the worker and is opened again
    after the database was restarted.
    """

    def __init__(self, using: str = DEFAULT_DB_ALIAS) -> None:
        self.using = using
        self._raw: Any = None

    def _open(self) -> Any:
        wrapper = connections[self.using]
        raw = wrapper.get_new_connection(wrapper.get_connection_params())
        raw.autocommit = True
        return raw

    def _execute(self, sql: str, key: int) -> None:
        if self._raw is None or self._raw.closed:
            self._raw = self._open()
        with self._raw.cursor() as cursor:
            cursor.execute(sql, [key])

    def lock(self, key: int) -> None:
        """Wait for the lock (held only for a moment by a requeue looking at the row)."""
        try:
            self._execute("SELECT pg_advisory_lock(%s)", key)
        except Exception:
            # The old connection broke (the database restarted): its locks are gone with it.
            self.close()
            self._execute("SELECT pg_advisory_lock(%s)", key)

    def unlock(self, key: int) -> None:
        try:
            self._execute("SELECT pg_advisory_unlock(%s)", key)
        except Exception:
            # A broken connection holds no locks any more; the next task opens a new one.
            logger.warning("Could not release the lock of a task; reconnecting.", exc_info=True)
            self.close()

    def close(self) -> None:
        if self._raw is not None:
            try:
                self._raw.close()
            except Exception:
                logger.debug("Closing the lock connection failed.", exc_info=True)
        self._raw = None


class LockingWorker(Worker):
    """django-tasks-db's worker, holding the task's advisory lock while the task runs."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.locks = TaskLockConnection()

    def run(self) -> None:
        try:
            super().run()
        finally:
            self.locks.close()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        if not advisory_locks_available(db_task_result._state.db or DEFAULT_DB_ALIAS):
            super().run_task(db_task_result)
            return
        key = lock_key(db_task_result.pk)
        self.locks.lock(key)
        try:
            if self._still_ours(db_task_result):
                super().run_task(db_task_result)
            else:
                logger.info("Task id=%s was requeued before it started here.", db_task_result.pk)
        finally:
            self.locks.unlock(key)

    def _still_ours(self, db_task_result: DBTaskResult) -> bool:
        """The claim still stands: ``requeue_stale_tasks`` did not take the row back between
        the claim and the lock."""
        row = (
            DBTaskResult.objects.filter(pk=db_task_result.pk).values("status", "worker_ids").first()
        )
        return (
            row is not None
            and row["status"] == TaskResultStatus.RUNNING
            and bool(row["worker_ids"])
            and row["worker_ids"][-1] == self.worker_id
        )


def requeue_stale_tasks(*, using: str = DEFAULT_DB_ALIAS, older_than_seconds: int = 0) -> dict:
    """Set RUNNING tasks whose worker is gone back to READY (or FAILED after MAX_ATTEMPTS).

    A row counts as orphaned when nobody holds its advisory lock: a live worker holds it for
    as long as the task runs. ``older_than_seconds`` leaves rows alone that were claimed just
    now. Returns the ids requeued and failed (ids only: tasks' arguments are not logged).
    """
    if not advisory_locks_available(using):
        return {"requeued": [], "failed": [], "skipped": "advisory locks need PostgreSQL"}
    since = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    candidates = list(
        DBTaskResult.objects.using(using)
        .filter(status=TaskResultStatus.RUNNING, started_at__lte=since)
        .values_list("pk", flat=True)
    )
    requeued: list[str] = []
    failed: list[str] = []
    for task_id in candidates:
        outcome = _requeue_one(task_id, using)
        if outcome == "requeued":
            requeued.append(str(task_id))
        elif outcome == "failed":
            failed.append(str(task_id))
    return {"requeued": requeued, "failed": failed}


def _requeue_one(task_id: uuid.UUID, using: str) -> str:
    with transaction.atomic(using=using):
        row = (
            DBTaskResult.objects.using(using)
            .select_for_update(skip_locked=True)
            .filter(pk=task_id, status=TaskResultStatus.RUNNING)
            .first()
        )
        if row is None:
            return "gone"
        with connections[using].cursor() as cursor:
            # Held until this transaction ends: a worker that claimed the row a moment ago
            # waits for it, then sees the row is no longer its own.
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_key(row.pk)])
            (free,) = cursor.fetchone()
        if not free:
            return "running"
        if len(row.worker_ids) >= MAX_ATTEMPTS:
            row.status = TaskResultStatus.FAILED
            row.finished_at = timezone.now()
            row.exception_class_path = LOST_WORKER_ERROR
            row.traceback = f"The worker died while running the task, {len(row.worker_ids)} times."
            row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            logger.error("Task id=%s killed its worker %s times: failed.", row.pk, MAX_ATTEMPTS)
            return "failed"
        row.status = TaskResultStatus.READY
        row.started_at = None
        row.save(update_fields=["status", "started_at"])
        logger.warning("Task id=%s lost its worker: queued again.", row.pk)
        return "requeued"
