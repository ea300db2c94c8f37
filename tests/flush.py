"""Let pytest-django empty the append-only tables after a transactional test.

Tests that need committed data (the live server, threads with their own connections) use a
transactional database that pytest-django empties after each test (TRUNCATE on PostgreSQL,
DELETE on SQLite). The access log's triggers refuse both, as they should for the application.
For the flush only, triggers are switched off: on PostgreSQL with
``session_replication_role = replica`` for the flush transaction (the test database user is a
superuser), on SQLite by dropping the triggers and creating them again in the same transaction.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations


@contextmanager
def flush_past_append_only_triggers() -> Iterator[None]:
    # On the class: with Playwright's event loop running, Django hands out a connection per
    # async context, so the connection that flushes is not the one seen here.
    operations = type(connection.ops)
    original = operations.execute_sql_flush

    def execute_sql_flush(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
        vendor = self.connection.vendor
        if vendor == "postgresql":
            sql_list = ["SET LOCAL session_replication_role = replica", *sql_list]
        elif vendor == "sqlite":
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
                triggers = cursor.fetchall()
            drops = [f"DROP TRIGGER {self.quote_name(name)}" for name, _sql in triggers]
            sql_list = [*drops, *sql_list, *(sql for _name, sql in triggers)]
        original(self, sql_list)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(operations, "execute_sql_flush", execute_sql_flush)
        yield
