"""Make the access log append-only in the database itself, on PostgreSQL and on SQLite.

Application code never updates or deletes log rows; the triggers make sure nothing else can
either (a bug, a shell session, a compromised app account without DDL rights).
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION access_log_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'access log rows are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_accesslog_append_only
    BEFORE UPDATE OR DELETE ON access_accesslog
    FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();
CREATE TRIGGER access_accesslog_no_truncate
    BEFORE TRUNCATE ON access_accesslog
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS access_accesslog_no_truncate ON access_accesslog;
DROP TRIGGER IF EXISTS access_accesslog_append_only ON access_accesslog;
DROP FUNCTION IF EXISTS access_log_refuse_change();
"""
SQLITE_UP = [
    """CREATE TRIGGER access_accesslog_no_update BEFORE UPDATE ON access_accesslog
       BEGIN SELECT RAISE(ABORT, 'access log rows are append-only (UPDATE refused)'); END;""",
    """CREATE TRIGGER access_accesslog_no_delete BEFORE DELETE ON access_accesslog
       BEGIN SELECT RAISE(ABORT, 'access log rows are append-only (DELETE refused)'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS access_accesslog_no_update;",
    "DROP TRIGGER IF EXISTS access_accesslog_no_delete;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        if isinstance(statements, str):
            statements = [statements]
        for statement in statements:
            # No parameters: the PL/pgSQL body has a literal "%" that must not be taken for a
            # placeholder.
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("access", "0002_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        )
    ]
