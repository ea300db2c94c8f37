"""The two ways of writing the access log give the same rows: a page's reads go in one
statement without model objects (``access_log_record_reads``), a single read through the
ORM (``access_log_record``). CI runs this file on SQLite and on PostgreSQL, where the page's
insert is written differently (one array per column)."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from access.context import current_request_id
from access.models import AccessAction, AccessLog
from access.policies import access_log_batch, access_log_submit
from access.services import (
    AccessLogEntry,
    access_log_record,
    access_log_record_many,
    access_log_record_reads,
)
from organisations.models import Role, UnitKind
from organisations.selectors import memberships_of
from tests.world import World

AT = datetime.datetime(2025, 3, 4, 9, 30, 15, 123456, tzinfo=datetime.UTC)
COLUMNS = [field.attname for field in AccessLog._meta.concrete_fields if field.attname != "id"]


def stored() -> list[tuple[object, ...]]:
    return list(AccessLog.objects.order_by("id").values_list(*COLUMNS))


def test_a_page_and_a_single_read_write_the_same_row(world: World) -> None:
    user = world.user(Role.INTAKE)
    membership = memberships_of(user)[0]
    leksand = world.municipality("leksand")
    unit = world.unit(UnitKind.INTAKE)
    token = current_request_id.set("request-abc")
    try:
        with time_machine.travel(AT, tick=False):
            access_log_record(
                user=user,
                municipality=leksand,
                obj=unit,
                child_ref="child-1",
                action=AccessAction.VIEW,
                rule="intake_of_municipality",
                membership=membership,
            )
            entry = AccessLogEntry(
                obj=unit,
                municipality_id=leksand.pk,
                child_ref="child-1",
                rule="intake_of_municipality",
                membership=membership,
            )
            assert access_log_record_reads(user=user, reads=[(AccessAction.VIEW, entry)]) == 1
    finally:
        current_request_id.reset(token)
    single, page = stored()
    assert single == page
    values = dict(zip(COLUMNS, page, strict=True))
    assert values["occurred_at"] == AT
    assert values["user_id"] == user.pk
    assert values["username"] == user.username
    assert values["role"] == membership.role
    assert values["unit_id"] == membership.unit_id
    assert values["municipality_id"] == leksand.pk
    assert values["staff_municipality_id"] is None
    assert values["object_type"] == "organisations.unit"
    assert values["object_id"] == str(unit.pk)
    assert values["request_id"] == "request-abc"


def test_many_reads_are_one_insert_in_the_given_order(world: World) -> None:
    """One statement for a page of rows, with nulls (no membership), another municipality's
    data (the reader's own municipality is kept) and names that need quoting in an array."""
    user = world.user(Role.INTAKE)
    membership = memberships_of(user)[0]
    leksand, eksjo = world.municipality("leksand"), world.municipality("eksjo")
    refs = [f'child-{index}, "quoted" {{braces}}' for index in range(40)]
    entries = [
        AccessLogEntry(
            obj=leksand,
            municipality_id=(eksjo if index % 2 else leksand).pk,
            child_ref=ref,
            rule="rule",
            membership=None if index % 3 == 0 else membership,
        )
        for index, ref in enumerate(refs)
    ]
    with CaptureQueriesContext(connection) as queries:
        written = access_log_record_many(user=user, action=AccessAction.SEARCH, entries=entries)
    assert written == 40
    assert len(queries) == 1
    rows = list(AccessLog.objects.order_by("id"))
    assert [row.child_ref for row in rows] == refs
    for index, row in enumerate(rows):
        assert row.action == AccessAction.SEARCH
        if index % 3 == 0:
            assert (row.role, row.unit_id, row.staff_municipality_id) == ("", None, None)
        else:
            assert row.unit_id == membership.unit_id
            elsewhere = leksand.pk if index % 2 else None
            assert row.staff_municipality_id == elsewhere


def test_nothing_to_log_writes_nothing(world: World) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert access_log_record_reads(user=world.user(Role.INTAKE), reads=[]) == 0
    assert not queries
    assert not AccessLog.objects.exists()


def test_more_rows_than_one_statement_takes_are_all_written(world: World) -> None:
    """SQLite bounds a statement's parameters: a long list goes in batches, in order."""
    user = world.user(Role.INTAKE)
    leksand = world.municipality("leksand")
    entries = [
        AccessLogEntry(obj=leksand, municipality_id=leksand.pk, child_ref=f"c{index}", rule="r")
        for index in range(250)
    ]
    assert access_log_record_many(user=user, action=AccessAction.VIEW, entries=entries) == 250
    refs = list(AccessLog.objects.order_by("id").values_list("child_ref", flat=True))
    assert refs == [f"c{index}" for index in range(250)]


def test_a_user_who_read_a_child_can_not_be_deleted(world: World) -> None:
    """The log's foreign keys have no database constraint on PostgreSQL (each was a lookup per
    written row): PROTECT still refuses to delete a reader, in Django's delete collector."""
    user = world.user(Role.INTAKE)
    leksand = world.municipality("leksand")
    entry = AccessLogEntry(obj=leksand, municipality_id=leksand.pk, child_ref="c", rule="r")
    access_log_record_many(user=user, action=AccessAction.VIEW, entries=[entry])
    with pytest.raises(ProtectedError) as refused:
        user.delete()
    assert any(isinstance(row, AccessLog) for row in refused.value.protected_objects)
    assert AccessLog.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_the_log_table_keeps_its_triggers_and_checks_no_keys_on_postgresql() -> None:
    """Migration 0014 drops the foreign-key checks on PostgreSQL only: SQLite would rebuild the
    table to drop them, and the rebuild would lose the append-only triggers."""
    table = AccessLog._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
        foreign_keys = {name for name, details in constraints.items() if details["foreign_key"]}
        if connection.vendor == "postgresql":
            assert foreign_keys == set()
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
            expected = {"access_accesslog_append_only", "access_accesslog_no_truncate"}
        else:
            assert len(foreign_keys) == 4
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
            expected = {
                "access_accesslog_no_update",
                "access_accesslog_no_delete",
                "access_accesslog_no_overwrite",
            }
        assert {name for (name,) in cursor.fetchall()} == expected


def test_a_child_shown_twice_on_one_page_is_logged_once(world: World) -> None:
    """Within one request (one batch) the same read of the same child under the same rule is
    one row, in the order first shown; another action or another child is a row of its own."""
    user = world.user(Role.INTAKE)
    membership = memberships_of(user)[0]
    leksand = world.municipality("leksand")

    def entry(ref: str) -> AccessLogEntry:
        return AccessLogEntry(
            obj=leksand, municipality_id=leksand.pk, child_ref=ref, rule="r", membership=membership
        )

    with access_log_batch():
        access_log_submit(user, AccessAction.SEARCH, [entry("a"), entry("b")])
        access_log_submit(user, AccessAction.SEARCH, [entry("b"), entry("c"), entry("a")])
        access_log_submit(user, AccessAction.VIEW, [entry("a")])
    rows = AccessLog.objects.order_by("id").values_list("action", "child_ref")
    assert list(rows) == [
        (AccessAction.SEARCH, "a"),
        (AccessAction.SEARCH, "b"),
        (AccessAction.SEARCH, "c"),
        (AccessAction.VIEW, "a"),
    ]
