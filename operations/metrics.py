"""Prometheus metrics: requests and latency counted by every app process, and figures from
the database computed when Prometheus scrapes.

With several gunicorn workers (processes), each process counts its own requests. When
``PROMETHEUS_MULTIPROC_DIR`` is set (before Python starts: prometheus_client reads it at
import), every process writes its counters to files in that folder and a scrape, answered by
any of them, sums the folder: one scrape covers all processes on the host. Without it (the
development server, the tests) the counters live in the process. See docs/observability.md.
"""

import os
import time
from collections.abc import Iterator, Mapping

from django.core.cache import caches
from django.db import DatabaseError
from django.utils import timezone
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from operations import selectors

# The "_created" series (when each label set was first seen) only double the output here.
disable_created_metrics()

_LABELS = ("route", "method", "status")
# Not registered anywhere: each scrape builds its own registry (see ``scrape``).
REQUESTS = Counter(
    "samverkan_http_requests",
    "Requests answered, by URL pattern name, method and status class.",
    _LABELS,
    registry=None,
)
LATENCY = Histogram(
    "samverkan_http_request_duration_seconds",
    "Time from the request reaching the app to its response, by URL pattern name, method and "
    "status class.",
    _LABELS,
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=None,
)
UNAVAILABLE_RESPONSES = Counter(
    "samverkan_database_unavailable_responses",
    "Requests answered with the 503 page because the database did not answer.",
    registry=None,
)
# Any other method string is the client's to choose; it must not create new series.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    labels = (route, method if method in _METHODS else "OTHER", f"{status // 100}xx")
    REQUESTS.labels(*labels).inc()
    LATENCY.labels(*labels).observe(seconds)


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def scrape() -> bytes:
    """The text exposition of every metric, computed now."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        MultiProcessCollector(registry)
    else:
        for metric in (REQUESTS, LATENCY, UNAVAILABLE_RESPONSES):
            registry.register(metric)
    registry.register(DatabaseCollector())
    registry.register(CacheCollector())
    return generate_latest(registry)


class CacheCollector(Collector):
    """Whether the database stands in for Redis (core.cache): 1 from a Redis outage until
    Redis answers again, as the process that answered the scrape sees it."""

    def collect(self) -> Iterator[Metric]:
        degraded = getattr(caches["default"], "degraded", None)
        yield GaugeMetricFamily(
            "samverkan_cache_fallback",
            "1 while the database stands in for an unreachable Redis (docs/backup.md).",
            value=1 if degraded is not None and degraded() else 0,
        )


class DatabaseCollector(Collector):
    """The queue, the overdue counts and the periodic jobs, read at scrape time. When the
    database does not answer, ``samverkan_database_up`` is 0 and the rest is left out (an
    absent series, not a false zero)."""

    def collect(self) -> Iterator[Metric]:
        started = time.monotonic()
        up = GaugeMetricFamily("samverkan_database_up", "1 if the database answered the scrape.")
        try:
            families = list(_database_families())
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families
        yield GaugeMetricFamily(
            "samverkan_metrics_database_seconds",
            "Time spent on the database queries of this scrape.",
            value=time.monotonic() - started,
        )


def _database_families() -> Iterator[Metric]:
    now = timezone.now()
    queue = selectors.task_queue(now=now)
    yield _by_label(
        "samverkan_tasks",
        "Tasks in the database queue table, by state.",
        "state",
        {state.lower(): count for state, count in queue.by_state.items()},
    )
    yield GaugeMetricFamily(
        "samverkan_tasks_oldest_ready_age_seconds",
        "How long the oldest task ready to run has waited (0 when none waits).",
        value=queue.oldest_ready_age_seconds,
    )
    yield _by_label(
        "samverkan_tasks_failed",
        "Failed tasks kept in the queue table, by task.",
        "task",
        queue.failed_by_task,
    )
    overdue = selectors.overdue(now=now, today=timezone.localdate(now))
    yield _by_label(
        "samverkan_overdue_reports",
        "Open reports of concern past a deadline (the report watchdog's count), by municipality.",
        "municipality",
        overdue.reports,
    )
    yield _by_label(
        "samverkan_overdue_governance_revisions",
        "Governance documents past their revision date, by municipality.",
        "municipality",
        overdue.governance_revisions,
    )
    yield _by_label(
        "samverkan_overdue_sip_follow_ups",
        "Active coordinated plans (SIP) past their follow-up date, by municipality.",
        "municipality",
        overdue.sip_follow_ups,
    )
    yield _by_label(
        "samverkan_periodic_last_success_timestamp_seconds",
        "When each periodic job last finished without error (Unix time).",
        "job",
        {job: at.timestamp() for job, at in selectors.last_periodic_runs().items()},
    )


def _by_label(name: str, documentation: str, label: str, values: Mapping[str, float]) -> Metric:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family
