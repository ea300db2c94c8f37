"""The metrics endpoint for Prometheus."""

import secrets

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from operations.metrics import scrape


@login_not_required
@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """The metrics, for the bearer of ``METRICS_TOKEN`` only. Without a configured token, and
    for a missing or wrong one, the answer is the same 404 as for a page that does not exist:
    a session (even an administrator's) is no substitute, and nothing says the endpoint is
    here."""
    if not _has_token(request):
        raise Http404
    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)


def _has_token(request: HttpRequest) -> bool:
    expected: str = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return secrets.compare_digest(given.strip().encode(), expected.encode())
