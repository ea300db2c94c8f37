"""The e-archive package read back: the manifest lists every file with its size and SHA-256,
every record and attachment is there, paths hold no personal data, tampering is caught."""

import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from retention.archive import RECORDS, PackageError, read_package
from retention.tests.conftest import closed_report, identity
from tests.world import World


def export(tmp_path: Path) -> Path:
    out = StringIO()
    call_command("archive_export", "--municipality", "2029", "--output", str(tmp_path), stdout=out)
    return Path(out.getvalue().split("\t")[0])


def rewrite(package: Path, name_ending: str, change) -> None:
    with zipfile.ZipFile(package) as zf:
        contents = {name: zf.read(name) for name in zf.namelist()}
    with zipfile.ZipFile(package, "w") as zf:
        for name, content in contents.items():
            if name.endswith(name_ending):
                content = change(content)
            if content is not None:
                zf.writestr(name, content)


def test_a_package_reads_back_whole(world: World, tmp_path: Path) -> None:
    reports = [closed_report(world, attachment=True), closed_report(world, day=7)]
    package = export(tmp_path)
    read = read_package(package)
    assert sorted(r["id"] for r in read.records) == sorted(r.pk for r in reports)
    assert read.metadata["creator"]["municipality"] == "Leksand"
    assert read.metadata["record_count"] == 2
    attachments = [a for record in read.records for a in record["attachments"]]
    assert len(attachments) == 1
    assert f"representations/rep1/data/{attachments[0]['path']}" in read.files
    with zipfile.ZipFile(package) as zf:
        names = zf.namelist()
    assert any(name.endswith("/METS.xml") for name in names)
    assert any(name.endswith("/schemas/records.schema.json") for name in names)
    for name in names:  # paths in an archive: never a name or an identity number
        assert "Testa" not in name
        assert identity(6) not in name
        assert "Brev" not in name
    out = StringIO()
    call_command("archive_export", "--verify", str(package), stdout=out)
    assert "2 records" in out.getvalue()


@pytest.mark.parametrize(
    ("target", "change"),
    [
        (RECORDS, lambda content: content.replace(b"Testa", b"Tessa")),
        (RECORDS, lambda _content: None),
        ("METS.xml", lambda content: content.replace(b"SHA-256", b"MD5", 1)),
    ],
    ids=["altered", "missing", "manifest"],
)
def test_tampering_is_detected(world: World, tmp_path: Path, target: str, change) -> None:
    closed_report(world, attachment=True)
    package = export(tmp_path)
    rewrite(package, target, change)
    with pytest.raises(PackageError):
        read_package(package)
    with pytest.raises(CommandError):
        call_command("archive_export", "--verify", str(package), stdout=StringIO())


def test_an_extra_file_or_a_swapped_package_is_detected(world: World, tmp_path: Path) -> None:
    closed_report(world)
    package = export(tmp_path)
    with pytest.raises(PackageError):
        read_package(package, expected_sha256="0" * 64)
    with zipfile.ZipFile(package, "a") as zf:
        root = zf.namelist()[0].split("/")[0]
        zf.writestr(f"{root}/representations/rep1/data/smuggled.txt", b"x")
    with pytest.raises(PackageError, match="smuggled"):
        read_package(package)


def test_the_proposal_command_prints_references_only(world: World) -> None:
    report = closed_report(world)
    closed_report(world, day=25)
    out = StringIO()
    call_command("retention_proposal", "--municipality", "2029", "--date", "2031-03-03", stdout=out)
    text = out.getvalue()
    assert report.reference in text
    assert "report: 1 due, 1 kept for research" in text
    assert "Testa" not in text
    assert identity(6) not in text
    with pytest.raises(CommandError):
        call_command("retention_proposal", "--date", "3 mars", stdout=StringIO())
