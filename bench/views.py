"""The references every benchmark run measures next to the app's pages (PERFORMANCE.md).

- R_hello ``/bench/hello/``: the full middleware stack (sessions, CSRF, login, two-factor,
  access-log batch, CSP...) and a view that returns "ok".
- R_q ``/bench/q/``: the same plus one indexed SELECT through the ORM (a primary-key lookup).
- R_tpl ``/bench/tpl/``: the same plus a fixed 25-row, 6-column table rendered by a Django
  template of its own (``bench/table.html``: a small HTML page, NOT the app's base layout, so
  it is the cost of a table, not of the layout; T8 compares a list page's whole render to it).

R_pdf (a fixed 20-page document through WeasyPrint, as core/pdf.py renders) is background work
and is timed in a process by ``manage.py bench_background``, not over HTTP.

No login is needed (``login_not_required``); every one answers 404 unless the setting
``BENCH_REFERENCES`` is on, which no real installation sets.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

TABLE_ROWS = 25


def _bench_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.BENCH_REFERENCES:
            raise Http404
        return view(request, *args, **kwargs)

    return login_not_required(require_GET(wrapped))


@_bench_only
def hello(_request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@_bench_only
def query(_request: HttpRequest) -> HttpResponse:
    # One indexed SELECT (primary key) through the ORM; no cache in between.
    found = ContentType.objects.filter(pk=1).values_list("model", flat=True).first()
    return HttpResponse(f"ok {found is not None}", content_type="text/plain")


def table_rows() -> list[dict[str, object]]:
    return [
        {
            "number": number,
            "reference": f"2026-{number:05d}",
            "school": "Åkerö skola 7–9",
            "status": "Mottagen" if number % 3 else "Inkommen",
            "submitted": f"2026-11-{(number % 28) + 1:02d}",
            "owner": "Iris Mottagning",
        }
        for number in range(1, TABLE_ROWS + 1)
    ]


_ROWS = table_rows()


@_bench_only
def table(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/table.html", {"rows": _ROWS})
