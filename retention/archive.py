"""The e-archive package: closed records in the E-ARK SIP / FGS Paketstruktur shape.

One zip file holding one folder named by the package id::

    <package id>/
        METS.xml                              the manifest: every file, its size and SHA-256
        metadata/descriptive/package.json     who made it, when, under which decision
        schemas/records.schema.json           JSON Schema of the records file
        representations/rep1/data/records.json
        representations/rep1/data/attachments/<record uuid>/<stored random name>

The manifest is METS XML because that is what an e-archive ingesting E-ARK (CSIP) or FGS
packages reads first; the records themselves are JSON with a schema in the package, so the
package describes itself without this installation. No path in the package holds personal
data: records are named by their uuid and files by the random name they were stored under.
``read_package`` reads a package back and checks every checksum (docs/retention.md).
"""

import datetime
import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from django.conf import settings
from django.db.models.fields.files import FieldFile

from retention.kinds import Exported, people_named

METS = "http://www.loc.gov/METS/"
XLINK = "http://www.w3.org/1999/xlink"
ElementTree.register_namespace("", METS)
ElementTree.register_namespace("xlink", XLINK)
FORMAT_VERSION = "1.0"
DATA = "representations/rep1/data"
RECORDS = f"{DATA}/records.json"
SCHEMA = "schemas/records.schema.json"
METADATA = "metadata/descriptive/package.json"
SCHEMA_PATH = Path(__file__).parent / "records.schema.json"


class PackageError(Exception):
    """A package that is not what its manifest says (missing, extra or altered files)."""


@dataclass(frozen=True)
class PackageMetadata:
    package_id: str
    municipality_name: str
    municipality_code: str
    record_type: str
    decision_reference: str
    created_at: datetime.datetime


@dataclass(frozen=True)
class BuiltPackage:
    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class ReadPackage:
    metadata: dict[str, Any]
    records: list[dict[str, Any]]
    files: dict[str, bytes]  # data path → content, every file checked against the manifest


def archive_dir() -> Path:
    """Where packages are written: ``RETENTION_ARCHIVE_DIR``, else ``MEDIA_ROOT/e-archive``
    (never served: media files are only ever sent through the access layer)."""
    configured = settings.RETENTION_ARCHIVE_DIR
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "e-archive"


