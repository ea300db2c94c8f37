"""PDF documents rendered from the same Django templates as the pages (WeasyPrint).

A PDF takes seconds for a long document, so it is never made inside a request: a background
task calls :func:`render_pdf` and stores the bytes (the board report, the auditors' follow-up
report). Templates extend ``core/pdf/base.html``: A4, Swedish letters in DejaVu (Debian's
``fonts-dejavu-core``), page numbers "Sida N av M" in the footer, and a table of contents from
the ``h2`` headings when the template asks for one.
"""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template_name: str, context: dict[str, Any], *, language: str = "sv") -> bytes:
    """The template rendered to PDF bytes, in ``language`` (Swedish unless asked otherwise).

    No network: WeasyPrint may fetch only files under the static folders (``base_url``), and
    the templates use no external resources."""
    # Imported here: WeasyPrint loads Pango when imported, which the pages never need.
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
