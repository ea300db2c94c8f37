"""Give the application's PostgreSQL role what it needs, and nothing that could rewrite the logs.

Run as the role that owns the tables (the one that runs ``migrate``), after every ``migrate``:

    manage.py grant_app_role --role samverkan_app

The application then connects as ``samverkan_app``. On the log tables that role may only read
and append: no UPDATE, DELETE, TRUNCATE or TRIGGER, so even a compromised application cannot
rewrite the evidence, and since it owns nothing it cannot drop or disable the triggers either.
The one exception is the review of a log-review sample, which is an UPDATE of three columns;
the database triggers (migration ``access/0009``) allow it once per sample. Everywhere else the
role gets ordinary read and write access, and on a partitioned access log the right to call
the functions that make its coming months and count its stray rows (access/partitions.py),
none on the months. Running the command again changes nothing; it also takes back privileges
on the log tables that someone granted by hand.

After granting, the command checks the role's effective privileges (including those it gets
through PUBLIC or through roles it belongs to) and fails if any forbidden one remains.
``--check`` only runs that check. See docs/operations-security.md.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

from access.models import AccessLog, AuditEvent, LogReviewSample
from access.partitions import COUNT_FUNCTION, partitioned
from access.partitions import FUNCTION as ENSURE_FUNCTION

# The privileges that would let the role rewrite history. TRIGGER would let it add a trigger
# that changes rows on their way in; the owner's own rights (ALTER, DROP, DISABLE TRIGGER) are
# out of reach because the role owns nothing.
FORBIDDEN = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER")
# Ordinary tables: what a Django application does with its data.
ORDINARY = "SELECT, INSERT, UPDATE, DELETE"
# Django's migration history is written by migrate (the owner), only read by the application.
READ_ONLY_TABLES = ("django_migrations",)
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class LogTable:
    """A log table and the columns the application may update in it (none for most)."""

    name: str
    updatable_columns: tuple[str, ...] = ()


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field.column


def log_tables() -> list[LogTable]:
    """The append-only tables, named from the models so a renamed table cannot slip out."""
    sample = LogReviewSample._meta
    review_columns = tuple(
        _column(LogReviewSample, name) for name in ("reviewed_at", "reviewed_by", "comment")
    )
    entries = LogReviewSample.entries.through._meta.db_table
    return [
        LogTable(AccessLog._meta.db_table),
        LogTable(AuditEvent._meta.db_table),
        LogTable(entries),
        LogTable(sample.db_table, review_columns),
    ]


def grant_statements(
    *, connection: BaseDatabaseWrapper, role: str, schema: str, tables: list[str]
) -> list[str]:
    """The GRANT/REVOKE statements for ``role``, given every table in ``schema``."""
    quote = connection.ops.quote_name
    grantee = quote(role)
    logs = {table.name: table for table in log_tables()}
    statements = [f"GRANT USAGE ON SCHEMA {quote(schema)} TO {grantee}"]
    for table in sorted(tables):
        name = quote(table)
        log = logs.get(table)
        if log is None:
            privileges = "SELECT" if table in READ_ONLY_TABLES else ORDINARY
            statements.append(f"GRANT {privileges} ON TABLE {name} TO {grantee}")
            continue
        # REVOKE ALL also takes back column privileges. PUBLIC has none on tables by default;
        # one granted by hand would reach the application role too.
        statements.append(f"REVOKE ALL ON TABLE {name} FROM PUBLIC, {grantee}")
        statements.append(f"GRANT SELECT, INSERT ON TABLE {name} TO {grantee}")
        if log.updatable_columns:
            columns = ", ".join(quote(column) for column in log.updatable_columns)
            statements.append(f"GRANT UPDATE ({columns}) ON TABLE {name} TO {grantee}")
    # Inserting draws ids from the tables' sequences; no UPDATE, so no setval().
    statements.append(
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quote(schema)} TO {grantee}"
    )
    if partitioned(connection.alias):
        # The periodic command makes the access log's coming months through this function,
        # which runs with the owner's rights (access/partitions.py); the role may call it, and
        # gets no privilege on the months themselves (it reads and writes through the log).
        statements += [
            f"GRANT EXECUTE ON FUNCTION {quote(ENSURE_FUNCTION)}(date, integer) TO {grantee}",
            f"GRANT EXECUTE ON FUNCTION {quote(COUNT_FUNCTION)}() TO {grantee}",
        ]
    return statements


def role_refusals(*, connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """Why ``role`` can not be made a safe application role by grants alone (empty if it can):
    it does not exist, it is a superuser, it is the role running this, or it owns a log table
    or has its owner's rights, so it could drop or disable the triggers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            return [f"the role {role} does not exist; create it first (CREATE ROLE ... LOGIN)"]
        if row[0]:
            return [f"{role} is a superuser: it bypasses every privilege and every trigger"]
        cursor.execute("SELECT current_user")
        if cursor.fetchone()[0] == role:
            return [f"{role} is the role running this command; run it as the owner role"]
        refusals = []
        for table in log_tables():
            cursor.execute(
                "SELECT pg_get_userbyid(relowner), pg_has_role(%s, relowner, 'USAGE') "
                "FROM pg_class WHERE oid = %s::regclass",
                [role, table.name],
            )
            owner, has_owner_rights = cursor.fetchone()
            if has_owner_rights:
                refusals.append(
                    f"{role} owns {table.name} or has the rights of its owner {owner}, so it "
                    "could drop or disable the triggers"
                )
        return refusals


