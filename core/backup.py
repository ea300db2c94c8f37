"""Backups and the restore drill (docs/backup.md).

A backup is a folder with three files: the database (``database.dump`` from ``pg_dump -Fc`` on
PostgreSQL, ``database.sqlite3`` from SQLite's online backup API), the uploaded files
(``media.tar``) and ``manifest.json``. The manifest says what the backup must contain: for every
table its row count and a SHA-256 over its rows in primary-key order, the applied migrations,
the SHA-256 of the other two files and of every uploaded file. On PostgreSQL the manifest is
computed in the very snapshot that ``pg_dump`` dumps (``pg_export_snapshot``), so it describes
the dump exactly, whatever the application writes meanwhile; on SQLite it is computed from the
copy itself.

The drill (``restore_check``) restores the dump into a scratch database, unpacks the files into
a temporary folder, computes the same numbers again and lists every difference. Nothing in the
manifest or the output is personal data: table names, counts, digests and the random names of
stored files.
"""

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.utils import timezone

MANIFEST = "manifest.json"
MEDIA_TAR = "media.tar"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FORMAT_VERSION = 1
# Rows fetched per round trip while hashing; the access log may have millions of rows.
CHUNK_ROWS = 2000
_READ_BLOCK = 1024 * 1024


class BackupError(Exception):
    """The backup or the drill could not run (a missing tool, a refused connection)."""


# --- hashing ----------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_READ_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _canonical(value: object) -> object:
    # repr() of str, int, Decimal, datetime … is exact and stable; a memoryview's repr holds
    # its address, so binary columns are hashed by their bytes.
    if isinstance(value, memoryview):
        return bytes(value).hex()
    if isinstance(value, bytes):
        return value.hex()
    return value


def rows_digest(rows: Iterator[tuple[Any, ...]]) -> tuple[int, str]:
    """The number of rows and a SHA-256 over them (each row's repr on a line of its own)."""
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        digest.update(repr(tuple(_canonical(value) for value in row)).encode("utf-8", "replace"))
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


@dataclass
class TableState:
    rows: int
    sha256: str


@dataclass
class DatabaseState:
    """What a database holds: per table its rows and their digest; the applied migrations."""

    tables: dict[str, TableState] = field(default_factory=dict)
    migrations: list[str] = field(default_factory=list)


def _fetch_chunks(cursor: Any) -> Iterator[tuple[Any, ...]]:
    while chunk := cursor.fetchmany(CHUNK_ROWS):
        yield from chunk


# --- PostgreSQL -------------------------------------------------------------------------------


def _wrapper(settings_dict: dict[str, Any], name: str | None = None) -> BaseDatabaseWrapper:
    """A connection of its own (not the application's), optionally to another database."""
    copied = {**settings_dict}
    if name is not None:
        copied["NAME"] = name
    backend = load_backend(copied["ENGINE"])
    return backend.DatabaseWrapper(copied, alias=f"backup-{secrets.token_hex(4)}")


def _pg_tables(wrapper: BaseDatabaseWrapper) -> list[tuple[str, list[str]]]:
    """The tables of the public schema, each with its primary key's columns (or all columns,
    for a table without one), in a stable order."""
    with wrapper.cursor() as cursor:
        names = sorted(
            info.name for info in wrapper.introspection.get_table_list(cursor) if info.type == "t"
        )
        tables = []
        for name in names:
            key = wrapper.introspection.get_primary_key_columns(cursor, name) or [
                column.name for column in wrapper.introspection.get_table_description(cursor, name)
            ]
            tables.append((name, list(key)))
    return tables


def _pg_state(wrapper: BaseDatabaseWrapper) -> DatabaseState:
    """Count and hash every table through a server-side cursor, in the wrapper's current
    transaction (the caller chooses its snapshot)."""
    state = DatabaseState()
    quote = wrapper.ops.quote_name
    for number, (table, key) in enumerate(_pg_tables(wrapper)):
        order = ", ".join(quote(column) for column in key)
        raw = wrapper.connection.cursor(name=f"backup_hash_{number}")
        raw.itersize = CHUNK_ROWS
        try:
            raw.execute(f"SELECT * FROM {quote(table)} ORDER BY {order}")  # noqa: S608 - names from the catalogue
            rows, digest = rows_digest(_fetch_chunks(raw))
        finally:
            raw.close()
        state.tables[table] = TableState(rows, digest)
    state.migrations = _migrations(wrapper)
    return state


