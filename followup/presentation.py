"""The dashboard as it is shown and exported: one row per indicator of the catalogue with
its value, counts, target, traffic light in words, the previous period and the change.
Pure functions over a :class:`followup.selectors.Dashboard` (no queries), so the page, the
CSV and the XLSX show exactly the same protected texts."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from followup.catalogue import CATALOGUE, Direction, Indicator, Level, ValueUnit
from followup.models import ReferenceValue
from followup.selectors import Comparison, Dashboard, SchoolRow, TrendPoint
from followup.values import LIGHT_LABELS, Light, Shown, format_value

# Indicators compared with the other municipalities and the country: those measured the
# same way everywhere from the summary tables (the schools' rate too). Silent schools, the
# coverage of the schools and routine confirmations depend on how a municipality lists its
# units, and the audits are each municipality's own, so they are not compared.
KEY_INDICATORS = [
    "reports_per_100_pupils",
    "protection_on_time",
    "decision_days_median",
    "decision_days_p90",
    "decided_within_deadline",
    "feedback_on_time",
    "led_to_investigation",
    "meetings_held",
    "meetings_without_minutes",
    "sip_follow_up_on_time",
]

# Shown in their own table below the indicators, not as one number of the municipality.
TABLE_ONLY = {
    "attendance_by_sector": "sectors",
    "document_days_to_revision": "documents",
    # Training and the surveys: on their own page, linked from the dashboard's part "training".
    "training_staff_share": "training",
    "training_mixed_groups": "training",
    "training_evaluation_score": "training",
    "mapping_knows_routine": "training",
    "mapping_knows_whom_to_call": "training",
    "mapping_got_feedback": "training",
    "situation_measures": "training",
}


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    shown: Shown | None  # None: shown per sector or document in a table below
    previous: Shown | None
    change: str
    target: str
    light: Light
    light_label: str
    light_class: str
    table: str  # the anchor of the table that shows it, for TABLE_ONLY indicators
    # A sector is shown and the indicator is not reported per sector (no value in the view).
    not_by_sector: bool
    comparisons: list[Comparison]
    references: list["ReferenceText"]
    # The comparison in one line beside the value ("Other municipalities: 18–30 % · Sweden
    # 2024: 39 %"); empty when the indicator is not compared.
    compared_text: str = ""


@dataclass(frozen=True)
class ReferenceText:
    value: str
    year: int
    source: str


LIGHT_CLASSES = {
    Light.GREEN: "badge--ok",
    Light.AMBER: "badge--warning",
    Light.RED: "badge--danger",
    Light.NONE: "badge--none",
}


def target_text(indicator: Indicator, target: Decimal | None) -> str:
    """The target in words: "at least 90 %", "at most 14" or "No target"."""
    if target is None or indicator.direction == Direction.NONE:
        return str(LIGHT_LABELS[Light.NONE])
    number = format_value(target, indicator.unit)
    if indicator.direction == Direction.HIGHER:
        return _("at least %(value)s") % {"value": number}
    return _("at most %(value)s") % {"value": number}


def change_text(current: Shown | None, previous: Shown | None) -> str:
    """The change from the previous period ("+5 percentage points", "−2"), or "–" when either
    value is missing or protected."""
    if current is None or previous is None or current.value is None or previous.value is None:
        return "–"
    unit = current.indicator.unit
    step = Decimal("0.1") if unit == ValueUnit.PER_100_PUPILS else Decimal(1)
    difference = (current.value - previous.value).quantize(step, ROUND_HALF_UP)
    if not difference:
        return _("no change")
    sign = "+" if difference > 0 else "−"
    number = number_format(abs(difference))
    if unit == ValueUnit.PERCENT:
        return _("%(sign)s%(number)s percentage points") % {"sign": sign, "number": number}
    return f"{sign}{number}"


def indicator_rows(
    dash: Dashboard,
    comparisons: dict[str, list[Comparison]] | None = None,
    references: dict[str, list[ReferenceValue]] | None = None,
) -> list[IndicatorRow]:
    """Every indicator of the catalogue, in the catalogue's order."""
    rows = []
    for key, indicator in CATALOGUE.items():
        shown = dash.values.get(key)
        previous = dash.previous.get(key)
        light = shown.light if shown is not None else Light.NONE
        not_by_sector = bool(dash.sector) and Level.SECTOR not in indicator.levels
        rows.append(
            IndicatorRow(
                indicator=indicator,
                shown=shown,
                previous=previous,
                change=change_text(shown, previous),
                target=target_text(indicator, dash.targets.get(key)),
                light=light,
                light_label=str(shown.light_label if shown is not None else LIGHT_LABELS[light]),
                light_class=LIGHT_CLASSES[light],
                table=TABLE_ONLY.get(key, "") if shown is None and not not_by_sector else "",
                not_by_sector=not_by_sector,
                comparisons=(comparisons or {}).get(key, []),
                references=[
                    ReferenceText(format_value(ref.value, indicator.unit), ref.year, ref.source)
                    for ref in (references or {}).get(key, [])
                ],
                compared_text=compared_text(
                    indicator,
                    (comparisons or {}).get(key, []),
                    (references or {}).get(key, []),
                ),
            )
        )
    return rows


