"""The access log is append-only in the database itself: triggers refuse every UPDATE and
DELETE (and TRUNCATE on PostgreSQL), whatever the route. CI runs this file on SQLite and on
PostgreSQL; each database runs the checks that apply to it, none is skipped."""

from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction

from access.models import AccessAction, AccessLog
from access.services import access_log_record
from organisations.models import Role, UnitKind
from organisations.selectors import memberships_of
from tests.world import World

TABLE = connection.ops.quote_name(AccessLog._meta.db_table)
FIELDS = [
    *("occurred_at", "user_id", "username", "role", "unit_id", "municipality_id"),
    *("object_type", "object_id", "child_ref", "action", "rule", "request_id"),
]


@pytest.fixture
def row(world: World) -> AccessLog:
    user = world.user(Role.INTAKE)
    intake = world.unit(UnitKind.INTAKE)
    return access_log_record(
        user=user,
        municipality=world.municipality("leksand"),
        obj=intake,
        child_ref="child-1",
        action=AccessAction.VIEW,
        rule="intake_of_municipality",
        membership=memberships_of(user)[0],
    )


def snapshot(row: AccessLog) -> tuple[object, ...]:
    return AccessLog.objects.filter(pk=row.pk).values_list(*FIELDS).get()


def assert_refused(row: AccessLog, attempt: Callable[[], object]) -> None:
    before = snapshot(row)
    # A savepoint, so that PostgreSQL's transaction stays usable after the error.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        attempt()
    assert snapshot(row) == before


def raw(sql: str, params: list[str | int] | None = None) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])

    return run


def test_the_triggers_are_installed(row: AccessLog) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [AccessLog._meta.db_table],
            )
            expected = {"access_accesslog_append_only", "access_accesslog_no_truncate"}
        else:
            assert connection.vendor == "sqlite", "the append-only triggers exist for these two"
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [AccessLog._meta.db_table],
            )
            expected = {"access_accesslog_no_update", "access_accesslog_no_delete"}
        assert expected <= {name for (name,) in cursor.fetchall()}


def test_rows_can_be_added(row: AccessLog) -> None:
    assert AccessLog.objects.filter(pk=row.pk).exists()
    AccessLog.objects.create(
        user=row.user,
        username=row.username,
        municipality=row.municipality,
        object_type=row.object_type,
        object_id=row.object_id,
        child_ref=row.child_ref,
        action=AccessAction.PRINT,
        rule=row.rule,
    )
    assert AccessLog.objects.count() == 2


def test_queryset_update_is_refused(row: AccessLog) -> None:
    assert_refused(row, lambda: AccessLog.objects.filter(pk=row.pk).update(rule="changed"))
    assert_refused(row, lambda: AccessLog.objects.update(child_ref="someone-else"))


def test_saving_a_changed_row_is_refused(row: AccessLog) -> None:
    row.username = "someone-else"

    assert_refused(row, row.save)


def test_deleting_is_refused(row: AccessLog) -> None:
    assert_refused(row, row.delete)
    assert_refused(row, lambda: AccessLog.objects.filter(pk=row.pk).delete())
    assert_refused(row, lambda: AccessLog.objects.all().delete())


def test_raw_sql_update_and_delete_are_refused(row: AccessLog) -> None:
    assert_refused(row, raw(f"UPDATE {TABLE} SET rule = %s WHERE id = %s", ["x", row.pk]))  # noqa: S608
    assert_refused(row, raw(f"DELETE FROM {TABLE} WHERE id = %s", [row.pk]))  # noqa: S608


def test_emptying_the_table_is_refused(row: AccessLog) -> None:
    if connection.vendor == "postgresql":
        # TRUNCATE skips row triggers; a statement trigger refuses it, also with CASCADE.
        # PostgreSQL refuses TRUNCATE while the row's deferred foreign-key checks are pending
        # for another reason, so run those checks first: the trigger must be what refuses.
        raw("SET CONSTRAINTS ALL IMMEDIATE")()
        assert_refused(row, raw(f"TRUNCATE {TABLE} CASCADE"))
        # Without CASCADE the samples' foreign key already refuses it, before the trigger.
        with pytest.raises(DatabaseError), transaction.atomic():
            raw(f"TRUNCATE {TABLE}")()
    else:
        # SQLite has no TRUNCATE; its "truncate optimisation" of an unqualified DELETE is
        # turned off by the delete trigger, so the trigger must refuse this too.
        assert connection.vendor == "sqlite"
        assert_refused(row, raw(f"DELETE FROM {TABLE}"))  # noqa: S608
    assert AccessLog.objects.filter(pk=row.pk).exists()
