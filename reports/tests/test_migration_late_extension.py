"""Migration 0002 on rows made before it: acute-danger answers are kept, and the decision
deadlines of reports already extended are filled in from their audit trail."""

import contextlib
import datetime
import importlib
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from organisations.models import Role, UnitKind
from reports.deadlines import STOCKHOLM, end_of_day
from reports.models import ConcernReport
from tests.world import build_world

BEFORE = [("reports", "0001_initial")]
AUDIT = ("access", "0008_calendar_feed_event_types")
AFTER = [("reports", "0002_late_extension_and_unanswered_acute_danger")]
ARRIVAL = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
DUE = end_of_day(datetime.date(2026, 3, 16))


# SQLite can not change a schema inside the transaction of a test: that needs a transactional
# test. PostgreSQL can, and must: its append-only access log refuses the flush that ends a
# transactional test.
ON_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def _past_append_only_triggers() -> contextlib.AbstractContextManager[None]:
    """The flush that ends a transactional test must get past the append-only triggers of
    the audit trail, where the repository has them (``tests.flush``)."""
    try:
        helper = importlib.import_module("tests.flush")
    except ImportError:
        return contextlib.nullcontext()
    return helper.flush_past_append_only_triggers()


@pytest.fixture(scope="module", autouse=True)
def _flushable() -> Iterator[None]:
    # Module scope: still in place when the transactional test's flush runs.
    with _past_append_only_triggers():
        yield


def _migrate(targets):
    if not ON_SQLITE:
        # The rows' deferred foreign-key checks would block ALTER TABLE in this transaction.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([*targets, AUDIT]).apps


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=ON_SQLITE)
def test_old_rows_keep_their_answers_and_get_their_deadlines():
    world = build_world()
    apps = _migrate(BEFORE)
    try:
        OldReport = apps.get_model("reports", "ConcernReport")
        OldAuditEvent = apps.get_model("access", "AuditEvent")
        teacher = world.user(Role.REPORTER)
        school = world.unit(UnitKind.SCHOOL)
        common = {
            "author_id": teacher.pk,
            "author_role": "teacher",
            "author_sector": "school",
            "school_unit_id": school.pk,
            "municipality_id": school.municipality_id,
            "status": "preliminary_assessment",
            "submitted_at": ARRIVAL,
            "protection_due_at": end_of_day(datetime.date(2026, 3, 2)),
            "protection_assessed_at": ARRIVAL + datetime.timedelta(hours=2),
        }
        OldReport.objects.create(
            child_ref="a", acute_danger=True, decision_due_at=DUE, next_due_at=DUE, **common
        )
        OldReport.objects.create(
            child_ref="b",
            acute_danger=False,
            **{**common, "status": "draft", "submitted_at": None},
        )
        extended_late = OldReport.objects.create(
            child_ref="c",
            acute_danger=False,
            extended_until=datetime.date(2026, 4, 14),
            decision_due_at=end_of_day(datetime.date(2026, 4, 14)),
            next_due_at=end_of_day(datetime.date(2026, 4, 14)),
            **common,
        )
        extended_in_time = OldReport.objects.create(
            child_ref="d",
            acute_danger=False,
            extended_until=datetime.date(2026, 3, 31),
            decision_due_at=end_of_day(datetime.date(2026, 3, 31)),
            next_due_at=end_of_day(datetime.date(2026, 3, 31)),
            **common,
        )
        late_at = datetime.datetime(2026, 3, 20, 10, 0, tzinfo=STOCKHOLM)
        in_time_at = datetime.datetime(2026, 3, 9, 10, 0, tzinfo=STOCKHOLM)
        for report, moment in ((extended_late, late_at), (extended_in_time, in_time_at)):
            # Audit events are append-only: written at their time, never updated.
            with time_machine.travel(moment, tick=False):
                OldAuditEvent.objects.create(
                    actor_id=world.user(Role.INTAKE).pk,
                    municipality_id=school.municipality_id,
                    event_type="report_decision_extended",
                    object_type="reports.concernreport",
                    object_id=str(report.pk),
                    new_values={"old_due": DUE.isoformat()},
                )
    finally:
        _migrate(AFTER)
        # Then to the latest migrations, so that today's model can read the rows back.
        _migrate_to_latest()

    reports = {report.child_ref: report for report in ConcernReport.objects.all()}
    assert reports["a"].acute_danger is True
    assert reports["b"].acute_danger is False  # an old draft keeps its answer
    assert reports["a"].decision_due_original_at == DUE
    assert reports["a"].decision_missed_due_at is None
    late = reports["c"]
    assert late.decision_due_original_at == DUE
    assert late.decision_missed_due_at == DUE
    assert late.extension_recorded_at == late_at
    assert late.next_due_at == DUE  # overdue again, as the service now keeps it
    in_time = reports["d"]
    assert in_time.decision_due_original_at == DUE
    assert in_time.decision_missed_due_at is None
    assert in_time.extension_recorded_at == in_time_at
    assert in_time.next_due_at == end_of_day(datetime.date(2026, 3, 31))