def _migrations(wrapper: BaseDatabaseWrapper) -> list[str]:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _major(version_text: str) -> int:
    """The major version in ``pg_dump (PostgreSQL) 15.20 (Debian …)``."""
    for word in version_text.split():
        head = word.split(".", 1)[0]
        if head.isdigit():
            return int(head)
    raise BackupError(f"No version number in {version_text!r}.")


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed. Install the PostgreSQL client tools of the server's "
            "major version or newer (Debian: postgresql-client)."
        )
    return path


def _pg_environment(settings_dict: dict[str, Any], name: str | None = None) -> dict[str, str]:
    """libpq's variables for the connection in DATABASE_URL; the password is not put on the
    command line, where other users could read it in the process list."""
    env = {**os.environ}
    values = {
        "PGHOST": settings_dict.get("HOST") or "",
        "PGPORT": str(settings_dict.get("PORT") or ""),
        "PGUSER": settings_dict.get("USER") or "",
        "PGPASSWORD": settings_dict.get("PASSWORD") or "",
        "PGDATABASE": name or settings_dict["NAME"],
        "PGSSLMODE": (settings_dict.get("OPTIONS") or {}).get("sslmode", ""),
    }
    env.update({key: value for key, value in values.items() if value})
    return env


def _check_pg_dump_version(wrapper: BaseDatabaseWrapper, pg_dump: str) -> str:
    """pg_dump refuses a server newer than itself; say so plainly before it does."""
    version = subprocess.run(  # noqa: S603 - a fixed tool path and argument
        [pg_dump, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    server_major = wrapper.pg_version // 10000  # type: ignore[attr-defined]
    if _major(version) < server_major:
        raise BackupError(
            f"{version} is older than the server (PostgreSQL {server_major}). pg_dump must be of "
            "the server's major version or newer."
        )
    return version


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _pg_backup(folder: Path, settings_dict: dict[str, Any]) -> tuple[DatabaseState, dict[str, str]]:
    """pg_dump and the manifest's numbers from one snapshot: a read-only repeatable-read
    transaction exports its snapshot, pg_dump dumps that snapshot, and the tables are hashed
    in it before the transaction ends."""
    pg_dump = _pg_tool("pg_dump")
    wrapper = _wrapper(settings_dict)
    try:
        wrapper.ensure_connection()
        tool_version = _check_pg_dump_version(wrapper, pg_dump)
        wrapper.set_autocommit(False)
        with wrapper.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={folder / PG_DUMP}"],
            _pg_environment(settings_dict),
        )
        state = _pg_state(wrapper)
        wrapper.rollback()
    finally:
        wrapper.close()
    return state, {"server_version": server_version, "pg_dump_version": tool_version}


@contextmanager
def _pg_scratch_database(settings_dict: dict[str, Any]) -> Iterator[str]:
    """A new, empty database with a generated name, dropped afterwards whatever happened."""
    name = f"samverkan_restore_check_{secrets.token_hex(6)}"
    admin = _wrapper(settings_dict)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {admin.ops.quote_name(name)}")
        try:
            yield name
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {admin.ops.quote_name(name)} WITH (FORCE)")
    finally:
        admin.close()


def _pg_restore(folder: Path, settings_dict: dict[str, Any], name: str) -> None:
    # --no-owner/--no-acl: the scratch copy belongs to whoever runs the drill; the roles of
    # production need not exist where the drill runs.
    _run(
        [
            _pg_tool("pg_restore"),
            "--exit-on-error",
            "--no-owner",
            "--no-acl",
            f"--dbname={name}",
            str(folder / PG_DUMP),
        ],
        _pg_environment(settings_dict, name),
    )


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_copy(source: str | Path, target: Path) -> None:
    """Copy a database with SQLite's online backup API: a consistent copy even while the
    application writes (the copy is of one moment)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
        # The copy takes the source's WAL mode along; one self-contained file is wanted.
        dst.execute("PRAGMA journal_mode=DELETE")
    src.close()
    dst.close()


def _sqlite_state(path: Path) -> DatabaseState:
    """Rows and digests of every table, read as stored (no type conversion), read-only."""
    state = DatabaseState()
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            )
        ]
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            columns = connection.execute(f"PRAGMA table_info({quoted})").fetchall()
            key = [column[1] for column in sorted(columns, key=lambda c: c[5]) if column[5]]
            order = ", ".join(
                '"' + column.replace('"', '""') + '"' for column in key or [c[1] for c in columns]
            )
            cursor = connection.execute(f"SELECT * FROM {quoted} ORDER BY {order}")  # noqa: S608
            state.tables[name] = TableState(*rows_digest(_fetch_chunks(cursor)))
        state.migrations = [
            f"{app}.{migration}"
            for app, migration in connection.execute(
                "SELECT app, name FROM django_migrations ORDER BY app, name"
            )
        ]
    finally:
        connection.close()
    return state


# --- uploaded files ---------------------------------------------------------------------------


def media_files(root: Path) -> dict[str, str]:
    """Every file under ``root``: relative path → SHA-256."""
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): file_sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _tar_media(root: Path, target: Path) -> None:
    # Not compressed: the files are mostly PDFs and images, which do not shrink.
    with tarfile.open(target, "w") as archive:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)


def _untar_media(archive_path: Path, target: Path) -> None:
    with tarfile.open(archive_path, "r") as archive:
        # The "data" filter refuses absolute paths, links out of the folder and devices.
        archive.extractall(target, filter="data")


def file_references() -> list[tuple[str, str]]:
    """(table, column) of every file field: the stored names the media must contain."""
    return [
        (model._meta.db_table, str(field_.column))
        for model in apps.get_models()
        for field_ in model._meta.concrete_fields
        if isinstance(field_, models.FileField)
    ]


# --- the backup ---------------------------------------------------------------------------------


def _vendor(settings_dict: dict[str, Any]) -> str:
    engine = settings_dict["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite" in engine:
        return "sqlite"
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine}.")


def _state_json(state: DatabaseState) -> dict[str, Any]:
    return {
        "migrations": state.migrations,
        "tables": {
            name: {"rows": table.rows, "sha256": table.sha256}
            for name, table in sorted(state.tables.items())
        },
    }


def backup_create(target: Path, *, alias: str = "default") -> dict[str, Any]:
    """Write a backup into ``target`` (a new folder) and return its manifest.

    The files are written into a hidden sibling folder first and renamed at the end, so a
    folder with a manifest is always a whole backup. Files are readable by the owner only.
    """
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} exists and is not empty.")
    settings_dict = connections[alias].settings_dict
    vendor = _vendor(settings_dict)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        manifest = _write_backup(work, settings_dict, vendor)
        if target.exists():
            target.rmdir()
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _write_backup(work: Path, settings_dict: dict[str, Any], vendor: str) -> dict[str, Any]:
    created_at = timezone.now()
    versions: dict[str, str] = {}
    if vendor == "postgresql":
        database_file = PG_DUMP
        state, versions = _pg_backup(work, settings_dict)
    else:
        database_file = SQLITE_COPY
        _sqlite_copy(settings_dict["NAME"], work / SQLITE_COPY)
        state = _sqlite_state(work / SQLITE_COPY)
    # After the database: a file stored meanwhile is only extra; see docs/backup.md.
    media_root = Path(settings.MEDIA_ROOT)
    _tar_media(media_root, work / MEDIA_TAR)
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": created_at.isoformat(),
        "vendor": vendor,
        **versions,
        "database_file": {"name": database_file, "sha256": file_sha256(work / database_file)},
        "media_file": {"name": MEDIA_TAR, "sha256": file_sha256(work / MEDIA_TAR)},
        "media": media_files(media_root),
        **_state_json(state),
    }
    (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    for path in work.iterdir():
        path.chmod(0o600)
    return manifest


# --- the drill ----------------------------------------------------------------------------------


@dataclass
class DrillResult:
    """What the drill compared, and every difference it found (empty: the backup is good)."""

    tables: int = 0
    rows: int = 0
    media: int = 0
    differences: list[str] = field(default_factory=list)


# Called with the restored database's connection settings before it is checked: the tests
# change a row there to see that the drill notices.
AfterRestore = Callable[[dict[str, Any]], None]


def _compare_files(folder: Path, manifest: dict[str, Any], result: DrillResult) -> bool:
    intact = True
    for key in ("database_file", "media_file"):
        entry = manifest[key]
        path = folder / entry["name"]
        if not path.is_file():
            result.differences.append(f"{entry['name']}: missing")
            intact = False
        elif file_sha256(path) != entry["sha256"]:
            result.differences.append(f"{entry['name']}: SHA-256 differs from the manifest")
            intact = False
    return intact


def _compare_state(expected: dict[str, Any], state: DatabaseState, result: DrillResult) -> None:
    if expected["migrations"] != state.migrations:
        result.differences.append("applied migrations differ from the manifest")
    wanted: dict[str, dict[str, Any]] = expected["tables"]
    for name in sorted(set(wanted) | set(state.tables)):
        table = state.tables.get(name)
        if name not in wanted or table is None:
            where = "the restored database" if table is None else "the manifest"
            result.differences.append(f"table {name}: not in {where}")
            continue
        if table.rows != wanted[name]["rows"]:
            result.differences.append(
                f"table {name}: {table.rows} rows restored, {wanted[name]['rows']} in the manifest"
            )
        elif table.sha256 != wanted[name]["sha256"]:
            result.differences.append(f"table {name}: the rows' SHA-256 differs")
    result.tables = len(state.tables)
    result.rows = sum(table.rows for table in state.tables.values())


def _compare_media(expected: dict[str, str], root: Path, result: DrillResult) -> set[str]:
    found = media_files(root)
    for name in sorted(set(expected) | set(found)):
        if name not in found:
            result.differences.append(f"media {name}: missing")
        elif name not in expected:
            result.differences.append(f"media {name}: not in the manifest")
        elif found[name] != expected[name]:
            result.differences.append(f"media {name}: SHA-256 differs")
    result.media = len(found)
    return set(found)


def _referenced_names(query: Callable[[str], list[tuple[Any, ...]]]) -> list[tuple[str, str]]:
    """(table.column, stored name) of every non-empty file field value."""
    names: list[tuple[str, str]] = []
    for table, column in file_references():
        rows = query(
            f'SELECT "{column}" FROM "{table}" WHERE "{column}" <> \'\' ORDER BY 1'  # noqa: S608
        )
        names.extend((f"{table}.{column}", row[0]) for row in rows)
    return names


def _compare_references(
    references: list[tuple[str, str]], present: set[str], result: DrillResult
) -> None:
    missing = [f"{where}: {name}" for where, name in references if name not in present]
    result.differences.extend(f"file referenced but not in the media: {item}" for item in missing)


def restore_check(folder: Path, *, after_restore: AfterRestore | None = None) -> DrillResult:
    """Restore the backup in ``folder`` into a scratch database and temporary folder and
    compare everything with its manifest. The scratch copies are removed afterwards."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{folder} has no {MANIFEST}; it is not a backup (or not a whole one).")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    result = DrillResult()
    if not _compare_files(folder, manifest, result):
        return result  # a changed file is not restored: that would test something else
    with tempfile.TemporaryDirectory(prefix="samverkan-restore-") as scratch:
        media_root = Path(scratch) / "media"
        _untar_media(folder / manifest["media_file"]["name"], media_root)
        present = _compare_media(manifest["media"], media_root, result)
        if manifest["vendor"] == "postgresql":
            state, references = _pg_drill(folder, after_restore)
        else:
            state, references = _sqlite_drill(folder, Path(scratch), after_restore)
    _compare_state(manifest, state, result)
    _compare_references(references, present, result)
    return result