def compared_text(
    indicator: Indicator, comparisons: list[Comparison], references: list[ReferenceValue]
) -> str:
    """The other municipalities' range and the latest national value in one line. Protected
    values stay out of the range; a range of one municipality is its value."""
    parts = []
    others = [entry.shown for entry in comparisons if not entry.own]
    values = sorted(shown.value for shown in others if shown.value is not None)
    if values:
        low = format_value(values[0], indicator.unit)
        high = format_value(values[-1], indicator.unit)
        if len(others) == 1:
            parts.append(_("One other municipality: %(value)s") % {"value": low})
        elif low == high:
            parts.append(_("Other municipalities: %(value)s") % {"value": low})
        else:
            parts.append(
                _("Other municipalities: %(low)s to %(high)s") % {"low": low, "high": high}
            )
    elif any(shown.protected for shown in others):
        parts.append(_("Other municipalities: too few to show"))
    elif others:
        parts.append(_("Other municipalities: no numbers for the period"))
    elif comparisons:
        parts.append(_("No other municipality to compare with"))
    if references:
        latest = max(references, key=lambda ref: ref.year)
        parts.append(
            _("Sweden %(year)s: %(value)s")
            % {"year": latest.year, "value": format_value(latest.value, indicator.unit)}
        )
    return " · ".join(parts)


def value_text(shown: Shown | None) -> str:
    return shown.text if shown is not None else "–"


def not_by_sector_text() -> str:
    """What a sector's view says in place of a value the indicator does not break down to."""
    return _("Not reported per sector")


@dataclass(frozen=True)
class Trend:
    key: str
    title: str
    description: str
    points: list[TrendPoint]
    target: Decimal | None

    @property
    def yearly(self) -> bool:
        return bool(self.points) and self.points[0].last is not None


def trends(dash: Dashboard) -> list[Trend]:
    """The trends, month by month (year by year over more than two years), the reports that
    arrived first."""
    result = []
    for key, points in dash.trend.items():
        yearly = bool(points) and points[0].last is not None
        indicator = CATALOGUE.get(key)
        if indicator is None:
            title = (
                _("Reports of concern that arrived, per year")
                if yearly
                else _("Reports of concern that arrived, per month")
            )
            unit = _("number")
        else:
            title = str(indicator.name)
            unit = str(indicator.unit_label)
        if yearly:
            description = _(
                "Bars per year from %(first)s to %(last)s, in %(unit)s; the same numbers are in "
                "the table beside the chart."
            ) % {"first": points[0].month.year, "last": points[-1].month.year, "unit": unit}
        else:
            description = _(
                "Bars per month from %(first)s to %(last)s, in %(unit)s; the same numbers are in "
                "the table beside the chart."
            ) % {
                "first": points[0].month.strftime("%Y-%m") if points else "",
                "last": points[-1].month.strftime("%Y-%m") if points else "",
                "unit": unit,
            }
        target = dash.targets.get(key) if indicator is not None else None
        result.append(Trend(key, title, description, points, target))
    result.sort(key=lambda trend: trend.key != "reports")
    return result


def school_flags(row: SchoolRow) -> tuple[str, str, str]:
    """The silent flag and the two meeting questions in words."""
    silent = _("Silent school") if row.silent else _("No")
    met = _("Yes") if row.met_intake else _("No")
    visited = _("Yes") if row.parent_meeting_visited else _("No")
    return silent, met, visited
