"""The watchdog commands' shared scaffolding: ``--enqueue`` queues the task, a run here
prints its findings and a closing line."""

from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.tasks import task

from core.management.watchdog import WatchdogCommand

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class _Outcome:
    alerts: tuple[str, ...]
    notifications_created: int

    def summary_lines(self) -> list[str]:
        return [f"Leksand: {alert}" for alert in self.alerts]


_RUNS: list[str] = []


@task()
def _sample_task() -> dict[str, Any]:
    _RUNS.append("task")
    return {"notifications_created": 0}


class _SampleCommand(WatchdogCommand):
    label = "sample watchdog"
    task = _sample_task

    def __init__(self, outcome: _Outcome) -> None:
        super().__init__()
        self.outcome = outcome

    def run(self) -> _Outcome:
        _RUNS.append("here")
        return self.outcome


def _call(outcome: _Outcome, *args: str) -> str:
    out = StringIO()
    call_command(_SampleCommand(outcome), *args, stdout=out)
    return out.getvalue()


def test_a_run_here_prints_one_line_per_finding_and_the_count() -> None:
    _RUNS.clear()
    out = _call(_Outcome(alerts=("overdue: 2", "silent"), notifications_created=3))
    assert _RUNS == ["here"]
    assert out.splitlines() == [
        "Leksand: overdue: 2",
        "Leksand: silent",
        "Sample watchdog done: 3 new notifications.",
    ]


def test_a_run_with_nothing_found_says_so() -> None:
    out = _call(_Outcome(alerts=(), notifications_created=0))
    assert out.splitlines() == ["Nothing to report.", "Sample watchdog done: 0 new notifications."]


def test_enqueue_queues_the_task_instead_of_running_here() -> None:
    _RUNS.clear()
    out = _call(_Outcome(alerts=("x",), notifications_created=1), "--enqueue")
    assert _RUNS == ["task"]  # the test settings run a queued task at once
    assert out.startswith("Queued the sample watchdog (task ")


def test_the_enqueue_option_names_the_task() -> None:
    parser = _SampleCommand(_Outcome(alerts=(), notifications_created=0)).create_parser(
        "manage.py", "sample_watchdog"
    )
    assert "core.tests.test_watchdog_command._sample_task" in parser.format_help()
