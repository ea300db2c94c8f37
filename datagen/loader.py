"""Bulk loading of generated rows, with the content hash computed on the way.

Every row is turned into one line of PostgreSQL's COPY text format (tab-separated, ``\\N`` for
NULL, ``t``/``f`` for booleans, ISO times in UTC). Those lines are hashed per table as they are
written, so the content hash never depends on reading the database back, on the database
engine or on batch sizes. On PostgreSQL the same lines are sent with ``COPY … FROM STDIN``;
on SQLite (tests, laptops) the rows are inserted with ``executemany`` in batches, each value
prepared by its model field as the ORM would.

Ids are given explicitly (:meth:`Loader.next_ids`) so that foreign keys can be written
without reading anything back; :meth:`Loader.finish` moves the sequences past them.
"""

import datetime
import enum
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Max, Model

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
BATCH_ROWS = 20_000


def _text_of_str(value: str) -> str:
    # Most values need no escape; four scans in C are cheaper than translate().
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def _text_of_datetime(value: datetime.datetime) -> str:
    # Aware times only: a naive one would be read in the server's zone.
    if value.tzinfo is datetime.UTC:
        return value.isoformat()
    if value.tzinfo is None:
        raise ValueError("Generated times must be aware.")
    return value.astimezone(datetime.UTC).isoformat()


def _text_of_json(value: Any) -> str:
    return _text_of_str(json.dumps(value, sort_keys=True, ensure_ascii=False))


_TEXT: dict[type, Callable[[Any], str]] = {
    str: _text_of_str,
    int: str,
    float: repr,
    bool: lambda value: "t" if value else "f",
    type(None): lambda _value: "\\N",
    datetime.datetime: _text_of_datetime,
    datetime.date: datetime.date.isoformat,
    datetime.time: datetime.time.isoformat,
    uuid.UUID: str,
    dict: _text_of_json,
    list: _text_of_json,
}


def _text_of_other(value: Any) -> str:
    # Choices members (str or int enums) are written as their plain value.
    if isinstance(value, enum.Enum):
        plain = _TEXT[type(value.value)]
        _TEXT[type(value)] = lambda member: plain(member.value)  # remembered per enum type
        return plain(value.value)
    raise TypeError(f"No COPY text for {type(value).__name__}.")


def copy_line(row: Sequence[Any]) -> str:
    """One row in COPY text format, newline included (also what is hashed)."""
    return "\t".join([_TEXT.get(type(value), _text_of_other)(value) for value in row]) + "\n"


