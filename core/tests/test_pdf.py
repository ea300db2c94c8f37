import io

from django.template import engines
from pypdf import PdfReader

from core.pdf import render_pdf


def test_a_pdf_has_swedish_letters_and_page_numbers(tmp_path, settings):
    # A throw-away template that extends the PDF base, as the board report does.
    template_dir = tmp_path / "templates"
    (template_dir / "t").mkdir(parents=True)
    (template_dir / "t" / "doc.html").write_text(
        '{% extends "core/pdf/base.html" %}{% block body %}'
        "<h1>Återrapportering till kommunstyrelsen</h1><h2>Styrning och mål</h2>"
        '<p style="page-break-before: always">Åtgärder för ökad samverkan</p>{% endblock %}',
        encoding="utf-8",
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [template_dir, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    engines._engines = {}  # type: ignore[attr-defined]
    try:
        pdf = render_pdf("t/doc.html", {})
    finally:
        engines._engines = {}  # type: ignore[attr-defined]
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    first = reader.pages[0].extract_text()
    assert "Återrapportering till kommunstyrelsen" in first
    assert "Sida 1 av 2" in first
    assert "Åtgärder för ökad samverkan" in reader.pages[1].extract_text()
