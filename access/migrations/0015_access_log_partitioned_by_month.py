"""PostgreSQL: the access log becomes a table partitioned by month (see ``access/partitions.py``).

The table is made again as a partitioned table with the same columns, indexes, triggers and
identity, the rows are copied month by month into their partitions, and the old table goes.
A partitioned table's primary key must hold the partition key, so the key becomes
``(id, occurred_at)``; ``id`` alone stays unique in practice (one identity sequence), and
Django still addresses rows by ``id``.

A foreign key can not point at ``id`` alone any more, so the log-review samples' link to
their rows loses its database constraint. The rows it points at are append-only and never
deleted by the application, so the constraint guarded nothing that can happen; a month
dropped by the owner role past its retention takes its samples' links with it in meaning.

The copy holds an exclusive lock on the log for its duration: on a large installation, run
this migration in a maintenance window (docs/operations.md).

SQLite keeps its single table, its constraint and its triggers: altering the link there would
rebuild the samples' table and drop its append-only triggers (migration 0009).
"""

from django.db import migrations, models

TABLE = "access_accesslog"
NEW = "access_accesslog_partitioned"
DEFAULT = "access_accesslog_default"
FUNCTION = "access_log_ensure_partitions"
COUNT = "access_log_rows_in_default"
ENTRIES = "access_logreviewsample_entries"

# Creates the missing months from first_month to months_ahead months after the current one
# and returns their names. Owned by the role that migrates and run with its rights, so that
# the application's role (which owns nothing) can keep the months coming. The months are UTC.
# A month whose rows already sit in the default partition is skipped: PostgreSQL refuses to
# create a partition over rows that the default holds.
ENSURE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(first_month date, months_ahead integer)
RETURNS SETOF text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path FROM CURRENT
SET timezone TO 'UTC'
AS $$
DECLARE
    month date := date_trunc('month', COALESCE(first_month, now()::date))::date;
    last_month date := (date_trunc('month', now()) + make_interval(months => months_ahead))::date;
    partition_name text;
BEGIN
    IF months_ahead < 0 OR months_ahead > 24 THEN
        RAISE EXCEPTION 'months_ahead must be between 0 and 24';
    END IF;
    -- One caller at a time: two creating the same month would fail on the second.
    PERFORM pg_advisory_xact_lock(hashtext('{FUNCTION}'));
    WHILE month <= last_month LOOP
        partition_name := '{TABLE}_' || to_char(month, 'YYYY_MM');
        IF to_regclass(partition_name) IS NULL AND NOT EXISTS (
            SELECT 1 FROM {DEFAULT}
            WHERE occurred_at >= month::timestamptz
              AND occurred_at < (month + interval '1 month')::timestamptz
        ) THEN
            EXECUTE format(
                'CREATE TABLE %I PARTITION OF {TABLE} FOR VALUES FROM (%L) TO (%L)',
                partition_name,
                month::timestamptz,
                (month + interval '1 month')::timestamptz
            );
            RETURN NEXT partition_name;
        END IF;
        month := (month + interval '1 month')::date;
    END LOOP;
END;
$$;
REVOKE ALL ON FUNCTION {FUNCTION}(date, integer) FROM PUBLIC;
"""
# The rows no month holds, for the periodic command's warning: the application's role may not
# read the default partition itself (only the log as a whole).
COUNT_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {COUNT}() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $$ SELECT count(*) FROM {DEFAULT} $$;
REVOKE ALL ON FUNCTION {COUNT}() FROM PUBLIC;
"""


def _definitions(cursor) -> list[str]:
    """What the log's next table must have again, under the same names: the plain indexes
    (the primary key is made anew) and the append-only triggers (not the copies that
    PostgreSQL keeps on each month: tgparentid = 0). A partitioned table's index reads
    "ON ONLY", which would make it without its months' indexes on a plain table."""
    cursor.execute(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = %s AND indexname <> 'access_accesslog_pkey' "
        "UNION ALL SELECT pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgparentid = 0",
        [TABLE, TABLE],
    )
    return sorted(definition.replace(" ON ONLY ", " ON ") for (definition,) in cursor.fetchall())


