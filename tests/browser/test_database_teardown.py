"""The browser tests' database is emptied after each test although the access log refuses
UPDATE, DELETE and TRUNCATE; the refusal itself must survive the emptying."""

import pytest
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

from access.models import AccessAction, AccessLog
from access.services import access_log_record
from organisations.models import Role, UnitKind
from tests.world import World


def log_row(world: World) -> AccessLog:
    return access_log_record(
        user=world.user(Role.INTAKE),
        municipality=world.municipality(),
        obj=world.unit(UnitKind.INTAKE),
        child_ref="child-1",
        action=AccessAction.VIEW,
        rule="test",
    )


def test_flush_empties_the_access_log_and_keeps_it_append_only(world: World) -> None:
    log_row(world)
    tables = [AccessLog._meta.db_table]
    sql = connection.ops.sql_flush(no_style(), tables, allow_cascade=True)
    connection.ops.execute_sql_flush(sql)
    assert not AccessLog.objects.exists()

    row = log_row(world)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(child_ref="changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()
    # This row stays for pytest-django's own flush after the test.