class Table:
    """The rows of one table waiting to be written, and the hash of all its rows so far.
    ``parents``: tables its foreign keys point to, flushed first so a batch never refers to
    a row not yet in the database."""

    def __init__(self, loader: "Loader", model: type[Model], columns: Sequence[str]) -> None:
        self.loader = loader
        self.model = model
        self.db_table = model._meta.db_table
        self.columns = list(columns)
        by_column = {field.column: field for field in model._meta.concrete_fields}
        self.fields = [by_column[column] for column in self.columns]
        self.lines: list[str] = []
        self.rows: list[Sequence[Any]] = []
        self.hasher = hashlib.sha256()
        self.count = 0
        self.parents: list[Table] = []

    def add(self, row: Sequence[Any]) -> None:
        """Queue one row (values in ``columns`` order); written in batches."""
        self.lines.append(copy_line(row))
        if not self.loader.is_postgresql:
            self.rows.append(row)
        if len(self.lines) >= self.loader.batch_rows:
            self.flush()

    def add_many(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        """Write the queued rows (after the queued rows of the parent tables)."""
        if not self.lines:
            return
        for parent in self.parents:
            parent.flush()
        text = "".join(self.lines)
        self.hasher.update(text.encode())
        self.count += len(self.lines)
        if self.loader.is_postgresql:
            self._copy(text)
        else:
            self._insert()
        self.lines.clear()
        self.rows.clear()

    def _copy(self, text: str) -> None:
        columns = ", ".join(f'"{column}"' for column in self.columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f'COPY "{self.db_table}" ({columns}) FROM STDIN') as copy:
                copy.write(text)

    def _insert(self) -> None:
        columns = ", ".join(f'"{column}"' for column in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        prepared = [
            [
                field.get_db_prep_save(value, connection) if value is not None else None
                for field, value in zip(self.fields, row, strict=True)
            ]
            for row in self.rows
        ]
        with connection.cursor() as cursor:
            # Table and column names come from the models, never from input.
            sql = f'INSERT INTO "{self.db_table}" ({columns}) VALUES ({marks})'  # noqa: S608
            cursor.executemany(sql, prepared)


class Loader:
    """The tables being generated, in the fixed order their hashes are combined."""

    def __init__(self, *, batch_rows: int = BATCH_ROWS) -> None:
        self.is_postgresql = connection.vendor == "postgresql"
        self.batch_rows = batch_rows
        self.tables: dict[str, Table] = {}
        self._next_id: dict[str, int] = {}
        self._deferred_indexes: list[str] = []
        self._deferred_keys: list[str] = []

    def table(
        self, model: type[Model], columns: Sequence[str], parents: Sequence[Table] = ()
    ) -> Table:
        """The table of ``model`` (created on first use, with these columns)."""
        label = model._meta.label
        if label not in self.tables:
            self.tables[label] = Table(self, model, columns)
        table = self.tables[label]
        table.parents.extend(parent for parent in parents if parent not in table.parents)
        return table

    def next_ids(self, model: type[Model], count: int) -> range:
        """``count`` fresh primary keys for ``model``, after any row already there (on a fresh
        database they start at 1, which keeps the content hash the same run after run)."""
        label = model._meta.label
        if label not in self._next_id:
            highest = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
            self._next_id[label] = highest + 1
        start = self._next_id[label]
        self._next_id[label] = start + count
        return range(start, start + count)

    def next_id(self, model: type[Model]) -> int:
        return self.next_ids(model, 1)[0]

    def flush(self) -> None:
        for table in self.tables.values():
            table.flush()

    def defer_indexes(self, models: Sequence[type[Model]]) -> None:
        """PostgreSQL: drop the plain indexes and the foreign keys of these tables (not the
        primary keys, unique constraints or anything else a constraint owns) until
        :meth:`finish` makes them again from their saved definitions. Keeping 27 indexes of
        the reports up to date row by row costs far more than building them once, and a
        foreign key checks each written row with a lookup (the reports have 14), where adding
        it afterwards checks all rows in one join. The schema ends as it began."""
        if not self.is_postgresql:
            return
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                # Inside a transaction (the tests) earlier rows' foreign-key checks are still
                # queued, and PostgreSQL alters no table with queued checks: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for model in models:
                table = model._meta.db_table
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    self._deferred_keys.append(
                        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
                    )
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                    "WHERE i.schemaname = current_schema() AND i.tablename = %s "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                    "WHERE c.conname = i.indexname AND c.conrelid = %s::regclass) "
                    "ORDER BY i.indexname",
                    [table, table],
                )
                for name, definition in cursor.fetchall():
                    # A partitioned table's index reads "ON ONLY table", which would make it
                    # again without its partitions' indexes.
                    self._deferred_indexes.append(definition.replace(" ON ONLY ", " ON "))
                    cursor.execute(f'DROP INDEX "{name}"')

    def finish(self) -> None:
        """Write what is queued, make the deferred indexes and foreign keys again (checking
        every row), move every sequence past the ids given, and (PostgreSQL) refresh the
        planner's statistics."""
        self.flush()
        if not self.is_postgresql:
            return  # SQLite's AUTOINCREMENT follows the largest id inserted by itself
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            if self._deferred_indexes and connection.in_atomic_block:
                # Inside a transaction (the tests) the deferred foreign-key checks are still
                # queued, and PostgreSQL builds no index on a table with queued checks: run
                # them now, then defer again as the constraints are declared.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            # Indexes first: adding a foreign key checks its rows with a join that may use them.
            for statement in [*self._deferred_indexes, *self._deferred_keys]:
                cursor.execute(statement)
            self._deferred_indexes.clear()
            self._deferred_keys.clear()
            for table in self.tables.values():
                pk = table.model._meta.pk
                if pk is None or pk.column not in table.columns:
                    continue
                highest = f'SELECT COALESCE(MAX("{pk.column}"), 0) + 1 FROM "{table.db_table}"'  # noqa: S608
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), ({highest}), false)",
                    [table.db_table, pk.column],
                )
            cursor.execute("ANALYZE")

    def counts(self) -> dict[str, int]:
        """Rows written per model label."""
        return {label: table.count for label, table in self.tables.items()}

    def content_hash(self) -> str:
        """sha256 over each table's label, columns and row hash, in the order of first use."""
        total = hashlib.sha256()
        for label, table in self.tables.items():
            total.update(
                f"{label}\t{','.join(table.columns)}\t{table.hasher.hexdigest()}\n".encode()
            )
        return "sha256:" + total.hexdigest()
