"""Which files people may upload (report attachments, governance documents, minutes): PDF,
images and office documents, each up to the limit its caller gives.

The browser's declared type and the file name are not trusted: the extension must be on the
list, and the content must be that kind of file. For most kinds the first bytes tell; a HEIC
image is recognised by its ISO-BMFF ``ftyp`` box, and an office document — a ZIP package — by
the content types (OOXML) or the ``mimetype`` entry (OpenDocument) inside it, so that a plain
ZIP renamed ``.docx`` is refused. The package is only read, never extracted, and only small
entries of known size are opened.
"""

import errno
import logging
import struct
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import IO
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# --- checks of the content --------------------------------------------------------------------


def _starts_with(*signatures: bytes) -> Callable[[IO[bytes]], bool]:
    def check(handle: IO[bytes]) -> bool:
        head = handle.read(16)
        return any(head.startswith(signature) for signature in signatures)

    return check


# Brands of HEIF images (ISO/IEC 23008-12): HEVC-coded still images and sequences (heic, heix,
# hevc, hevx, heim, heis, hevm, hevs) and the general image/sequence brands (mif1, msf1).
HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
)
# An ftyp box is 8 bytes of header, the major brand, the minor version and up to a few dozen
# compatible brands; anything larger is not an image's ftyp box.
_FTYP_MAX_SIZE = 256


def _is_heif(handle: IO[bytes]) -> bool:
    """The file starts with an ISO-BMFF ``ftyp`` box naming a HEIF brand."""
    head = handle.read(_FTYP_MAX_SIZE)
    if len(head) < 16:
        return False
    (size,) = struct.unpack(">I", head[:4])
    if head[4:8] != b"ftyp" or not 16 <= size <= len(head) or size % 4:
        return False
    major = head[8:12]
    compatible = {head[offset : offset + 4] for offset in range(16, size, 4)}
    return major in HEIF_BRANDS or bool(compatible & HEIF_BRANDS)


# What may be read of a package: how many entries it may have, and the largest entry we open.
ZIP_MAX_ENTRIES = 10_000
_ZIP_SMALL_ENTRY = 1024 * 1024
_OOXML_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"


