"""The one protected file download: a 404 when the file is missing, and the headers that keep
the browser from showing, sniffing or keeping it."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.http import Http404

from core.downloads import protected_file_response, safe_download_name
from wheel.models import Occurrence


def _field_file(name: str) -> FieldFile:
    """A stored file as a model's file field hands it out (no row needed)."""
    field = Occurrence._meta.get_field("minutes_file")
    return FieldFile(Occurrence(), field, name)


def test_a_stored_file_is_an_attachment_that_is_neither_sniffed_nor_kept() -> None:
    stored = default_storage.save("downloads/a.pdf", ContentFile(b"%PDF-1.7 test"))
    response = protected_file_response(
        _field_file(stored), filename="Protokoll maj.pdf", content_type="application/pdf"
    )
    assert response["Content-Disposition"] == 'attachment; filename="Protokoll maj.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"  # type: ignore[arg-type]
    response.file_to_stream.close()  # type: ignore[union-attr]


def test_the_content_type_defaults_to_a_plain_download() -> None:
    stored = default_storage.save("downloads/b.bin", ContentFile(b"x"))
    response = protected_file_response(_field_file(stored), filename="b.bin")
    assert response["Content-Type"] == "application/octet-stream"
    response.file_to_stream.close()  # type: ignore[union-attr]


def test_a_file_the_storage_has_lost_is_a_404() -> None:
    with pytest.raises(Http404):
        protected_file_response(_field_file("downloads/gone.pdf"), filename="gone.pdf")


def test_no_file_at_all_is_a_404() -> None:
    with pytest.raises(Http404):
        protected_file_response(_field_file(""), filename="nothing.pdf")


@pytest.mark.parametrize(
    ("given", "saved_as"),
    [
        ("Protokoll.pdf", "Protokoll.pdf"),
        ("Åtgärdsplan 2026.docx", "Åtgärdsplan 2026.docx"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\rektor\\foto.jpg", "foto.jpg"),
        ("rad\r\nSet-Cookie: x=1.pdf", "radSet-Cookie: x=1.pdf"),
        ("  \x00 ", "fallback"),
        ("", "fallback"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
        ("a" * 300, "a" * 255),
    ],
)
def test_the_name_is_made_safe(given: str, saved_as: str) -> None:
    assert safe_download_name(given, "fallback") == saved_as


def test_a_line_break_in_the_name_does_not_break_the_response() -> None:
    stored = default_storage.save("downloads/c.pdf", ContentFile(b"x"))
    response = protected_file_response(_field_file(stored), filename="a\nb.pdf")
    assert response["Content-Disposition"] == 'attachment; filename="ab.pdf"'
    response.file_to_stream.close()  # type: ignore[union-attr]
