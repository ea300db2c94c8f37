"""Which files may be attached to a report: PDF, images and office documents up to a size.

The browser's declared type is not trusted: the extension must be on the list and the first
bytes must look like that kind of file.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# extension -> (content type, accepted leading bytes)
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "heic": ("image/heic", (b"\x00\x00\x00",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    "odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    "doc": ("application/msword", _OLE),
    "xls": ("application/vnd.ms-excel", _OLE),
}


def accepted_extensions() -> str:
    return ", ".join(sorted(ALLOWED))


def validate_upload(upload: UploadedFile) -> str:
    """Raise ValidationError with a clear message, or return the content type to store."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise ValidationError(
            _("%(name)s can not be attached. Accepted kinds of file: %(kinds)s."),
            code="file_type",
            params={"name": name, "kinds": accepted_extensions()},
        )
    limit = settings.REPORT_ATTACHMENT_MAX_BYTES
    if (upload.size or 0) > limit:
        raise ValidationError(
            _("%(name)s is too large (%(size)s). The largest file you can attach is %(limit)s."),
            code="file_size",
            params={
                "name": name,
                "size": filesizeformat(upload.size or 0),
                "limit": filesizeformat(limit),
            },
        )
    content_type, signatures = ALLOWED[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            _("%(name)s does not look like a %(kind)s file. Save it again and attach it anew."),
            code="file_content",
            params={"name": name, "kind": extension.upper()},
        )
    upload.content_type = content_type
    return content_type
