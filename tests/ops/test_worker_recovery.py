"""The recovery of tasks whose worker died (core/worker.py), in one process: which RUNNING
rows ``requeue_stale_tasks`` takes back, and that a worker does not run a task taken back
between its claim and its lock. On SQLite, which has no advisory locks, the command does
nothing and says so; the worker runs tasks as django-tasks-db's does. The killed worker
itself is tests/ops/test_stack_worker_killed.py (real processes, PostgreSQL)."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from core.worker import (
    LOST_WORKER_ERROR,
    LockingWorker,
    TaskLockConnection,
    lock_key,
    requeue_stale_tasks,
)

pytestmark = pytest.mark.django_db

TASK = "followup.tasks.refresh_rollups"
ON_POSTGRESQL = connection.vendor == "postgresql"


def running(*worker_ids: str, seconds_ago: int = 120) -> DBTaskResult:
    started = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=started,
        run_after=get_date_max(),  # django-tasks-db's mark for "no run_after"
        args_kwargs={"args": [], "kwargs": {}},
        task_path=TASK,
        backend_name="default",
        worker_ids=list(worker_ids),
    )


def status_of(row: DBTaskResult) -> str:
    row.refresh_from_db()
    return row.status


def worker(worker_id: str) -> LockingWorker:
    return LockingWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def test_lock_keys_are_postgresql_bigints_and_differ() -> None:
    keys = {
        lock_key(row_id)
        for row_id in (
            "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
            "7fffffff-ffff-ffff-0000-000000000000",
            "80000000-0000-0000-0000-000000000000",
        )
    }
    assert len(keys) == 4
    assert all(-(2**63) <= key < 2**63 for key in keys)


def test_an_orphaned_task_is_queued_again() -> None:
    orphan = running("worker1-a")
    result = requeue_stale_tasks()
    if not ON_POSTGRESQL:
        assert result["skipped"] == "advisory locks need PostgreSQL"
        assert status_of(orphan) == TaskResultStatus.RUNNING
        return
    assert result == {"requeued": [str(orphan.pk)], "failed": []}
    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.READY
    assert orphan.started_at is None
    # The history stays: the worker that died is still named.
    assert orphan.worker_ids == ["worker1-a"]


def test_a_task_whose_worker_holds_its_lock_is_left_alone() -> None:
    alive = running("worker1-a")
    if not ON_POSTGRESQL:
        assert requeue_stale_tasks()["requeued"] == []
        return
    locks = TaskLockConnection()
    locks.lock(lock_key(alive.pk))
    try:
        assert requeue_stale_tasks() == {"requeued": [], "failed": []}
        assert status_of(alive) == TaskResultStatus.RUNNING
    finally:
        locks.close()
    # The worker's connection is gone, and the lock with it.
    assert requeue_stale_tasks()["requeued"] == [str(alive.pk)]


def test_a_task_claimed_just_now_waits_for_the_next_round() -> None:
    fresh = running("worker1-a", seconds_ago=5)
    assert requeue_stale_tasks(older_than_seconds=60)["requeued"] == []
    assert status_of(fresh) == TaskResultStatus.RUNNING


def test_a_task_that_killed_its_worker_three_times_fails() -> None:
    poison = running("w-1", "w-2", "w-3")
    result = requeue_stale_tasks()
    if not ON_POSTGRESQL:
        assert status_of(poison) == TaskResultStatus.RUNNING
        return
    assert result == {"requeued": [], "failed": [str(poison.pk)]}
    poison.refresh_from_db()
    assert poison.status == TaskResultStatus.FAILED
    assert poison.exception_class_path == LOST_WORKER_ERROR


def test_the_worker_does_not_run_a_task_taken_back_after_its_claim() -> None:
    # The claim is worker w1's, but the requeue took the row back before w1 had the lock.
    taken_back = running("w1")
    DBTaskResult.objects.filter(pk=taken_back.pk).update(status=TaskResultStatus.READY)
    worker("w1").run_task(taken_back)
    if ON_POSTGRESQL:
        assert status_of(taken_back) == TaskResultStatus.READY
    else:
        # No locks on SQLite (one worker): the task runs as django-tasks-db runs it.
        assert status_of(taken_back) == TaskResultStatus.SUCCESSFUL


def test_the_worker_runs_its_own_claim_and_releases_the_lock() -> None:
    mine = running("w1")
    worker("w1").run_task(mine)
    assert status_of(mine) == TaskResultStatus.SUCCESSFUL
    if ON_POSTGRESQL:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_key(mine.pk)])
            assert cursor.fetchone() == (True,)
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_key(mine.pk)])


def test_the_command_says_what_it_did() -> None:
    running("worker1-a")
    out = StringIO()
    call_command("requeue_stale_tasks", "--older-than", "0", stdout=out)
    if ON_POSTGRESQL:
        assert "1 requeued, 0 failed." in out.getvalue()
    else:
        assert "Nothing done: advisory locks need PostgreSQL." in out.getvalue()
