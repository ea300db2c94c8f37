"""The restore drill: a backup of real data (reports with attachments, access-log rows) restores
into a fresh database with every table's rows and every file as the manifest says; a changed
row, dump, file or manifest is found. Runs on SQLite and on PostgreSQL (pg_dump/pg_restore)."""

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from access.models import AccessAction, AccessLog
from access.services import access_log_record
from core import backup
from organisations.models import Role
from reports import services_school
from reports.models import Attachment, ConcernReport
from reports.tests import builders
from tests.flush import flush_past_append_only_triggers
from tests.world import World, build_world

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


@pytest.fixture
def _flushable() -> Iterator[None]:
    """Set up before, torn down after, the transactional database: its flush needs this."""
    with flush_past_append_only_triggers():
        yield


@pytest.fixture
def committed(_flushable: None, transactional_db: None) -> World:  # noqa: ARG001
    """Committed data, so that pg_dump (another connection) sees it: the world, two reports
    with attachments and access-log rows for them."""
    world = build_world()
    intake = world.user(Role.INTAKE)
    for number in range(2):
        report = builders.draft(world, child_name=f"Barn {number}")
        services_school.attachment_add(
            report=report,
            actor=report.author,
            upload=SimpleUploadedFile(f"bilaga-{number}.pdf", PDF + bytes([number])),
        )
        for action in (AccessAction.VIEW, AccessAction.DOWNLOAD, AccessAction.PRINT):
            access_log_record(
                user=intake,
                municipality=report.municipality,
                obj=report,
                child_ref=report.child_ref,
                action=action,
                rule="test",
            )
    return world


@pytest.fixture
def made(committed: World, tmp_path: Path) -> Path:  # noqa: ARG001
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    return folder


def _manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / backup.MANIFEST).read_text(encoding="utf-8"))


def test_backup_holds_every_table_counted_and_the_files(made: Path) -> None:
    manifest = _manifest(made)
    assert manifest["vendor"] == connection.vendor
    assert sorted(path.name for path in made.iterdir()) == sorted(
        [backup.MANIFEST, backup.MEDIA_TAR, manifest["database_file"]["name"]]
    )
    tables = manifest["tables"]
    assert tables[AccessLog._meta.db_table]["rows"] == AccessLog.objects.count() == 6
    assert tables[ConcernReport._meta.db_table]["rows"] == 2
    assert tables[Attachment._meta.db_table]["rows"] == 2
    stored = sorted(Attachment.objects.values_list("file", flat=True))
    assert sorted(manifest["media"]) == stored
    assert "reports.0001_initial" in manifest["migrations"]
    assert all(oct(path.stat().st_mode)[-3:] == "600" for path in made.iterdir())
    # No personal data in the manifest: the child's name is nowhere in it.
    assert "Barn" not in (made / backup.MANIFEST).read_text(encoding="utf-8")


def test_restore_drill_passes_on_an_untouched_backup(made: Path, capsys) -> None:
    call_command("restore_check", str(made))
    out = capsys.readouterr().out
    assert "Restore drill passed" in out
    restored: list[str] = []
    result = backup.restore_check(made, after_restore=lambda db: restored.append(db["NAME"]))
    assert result.differences == []
    assert result.media == 2
    assert result.rows == sum(table["rows"] for table in _manifest(made)["tables"].values())
    # A fresh scratch copy with a generated name, removed afterwards.
    assert restored[0] != connection.settings_dict["NAME"]
    assert not scratch_copy_exists(restored[0])


def scratch_copy_exists(name: str) -> bool:
    """Whether the drill's scratch database (PostgreSQL) or file (SQLite) is still there."""
    if connection.vendor != "postgresql":
        return Path(name).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def _change_a_report_row(settings_dict: dict[str, Any]) -> None:
    """Change one report in the restored copy, as a damaged restore would."""
    sql = (
        'UPDATE "reports_concernreport" SET "child_name" = \'Ändrad\' '
        'WHERE "id" = (SELECT MIN("id") FROM "reports_concernreport")'
    )
    if "sqlite" in settings_dict["ENGINE"]:
        with sqlite3.connect(settings_dict["NAME"]) as restored:
            restored.execute(sql)
        restored.close()
        return
    wrapper = backup._wrapper(settings_dict)
    try:
        with wrapper.cursor() as cursor:
            cursor.execute(sql)
    finally:
        wrapper.close()


def test_a_changed_row_in_the_restored_copy_is_found(made: Path) -> None:
    result = backup.restore_check(made, after_restore=_change_a_report_row)
    assert result.differences == ["table reports_concernreport: the rows' SHA-256 differs"]


def test_a_changed_dump_fails_the_drill_with_exit_code_1(made: Path, capsys) -> None:
    dump = made / _manifest(made)["database_file"]["name"]
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(CommandError) as raised:
        call_command("restore_check", str(made))
    assert raised.value.returncode == 1
    assert "SHA-256 differs from the manifest" in capsys.readouterr().err


def test_a_changed_manifest_count_and_a_lost_file_are_each_reported(made: Path) -> None:
    manifest = _manifest(made)
    manifest["tables"][AccessLog._meta.db_table]["rows"] = 7
    name = next(iter(manifest["media"]))
    manifest["media"][name] = "0" * 64
    (made / backup.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    result = backup.restore_check(made)
    assert result.differences == [
        f"media {name}: SHA-256 differs",
        "table access_accesslog: 6 rows restored, 7 in the manifest",
    ]


def test_a_file_missing_from_the_media_is_found_through_the_database(
    committed: World,  # noqa: ARG001
    tmp_path: Path,
) -> None:
    lost = Attachment.objects.order_by("id").first()
    assert lost is not None
    Path(lost.file.path).unlink()
    folder = tmp_path / "backup"
    backup.backup_create(folder)
    result = backup.restore_check(folder)
    assert result.differences == [
        f"file referenced but not in the media: reports_attachment.file: {lost.file.name}"
    ]


def test_backup_refuses_a_folder_with_files_and_leaves_it_alone(
    committed: World,  # noqa: ARG001
    tmp_path: Path,
) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "keep.txt").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "old"))
    assert [path.name for path in (tmp_path / "old").iterdir()] == ["keep.txt"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["media", "old"]


def test_restore_check_refuses_a_folder_without_a_manifest(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"no manifest\.json"):
        call_command("restore_check", str(tmp_path))