def _zip_entry(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """A small entry's bytes, read at most to the limit whatever its header claims."""
    if info.file_size > _ZIP_SMALL_ENTRY:
        return None
    with package.open(info) as entry:
        data = entry.read(_ZIP_SMALL_ENTRY + 1)
    return data if len(data) <= _ZIP_SMALL_ENTRY else None


def _open_package(handle: IO[bytes]) -> zipfile.ZipFile | None:
    if handle.read(4) != b"PK\x03\x04":
        return None
    handle.seek(0)
    package = zipfile.ZipFile(handle)
    if len(package.infolist()) > ZIP_MAX_ENTRIES:
        return None
    return package


def _content_type_overrides(data: bytes) -> list[tuple[str, str]]:
    """The (part name, content type) pairs of a ``[Content_Types].xml``.

    Read with expat and no document type declaration allowed (a package never has one), so no
    entity can be declared and expanded, whatever the file's encoding.
    """
    found: list[tuple[str, str]] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        if name == f"{_OOXML_TYPES} Override":
            found.append((attributes.get("PartName", ""), attributes.get("ContentType", "")))

    def refuse(*_args: object) -> None:
        raise ValueError("a document type declaration in [Content_Types].xml")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.Parse(data, True)
    return found


def _ooxml(main_content_type: str) -> Callable[[IO[bytes]], bool]:
    """An Office Open XML package whose ``[Content_Types].xml`` declares a part of
    ``main_content_type`` (the document itself) and that part is in the package."""

    def check(handle: IO[bytes]) -> bool:
        package = _open_package(handle)
        if package is None:
            return False
        with package:
            try:
                info = package.getinfo("[Content_Types].xml")
            except KeyError:
                return False
            data = _zip_entry(package, info)
            if data is None:
                return False
            names = set(package.namelist())
            return any(
                content_type == main_content_type and part.lstrip("/") in names
                for part, content_type in _content_type_overrides(data)
            )

    return check


def _opendocument(mimetype: str) -> Callable[[IO[bytes]], bool]:
    """An OpenDocument package: its first entry is ``mimetype``, stored, with this type."""

    def check(handle: IO[bytes]) -> bool:
        package = _open_package(handle)
        if package is None:
            return False
        with package:
            entries = package.infolist()
            if not entries or entries[0].filename != "mimetype":
                return False
            if entries[0].compress_type != zipfile.ZIP_STORED:
                return False
            return _zip_entry(package, entries[0]) == mimetype.encode("ascii")

    return check


# --- the kinds of file --------------------------------------------------------------------------


@dataclass(frozen=True)
class FileKind:
    """One accepted kind of file: the content type stored and served, and its content check."""

    content_type: str
    check: Callable[[IO[bytes]], bool]
    # Office packages get their own message: the file is a ZIP, but not this document.
    package: bool = False


_OLE = _starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
_JPEG = _starts_with(b"\xff\xd8\xff")
_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_POWERPOINT = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_ODT = "application/vnd.oasis.opendocument.text"
_ODS = "application/vnd.oasis.opendocument.spreadsheet"

KINDS: dict[str, FileKind] = {
    "pdf": FileKind("application/pdf", _starts_with(b"%PDF-")),
    "png": FileKind("image/png", _starts_with(b"\x89PNG\r\n\x1a\n")),
    "jpg": FileKind("image/jpeg", _JPEG),
    "jpeg": FileKind("image/jpeg", _JPEG),
    "heic": FileKind("image/heic", _is_heif),
    "heif": FileKind("image/heif", _is_heif),
    "docx": FileKind(_WORD, _ooxml(f"{_WORD}.main+xml"), package=True),
    "xlsx": FileKind(_EXCEL, _ooxml(f"{_EXCEL}.main+xml"), package=True),
    "pptx": FileKind(_POWERPOINT, _ooxml(f"{_POWERPOINT}.main+xml"), package=True),
    "odt": FileKind(_ODT, _opendocument(_ODT), package=True),
    "ods": FileKind(_ODS, _opendocument(_ODS), package=True),
    "doc": FileKind("application/msword", _OLE),
    "xls": FileKind("application/vnd.ms-excel", _OLE),
}


def extensions() -> list[str]:
    """The accepted extensions, sorted (for a file input's ``accept``)."""
    return sorted(KINDS)


def accepted_extensions() -> str:
    """The accepted extensions for the help text: ``"doc, docx, heic, …"``."""
    return ", ".join(extensions())


def content_type_for(name: str) -> str:
    """The content type to serve a stored file with, from its name (unknown: a download)."""
    kind = KINDS.get(_extension(name))
    return kind.content_type if kind else "application/octet-stream"


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _looks_right(upload: UploadedFile, kind: FileKind) -> bool:
    upload.seek(0)
    try:
        return kind.check(upload)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        expat.ExpatError,
        NotImplementedError,  # a compression method zipfile does not know
        RuntimeError,  # an encrypted entry
        EOFError,
        OSError,
        ValueError,
        struct.error,
    ):
        return False
    finally:
        upload.seek(0)