def _pg_drill(
    folder: Path, after_restore: AfterRestore | None
) -> tuple[DatabaseState, list[tuple[str, str]]]:
    settings_dict = connections["default"].settings_dict
    with _pg_scratch_database(settings_dict) as name:
        _pg_restore(folder, settings_dict, name)
        if after_restore is not None:
            after_restore({**settings_dict, "NAME": name})
        wrapper = _wrapper(settings_dict, name)
        try:
            wrapper.ensure_connection()
            wrapper.set_autocommit(False)
            state = _pg_state(wrapper)

            def query(sql: str) -> list[tuple[Any, ...]]:
                with wrapper.cursor() as cursor:
                    cursor.execute(sql)
                    return cursor.fetchall()

            references = _referenced_names(query)
            wrapper.rollback()
        finally:
            wrapper.close()
    return state, references


def _sqlite_drill(
    folder: Path, scratch: Path, after_restore: AfterRestore | None
) -> tuple[DatabaseState, list[tuple[str, str]]]:
    restored = scratch / "restored.sqlite3"
    _sqlite_copy(folder / SQLITE_COPY, restored)
    if after_restore is not None:
        after_restore({"ENGINE": "django.db.backends.sqlite3", "NAME": str(restored)})
    state = _sqlite_state(restored)
    with sqlite3.connect(restored) as connection:
        references = _referenced_names(lambda sql: connection.execute(sql).fetchall())
    connection.close()
    return state, references
