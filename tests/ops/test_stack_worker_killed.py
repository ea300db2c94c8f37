"""A worker killed (SIGKILL) in the middle of a task: ``requeue_stale_tasks`` sees that no live
worker holds the task's lock and queues it again, the other worker runs it, and the result is
one board report with one PDF and one audit event: nothing twice (core/worker.py)."""

import signal
from typing import Any

from deploy.smoke import logged_in
from tests.ops.helpers import sql, wait_for

BOARD_TASK = "%followup.board_tasks.generate_board_report"


def running_board_task() -> str:
    # Both at once: the worker claims the task row first and marks the report a moment later,
    # so a kill between the two would find the report still queued.
    return (
        "SELECT t.id, t.worker_ids FROM django_tasks_database_dbtaskresult t, "
        "followup_boardreport r WHERE t.task_path LIKE %s AND t.status = 'RUNNING' "
        "AND r.id = %s AND r.generation_state = 'running'"
    )


def test_a_task_whose_worker_is_killed_runs_again_once(stack: Any, people: dict) -> None:
    coordinator = logged_in(stack, people, "coordinator.leksand")
    listing = coordinator.get("/aterrapportering/")
    answer = coordinator.submit(listing, has="period_kind")
    assert answer.status == 302
    report_id = int(answer.location.rstrip("/").rsplit("/", 1)[-1])

    # The moment a worker has claimed it and begun, that worker dies without a chance to clean up.
    [(task_id, worker_ids)] = wait_for(
        lambda: sql(stack, running_board_task(), BOARD_TASK, report_id), timeout=120, every=0.05
    )
    killed = worker_ids[-1].split("-")[0]
    stack.stop(killed, signal.SIGKILL)
    try:
        [(state,)] = sql(
            stack, "SELECT generation_state FROM followup_boardreport WHERE id = %s", report_id
        )
        assert state == "running"
        assert sql(
            stack, "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s", task_id
        ) == [("RUNNING",)]

        requeued = stack.manage("requeue_stale_tasks", "--older-than", "0").stdout
        assert f"requeued {task_id}" in requeued
        assert "1 requeued" in requeued

        def finished() -> list[tuple] | None:
            rows = sql(
                stack,
                "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s",
                task_id,
            )
            return rows if rows[0][0] != "RUNNING" and rows[0][0] != "READY" else None

        [(status, worker_ids)] = wait_for(finished, timeout=180)
    finally:
        stack.start_worker(killed)
    assert status == "SUCCESSFUL"
    # Claimed twice: by the worker that died, then by the other one.
    assert len(worker_ids) == 2
    assert worker_ids[0].startswith(killed)
    assert not worker_ids[1].startswith(killed)
    [(state, pdf)] = sql(
        stack, "SELECT generation_state, pdf FROM followup_boardreport WHERE id = %s", report_id
    )
    assert state == "done"
    assert pdf
    assert sql(stack, "SELECT count(*) FROM followup_boardreport") == [(1,)]
    created = sql(
        stack,
        "SELECT count(*) FROM access_auditevent WHERE event_type = 'board_report_created'",
    )
    assert created == [(1,)]
    got = coordinator.get(f"/aterrapportering/{report_id}/pdf/")
    assert got.status == 200
    assert got.body.startswith(b"%PDF")
    # Nothing is left for the requeue to take.
    again = stack.manage("requeue_stale_tasks", "--older-than", "0").stdout
    assert "0 requeued, 0 failed" in again
