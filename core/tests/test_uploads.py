"""``core.uploads``: every kind of file is recognised by its content, not its name; each use
has its own size limit; a refusal names the file, in Swedish by default."""

import io
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.uploads import content_type_for, validate_upload

LIMIT = 1024 * 1024
PDF = b"%PDF-1.4\n%%EOF\n"
WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
POWERPOINT = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
MAIN_PART = {
    WORD: "word/document.xml",
    EXCEL: "xl/workbook.xml",
    POWERPOINT: "ppt/presentation.xml",
}


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refusal(name: str, content: bytes, *, max_bytes: int = LIMIT) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(name, content), max_bytes=max_bytes)
    return error.value


def zip_of(entries: list[tuple[str, bytes]], *, stored_first: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for index, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if index == 0 and stored_first else zipfile.ZIP_DEFLATED
            package.writestr(name, data, compress_type=method)
    return buffer.getvalue()


def content_types(part: str, content_type: str, *, header: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"{header}"
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{content_type}"/>'
        "</Types>"
    ).encode()


def ooxml(kind: str, *, main: str | None = None, part: str | None = None) -> bytes:
    """A minimal Office Open XML package of ``kind`` (its main part declared and present)."""
    part = part or MAIN_PART[kind]
    return zip_of(
        [
            ("[Content_Types].xml", content_types(part, main or f"{kind}.main+xml")),
            ("_rels/.rels", b"<Relationships/>"),
            (part, b"<document/>"),
        ]
    )


def opendocument(mimetype: str) -> bytes:
    return zip_of([("mimetype", mimetype.encode()), ("content.xml", b"<office:document/>")])


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    brands = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(brands)) + b"ftyp" + brands + b"\x00\x00\x00\x08meta"


# --- accepted ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Brev.PDF", PDF, "application/pdf"),
        ("bild.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "image/png"),
        ("bild.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 8, "image/jpeg"),
        ("IMG_0001.HEIC", ftyp(b"heic", b"mif1", b"heic"), "image/heic"),
        ("bild.heic", ftyp(b"mif1", b"heix"), "image/heic"),
        ("bild.heif", ftyp(b"msf1", b"iso8", b"msf1"), "image/heif"),
        ("anteckning.docx", ooxml(WORD), WORD),
        ("tabell.xlsx", ooxml(EXCEL), EXCEL),
        ("bilder.pptx", ooxml(POWERPOINT), POWERPOINT),
        ("text.odt", opendocument(ODT), ODT),
        ("kalkyl.ods", opendocument(ODS), ODS),
        ("gammal.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, "application/msword"),
    ],
)
def test_real_looking_files_are_accepted(name: str, content: bytes, content_type: str) -> None:
    file = upload(name, content)
    assert validate_upload(file, max_bytes=LIMIT) == content_type
    assert file.content_type == content_type
    assert file.read() == content  # the check leaves the file at its start


# --- refused ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bild.heic", b"\x00\x00\x00" + b"anything at all, really"),
        ("bild.heic", b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomavc1"),  # an MP4 video
        ("bild.heic", b"\x00\x00\x00\x10ftyp"),  # cut off
        ("bild.heic", b"\x00\x00\x10\x00ftypheic\x00\x00\x00\x00mif1"),  # box larger than file
        ("bild.heic", b"\x00\x00\x00\x13ftypheic\x00\x00\x00\x00mif"),  # size not brands
        ("bild.heic", b"\x00\x00\x00\x18moovheic\x00\x00\x00\x00mif1heic"),  # not an ftyp box
        ("bild.png", PDF),
        ("brev.pdf", b"MZ\x90\x00"),
    ],
)
def test_files_that_are_not_what_their_name_says_are_refused(name: str, content: bytes) -> None:
    error = refusal(name, content)
    assert error.code == "file_content"
    assert name in error.messages[0]


PLAIN_ZIP = zip_of([("rapport.txt", b"text"), ("bild.png", b"\x89PNG")], stored_first=False)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("rapport.docx", PLAIN_ZIP),
        ("rapport.xlsx", PLAIN_ZIP),
        ("rapport.odt", PLAIN_ZIP),
        ("rapport.docx", b"PK\x03\x04 not really a zip"),
        ("rapport.docx", PDF),
        ("tabell.xlsx", ooxml(WORD)),  # a Word document renamed
        ("rapport.docx", ooxml(EXCEL)),
        ("makro.docx", ooxml(WORD, main="application/vnd.ms-word.document.macroEnabled.main+xml")),
        ("mall.docx", ooxml(WORD, main=f"{WORD.replace('document', 'template')}.main+xml")),
        ("text.ods", opendocument(ODT)),  # a text document renamed
        ("text.odt", zip_of([("content.xml", b"<x/>"), ("mimetype", ODT.encode())])),
        ("text.odt", zip_of([("mimetype", ODT.encode())], stored_first=False)),
    ],
)
def test_office_files_must_be_that_kind_of_document(name: str, content: bytes) -> None:
    error = refusal(name, content)
    assert error.code == "file_content"
    assert name in error.messages[0]


def test_a_declared_main_part_must_be_in_the_package() -> None:
    content = zip_of(
        [("[Content_Types].xml", content_types("word/document.xml", f"{WORD}.main+xml"))]
    )
    assert refusal("rapport.docx", content).code == "file_content"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_content_types_with_a_document_type_declaration_are_refused(encoding: str) -> None:
    # Entity expansion ("billion laughs") is kept out whatever the encoding of the XML.
    bomb = '<!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    xml = content_types("word/document.xml", f"{WORD}.main+xml", header=bomb).decode()
    xml = xml.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"')
    content = zip_of(
        [("[Content_Types].xml", xml.encode(encoding)), ("word/document.xml", b"<document/>")]
    )
    assert refusal("rapport.docx", content).code == "file_content"


def test_the_refusal_of_a_plain_zip_is_in_swedish_and_names_the_file() -> None:
    with translation.override("sv"):
        message = refusal("Utredning.docx", PLAIN_ZIP).messages[0]
    assert message.startswith("Utredning.docx är inte ett DOCX-dokument")


def test_other_kinds_are_refused_by_extension() -> None:
    for name in ("program.exe", "arkiv.zip", "utan-ändelse", "sida.html"):
        error = refusal(name, PDF)
        assert error.code == "file_type"
        assert name in error.messages[0]


def test_an_empty_file_is_refused() -> None:
    assert refusal("tom.pdf", b"").code == "file_empty"


def test_the_size_limit_is_the_callers() -> None:
    content = PDF + b"\x00" * 2000
    assert validate_upload(upload("stor.pdf", content), max_bytes=len(content))
    error = refusal("stor.pdf", content, max_bytes=len(content) - 1)
    assert error.code == "file_size"
    assert "stor.pdf" in error.messages[0]


def test_the_served_content_type_comes_from_the_list() -> None:
    assert content_type_for("a/b/plan.PDF") == "application/pdf"
    assert content_type_for("bild.heic") == "image/heic"
    assert content_type_for("program.exe") == "application/octet-stream"
    assert content_type_for("utan") == "application/octet-stream"
