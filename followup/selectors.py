"""Reading the follow-up: indicator values of a municipality for a period, with the previous
period, a monthly trend, the schools, the sectors, the governance documents and comparisons.

Everything reads the summary tables (``followup.models.Rollup``), never raw reports or
meetings, in a fixed number of queries whatever the amount of data (at most eight; tested):

1. the municipality's sums per (unit, sector, metric) for the period, the previous period
   and the twelve months up to the end of each, in one query with filtered sums;
2. the read-confirmation snapshots of the two periods' last months;
3. the monthly trend;
4. the schools (names and pupils);
5. the targets the municipality set;
6. and 7. the governance documents' dates (``governance.selectors.document_statuses``; the
   second only when a document has an approved version);
8. the auditors' open recommendations and overdue measures (live, from the audits).

Comparisons with other municipalities and national reference values are three queries more
(:func:`comparisons`).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from followup.catalogue import (
    CATALOGUE,
    MONTH_END_INDICATORS,
    MONTH_END_METRICS,
    Indicator,
    Level,
    Ratio,
    for_goal,
)
from followup.models import (
    ComparisonConsent,
    IndicatorTarget,
    ReferenceValue,
    Rollup,
    RollupSource,
)
from followup.periods import Period, PeriodKind, add_months, month_label, month_start
from followup.suppression import Cell, Protection, cell, protect_parts
from followup.values import Shown, compute_shown, shown_from_ratio, shown_share
from organisations.models import Municipality, Sector, Unit, UnitKind

SILENT_FRACTION = Decimal("0.25")  # a school under a quarter of the municipality's rate
TREND_MONTHS = 12

Metrics = dict[str, int]


def _metrics() -> Metrics:
    # A function of the module, not a lambda: the sums are pickled with the dashboards kept in
    # the shared cache (followup/cached.py).
    return defaultdict(int)


def _metrics_by() -> defaultdict[Any, Metrics]:
    return defaultdict(_metrics)


@dataclass
class Sums:
    """Metric sums of one municipality: in total, per unit and per sector."""

    total: Metrics = field(default_factory=_metrics)
    by_unit: dict[int, Metrics] = field(default_factory=_metrics_by)
    by_sector: dict[str, Metrics] = field(default_factory=_metrics_by)

    def add(self, unit_id: int | None, sector: str, metric: str, value: int) -> None:
        self.total[metric] += value
        if unit_id is not None:
            self.by_unit[unit_id][metric] += value
        if sector:
            self.by_sector[sector][metric] += value


def _snapshot_sums(rows: list[tuple[int | None, str, str, int]]) -> Sums:
    # Read-confirmation rows name persons once per unit, once per sector and once in total
    # (unit empty): each level is taken from its own rows, never added up.
    sums = Sums()
    for unit_id, sector, metric, value in rows:
        if unit_id is not None:
            sums.by_unit[unit_id][metric] = value
        elif sector:
            sums.by_sector[sector][metric] = value
        else:
            sums.total[metric] = value
    return sums


@dataclass
class PeriodSums:
    current: Sums
    previous: Sums
    last_year: Sums  # the twelve months up to the period's end (silent schools)
    snapshot: Sums
    previous_snapshot: Sums
    previous_last_year: Sums  # the twelve months up to the previous period's end


def period_sums(
    municipality: Municipality, period: Period, *, today: datetime.date | None = None
) -> PeriodSums:
    """Queries 1 and 2 of the module docstring. The "last twelve months" (silent schools) end
    with the period, or with this month when the period is not over yet: in February of the
    current year they are last March to this February, not January to December. Counts at a
    month's end (``MONTH_END_METRICS``: the plans active then) are the period's last month's,
    or this month's while the period lasts, never a sum over the months."""
    previous = period.previous()
    year_end = period.end
    if today is not None:
        year_end = min(period.end, add_months(month_start(today), 1))
    current_last = add_months(year_end, -1)
    previous_last = add_months(previous.end, -1)
    if today is not None:
        previous_last = min(previous_last, month_start(today))
    year_start = add_months(year_end, -12)
    previous_year_start = add_months(previous.end, -12)
    earliest = min(previous.start, year_start, previous_year_start)
    in_current = Q(month__gte=period.start, month__lt=period.end)
    in_previous = Q(month__gte=previous.start, month__lt=previous.end)
    in_year = Q(month__gte=year_start, month__lt=year_end)
    in_previous_year = Q(month__gte=previous_year_start, month__lt=previous.end)
    rows = (
        Rollup.objects.filter(municipality=municipality, month__gte=earliest, month__lt=period.end)
        .exclude(source=RollupSource.GOVERNANCE)
        .values("unit_id", "sector", "metric")
        .annotate(
            current=Sum("value", filter=in_current),
            previous=Sum("value", filter=in_previous),
            year=Sum("value", filter=in_year),
            previous_year=Sum("value", filter=in_previous_year),
            current_end=Sum("value", filter=Q(month=current_last)),
            previous_end=Sum("value", filter=Q(month=previous_last)),
        )
        .order_by()
    )
    result = PeriodSums(Sums(), Sums(), Sums(), Sums(), Sums(), Sums())
    for row in rows:
        key = (row["unit_id"], row["sector"], row["metric"])
        if row["metric"] in MONTH_END_METRICS:
            result.current.add(*key, row["current_end"] or 0)
            result.previous.add(*key, row["previous_end"] or 0)
            continue
        result.current.add(*key, row["current"] or 0)
        result.previous.add(*key, row["previous"] or 0)
        result.last_year.add(*key, row["year"] or 0)
        result.previous_last_year.add(*key, row["previous_year"] or 0)
    result.snapshot, result.previous_snapshot = _snapshots(municipality, period, previous)
    return result