def partition(_apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        definitions = _definitions(cursor)
        cursor.execute(f"SELECT min(occurred_at) FROM {TABLE}")  # noqa: S608
        (oldest,) = cursor.fetchone()
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        # The link from the samples can not point at a partitioned table's "id" alone.
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND confrelid = %s::regclass AND contype = 'f'",
            [ENTRIES, TABLE],
        )
        statements = [
            *(f'ALTER TABLE {ENTRIES} DROP CONSTRAINT "{name}"' for (name,) in cursor.fetchall()),
            f"CREATE TABLE {NEW} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING STORAGE) PARTITION BY RANGE (occurred_at)",
            f"CREATE TABLE {DEFAULT} PARTITION OF {NEW} DEFAULT",
        ]
        for statement in statements:
            cursor.execute(statement)
        # The months are made while the new table has its temporary name.
        cursor.execute(ENSURE_FUNCTION.replace(f"PARTITION OF {TABLE}", f"PARTITION OF {NEW}"))
        cursor.execute(
            f"SELECT {FUNCTION}(%s, 3)",
            [oldest.date() if oldest else None],
        )
        cursor.execute(f"INSERT INTO {NEW} SELECT * FROM {TABLE} ORDER BY occurred_at")  # noqa: S608
        cursor.execute(f"DROP TABLE {TABLE}")
        cursor.execute(f"ALTER TABLE {NEW} RENAME TO {TABLE}")
        cursor.execute(f"ALTER SEQUENCE {NEW}_id_seq RENAME TO {TABLE}_id_seq")
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT access_accesslog_pkey "
            "PRIMARY KEY (id, occurred_at)"
        )
        for definition in definitions:
            cursor.execute(definition)
        # The function again, now naming the table under its own name.
        cursor.execute(ENSURE_FUNCTION)
        cursor.execute(COUNT_FUNCTION)
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {TABLE}), false)",  # noqa: S608
            [TABLE],
        )
        # The new tables have no statistics until autovacuum comes by, and the log review's
        # plans without them took 0.28 s instead of 0.03 s on Leksand's log. (Autovacuum never
        # analyses a partitioned table as a whole, only its months.)
        cursor.execute(f"ANALYZE {TABLE}")


def unpartition(_apps, schema_editor) -> None:
    """Back to one table (the rows copied), with the samples' constraint again."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        definitions = _definitions(cursor)
        statements = [
            f"CREATE TABLE {NEW} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING STORAGE)",
            f"INSERT INTO {NEW} SELECT * FROM {TABLE} ORDER BY id",  # noqa: S608
            f"DROP TABLE {TABLE}",
            f"DROP FUNCTION IF EXISTS {FUNCTION}(date, integer)",
            f"DROP FUNCTION IF EXISTS {COUNT}()",
            f"ALTER TABLE {NEW} RENAME TO {TABLE}",
            f"ALTER SEQUENCE {NEW}_id_seq RENAME TO {TABLE}_id_seq",
            f"ALTER TABLE {TABLE} ADD CONSTRAINT access_accesslog_pkey PRIMARY KEY (id)",
        ]
        for statement in statements:
            cursor.execute(statement)
        for definition in definitions:
            cursor.execute(definition)
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {TABLE}), false)",  # noqa: S608
            [TABLE],
        )
        cursor.execute(
            f"ALTER TABLE {ENTRIES} ADD CONSTRAINT {ENTRIES}_accesslog_id_fk FOREIGN KEY (accesslog_id) "
            f"REFERENCES {TABLE} (id) DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(f"ANALYZE {TABLE}")


class Migration(migrations.Migration):
    # The copy and the new indexes are one transaction with the rest (PostgreSQL's DDL is
    # transactional): a failure leaves the old table as it was.
    dependencies = [("access", "0014_access_log_without_foreign_key_checks")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="logreviewsample",
                    name="entries",
                    field=models.ManyToManyField(
                        db_constraint=False, related_name="+", to="access.accesslog"
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(partition, unpartition)],
        ),
    ]
