"""The access log's monthly partitions on PostgreSQL (migration ``access/0015``).

At national scale the log grows by about 150 million rows a year (PERFORMANCE.md). Split by
month, each month is a table of its own: its indexes stay the size of a month, a query for a
period reads only the months it covers, and a month past its retention can go with one
``DROP TABLE`` by the owner role, where a DELETE of the rows would be refused by the
append-only triggers (and should be).

The months are in UTC. ``access_accesslog_default`` takes any row that no month covers, so
that writing the log never fails because a month is missing; the periodic command
``access_log_partitions`` creates the coming months ahead of time so that it stays empty. A
month whose rows are already in the default partition is left there: PostgreSQL can not
create a partition over rows that the default holds, and moving them would need the DELETE
that the triggers refuse. The command says so, and the rows are read as any others.

The months are made by the database function ``access_log_ensure_partitions``, which runs with
its owner's rights (SECURITY DEFINER): the application's role owns nothing and may not create
tables (``grant_app_role``), yet its periodic command keeps the months coming. For the same
reason ``access_log_rows_in_default`` counts the default partition's rows for it.

SQLite (the demo, the fast tests) has one plain table: the portable fallback.
"""

import datetime
import re
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections

from access.models import AccessLog

# How many months after the current one have their partition ready.
MONTHS_AHEAD = 3
FUNCTION = "access_log_ensure_partitions"
COUNT_FUNCTION = "access_log_rows_in_default"
DEFAULT_PARTITION = f"{AccessLog._meta.db_table}_default"
_BOUNDS = re.compile(r"FROM \('([^']+)'\) TO \('([^']+)'\)")


@dataclass(frozen=True)
class Partition:
    name: str
    # None for the default partition.
    start: datetime.datetime | None
    end: datetime.datetime | None
    # The planner's estimate, from the last ANALYZE (-1 or 0 when never analysed).
    estimated_rows: int


def partitioned(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the access log is split by month here (PostgreSQL after ``access/0015``)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass)",
            [AccessLog._meta.db_table],
        )
        return bool(cursor.fetchone()[0])


def ensure_partitions(
    *,
    first_month: datetime.date | None = None,
    months_ahead: int = MONTHS_AHEAD,
    using: str = DEFAULT_DB_ALIAS,
) -> list[str]:
    """Create the months from ``first_month`` (default: the current month) to
    ``months_ahead`` months after the current one that have no partition yet; return their
    names. Safe to run at any time, twice, and in parallel (the function takes a lock)."""
    if not partitioned(using):
        return []
    first = (first_month or datetime.datetime.now(tz=datetime.UTC).date()).replace(day=1)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT name FROM {FUNCTION}(%s, %s) AS name", [first, months_ahead])  # noqa: S608
        return [name for (name,) in cursor.fetchall()]


def partitions(using: str = DEFAULT_DB_ALIAS) -> list[Partition]:
    """The log's partitions, oldest month first and the default partition last."""
    if not partitioned(using):
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples::bigint "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [AccessLog._meta.db_table],
        )
        rows = cursor.fetchall()
    found = []
    for name, bound, estimate in rows:
        # "FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00')", or
        # "DEFAULT" for the default partition.
        limits = _BOUNDS.search(bound)
        start, end = (
            (datetime.datetime.fromisoformat(limits[1]), datetime.datetime.fromisoformat(limits[2]))
            if limits
            else (None, None)
        )
        found.append(Partition(name, start, end, max(int(estimate), 0)))
    far_future = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return sorted(found, key=lambda partition: partition.start or far_future)


def rows_in_default(using: str = DEFAULT_DB_ALIAS) -> int:
    """Rows that no month covers (0 when the months are made in time)."""
    if not partitioned(using):
        return 0
    with connections[using].cursor() as cursor:
        # Through a function with the owner's rights: the application's role may not read the
        # default partition itself.
        cursor.execute(f"SELECT {COUNT_FUNCTION}()")
        return int(cursor.fetchone()[0])