def _snapshots(municipality: Municipality, period: Period, previous: Period) -> tuple[Sums, Sums]:
    """The rows of the latest snapshot month of each period, in one query."""
    governance = Rollup.objects.filter(municipality=municipality, source=RollupSource.GOVERNANCE)

    def latest_before(end: datetime.date) -> Subquery:
        return Subquery(governance.filter(month__lt=end).order_by("-month").values("month")[:1])

    rows: dict[datetime.date, list[tuple[int | None, str, str, int]]] = defaultdict(list)
    for month, unit_id, sector, metric, value in governance.filter(
        Q(month=latest_before(period.end)) | Q(month=latest_before(previous.end))
    ).values_list("month", "unit_id", "sector", "metric", "value"):
        rows[month].append((unit_id, sector, metric, value))
    current = max(rows, default=None)
    earlier = max((month for month in rows if month < previous.end), default=None)
    return (
        _snapshot_sums(rows[current] if current else []),
        _snapshot_sums(rows[earlier] if earlier else []),
    )


def monthly_trend(municipality: Municipality, period: Period) -> dict[datetime.date, Metrics]:
    """Query 3: the municipality's sums per month, for the period or, when it is shorter, the
    twelve months up to its end."""
    start = min(period.start, add_months(period.end, -TREND_MONTHS))
    trend: dict[datetime.date, Metrics] = {}
    month = start
    while month < period.end:
        trend[month] = defaultdict(int)
        month = add_months(month, 1)
    rows = (
        Rollup.objects.filter(municipality=municipality, month__gte=start, month__lt=period.end)
        .exclude(source=RollupSource.GOVERNANCE)
        .values("month", "metric")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for row in rows:
        trend[row["month"]][row["metric"]] += row["total"]
    return trend


def targets_for(municipality: Municipality) -> dict[str, Decimal | None]:
    """Query 5: every indicator's target, the municipality's own where it set one."""
    targets = {key: indicator.default_target for key, indicator in CATALOGUE.items()}
    for key, target in IndicatorTarget.objects.filter(municipality=municipality).values_list(
        "indicator_key", "target"
    ):
        targets[key] = target
    return targets


# --- schools --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolRow:
    unit: Unit
    sent: Cell
    rate: Shown
    silent: bool
    met_intake: bool
    parent_meeting_visited: bool
    sent_last_year: int


def schools_of(municipality: Municipality) -> list[Unit]:
    """Query 4: the municipality's active school units, by name."""
    return list(
        Unit.objects.filter(
            municipality=municipality,
            kind__in=[UnitKind.SCHOOL, UnitKind.PRESCHOOL],
            is_active=True,
        ).order_by("name")
    )


def school_rows(schools: list[Unit], sums: PeriodSums) -> tuple[list[SchoolRow], Shown]:
    """One row per school (sent reports protected as parts of the total) and the
    municipality's rate per 100 pupils."""
    indicator = CATALOGUE["reports_per_100_pupils"]
    sent = [sums.current.by_unit.get(school.pk, {}).get("sent", 0) for school in schools]
    cells, total = protect_parts(sent, sum(sent), indicator.protection)
    pupils = sum(school.pupil_count or 0 for school in schools)
    municipal = shown_share(indicator, total, Cell(pupils), target=None)
    year_sent = sum(sums.last_year.by_unit.get(school.pk, {}).get("sent", 0) for school in schools)
    year_rate = Decimal(year_sent) / pupils if pupils else Decimal(0)
    rows = []
    for school, sent_cell in zip(schools, cells, strict=True):
        metrics = sums.current.by_unit.get(school.pk, {})
        last_year = sums.last_year.by_unit.get(school.pk, {}).get("sent", 0)
        rows.append(
            SchoolRow(
                unit=school,
                sent=sent_cell,
                rate=shown_share(indicator, sent_cell, Cell(school.pupil_count or 0), target=None),
                silent=_is_silent(last_year, school.pupil_count, year_rate),
                met_intake=metrics.get("held_intake_principal", 0) > 0,
                parent_meeting_visited=metrics.get("held_parent_meeting", 0) > 0,
                sent_last_year=last_year,
            )
        )
    return rows, municipal


def _is_silent(last_year: int, pupils: int | None, municipal_rate: Decimal) -> bool:
    if last_year == 0:
        return True
    if not pupils or not municipal_rate:
        return False
    return Decimal(last_year) / pupils < municipal_rate * SILENT_FRACTION


# --- the dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SectorRow:
    sector: str
    label: str
    attendance: Shown
    participants: int
    confirmed: Shown


@dataclass(frozen=True)
class TrendPoint:
    """One bar of a trend: a month, or (``last`` set) the months ``month`` to ``last`` of one
    calendar year."""

    month: datetime.date
    shown: Shown
    last: datetime.date | None = None

    @property
    def label(self) -> str:
        """The bar for a table's row header: "mars 2026", "2025" or "mars–december 2017"."""
        if self.last is None:
            return month_label(self.month)
        if self.month.month == 1 and self.last.month == 12:
            return str(self.month.year)
        return f"{month_label(self.month, 'F')}–{month_label(self.last)}"

    @property
    def axis_label(self) -> str:
        """The bar's label under a chart: the month's abbreviation, or the year."""
        return month_label(self.month, "M") if self.last is None else str(self.month.year)


@dataclass
class Dashboard:
    municipality: Municipality
    period: Period
    values: dict[str, Shown]
    previous: dict[str, Shown]
    trend: dict[str, list[TrendPoint]]
    schools: list[SchoolRow]
    sectors: list[SectorRow]
    documents: list["DocumentDays"]
    targets: dict[str, Decimal | None]
    # The sector whose values ``values`` and ``previous`` hold; empty: the whole municipality.
    # The trend, the schools, the sectors table and the documents stay the municipality's.
    sector: str = ""
    # The sums the values came from, kept so that a sector's view needs no further query.
    sums: PeriodSums | None = field(default=None, repr=False, compare=False)
    # The coordinated plans started, by sector and by how they started (the municipality's).
    sip: "SipBreakdown | None" = None

    @property
    def sector_label(self) -> str:
        return _sector_label(self.sector) if self.sector else ""

    @property
    def red(self) -> list[Shown]:
        return [shown for shown in self.values.values() if shown.light == "red"]

    @property
    def silent_schools(self) -> list[SchoolRow]:
        return [row for row in self.schools if row.silent]


@dataclass(frozen=True)
class SipPart:
    label: str
    started: Cell


@dataclass(frozen=True)
class SipBreakdown:
    """The coordinated plans started in the period, by the convening unit's sector and by how
    they started. Each list is protected as the parts of the same total (``protect_parts``),
    so no small count can be worked back from the total and the other parts."""

    total: Cell
    sectors: list[SipPart]
    origins: list[SipPart]

    @property
    def any(self) -> bool:
        return self.total.value > 0


def sip_breakdown(sums: Sums) -> SipBreakdown:
    """The breakdown of the plans started, from the sums already loaded (no query)."""
    protection = CATALOGUE["sip_started"].protection
    total = sums.total.get("sip_started", 0)
    sectors = sorted(
        (sector for sector, metrics in sums.by_sector.items() if metrics.get("sip_started")),
        key=lambda sector: str(_sector_label(sector)),
    )
    parts = [sums.by_sector[sector]["sip_started"] for sector in sectors]
    # Plans whose convening unit had no sector (none today) are a part of their own.
    parts.append(max(total - sum(parts), 0))
    sector_cells, total_cell = protect_parts(parts, total, protection)
    from_report = sums.total.get("sip_started_from_report", 0)
    origin_cells, _total = protect_parts(
        [from_report, max(total - from_report, 0)], total, protection
    )
    return SipBreakdown(
        total=total_cell,
        sectors=[
            SipPart(_sector_label(sector), sector_cell)
            for sector, sector_cell in zip(sectors, sector_cells, strict=False)
        ],
        origins=[
            SipPart(_("From a report of concern"), origin_cells[0]),
            SipPart(_("Otherwise"), origin_cells[1]),
        ],
    )


@dataclass(frozen=True)
class DocumentDays:
    document_id: int
    title: str
    kind_label: str
    date: datetime.date | None
    days: int | None
    shown: Shown


def _values(
    sums: Sums, snapshot: Sums, schools: list[SchoolRow], targets: dict[str, Decimal | None]
) -> dict[str, Shown]:
    values: dict[str, Shown] = {}
    for key, indicator in CATALOGUE.items():
        if indicator.compute is None:
            continue
        source = snapshot.total if indicator.snapshot else sums.total
        values[key] = compute_shown(indicator, source, target=targets.get(key))
    count = len(schools)
    for key, flag in (
        ("intake_principal_coverage", "met_intake"),
        ("parent_meeting_coverage", "parent_meeting_visited"),
    ):
        met = sum(1 for row in schools if getattr(row, flag))
        values[key] = shown_share(CATALOGUE[key], Cell(met), Cell(count), target=targets.get(key))
    values["silent_schools"] = shown_from_ratio(
        CATALOGUE["silent_schools"],
        _silent_ratio(schools),
        target=targets.get("silent_schools"),
    )
    return values


def _silent_ratio(schools: list[SchoolRow]) -> Ratio:
    return Ratio(sum(1 for row in schools if row.silent))


def attendance_shown(sums: Sums, sector: str, *, target: Decimal | None) -> Shown:
    """The share of the municipality's held meetings that ``sector`` attended."""
    held = sums.total.get("occ_held", 0)
    attended = sums.by_sector.get(sector, {}).get("attended", 0)
    return shown_share(CATALOGUE["attendance_by_sector"], Cell(attended), Cell(held), target=target)


def _sector_rows(sums: PeriodSums, targets: dict[str, Decimal | None]) -> list[SectorRow]:
    confirmed = CATALOGUE["routine_confirmed"]
    sectors = set(sums.current.by_sector) | set(sums.snapshot.by_sector)
    rows = []
    for sector in sorted(sectors, key=lambda value: str(_sector_label(value))):
        metrics = sums.current.by_sector.get(sector, {})
        snapshot = sums.snapshot.by_sector.get(sector, {})
        if not metrics.get("attended") and not snapshot.get("staff"):
            continue
        rows.append(
            SectorRow(
                sector=sector,
                label=str(_sector_label(sector)),
                attendance=attendance_shown(sums.current, sector, target=None),
                participants=metrics.get("participants", 0),
                confirmed=compute_shown(confirmed, snapshot, target=targets.get(confirmed.key)),
            )
        )
    return rows


def _sector_label(sector: str) -> str:
    try:
        return str(Sector(sector).label)
    except ValueError:
        return sector


def document_days(
    municipality: Municipality, *, today: datetime.date, target: Decimal | None
) -> list[DocumentDays]:
    """Queries 6 and 7: each governance document's days until its revision or expiry."""
    from governance.models import GovernanceDocument
    from governance.selectors import document_statuses

    indicator = CATALOGUE["document_days_to_revision"]
    statuses = document_statuses(
        GovernanceDocument.objects.filter(municipality=municipality).order_by("title"),
        today=today,
    )
    rows = []
    for status in statuses:
        dates = [
            day
            for day in (
                status.next_revision,
                status.current.valid_to if status.current else None,
            )
            if day is not None
        ]
        date = min(dates) if dates else None
        days = (date - today).days if date else None
        rows.append(
            DocumentDays(
                document_id=status.document.pk,
                title=status.document.title,
                kind_label=str(status.document.get_kind_display()),
                date=date,
                days=days,
                shown=Shown(indicator, Decimal(days) if days is not None else None, target=target),
            )
        )
    rows.sort(key=lambda row: (row.days is None, row.days if row.days is not None else 0))
    return rows


def dashboard(municipality: Municipality, period: Period, *, today: datetime.date) -> Dashboard:
    """Every indicator of the municipality for the period (at most eight queries)."""
    sums = period_sums(municipality, period, today=today)
    targets = targets_for(municipality)
    schools = schools_of(municipality)
    rows, _municipal_rate = school_rows(schools, sums)
    previous_rows = _previous_school_rows(schools, sums)
    values = _values(sums.current, sums.snapshot, rows, targets)
    values["reports_per_100_pupils"] = _municipal_rate
    previous = _values(sums.previous, sums.previous_snapshot, previous_rows, targets)
    documents = document_days(
        municipality, today=today, target=targets.get("document_days_to_revision")
    )
    if documents and documents[0].days is not None:
        values["document_days_to_revision"] = documents[0].shown
    values.update(_audit_values(municipality, today, targets))
    return Dashboard(
        municipality=municipality,
        period=period,
        values=values,
        previous=previous,
        trend=_trend(monthly_trend(municipality, period), period, targets),
        schools=rows,
        sectors=_sector_rows(sums, targets),
        documents=documents,
        targets=targets,
        sums=sums,
        sip=sip_breakdown(sums.current),
    )


def _audit_values(
    municipality: Municipality, today: datetime.date, targets: dict[str, Decimal | None]
) -> dict[str, Shown]:
    """The auditors' open recommendations and overdue measures and answers today (one query;
    counts of recommendations are not about children and are shown as they are)."""
    from audits.selectors import follow_up_counts

    counts = follow_up_counts(municipality, today)
    if not counts.recommendations:
        return {}
    values = {
        "open_audit_recommendations": counts.open_recommendations,
        "overdue_audit_measures": counts.overdue_measures + counts.overdue_responses,
    }
    return {
        key: shown_from_ratio(CATALOGUE[key], Ratio(count), target=targets.get(key))
        for key, count in values.items()
    }


def _previous_school_rows(schools: list[Unit], sums: PeriodSums) -> list[SchoolRow]:
    """The schools as they stood in the previous period: its reports, and silent judged on
    the twelve months up to its end (so "silent schools" compares like with like)."""
    shifted = PeriodSums(
        current=sums.previous,
        previous=Sums(),
        last_year=sums.previous_last_year,
        snapshot=sums.previous_snapshot,
        previous_snapshot=Sums(),
        previous_last_year=Sums(),
    )
    rows, _rate = school_rows(schools, shifted)
    return rows


# A trend longer than this is drawn per year: 120 monthly bars can not be read (nor told
# apart by a screen reader's user), and a year is what a board compares over a decade.
YEARLY_BEYOND_MONTHS = 24


def _trend(
    monthly: dict[datetime.date, Metrics], period: Period, targets: dict[str, Decimal | None]
) -> dict[str, list[TrendPoint]]:
    """Per indicator with a monthly meaning, its value month by month, or year by year over
    more than two years. Counts that are parts of the period's total are protected together
    (a month of 1–4 reports is "<5")."""
    lasts: dict[datetime.date, datetime.date | None] = dict.fromkeys(monthly)
    if len(monthly) > YEARLY_BEYOND_MONTHS:
        monthly, lasts = _by_year(monthly)
    trend: dict[str, list[TrendPoint]] = {}
    for key, indicator in CATALOGUE.items():
        if indicator.compute is None or indicator.snapshot or not indicator.trend:
            continue
        trend[key] = [
            TrendPoint(
                month, compute_shown(indicator, metrics, target=targets.get(key)), lasts[month]
            )
            for month, metrics in monthly.items()
        ]
    cells = _protected_months(monthly, period)
    trend["reports"] = [
        TrendPoint(month, _count_shown(cells[month]), lasts[month]) for month in monthly
    ]
    return trend


def _by_year(
    monthly: dict[datetime.date, Metrics],
) -> tuple[dict[datetime.date, Metrics], dict[datetime.date, datetime.date | None]]:
    """The months' sums added up per calendar year (every metric is a count), each year under
    its first month in the trend, and the last month of each year in the trend."""
    yearly: dict[datetime.date, Metrics] = {}
    lasts: dict[datetime.date, datetime.date | None] = {}
    firsts: dict[int, datetime.date] = {}
    for month, metrics in monthly.items():
        first = firsts.setdefault(month.year, month)
        total = yearly.setdefault(first, defaultdict(int))
        for metric, value in metrics.items():
            total[metric] += value
        lasts[first] = month
    return yearly, lasts


def _protected_months(
    monthly: dict[datetime.date, Metrics], period: Period
) -> dict[datetime.date, Cell]:
    """The reports that arrived per month, protected as parts of the totals the page shows
    beside them: the months of the period as parts of the period's total, the months of the
    previous period as parts of its total, and the months before those as parts of their own
    sum. Protected against one total for all twelve months, a month hidden there could be
    worked back from the period's total and the other months of the period."""
    previous = period.previous()
    groups: dict[str, list[datetime.date]] = defaultdict(list)
    for month in monthly:
        if period.start <= month < period.end:
            groups["period"].append(month)
        elif previous.start <= month < previous.end:
            groups["previous"].append(month)
        else:
            groups["earlier"].append(month)
    cells: dict[datetime.date, Cell] = {}
    for months in groups.values():
        counts = [monthly[month].get("reports", 0) for month in months]
        protected, _total = protect_parts(counts, sum(counts), Protection.CHILDREN)
        cells.update(zip(months, protected, strict=True))
    return cells


REPORTS_ARRIVED = Indicator(
    key="reports",
    name=CATALOGUE["reports_per_100_pupils"].name,
    definition=CATALOGUE["reports_per_100_pupils"].definition,
    formula=CATALOGUE["reports_per_100_pupils"].formula,
    unit=CATALOGUE["silent_schools"].unit,
    direction=CATALOGUE["led_to_investigation"].direction,
    default_target=None,
    levels=frozenset({Level.MUNICIPALITY}),
    source=CATALOGUE["decision_days_median"].source,
    protection=Protection.CHILDREN,
)


def _count_shown(count: Cell) -> Shown:
    if not count.shown:
        return Shown(REPORTS_ARRIVED, None, numerator=count, protected=True, hidden=count.hidden)
    return Shown(REPORTS_ARRIVED, Decimal(count.value), numerator=count)


# --- comparisons -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    label: str
    shown: Shown
    own: bool


def comparisons(
    municipality: Municipality, period: Period, keys: list[str]
) -> tuple[dict[str, list[Comparison]], dict[str, list[ReferenceValue]]]:
    """Per indicator, every municipality on the installation for the period (others unnamed
    unless they agreed to be named), and the national reference values. One query for the
    sums, one for the municipalities' names, pupils and consents, one for the reference
    values."""
    rows = (
        Rollup.objects.filter(month__gte=period.start, month__lt=period.end)
        .exclude(source=RollupSource.GOVERNANCE)
        .values("municipality_id", "metric")
        .annotate(
            total=Sum("value"),
            # The rate per pupil counts what the active schools sent, as the dashboard does.
            from_active=Sum("value", filter=Q(unit__isnull=True) | Q(unit__is_active=True)),
        )
        .order_by()
    )
    sums: dict[int, Metrics] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        metrics = sums[row["municipality_id"]]
        metrics[row["metric"]] += row["total"]
        if row["metric"] == "sent":
            metrics[SENT_FROM_ACTIVE] += row["from_active"] or 0
    names: dict[int, str] = {}
    named: set[int] = set()
    for place in _compared_municipalities(list(sums)):
        sums[place["id"]][PUPILS] = place["pupils"] or 0
        names[place["id"]] = place["name"]
        if place["named"]:
            named.add(place["id"])
    result: dict[str, list[Comparison]] = {}
    for key in keys:
        indicator = CATALOGUE[key]
        if key not in COMPARED_BY_RATE and (indicator.compute is None or indicator.snapshot):
            continue
        if key in MONTH_END_INDICATORS:
            continue  # the sums over the period's months are not its value
        result[key] = _compared(indicator, sums, names, named, own_id=municipality.pk)
    references: dict[str, list[ReferenceValue]] = defaultdict(list)
    for reference in ReferenceValue.objects.filter(indicator_key__in=keys):
        references[reference.indicator_key].append(reference)
    return result, dict(references)


def _compared_municipalities(ids: list[int]) -> list[dict[str, Any]]:
    """The municipalities' names, pupils in active schools and consent to be named, in one
    query. (Asked per municipality, not per summed row: as columns of the sums' query the two
    subqueries ran once for every rollup row of the period, 6,300 times for ten years of
    Leksand alone, 111 ms.)"""
    if not ids:
        return []
    pupils = (
        Unit.objects.filter(
            municipality_id=OuterRef("pk"),
            kind__in=[UnitKind.SCHOOL, UnitKind.PRESCHOOL],
            is_active=True,
        )
        .values("municipality_id")
        .annotate(pupils=Sum("pupil_count"))
        .values("pupils")
    )
    consents = ComparisonConsent.objects.filter(municipality_id=OuterRef("pk"), named=True)
    places = (
        Municipality.objects.filter(pk__in=ids)
        .annotate(pupils=Subquery(pupils), named=Exists(consents))
        .values("id", "name", "pupils", "named")
    )
    return [dict(place) for place in places]


def _compared(
    indicator: Indicator,
    sums: dict[int, Metrics],
    names: dict[int, str],
    named: set[int],
    *,
    own_id: int,
) -> list[Comparison]:
    """This municipality and those that agreed to be named, by name; then the others as
    "Municipality A, B, …" in the order of their values, so that neither the letters nor the
    order point at a name."""
    shown = {mid: _comparable(indicator, metrics) for mid, metrics in sums.items()}
    visible = sorted(
        (mid for mid in sums if mid == own_id or mid in named), key=lambda mid: names[mid]
    )
    unnamed = sorted(
        (mid for mid in sums if mid not in visible),
        key=lambda mid: (shown[mid].value is None, shown[mid].value or 0, mid),
    )
    entries = [Comparison(names[mid], shown[mid], mid == own_id) for mid in visible]
    entries += [
        Comparison(_("Municipality %(letter)s") % {"letter": _letter(index)}, shown[mid], False)
        for index, mid in enumerate(unnamed)
    ]
    return entries


# Keys of the comparison's sums that are not metrics of the summary tables.
SENT_FROM_ACTIVE = "comparison_sent_from_active_schools"
PUPILS = "comparison_pupils"
# Compared although computed from the schools rather than from the sums of metrics alone.
COMPARED_BY_RATE = {"reports_per_100_pupils"}


def _comparable(indicator: Indicator, metrics: Metrics) -> Shown:
    if indicator.key == "reports_per_100_pupils":
        sent = cell(metrics.get(SENT_FROM_ACTIVE, 0), indicator.protection)
        return shown_share(indicator, sent, Cell(metrics.get(PUPILS, 0)), target=None)
    return compute_shown(indicator, metrics, target=None)


def _letter(index: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[index % 26] + (str(index // 26) if index >= 26 else "")


# --- goals of governance documents ------------------------------------------------------------


@dataclass(frozen=True)
class GoalMeasurement:
    """A goal's indicator measured against the goal's own target over the last twelve months."""

    indicator: Indicator
    shown: Shown
    period: Period


def rolling_year(today: datetime.date) -> Period:
    """The twelve whole months up to and including this one."""
    end = add_months(month_start(today), 1)
    return Period(PeriodKind.CUSTOM, add_months(end, -12), end)


def goal_measurements(
    municipality: Municipality, goals: list[Any], *, today: datetime.date
) -> dict[int, GoalMeasurement]:
    """Per goal with an indicator (by goal id), the indicator's value for the municipality over
    the last twelve months, with the goal's target and direction deciding the traffic light.
    No query when no goal has an indicator; otherwise the dashboard's fixed number."""
    measured = [goal for goal in goals if goal.indicator_key in CATALOGUE]
    if not measured:
        return {}
    period = rolling_year(today)
    values = dashboard(municipality, period, today=today).values
    result = {}
    for goal in measured:
        indicator = CATALOGUE[goal.indicator_key]
        own = for_goal(indicator, goal.direction)
        found = values.get(goal.indicator_key)
        shown = (
            replace(found, indicator=own, target=goal.target_value)
            if found is not None
            else Shown(own, None, target=goal.target_value)
        )
        result[goal.pk] = GoalMeasurement(indicator=indicator, shown=shown, period=period)
    return result


def indicator_snapshot(
    municipality: Municipality, key: str, *, today: datetime.date
) -> tuple[str, str]:
    """An indicator's value for the last twelve months up to ``today`` as shown (with "<5"
    where a count is small) and the period's name, in Swedish: what an auditor's evidence
    keeps of an indicator."""
    with translation.override("sv"):
        period = rolling_year(today)
        shown = dashboard(municipality, period, today=today).values.get(key)
        return (shown.text if shown is not None else "–"), period.label
