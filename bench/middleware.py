"""Per-request figures for the benchmark: SQL queries, SQL time and template time.

With ``BENCH_REFERENCES`` on, every response carries

- ``X-Bench-Queries``: the number of SQL statements the request ran,
- ``X-Bench-SQL-ms``: the time spent in them (as the database driver saw it),
- ``X-Bench-Render-ms``: the time spent rendering templates (top-level renders only; includes
  the template's own queries, e.g. lazy querysets, which are also in the SQL time).

The runner (``bench/run``) samples each endpoint a few times and records these; wrk does not
read them. With the setting off, Django drops the middleware at start-up (MiddlewareNotUsed),
so a real installation pays nothing for it.
"""

import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection
from django.http import HttpRequest, HttpResponse


@dataclass
class Figures:
    queries: int = 0
    sql_seconds: float = 0.0
    render_seconds: float = 0.0
    rendering: bool = False


_current: ContextVar[Figures | None] = ContextVar("bench_figures", default=None)
_patched = False


def _count_sql(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    figures = _current.get()
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        if figures is not None:
            figures.queries += 1
            figures.sql_seconds += time.perf_counter() - started


def _patch_template_render() -> None:
    """Time Django templates' top-level ``render`` (what ``render()`` and TemplateResponse
    call); nested renders of the same request are inside it and not counted twice."""
    global _patched
    if _patched:
        return
    from django.template.backends.django import Template

    original = Template.render

    def timed_render(self: Any, context: Any = None, request: Any = None) -> Any:
        figures = _current.get()
        if figures is None or figures.rendering:
            return original(self, context, request)
        figures.rendering = True
        started = time.perf_counter()
        try:
            return original(self, context, request)
        finally:
            figures.render_seconds += time.perf_counter() - started
            figures.rendering = False

    Template.render = timed_render  # type: ignore[method-assign]
    _patched = True


class SqlFiguresMiddleware:
    """Adds the request's SQL and template figures as response headers (benchmark only)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.BENCH_REFERENCES:
            raise MiddlewareNotUsed
        self.get_response = get_response
        _patch_template_render()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        figures = Figures()
        token = _current.set(figures)
        try:
            with connection.execute_wrapper(_count_sql):
                response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Bench-Queries"] = str(figures.queries)
        response["X-Bench-SQL-ms"] = f"{figures.sql_seconds * 1000:.3f}"
        response["X-Bench-Render-ms"] = f"{figures.render_seconds * 1000:.3f}"
        return response
