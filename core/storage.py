"""Uploaded files on the local disk, never half-written.

Django's ``FileSystemStorage`` writes straight to the file's final name, so a full disk (or a
quota, or an I/O error) in the middle of an upload leaves a truncated file there: an orphan no
record points to, or worse, a record pointing to half a document. Here the upload is written to
a hidden temporary file in the same folder, flushed to the disk, and only then linked under its
final name (``link`` refuses an existing name, as ``O_EXCL`` does). On any error the temporary
file is removed and the error goes to the caller (see ``core.uploads.stored_files``).
"""

import os
import tempfile
from typing import Any

from django.core.files.storage import FileSystemStorage
from django.core.files.utils import validate_file_name


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        if self.directory_permissions_mode is not None:
            os.makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-")
        try:
            self._write(handle, content)
            name, full_path = self._link(temporary, name, full_path)
        finally:
            os.unlink(temporary)
        os.chmod(full_path, self.file_permissions_mode or 0o644)
        return os.path.relpath(full_path, self.location).replace("\\", "/")

    @staticmethod
    def _write(handle: int, content: Any) -> None:
        with os.fdopen(handle, "wb") as out:
            for chunk in content.chunks():
                out.write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
            out.flush()
            # On the disk before the record that points to it is committed.
            os.fsync(out.fileno())

    def _link(self, temporary: str, name: str, full_path: str) -> tuple[str, str]:
        while True:
            try:
                os.link(temporary, full_path)
            except FileExistsError:
                name = self.get_available_name(name)
                validate_file_name(name, allow_relative_path=True)
                full_path = self.path(name)
            else:
                return name, full_path