def validate_upload(upload: UploadedFile, *, max_bytes: int) -> str:
    """Check one uploaded file: an accepted extension, not empty, at most ``max_bytes``, and
    content of that kind. Raise ``ValidationError`` with a message naming the file, or set the
    upload's ``content_type`` to ours and return it.

    ``max_bytes`` is the limit of the use (each upload has its own setting), not a global one.
    """
    name = upload.name or ""
    extension = _extension(name)
    kind = KINDS.get(extension)
    if kind is None:
        raise ValidationError(
            _("%(name)s can not be attached. Accepted kinds of file: %(kinds)s."),
            code="file_type",
            params={"name": name, "kinds": accepted_extensions()},
        )
    size = upload.size or 0
    if not size:
        raise ValidationError(
            _("%(name)s is empty. Choose the file again."),
            code="file_empty",
            params={"name": name},
        )
    if size > max_bytes:
        raise ValidationError(
            _("%(name)s is too large (%(size)s). The largest file you can attach is %(limit)s."),
            code="file_size",
            params={
                "name": name,
                "size": filesizeformat(size),
                "limit": filesizeformat(max_bytes),
            },
        )
    if not _looks_right(upload, kind):
        if kind.package:
            raise ValidationError(
                _(
                    "%(name)s is not a %(kind)s document, only a file with that ending (for "
                    "example a ZIP archive or another kind of document). Open it in your office "
                    "program, save it as %(kind)s and attach it anew."
                ),
                code="file_content",
                params={"name": name, "kind": extension.upper()},
            )
        raise ValidationError(
            _("%(name)s does not look like a %(kind)s file. Save it again and attach it anew."),
            code="file_content",
            params={"name": name, "kind": extension.upper()},
        )
    upload.content_type = kind.content_type
    return kind.content_type


# --- storing files all or nothing -------------------------------------------------------------

# The errors of a storage that is full or failing, as opposed to a bug: the disk is full, a
# quota is reached, the file is larger than the file system allows, an I/O error, a read-only
# (e.g. remounted after errors) file system.
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS})


FILE_NOT_STORED = _(
    "The file could not be saved: the server could not store it just now (for example because "
    "its storage is full). Nothing has been saved. What you typed is still here, but choose the "
    "file again: the browser empties the file field. Try again in a while, and tell your "
    "support if it happens again."
)


class FileNotStoredError(ValidationError):
    """An uploaded file could not be written (see ``STORAGE_ERRNOS``). The service's
    transaction was rolled back and the files it had already stored are removed: nothing of
    the submission is kept. A ``ValidationError`` on the file field, so a view shows it on the
    form with what was typed, like any other refusal."""

    def __init__(self, field: str) -> None:
        super().__init__({field: [ValidationError(FILE_NOT_STORED, code="file_not_stored")]})


_stored: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("stored_files", default=None)


def note_stored(field_file: FieldFile) -> None:
    """Tell the surrounding :func:`files_all_or_nothing` that this file was stored (no-op
    outside one)."""
    stored = _stored.get()
    if stored is not None and field_file.name:
        stored.append((field_file.storage, field_file.name))


@contextmanager
def files_all_or_nothing(place: str, *, field: str) -> Iterator[None]:
    """Around a service's transaction that stores uploads (call :func:`note_stored` after each
    file). If the block fails, the files noted are removed: the rows pointing to them were
    rolled back, and a file no row points to would only be an orphan. A storage error becomes
    :class:`FileNotStoredError` on the form field ``field``, logged once here, with ``place``
    (e.g. "report attachment") and the error code only: no file name, which may hold personal
    data.

    Put it outside ``transaction.atomic()``: the rows are rolled back before the files go. When
    nested, the inner block's files are handed to the outer one when the inner one succeeds.
    """
    outer = _stored.get()
    stored: list[tuple[Storage, str]] = []
    token = _stored.set(stored)
    try:
        yield
    except BaseException as error:
        _remove(stored)
        if isinstance(error, OSError) and error.errno in STORAGE_ERRNOS:
            logger.error(
                "An uploaded file could not be stored (%s) for a %s; nothing was saved.",
                errno.errorcode.get(error.errno or 0, "?"),
                place,
            )
            raise FileNotStoredError(field) from error
        raise
    else:
        if outer is not None:
            outer.extend(stored)
    finally:
        _stored.reset(token)


def _remove(stored: list[tuple[Storage, str]]) -> None:
    for storage, name in stored:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("A stored upload could not be removed after a failed save.")


def delete_on_commit(field_file: FieldFile) -> None:
    """Remove a replaced or removed file once the transaction commits: if it rolls back, the
    row still points to the file, which must then still be there."""
    storage, name = field_file.storage, field_file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))