def build_package(
    metadata: PackageMetadata, exported: list[Exported], *, directory: Path | None = None
) -> BuiltPackage:
    """Write the package as ``<package id>.zip`` in ``directory`` (atomically: a failure
    leaves no file behind) and return its path, SHA-256 and size. Raises ``OSError`` when a
    file can not be read or written: the caller must then erase nothing."""
    directory = directory or archive_dir()
    directory.mkdir(parents=True, exist_ok=True)
    records = [item.record for item in exported]
    contents: dict[str, bytes] = {
        METADATA: _json(_metadata_document(metadata, records)),
        SCHEMA: SCHEMA_PATH.read_bytes(),
        RECORDS: _json({"format_version": FORMAT_VERSION, "records": records}),
    }
    for item in exported:
        for path, stored in sorted(item.files.items()):
            contents[f"{DATA}/{path}"] = _read_stored(stored)
    contents["METS.xml"] = _mets(metadata, contents)
    target = directory / f"{metadata.package_id}.zip"
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(contents):
                zf.writestr(f"{metadata.package_id}/{path}", contents[path])
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    data = target.read_bytes()
    return BuiltPackage(path=target, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def _read_stored(stored: FieldFile) -> bytes:
    with stored.open("rb") as handle:
        return handle.read()


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode()


def _metadata_document(metadata: PackageMetadata, records: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "package_id": metadata.package_id,
        "content_type": "Samverkan: " + metadata.record_type,
        "record_type": metadata.record_type,
        "creator": {
            "municipality": metadata.municipality_name,
            "municipality_code": metadata.municipality_code,
        },
        "installation": getattr(settings, "INSTALLATION_NAME", ""),
        "system": "Samverkan",
        "created_at": metadata.created_at.isoformat(),
        "decision_reference": metadata.decision_reference,
        "record_count": len(records),
        "records_file": RECORDS,
        "records_schema": SCHEMA,
        # The staff the records refer to by account id, by name.
        "people": people_named(records),
    }


def _q(tag: str, namespace: str = METS) -> str:
    return f"{{{namespace}}}{tag}"


def _file_element(parent: ElementTree.Element, path: str, content: bytes, number: int) -> str:
    file_id = f"file-{number:05d}"
    element = ElementTree.SubElement(
        parent,
        _q("file"),
        {
            "ID": file_id,
            "MIMETYPE": _mimetype(path),
            "SIZE": str(len(content)),
            "CHECKSUM": hashlib.sha256(content).hexdigest(),
            "CHECKSUMTYPE": "SHA-256",
        },
    )
    ElementTree.SubElement(
        element,
        _q("FLocat"),
        {"LOCTYPE": "URL", _q("type", XLINK): "simple", _q("href", XLINK): path},
    )
    return file_id


def _mimetype(path: str) -> str:
    if path.endswith(".json"):
        return "application/json"
    return "application/octet-stream"


def _mets(metadata: PackageMetadata, contents: dict[str, bytes]) -> bytes:
    root = ElementTree.Element(
        _q("mets"),
        {
            "OBJID": metadata.package_id,
            "TYPE": "Samverkan records",
            "PROFILE": "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml",
        },
    )
    header = ElementTree.SubElement(
        root, _q("metsHdr"), {"CREATEDATE": metadata.created_at.isoformat()}
    )
    creator = ElementTree.SubElement(
        header, _q("agent"), {"ROLE": "CREATOR", "TYPE": "ORGANIZATION"}
    )
    ElementTree.SubElement(creator, _q("name")).text = metadata.municipality_name
    software = ElementTree.SubElement(
        header, _q("agent"), {"ROLE": "CREATOR", "TYPE": "OTHER", "OTHERTYPE": "SOFTWARE"}
    )
    ElementTree.SubElement(software, _q("name")).text = "Samverkan"
    file_sec = ElementTree.SubElement(root, _q("fileSec"))
    struct = ElementTree.SubElement(root, _q("structMap"), {"TYPE": "PHYSICAL", "LABEL": "CSIP"})
    top = ElementTree.SubElement(struct, _q("div"), {"LABEL": metadata.package_id})
    groups: dict[str, tuple[ElementTree.Element, ElementTree.Element]] = {}
    for number, path in enumerate(sorted(contents)):
        use = _use_of(path)
        if use not in groups:
            groups[use] = (
                ElementTree.SubElement(file_sec, _q("fileGrp"), {"USE": use}),
                ElementTree.SubElement(top, _q("div"), {"LABEL": use}),
            )
        group, division = groups[use]
        file_id = _file_element(group, path, contents[path], number)
        ElementTree.SubElement(division, _q("fptr"), {"FILEID": file_id})
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _use_of(path: str) -> str:
    if path.startswith("metadata/"):
        return "Metadata"
    if path.startswith("schemas/"):
        return "Schemas"
    return "Representations/rep1"


# --- reading a package back -------------------------------------------------------------------


def read_package(path: Path, *, expected_sha256: str = "") -> ReadPackage:
    """Open a package, check it against its manifest and return what it holds. Raises
    :class:`PackageError` when the zip's checksum is not ``expected_sha256`` (the one on the
    decision), or any file is missing, extra, or not the size and checksum the manifest says."""
    data = path.read_bytes()
    if expected_sha256 and hashlib.sha256(data).hexdigest() != expected_sha256:
        raise PackageError("The package is not the one the decision recorded.")
    with zipfile.ZipFile(path) as zf:
        names = [name for name in zf.namelist() if not name.endswith("/")]
        roots = {name.split("/", 1)[0] for name in names}
        if len(roots) != 1:
            raise PackageError("A package holds exactly one folder.")
        root = roots.pop()
        files = {name.split("/", 1)[1]: zf.read(name) for name in names}
    if "METS.xml" not in files:
        raise PackageError("The package has no METS.xml.")
    listed = _manifest(files.pop("METS.xml"), root)
    if set(listed) != set(files):
        missing = sorted(set(listed) - set(files))
        extra = sorted(set(files) - set(listed))
        raise PackageError(f"Files missing: {missing}; files not in the manifest: {extra}.")
    for name, (size, checksum) in listed.items():
        content = files[name]
        if len(content) != size or hashlib.sha256(content).hexdigest() != checksum:
            raise PackageError(f"{name} is not the file the manifest lists.")
    records = json.loads(files[RECORDS])["records"]
    return ReadPackage(
        metadata=json.loads(files[METADATA]),
        records=records,
        files={name: content for name, content in files.items() if name.startswith(DATA)},
    )


def _manifest(mets: bytes, root: str) -> dict[str, tuple[int, str]]:
    document = ElementTree.fromstring(mets)  # noqa: S314 - our own package, no DTDs or entities
    if document.get("OBJID") != root:
        raise PackageError("The manifest names another package.")
    listed: dict[str, tuple[int, str]] = {}
    for element in document.iter(_q("file")):
        location = element.find(_q("FLocat"))
        if location is None or element.get("CHECKSUMTYPE") != "SHA-256":
            raise PackageError("A file in the manifest has no location or no SHA-256.")
        href = location.get(_q("href", XLINK), "")
        listed[href] = (int(element.get("SIZE", "-1")), element.get("CHECKSUM", ""))
    return listed
