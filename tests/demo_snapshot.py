"""The demo data for transactional tests, loaded once per test process and copied back after.

Browser tests need the demo committed (the live server reads it from its own thread), so they
use a transactional database that is emptied after each test. Loading the demo takes seconds
(the follow-up's part makes a board report's PDF): 14 s for the follow-up pages, 19 s for the
whole demo, paid again by every test. Instead, the first test that asks for a set of demo
modules loads them as before and copies every table, and the media files, aside; each later
test that asks for the same set (on the same day) gets that copy back with one
``INSERT ... SELECT`` per table. A test starts from exactly the rows the load made, and what it
writes is emptied after it as before.

The copies live next to the test database and go with it: in an attached SQLite file, or in
a schema of PostgreSQL's test database, one per set of modules. Neither is one of Django's
tables, so the flush after each test leaves them alone.
"""

import atexit
import datetime
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction

SQLITE_ALIAS = "demo_snapshots"


@dataclass(frozen=True)
class Snapshot:
    index: int
    tables: tuple[str, ...]  # the tables with rows, copied aside
    media: Path


_snapshots: dict[tuple[str, tuple[str, ...], datetime.date], Snapshot] = {}
_media_dir: Path | None = None


def load_demo(modules: tuple[ModuleType, ...], *, today: datetime.date) -> None:
    """What ``module.load(today=today)`` for each module leaves in the database and the media
    folder, from the copy when this process has loaded the same modules before."""
    if connection.vendor not in {"sqlite", "postgresql"}:
        for module in modules:
            module.load(today=today)
        return
    # The test database's name: a different database (another worker's) has its own copies.
    key = (connection.settings_dict["NAME"], tuple(m.__name__ for m in modules), today)
    snapshot = _snapshots.get(key)
    if snapshot is None:
        for module in modules:
            module.load(today=today)
        _snapshots[key] = _take(len(_snapshots))
    else:
        _restore(snapshot)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _copy_name(index: int, table: str) -> str:
    if connection.vendor == "sqlite":
        return f"{SQLITE_ALIAS}.{_quote(f'k{index}_{table}')}"
    # PostgreSQL cuts names at 63 characters, so each set gets a schema of its own instead of
    # a prefix.
    return f"{_quote(f'demo_snapshot_{index}')}.{_quote(table)}"


def _django_tables() -> list[str]:
    return connection.introspection.django_table_names(only_existing=True, include_views=False)


def _stored_columns(table: str) -> str:
    """The table's columns that take values, quoted: generated columns (the inbox's sort
    keys) are computed by the database and refuse an insert."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table == table:
            return ", ".join(
                _quote(str(field.column))
                for field in model._meta.local_concrete_fields
                if not field.generated
            )
    return ""


def _tables_with_rows(tables: list[str]) -> list[str]:
    if not tables:
        return []
    query = " UNION ALL ".join(
        # Table names from Django's introspection, quoted: nothing from outside.
        f"SELECT %s WHERE EXISTS (SELECT 1 FROM {_quote(table)})"  # noqa: S608
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(query, tables)
        return [row[0] for row in cursor.fetchall()]


def _attach_sqlite() -> None:
    """Attach the SQLite file of copies to this connection, once per connection (ATTACH is
    refused inside a transaction, so it comes before one)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        if any(row[1] == SQLITE_ALIAS for row in cursor.fetchall()):
            return
        path = f"{connection.settings_dict['NAME']}.demo-snapshots"
        if not _snapshots:
            # A file left by an earlier, interrupted run holds nothing of this one.
            Path(path).unlink(missing_ok=True)
            atexit.register(Path(path).unlink, missing_ok=True)
        cursor.execute(f"ATTACH DATABASE %s AS {SQLITE_ALIAS}", [path])


def _take(index: int) -> Snapshot:
    global _media_dir
    tables = _tables_with_rows(_django_tables())
    if connection.vendor == "sqlite":
        _attach_sqlite()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            schema = _quote(f"demo_snapshot_{index}")
            cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            cursor.execute(f"CREATE SCHEMA {schema}")
        for table in tables:
            copy = _copy_name(index, table)
            cursor.execute(f"DROP TABLE IF EXISTS {copy}")
            cursor.execute(f"CREATE TABLE {copy} AS SELECT * FROM {_quote(table)}")  # noqa: S608
    if _media_dir is None:
        _media_dir = Path(tempfile.mkdtemp(prefix="samverkan-demo-media-"))
        atexit.register(shutil.rmtree, _media_dir, ignore_errors=True)
    media = _media_dir / str(index)
    if Path(settings.MEDIA_ROOT).exists():
        shutil.copytree(settings.MEDIA_ROOT, media)
    return Snapshot(index=index, tables=tuple(tables), media=media)


def _restore(snapshot: Snapshot) -> None:
    # Rows a migration or post_migrate made (content types, permissions) may be there; the
    # copy has its own.
    present = _tables_with_rows(_django_tables())
    if connection.vendor == "sqlite":
        _attach_sqlite()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Off for this transaction: the access log's append-only triggers (as for the flush,
            # see tests/flush.py) and the foreign key checks, the rows being a consistent copy.
            cursor.execute("SET LOCAL session_replication_role = replica")
            triggers = []
        else:
            # SQLite has no switch: its append-only triggers (one refuses log entries of a
            # reviewed sample, which the copy may hold) are dropped and made again. Foreign
            # keys are checked at the commit, when every row is back.
            cursor.execute("SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger'")
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {_quote(name)}")
        for table in present:
            cursor.execute(f"DELETE FROM {_quote(table)}")  # noqa: S608
        for table in snapshot.tables:
            copy = _copy_name(snapshot.index, table)
            # Table and column names from Django's metadata, quoted: nothing from outside.
            names = _stored_columns(table)
            into = f"{_quote(table)} ({names})" if names else _quote(table)
            cursor.execute(f"INSERT INTO {into} SELECT {names or '*'} FROM {copy}")  # noqa: S608
        for _name, sql in triggers:
            cursor.execute(sql)
        # The sequences have handed out these ids already unless a test reset them; set them
        # past the copied rows in any case. (SQLite's AUTOINCREMENT follows inserted ids.)
        models = apps.get_models(include_auto_created=True)
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    # Content types are cached by id, and the copy's ids may differ from the ones made since.
    ContentType.objects.clear_cache()
    if snapshot.media.exists():
        shutil.copytree(snapshot.media, settings.MEDIA_ROOT, dirs_exist_ok=True)