def privilege_problems(*, connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """What is wrong with ``role`` as the application's role: the refusals above, any
    forbidden privilege it has on a log table (also through PUBLIC or a role it belongs to),
    and any privilege the application needs there that it lacks. Empty when all is well."""
    problems = role_refusals(connection=connection, role=role)
    if problems:
        return problems
    with connection.cursor() as cursor:

        def has(privilege: str, table: str) -> bool:
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, table, privilege])
            return bool(cursor.fetchone()[0])

        for table in log_tables():
            # Column privileges count too: only the review's columns may be updatable.
            cursor.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attnum > 0 AND NOT attisdropped "
                "AND has_column_privilege(%s, attrelid, attnum, 'UPDATE') ORDER BY attnum",
                [table.name, role],
            )
            updatable = [name for (name,) in cursor.fetchall()]
            extra = [name for name in updatable if name not in table.updatable_columns]
            if extra:
                problems.append(f"{role} may UPDATE {table.name} ({', '.join(extra)})")
            problems += [
                f"{role} may {privilege} {table.name}"
                for privilege in FORBIDDEN
                if privilege != "UPDATE" and has(privilege, table.name)
            ]
            problems += [
                f"{role} may not {privilege} {table.name}, which the application needs"
                for privilege in ("SELECT", "INSERT")
                if not has(privilege, table.name)
            ]
    return problems


class Command(BaseCommand):
    help = (
        "PostgreSQL only: grant the application's database role ordinary access to every table, "
        "but only SELECT and INSERT on the access log, the audit events and the log-review "
        "samples (plus recording a sample's review). Run as the owner role after every migrate; "
        "idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--role",
            required=True,
            help="The role the application connects as, e.g. samverkan_app.",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database alias (default: default)."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; only check that the role cannot rewrite the log tables.",
        )
        parser.add_argument(
            "--sql",
            action="store_true",
            help="Change nothing; print the GRANT and REVOKE statements for a DBA to run.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        role: str = options["role"]
        if connection.vendor != "postgresql":
            # Not an error: on SQLite (development, the demo) there are no roles, and the
            # append-only triggers are the protection. A deploy script may call this anyway.
            self.stdout.write(
                f"grant_app_role does nothing on {connection.vendor}: database roles exist only "
                "on PostgreSQL. The log tables are protected by the triggers of migration "
                "access/0009."
            )
            return
        if not ROLE_NAME.match(role):
            raise CommandError(
                "Give a plain role name: lower-case letters, digits and underscores."
            )
        if not options["check"]:
            if options["sql"]:
                for statement in self._statements(connection, role)[0]:
                    self.stdout.write(f"{statement};")
                return
            self._grant(connection, role)
        self._check(connection, role)

    def _statements(
        self, connection: BaseDatabaseWrapper, role: str
    ) -> tuple[list[str], list[str]]:
        """The GRANT and REVOKE statements for the role, and the tables they cover."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            (schema,) = cursor.fetchone()
            tables = connection.introspection.table_names(cursor)
        statements = grant_statements(
            connection=connection, role=role, schema=schema, tables=tables
        )
        return statements, tables

    def _grant(self, connection: BaseDatabaseWrapper, role: str) -> None:
        """Run the statements, unless the role is one that grants can not make safe."""
        statements, tables = self._statements(connection, role)
        refusals = role_refusals(connection=connection, role=role)
        if refusals:
            raise CommandError("; ".join(refusals) + ".")
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"Granted {role} access to {len(tables)} tables.")

    def _check(self, connection: BaseDatabaseWrapper, role: str) -> None:
        """Fail if the role can still change the log tables; otherwise say what it may do."""
        problems = privilege_problems(connection=connection, role=role)
        if problems:
            raise CommandError(
                "The role can still change the logs: "
                + "; ".join(problems)
                + ". Look for grants to PUBLIC or to roles it belongs to."
            )
        for table in log_tables():
            allowed = "SELECT, INSERT"
            if table.updatable_columns:
                allowed += f", UPDATE ({', '.join(table.updatable_columns)}) once per review"
            self.stdout.write(f"{table.name}: {allowed}")
        self.stdout.write(
            self.style.SUCCESS(f"{role} cannot UPDATE, DELETE, TRUNCATE or TRIGGER the log tables.")
        )
