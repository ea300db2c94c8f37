"""The dashboard's computed parts, kept in the shared cache under the follow-up stamps.

Computing a municipality's dashboard (its sums, the previous period, the schools, documents,
audits, the comparison with the other municipalities and thirteen trend charts) costs ten
queries and tens of milliseconds of Python; every manager and board member of the
municipality asks for the same few periods, and the inputs change seldom. So the computed
parts are kept in the shared cache, under a key that names:

- the municipality's ``followup_stamp``, which every change to its inputs renews in the same
  transaction (organisations/followup_stamp.py, followup/stamps.py, followup/rollups.py);
- a fingerprint of every municipality's stamp, since the comparison reads them all;
- the period, the day (documents' days and overdue audit answers move with it), the language
  (labels are translated when computed) and the code that computes and pickles the parts.

So an entry is never wrong, only unused, and a change is seen on the next request. Reading
the stamps is one query of one small row per municipality. What the page does with the parts
for its user (the sector's view, a principal's own schools, the links the user may follow) is
done per request, without a query.
"""

import datetime
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from django.core.cache import cache
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from followup.catalogue import CATALOGUE
from followup.charts import trend_svg, trend_table_rows
from followup.models import ReferenceValue
from followup.periods import Period
from followup.presentation import KEY_INDICATORS, trends
from followup.selectors import Comparison, Dashboard, comparisons, dashboard
from organisations.models import Municipality

# An hour: long enough for a morning's readers of one period, short enough that entries no
# stamp will ask for again leave the cache soon.
CACHE_SECONDS = 3600

# The modules whose code shapes what is kept: a deploy that changes one of them never reads an
# entry pickled by the code before.
_SHAPING_MODULES = (
    "cached.py",
    "catalogue.py",
    "charts.py",
    "periods.py",
    "presentation.py",
    "selectors.py",
    "suppression.py",
    "values.py",
)


@functools.cache
def _code_version() -> str:
    """The shaping modules' code and the catalogue's keys (indicators are pickled as their key,
    and other apps register theirs as they start): asked first by a request, when every app is
    ready."""
    digest = hashlib.sha256()
    folder = Path(__file__).resolve().parent
    for name in _SHAPING_MODULES:
        digest.update((folder / name).read_bytes())
    digest.update(",".join(sorted(CATALOGUE)).encode())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class ChartHead:
    """What the page says of a trend around its chart: its title, and whether it is per year."""

    title: str
    yearly: bool


Chart = tuple[ChartHead, SafeString, SafeString]


@dataclass(frozen=True)
class DashboardParts:
    """What the dashboard page shows of a municipality for a period, for every reader."""

    dash: Dashboard
    compared: dict[str, list[Comparison]]
    references: dict[str, list[ReferenceValue]]
    charts: list[Chart]
    key: str | None = None  # where it is kept; None: not kept (the municipality is gone)


def dashboard_parts(
    municipality: Municipality, period: Period, *, today: datetime.date
) -> DashboardParts:
    """The parts from the shared cache, or computed and kept there (one query for the stamps;
    the dashboard's and the comparison's queries only when they are not kept)."""
    key = _key(municipality.pk, period, today)
    found = cache.get(key) if key else None
    if isinstance(found, DashboardParts):
        return found
    parts = compute_parts(municipality, period, today=today, key=key)
    if key:
        cache.set(key, parts, CACHE_SECONDS)
    return parts


def compute_parts(
    municipality: Municipality, period: Period, *, today: datetime.date, key: str | None = None
) -> DashboardParts:
    dash = dashboard(municipality, period, today=today)
    compared, references = comparisons(municipality, period, KEY_INDICATORS)
    drawn = charts(dash)
    # The trend's points are in the charts now; kept, they would cost more to read back from
    # the cache (a few milliseconds) than the rest of the parts together.
    return DashboardParts(replace(dash, trend={}), compared, references, drawn, key)


def kept_html(parts: DashboardParts, variant: str, render: Callable[[], str]) -> SafeString:
    """Markup made from ``parts`` alone (and ``variant``, which names everything else it
    depends on), from the shared cache or rendered and kept there beside the parts: rendering
    the dashboard's tables and charts costs more than computing them."""
    if parts.key is None:
        return mark_safe(render())  # noqa: S308 - rendered by a template, escaped there
    key = f"{parts.key}:html:{variant}"
    found = cache.get(key)
    if not isinstance(found, str):
        found = render()
        cache.set(key, found, CACHE_SECONDS)
    return mark_safe(found)  # noqa: S308 - rendered by a template, escaped there


def charts(dash: Dashboard) -> list[Chart]:
    """Each trend with its chart and the rows of its table."""
    return [
        (
            ChartHead(trend.title, trend.yearly),
            trend_svg(
                trend.points,
                chart_id=f"trend-{trend.key}",
                title=trend.title,
                description=trend.description,
                target=trend.target,
            ),
            trend_table_rows(trend.points),
        )
        for trend in trends(dash)
    ]


def _key(municipality_id: int, period: Period, today: datetime.date) -> str | None:
    stamps = dict(Municipality._base_manager.values_list("pk", "followup_stamp"))
    own = stamps.get(municipality_id)
    if own is None:
        return None  # gone since the request began: compute, keep nothing
    everyone = hashlib.sha256(
        ",".join(f"{pk}:{stamp}" for pk, stamp in sorted(stamps.items())).encode()
    ).hexdigest()[:16]
    return ":".join(
        (
            "followup-dashboard",
            _code_version(),
            str(municipality_id),
            str(own),
            everyone,
            period.start.isoformat(),
            period.end.isoformat(),
            str(period.kind),
            today.isoformat(),
            translation.get_language() or "",
        )
    )
