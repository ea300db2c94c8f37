"""Gives every request an id, echoed in the response and written to access and audit rows."""

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from access.context import current_request_id

# A proxy may hand us its own id; accept it only when it is short and harmless. ``fullmatch``
# (not ``match`` with ``$``, which also matches before a trailing newline) so that no control
# character can reach the response header or the log.
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdMiddleware:
    header = "X-Request-ID"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(self.header, "")
        request_id = incoming if _SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[self.header] = request_id
        return response
