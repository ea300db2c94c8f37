from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.attention import start_sections
from core.forms import AccessibilityReportForm
from core.services import accessibility_report_create


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """The start page: per role the user holds, what needs their attention."""
    sections = start_sections(request.user)  # type: ignore[arg-type]
    return render(request, "core/start.html", {"sections": sections})


@login_not_required
@require_http_methods(["GET", "POST"])
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The accessibility statement, with a form to report a problem (anonymous allowed)."""
    form = AccessibilityReportForm(request.POST or None)
    if request.method == "POST":
        if _too_many_reports(request):
            messages.error(request, _("Too many reports in a short time. Try again later."))
        elif form.is_valid():
            accessibility_report_create(**form.cleaned_data)
            messages.success(request, _("Thank you. Your report has been received."))
            return redirect("core:accessibility")
    return render(
        request,
        "core/accessibility.html",
        {"form": form, "contact": settings.INSTALLATION_CONTACT},
    )


def _too_many_reports(request: HttpRequest) -> bool:
    # The page is public; a small per-address budget keeps the table from being flooded.
    key = "a11y-report:" + request.META.get("REMOTE_ADDR", "")
    count = cache.get_or_set(key, 0, timeout=3600) or 0
    if count >= 10:
        return True
    cache.incr(key)
    return False


@login_not_required
@never_cache
@require_GET
def healthz(_request: HttpRequest) -> JsonResponse:
    """Liveness and database status for load balancers; no details that help an attacker."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except DatabaseError:
        database = "unavailable"
    status = 200 if database == "ok" else 503
    response = JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": database},
        status=status,
    )
    # The load balancer asks every few seconds: during an outage Django would log an ERROR
    # for each probe. The outage is already in the log once per real request (the 503 page)
    # and in the metrics (samverkan_database_up).
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def csrf_failure(
    request: HttpRequest,
    reason: str = "",  # noqa: ARG001 - Django passes it by name
) -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a refused form (its security token no longer matches, usually
    after a new login in another tab, which renews the token) in our layout, in plain words,
    instead of Django's bare page. Status 403, and nothing was saved. The report form keeps
    what was typed in the browser tab and puts it back when the form is opened again, so the
    way back to the page that sent the form is the main link."""
    return render(request, "403_csrf.html", {"back_url": _same_site_referer(request)}, status=403)


def _same_site_referer(request: HttpRequest) -> str:
    # Only a page of this site, as a path: the Referer header is the client's to set.
    referer = request.headers.get("referer", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(referer)
    return parts.path + (f"?{parts.query}" if parts.query else "")
