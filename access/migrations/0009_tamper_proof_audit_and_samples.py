"""Close the last ways to rewrite the records of what happened, on PostgreSQL and on SQLite.

0003 refuses UPDATE and DELETE on the access log. That left three holes:

* On SQLite, ``INSERT OR REPLACE`` / ``REPLACE INTO`` with an existing id rewrites a row: the
  REPLACE conflict resolution deletes the old row without firing delete triggers (unless the
  connection has ``recursive_triggers`` on, which an attacker's connection would not). A
  ``BEFORE INSERT`` trigger runs before the conflict is resolved, so it refuses an insert over an
  existing row — by id, or by any other unique key of the table.
* The audit events and the entries of the log-review samples had no protection at all.
* A log-review sample could be deleted, or its review changed after the fact.

The rules now, on both databases:

* ``access_accesslog``, ``access_auditevent``, ``access_logreviewsample_entries``: append-only.
  No UPDATE, no DELETE, no TRUNCATE (PostgreSQL), no insert over an existing row (SQLite).
  No entries are added to a sample that has been reviewed (what was reviewed stays what it was).
* ``access_logreviewsample``: no DELETE, no TRUNCATE, no insert over an existing row; the one
  UPDATE allowed records the review (``reviewed_at``, ``reviewed_by_id``, ``comment``) of a sample
  that has none yet, and must set who and when. A review is recorded once and never changed.

On PostgreSQL, ``INSERT ... ON CONFLICT DO UPDATE`` is an UPDATE of the existing row, which the
row triggers refuse; PostgreSQL has no REPLACE. The database role the application connects as
should also lack UPDATE, DELETE, TRUNCATE and TRIGGER on these tables: see the
``grant_app_role`` command and docs/operations-security.md.
"""

from django.db import migrations

ACCESS_LOG = "access_accesslog"
AUDIT = "access_auditevent"
SAMPLE = "access_logreviewsample"
ENTRIES = "access_logreviewsample_entries"

# The columns the review writes; every other column of a sample is fixed once it is drawn.
SAMPLE_FIXED_COLUMNS = ("id", "municipality_id", "month", "created_at", "created_by_id")


def _fixed_column_changed(differs: str) -> str:
    """``differs`` is the vendor's null-safe "not equal": NULL to a value is a change too."""
    return " OR ".join(f"NEW.{column} {differs} OLD.{column}" for column in SAMPLE_FIXED_COLUMNS)


POSTGRES_UP = [
    # One function for every table: the message names the table and the operation. The name
    # says "append-only" so the error is recognisable wherever it surfaces.
    """
    CREATE OR REPLACE FUNCTION access_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% rows are append-only (% refused)', TG_TABLE_NAME, TG_OP;
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE OR REPLACE FUNCTION access_sample_review_once() RETURNS trigger AS $$
    BEGIN
        IF OLD.reviewed_at IS NOT NULL THEN
            RAISE EXCEPTION '% rows are append-only (a review is recorded once)', TG_TABLE_NAME;
        END IF;
        IF {_fixed_column_changed("IS DISTINCT FROM")} THEN
            RAISE EXCEPTION '% rows are append-only (only the review may be added)', TG_TABLE_NAME;
        END IF;
        IF NEW.reviewed_at IS NULL OR NEW.reviewed_by_id IS NULL THEN
            RAISE EXCEPTION '% rows are append-only (a review needs its time and reviewer)',
                TG_TABLE_NAME;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE OR REPLACE FUNCTION access_sample_entry_unreviewed() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM {SAMPLE} WHERE id = NEW.logreviewsample_id AND reviewed_at IS NOT NULL
        ) THEN
            RAISE EXCEPTION '% rows are append-only (the sample has been reviewed)',
                TG_TABLE_NAME;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    *(
        statement
        for table in (AUDIT, ENTRIES)
        for statement in (
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION access_refuse_change();""",
            f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION access_refuse_change();""",
        )
    ),
    f"""CREATE TRIGGER {ENTRIES}_unreviewed BEFORE INSERT ON {ENTRIES}
        FOR EACH ROW EXECUTE FUNCTION access_sample_entry_unreviewed();""",
    f"""CREATE TRIGGER {SAMPLE}_no_delete BEFORE DELETE ON {SAMPLE}
        FOR EACH ROW EXECUTE FUNCTION access_refuse_change();""",
    f"""CREATE TRIGGER {SAMPLE}_no_truncate BEFORE TRUNCATE ON {SAMPLE}
        FOR EACH STATEMENT EXECUTE FUNCTION access_refuse_change();""",
    f"""CREATE TRIGGER {SAMPLE}_review_once BEFORE UPDATE ON {SAMPLE}
        FOR EACH ROW EXECUTE FUNCTION access_sample_review_once();""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS {SAMPLE}_review_once ON {SAMPLE};",
    f"DROP TRIGGER IF EXISTS {SAMPLE}_no_truncate ON {SAMPLE};",
    f"DROP TRIGGER IF EXISTS {SAMPLE}_no_delete ON {SAMPLE};",
    f"DROP TRIGGER IF EXISTS {ENTRIES}_unreviewed ON {ENTRIES};",
    *(
        statement
        for table in (AUDIT, ENTRIES)
        for statement in (
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        )
    ),
    "DROP FUNCTION IF EXISTS access_sample_entry_unreviewed();",
    "DROP FUNCTION IF EXISTS access_sample_review_once();",
    "DROP FUNCTION IF EXISTS access_refuse_change();",
]


