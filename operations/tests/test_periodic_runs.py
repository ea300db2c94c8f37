"""The last successful run of each periodic job, for the "scheduler stopped" alert: recorded
by the command run by cron and by the task run by a worker, not by a failed run."""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from governance.tasks import run_watchdog as governance_watchdog
from operations.models import PeriodicRun
from operations.services import periodic_run_record

pytestmark = pytest.mark.django_db


def _last(job: str) -> datetime.datetime | None:
    row = PeriodicRun.objects.filter(job=job).first()
    return row.last_success_at if row else None


def test_the_command_records_its_run(world):  # noqa: ARG001 - municipalities to look at
    before = timezone.now()
    call_command("report_watchdog", stdout=StringIO())
    last = _last("reports.tasks.run_watchdog")
    assert last is not None
    assert last >= before


def test_the_task_run_by_a_worker_records_its_run():
    governance_watchdog.enqueue()  # the test settings run tasks at once
    assert _last("governance.tasks.run_watchdog") is not None


def test_a_failed_run_records_nothing():
    with mock.patch("sip.tasks.reminders_run", side_effect=RuntimeError("broken")):
        from sip.tasks import run_reminders

        result = run_reminders.enqueue()
    assert result.status == "FAILED"
    assert _last("sip.tasks.run_reminders") is None


def test_an_earlier_time_never_replaces_a_later_one():
    later = timezone.now()
    periodic_run_record(job="x", at=later)
    periodic_run_record(job="x", at=later - datetime.timedelta(minutes=5))
    assert _last("x") == later
    periodic_run_record(job="x", at=later + datetime.timedelta(minutes=5))
    assert _last("x") == later + datetime.timedelta(minutes=5)
