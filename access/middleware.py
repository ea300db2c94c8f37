"""Request-wide middleware of the access layer: the request id, and no caching of child data."""

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from access.context import ResponseFlags, current_request_id, current_response_flags
from access.policies import access_log_batch

# A proxy may hand us its own id; accept it only when it is short and harmless. ``fullmatch``
# (not ``match`` with ``$``, which also matches before a trailing newline) so that no control
# character can reach the response header or the log.
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdMiddleware:
    """Gives every request an id, echoed in the response and written to access and audit rows.

    The id ends up in the access log, which is evidence in log reviews, so a client must not
    choose it: without a proxy of ours in front (``TRUSTED_PROXY_COUNT`` = 0) anybody can send
    the header, and the incoming one is ignored. Behind our own proxy, which sets (or replaces)
    the header, the proxy's id is kept so that its logs and ours can be matched.
    """

    header = "X-Request-ID"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(self.header, "") if settings.TRUSTED_PROXY_COUNT else ""
        request_id = incoming if _SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[self.header] = request_id
        return response


class ChildDataNoStoreMiddleware:
    """Forbids caching (browser, proxy, back button on a shared computer) of every response
    that showed a child's data.

    It holds by construction: the access log marks the request whenever it writes a row (see
    ``access.services``), and no view shows a child's data without writing one. Pages without
    such data keep the default caching headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        flags = ResponseFlags()
        token = current_response_flags.set(flags)
        try:
            response = self.get_response(request)
        finally:
            current_response_flags.reset(token)
        if flags.shows_child_data:
            patch_cache_control(response, no_store=True, private=True)
            # For HTTP/1.0 caches that know no Cache-Control.
            response["Pragma"] = "no-cache"
        return response


class AccessLogBatchMiddleware:
    """Every request reads children's data inside one access-log batch: what a page shows is
    written to the log in one insert when the view is done, before the response is sent."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with access_log_batch():
            return self.get_response(request)
