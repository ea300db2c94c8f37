"""The follow-up's part of each role's start page (``core.attention.register_panel``).

Every panel reads the summary tables for the current year (or term, or month), in a fixed
number of queries whatever the amount of data: a user's dashboard of one municipality and
period is computed once per request, however many of their roles show it. Aggregates only:
no child is shown, small numbers are "<5".
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from core.attention import StartPanel
from followup.board_next import before_next_report, next_board_occurrences
from followup.cached import dashboard_parts
from followup.catalogue import CATALOGUE
from followup.periods import Period, month_period, term_of, year_period
from followup.presentation import IndicatorRow, indicator_rows, school_flags
from followup.sectors import schools_below, sector_view, unit_sector
from followup.selectors import Dashboard, period_sums
from followup.suppression import Cell, Protection, cell
from followup.values import Shown, shown_share
from organisations.models import Membership, Municipality, Unit, User
from reports.attention import intake_workload
from wheel.models import ActivityType
from wheel.selectors import next_planned_meeting

_CACHE_ATTR = "_followup_dashboards"
DOCUMENT_WARNING_DAYS = 60  # as the governance watchdog: a revision due within 60 days
INTAKE_KEYS = [
    "protection_on_time",
    "decision_days_median",
    "decision_days_p90",
    "decided_within_deadline",
    "feedback_on_time",
]


def _today() -> datetime.date:
    return timezone.localdate()


def cached_dashboard(user: User, municipality: Municipality, period: Period) -> Dashboard:
    """The dashboard, read once per user object (one request), from the parts the dashboard
    page keeps in the shared cache (followup/cached.py; without its trend)."""
    cache: dict[tuple[int, Period], Dashboard] = user.__dict__.setdefault(_CACHE_ATTR, {})
    key = (municipality.pk, period)
    if key not in cache:
        cache[key] = dashboard_parts(municipality, period, today=_today()).dash
    return cache[key]


def _municipalities(memberships: list[Membership]) -> list[Municipality]:
    found: dict[int, Municipality] = {}
    for membership in memberships:
        found.setdefault(membership.unit.municipality_id, membership.unit.municipality)
    return list(found.values())


def _with_values(rows: list[IndicatorRow]) -> list[IndicatorRow]:
    return [row for row in rows if row.shown is not None]


def board_panels(user: User, memberships: list[Membership]) -> list[StartPanel]:
    """The indicators of the year against their targets, and what is red, in words."""
    panels = []
    for municipality in _municipalities(memberships):
        dash = cached_dashboard(user, municipality, year_period(_today().year))
        rows = _with_values(indicator_rows(dash))
        panels.append(
            StartPanel(
                "followup/start/board.html",
                {
                    "table_id": f"board-indicators-{municipality.pk}",
                    "municipality": municipality,
                    "period": dash.period,
                    "rows": rows,
                    "red": [row for row in rows if row.light == "red"],
                },
            )
        )
    return panels


def coordinator_panels(user: User, memberships: list[Membership]) -> list[StartPanel]:
    """What needs doing before the next board report (``followup.board_next``), then red
    indicators, silent schools and documents near their revision, for the year."""
    panels = []
    municipalities = _municipalities(memberships)
    today = _today()
    occurrences = next_board_occurrences({m.pk for m in municipalities}, today)
    for municipality in municipalities:
        dash = cached_dashboard(user, municipality, year_period(today.year))
        rows = _with_values(indicator_rows(dash))
        red = [row for row in rows if row.light == "red"]
        panels.append(
            StartPanel(
                "followup/start/coordinator.html",
                {
                    "municipality": municipality,
                    "period": dash.period,
                    "next_report": before_next_report(
                        municipality,
                        occurrences.get(municipality.pk),
                        red_count=len(red),
                        today=today,
                    ),
                    "red": red,
                    "silent": dash.silent_schools,
                    "documents": [
                        row
                        for row in dash.documents
                        if row.days is not None and row.days <= DOCUMENT_WARNING_DAYS
                    ],
                },
            )
        )
    return panels


def manager_panels(user: User, memberships: list[Membership]) -> list[StartPanel]:
    """Per membership: the year's values of the unit's sector (``followup.sectors.
    unit_sector``; the whole municipality's when it has none) with what is red, and the
    schools of the unit's part of the tree when it has schools below it, otherwise the whole
    municipality's schools."""
    panels = []
    for membership in memberships:
        municipality = membership.unit.municipality
        dash = cached_dashboard(user, municipality, year_period(_today().year))
        below = schools_below(membership.unit, dash.schools)
        shown = sector_view(dash, unit_sector(membership.unit, dash.schools))
        rows = _with_values(indicator_rows(shown))
        panels.append(
            StartPanel(
                "followup/start/manager.html",
                {
                    "panel_id": f"manager-{membership.pk}",
                    "municipality": municipality,
                    "period": dash.period,
                    "sector": shown.sector,
                    "sector_label": shown.sector_label,
                    "rows": rows,
                    "unit": membership.unit if below else None,
                    "schools": [(row, *school_flags(row)) for row in below or dash.schools],
                    "red": [row for row in rows if row.light == "red"],
                },
            )
        )
    return panels


@dataclass(frozen=True)
class SchoolTerm:
    unit: Unit
    sent: Cell
    feedback: Cell
    confirmed: Shown


def principal_panels(_user: User, memberships: list[Membership]) -> list[StartPanel]:
    """Per school: reports sent and feedback received this term ("<5" rules), the staff who
    confirmed the routine, and the next intake–principal meeting (one query for all)."""
    schools = [m.unit for m in memberships if m.unit.is_school_unit]
    if not schools:
        return []
    term = term_of(_today())
    meeting = next_planned_meeting(
        [unit.pk for unit in schools], ActivityType.INTAKE_PRINCIPAL, now=timezone.now()
    )
    rows = []
    sums_by_municipality = {}
    for unit in schools:
        if unit.municipality_id not in sums_by_municipality:
            sums_by_municipality[unit.municipality_id] = period_sums(unit.municipality, term)
        sums = sums_by_municipality[unit.municipality_id]
        metrics = sums.current.by_unit.get(unit.pk, {})
        snapshot = sums.snapshot.by_unit.get(unit.pk, {})
        rows.append(
            SchoolTerm(
                unit=unit,
                sent=cell(metrics.get("sent", 0), Protection.CHILDREN),
                feedback=cell(metrics.get("sent_feedback_given", 0), Protection.CHILDREN),
                confirmed=shown_share(
                    CATALOGUE["routine_confirmed"],
                    Cell(snapshot.get("staff_confirmed", 0)),
                    Cell(snapshot.get("staff", 0)),
                    target=CATALOGUE["routine_confirmed"].default_target,
                ),
            )
        )
    return [
        # Between the school's news (reports.start) and the principal's own reporting.
        StartPanel("followup/start/principal_meeting.html", {"meeting": meeting}, order=20),
        StartPanel("followup/start/principal.html", {"term": term, "rows": rows}),
    ]


def intake_panels(user: User, memberships: list[Membership]) -> list[StartPanel]:
    """The open and overdue reports (``reports.attention.intake_workload``, shared with the
    attention items) and the decision-time indicators of the current month."""
    panels = []
    municipalities = _municipalities(memberships)
    workload = intake_workload(user, {municipality.pk for municipality in municipalities})
    for index, municipality in enumerate(municipalities):
        dash = cached_dashboard(user, municipality, month_period(_today()))
        rows = [row for row in indicator_rows(dash) if row.indicator.key in INTAKE_KEYS]
        panels.append(
            StartPanel(
                "followup/start/intake.html",
                {
                    "table_id": f"intake-indicators-{municipality.pk}",
                    # The workload counts every municipality of the user's intake: shown once.
                    "workload": workload if index == 0 else None,
                    "municipality": municipality,
                    "period": dash.period,
                    "rows": rows,
                },
            )
        )
    return panels


def auditor_panels(_user: User, memberships: list[Membership]) -> list[StartPanel]:
    """Links only: the audits module adds its own part."""
    return [
        StartPanel("followup/start/auditor.html", {"municipality": municipality})
        for municipality in _municipalities(memberships)
    ]


def municipal_admin_panels(_user: User, memberships: list[Membership]) -> list[StartPanel]:
    """Links only (no query): the way to the consent to be named in comparisons."""
    return [
        StartPanel("followup/start/municipal_admin.html", {"municipality": municipality})
        for municipality in _municipalities(memberships)
    ]
