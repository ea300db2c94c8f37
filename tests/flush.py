"""Let pytest-django empty the append-only tables after a transactional test.

Tests that need committed data (the live server, threads with their own connections) use a
transactional database that pytest-django empties after each test (TRUNCATE on PostgreSQL,
DELETE on SQLite). The access log's triggers refuse both, as they should for the application.
For the flush only, triggers are switched off: on PostgreSQL with
``session_replication_role = replica`` for the flush transaction (the test database user is a
superuser), on SQLite by dropping the triggers and creating them again in the same transaction.

On PostgreSQL the flush also deletes the rows instead of truncating the tables: TRUNCATE makes
new files for each of the hundred-odd tables and their indexes, which took 5 to 9 seconds after
every browser test; a DELETE of a test's few rows takes a fraction of a second. With the
triggers off for the flush (foreign key checks included) the order of the tables does not
matter, and TRUNCATE without RESTART IDENTITY leaves the sequences alone just as DELETE does.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest
from django.core.management.color import Style
from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations


@contextmanager
def flush_past_append_only_triggers() -> Iterator[None]:
    # On the class: with Playwright's event loop running, Django hands out a connection per
    # async context, so the connection that flushes is not the one seen here.
    operations = type(connection.ops)
    original = operations.execute_sql_flush
    original_sql_flush = operations.sql_flush

    def sql_flush(
        self: BaseDatabaseOperations,
        style: Style,
        tables: Sequence[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if self.connection.vendor != "postgresql" or reset_sequences or allow_cascade:
            return original_sql_flush(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [f"DELETE FROM {self.quote_name(table)};" for table in tables]  # noqa: S608

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
        patch.setattr(operations, "sql_flush", sql_flush)
        yield
