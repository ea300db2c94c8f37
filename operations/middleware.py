"""The request log line and metrics, and the friendly page when the database is unavailable."""

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.functional import SimpleLazyObject, empty

from operations.logging import is_database_unavailable
from operations.metrics import UNAVAILABLE_RESPONSES, observe_request
from operations.receivers import DATABASE_UNAVAILABLE

request_logger = logging.getLogger("samverkan.request")
database_logger = logging.getLogger("samverkan.database")

# Answered often by machines (load balancer, Prometheus): counted, but logged only at DEBUG.
_QUIET_ROUTES = frozenset({"core:healthz", "metrics"})
RETRY_AFTER_SECONDS = 30


class RequestLogMiddleware:
    """One log line and one metrics observation per request: the URL pattern's name (never the
    path, which can hold ids and tokens), method, status, duration, and the user's id number
    (no name, no e-mail). Never the query string, the body, or the headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        route = _route_name(request)
        observe_request(
            route=route, method=request.method or "", status=response.status_code, seconds=seconds
        )
        request_logger.log(
            logging.DEBUG if route in _QUIET_ROUTES else logging.INFO,
            "%s %s %s",
            request.method,
            route,
            response.status_code,
            extra={
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "user_id": _user_id(request),
            },
        )
        return response


def _route_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        # The request ended before URL resolution (a middleware answered, or failed).
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return "unmatched"
    return match.view_name or "unnamed"


def _user_id(request: HttpRequest) -> int | None:
    """The user's id, only when the request already loaded the user: looking it up here could
    query a database that is down."""
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None
    if user is None or not user.is_authenticated:
        return None
    return int(user.pk)


class DatabaseUnavailableMiddleware:
    """Answers 503 with a small page when the request failed because the database did not
    answer (refused or lost connection; the session and login middlewares query it too).

    Django turns an exception into a 500 response in the layer that raised it, so the failure
    is seen here through the ``got_request_exception`` signal (``operations.receivers``), which
    marks the request. The page is rendered without a request context: no context processor,
    nothing that queries. The failure is logged once, in one line, without the traceback
    (``operations.logging.DropDatabaseUnavailableTracebacks`` keeps Django's out).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except Exception as error:
            if not is_database_unavailable(error):
                raise
            return unavailable_response(request, type(error).__name__)
        error_name = getattr(request, DATABASE_UNAVAILABLE, "")
        if response.status_code == 500 and error_name:
            return unavailable_response(request, error_name)
        return response


def unavailable_response(request: HttpRequest, error_name: str) -> HttpResponse:
    database_logger.error("Database unavailable (%s): answered 503", error_name)
    UNAVAILABLE_RESPONSES.inc()
    # The locale middleware may not have run: the language comes from the cookie or the
    # browser, which needs no database.
    language = translation.get_language_from_request(request)
    with translation.override(language):
        content = render_to_string("operations/503.html", {"language": language})
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    # The middlewares that add these to other pages come later, or were skipped.
    response["Content-Security-Policy"] = (
        "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )
    response["X-Frame-Options"] = "DENY"
    # Django would log the 503 again ("Service Unavailable: <path>"); the line above says it.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