def _sqlite_refuse(table: str, message: str) -> str:
    # RAISE(ABORT) makes SQLite report a constraint failure, which Django raises as an
    # IntegrityError (a DatabaseError), as for the access log's triggers in 0003.
    return f"SELECT RAISE(ABORT, '{table} rows are append-only ({message})');"


def _sqlite_no_overwrite(table: str, unique_columns: tuple[tuple[str, ...], ...]) -> str:
    """A BEFORE INSERT trigger refusing an insert that would collide with an existing row on
    the id or on another unique key: with REPLACE conflict resolution that row would be
    deleted without its delete trigger firing."""
    collisions = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} WHERE "
        + " AND ".join(f"{column} = NEW.{column}" for column in columns)
        + ")"
        for columns in unique_columns
    )
    return f"""CREATE TRIGGER {table}_no_overwrite BEFORE INSERT ON {table}
        WHEN {collisions}
        BEGIN {_sqlite_refuse(table, "INSERT over an existing row refused")} END;"""


def _sqlite_append_only(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN {_sqlite_refuse(table, "UPDATE refused")} END;""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN {_sqlite_refuse(table, "DELETE refused")} END;""",
    ]


SQLITE_UP = [
    _sqlite_no_overwrite(ACCESS_LOG, (("id",),)),
    _sqlite_no_overwrite(AUDIT, (("id",),)),
    _sqlite_no_overwrite(ENTRIES, (("id",), ("logreviewsample_id", "accesslog_id"))),
    _sqlite_no_overwrite(SAMPLE, (("id",), ("municipality_id", "month"))),
    *_sqlite_append_only(AUDIT),
    *_sqlite_append_only(ENTRIES),
    f"""CREATE TRIGGER {ENTRIES}_unreviewed BEFORE INSERT ON {ENTRIES}
        WHEN EXISTS (
            SELECT 1 FROM {SAMPLE} WHERE id = NEW.logreviewsample_id AND reviewed_at IS NOT NULL
        )
        BEGIN {_sqlite_refuse(ENTRIES, "the sample has been reviewed")} END;""",
    f"""CREATE TRIGGER {SAMPLE}_no_delete BEFORE DELETE ON {SAMPLE}
        BEGIN {_sqlite_refuse(SAMPLE, "DELETE refused")} END;""",
    f"""CREATE TRIGGER {SAMPLE}_review_once BEFORE UPDATE ON {SAMPLE}
        WHEN OLD.reviewed_at IS NOT NULL
            OR {_fixed_column_changed("IS NOT")}
            OR NEW.reviewed_at IS NULL OR NEW.reviewed_by_id IS NULL
        BEGIN {_sqlite_refuse(SAMPLE, "a review is recorded once, and only the review")} END;""",
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        f"{SAMPLE}_review_once",
        f"{SAMPLE}_no_delete",
        f"{ENTRIES}_unreviewed",
        f"{ENTRIES}_no_delete",
        f"{ENTRIES}_no_update",
        f"{AUDIT}_no_delete",
        f"{AUDIT}_no_update",
        f"{SAMPLE}_no_overwrite",
        f"{ENTRIES}_no_overwrite",
        f"{AUDIT}_no_overwrite",
        f"{ACCESS_LOG}_no_overwrite",
    )
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            # No parameters: the PL/pgSQL bodies have literal "%" that must not be taken for
            # placeholders.
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("access", "0008_calendar_feed_event_types")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        )
    ]
