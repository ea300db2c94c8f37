"""The one way a stored file leaves the system: as a download the browser neither shows nor
sniffs, nor keeps. The caller has loaded the file's owner through its policy (and written the
access log when the file holds a child's data) before it asks for the response."""

import unicodedata

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

# Longer names are cut: most file systems take 255 characters.
_MAX_NAME_LENGTH = 255
_MAX_EXTENSION_LENGTH = 10


def safe_download_name(name: str, fallback: str = "download") -> str:
    """A name the browser can save the file as: the last part of any path, without control
    characters (a line break would break the header), or ``fallback`` when nothing is left."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C"))
    name = name.strip().strip(".").strip()
    if len(name) > _MAX_NAME_LENGTH:
        # Cut the name, not the extension the file opens by.
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= _MAX_EXTENSION_LENGTH:
            name = f"{stem[: _MAX_NAME_LENGTH - len(extension) - 1]}.{extension}"
        else:
            name = name[:_MAX_NAME_LENGTH]
    return name or fallback


def protected_file_response(
    file: FieldFile,
    *,
    filename: str,
    content_type: str = "application/octet-stream",
    fallback_name: str = "download",
) -> FileResponse:
    """The stored ``file`` as an attachment named ``filename`` (made safe), or a 404 when
    there is no file or the storage has lost it (the same answer as for a file that is not
    the user's).

    The browser is told not to guess another type than ``content_type`` (``nosniff``: an
    uploaded file is never run as a page) and not to keep a copy (``private, no-store``: a
    shared computer's cache or a proxy must not hold it).
    """
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=safe_download_name(filename, fallback_name),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
