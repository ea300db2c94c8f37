"""The board report's content: a frozen JSON snapshot of everything it shows, and the reading
of that snapshot back into values the templates show.

The snapshot is built once, in the background, from the follow-up's selectors (which read the
summary tables) and the governance documents. It stores values **as they may be shown**: a
protected value is stored without its number (``"protected": true``) and a hidden count as
"<5" or "–", so nothing the report may not show is kept in it. Texts that come from the data
(document titles, alerts, sector names) are stored in Swedish, the language of the report to
the board; indicator names and words of the page are translated when the report is shown.
"""

import datetime
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import translation

from followup.catalogue import CATALOGUE, SIP_INDICATORS, Indicator, for_goal
from followup.periods import Period, PeriodKind
from followup.selectors import (
    REPORTS_ARRIVED,
    Comparison,
    Dashboard,
    SchoolRow,
    TrendPoint,
    comparisons,
    dashboard,
)
from followup.suppression import Cell
from followup.values import Shown, traffic_light
from governance.models import Goal, GovernanceDocument
from governance.selectors import document_statuses, main_routine_version
from organisations.models import Municipality
from wheel.models import ActivityType, Occurrence, OccurrenceStatus

CONTENT_VERSION = 1
# Indicators drawn as trend charts in section 3, with their data table.
TREND_KEYS = ("reports", "decided_within_deadline", "feedback_on_time", "meetings_held")
# Indicators compared with the other municipalities and national reference values.
COMPARISON_KEYS = ["decided_within_deadline", "feedback_on_time", "led_to_investigation"]
# Shown in the report's part on coordinated plans (SIP), not in the table of indicators.
SIP_KEYS = tuple(indicator.key for indicator in SIP_INDICATORS)

Json = dict[str, Any]


# --- writing the snapshot ------------------------------------------------------------------


def _cell_text(value: Cell | None) -> str | None:
    return None if value is None else value.token


def shown_json(shown: Shown) -> Json:
    """A value as shown: never the number behind a protected value."""
    return {
        "key": shown.indicator.key,
        "value": None if shown.protected or shown.value is None else str(shown.value),
        "protected": shown.protected,
        "hidden": shown.hidden,
        "target": None if shown.target is None else str(shown.target),
        "numerator": _cell_text(shown.numerator),
        "denominator": _cell_text(shown.denominator),
    }


def _goals(municipality: Municipality, board: Dashboard) -> list[Json]:
    rows = []
    goals = Goal.objects.filter(document__municipality=municipality).select_related("document")
    for goal in goals.order_by("document__title", "pk"):
        shown = board.values.get(goal.indicator_key)
        target = goal.target_value if goal.target_value is not None else None
        if shown is not None and target is None:
            target = shown.target
        rows.append(
            {
                "document": goal.document.title,
                "text": goal.text,
                "measured": goal.target_description,
                "value": None
                if shown is None
                else {
                    **shown_json(shown),
                    "target": _str(target),
                    # The goal's own minimum or maximum decides its light, not the catalogue's.
                    "goal_direction": goal.direction,
                },
            }
        )
    return rows


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _date(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _documents(municipality: Municipality, today: datetime.date) -> list[Json]:
    statuses = document_statuses(
        GovernanceDocument.objects.filter(municipality=municipality).order_by("kind", "title"),
        today=today,
    )
    return [
        {
            "title": status.document.title,
            "kind": str(status.document.get_kind_display()),
            "version": status.current.number if status.current else None,
            "approved_on": _date(status.current.approved_on if status.current else None),
            "approved_by": status.current.approving_body if status.current else "",
            "reference": status.current.approval_reference if status.current else "",
            "next_revision": _date(status.next_revision),
            "alerts": [{"text": alert.text, "danger": alert.is_danger} for alert in status.alerts],
        }
        for status in statuses
    ]


def _wheel_by_type(municipality: Municipality, period: Period) -> list[Json]:
    """Per kind of activity, the occurrences planned in the period and those held (one
    query over one municipality's period, in the background)."""
    rows = (
        Occurrence.objects.filter(
            municipality=municipality,
            starts_at__date__gte=period.start,
            starts_at__date__lt=period.end,
        )
        .values("series__activity_type", "status")
        .annotate(count=Count("id"))
        .order_by()
    )
    planned: Counter[str] = Counter()
    held: Counter[str] = Counter()
    for row in rows:
        kind = row["series__activity_type"]
        planned[kind] += row["count"]
        if row["status"] == OccurrenceStatus.HELD:
            held[kind] += row["count"]
    labels = dict(ActivityType.choices)
    return [
        {"label": str(labels.get(kind, kind)), "planned": planned[kind], "held": held[kind]}
        for kind in sorted(planned, key=lambda kind: str(labels.get(kind, kind)))
    ]


def _school(row: SchoolRow) -> Json:
    return {
        "name": row.unit.name,
        "sent": row.sent.token,
        "rate": shown_json(row.rate),
        "silent": row.silent,
        "met_intake": row.met_intake,
        "parent_meeting_visited": row.parent_meeting_visited,
    }


def _trend(board: Dashboard) -> Json:
    return {
        key: [
            {
                "month": point.month.isoformat(),
                "value": None if point.shown.protected else _str(point.shown.value),
                "protected": point.shown.protected,
                "hidden": point.shown.hidden,
            }
            for point in board.trend.get(key, [])
        ]
        for key in TREND_KEYS
    }


def _comparisons(municipality: Municipality, period: Period) -> tuple[Json, Json]:
    found, references = comparisons(municipality, period, COMPARISON_KEYS)
    return (
        {
            key: [
                {"label": entry.label, "own": entry.own, "value": shown_json(entry.shown)}
                for entry in entries
            ]
            for key, entries in found.items()
        },
        {
            key: [{"year": ref.year, "value": str(ref.value), "source": ref.source} for ref in refs]
            for key, refs in references.items()
        },
    )


def _sip(board: Dashboard) -> Json | None:
    """The coordinated plans started, by sector and by how they started, as protected tokens
    ("<5", "–" or the number); the indicators' values are in ``values`` like every other."""
    if board.sip is None:
        return None
    return {
        "total": board.sip.total.token,
        "sectors": [
            {"label": part.label, "started": part.started.token} for part in board.sip.sectors
        ],
        "origins": [
            {"label": part.label, "started": part.started.token} for part in board.sip.origins
        ],
    }


def _training(municipality: Municipality, period: Period, today: datetime.date) -> Json:
    """Training and the latest surveys (``training.board``)."""
    from training.board import board_content

    return board_content(municipality, period, today=today)


def _routine(municipality: Municipality) -> Json | None:
    found = main_routine_version(municipality.pk)
    if found is None:
        return None
    document, version = found
    return {"title": document.title, "version": version.number}


def _audits(municipality: Municipality, today: datetime.date) -> Json | None:
    """The auditors' recommendations still open and the overdue measures and answers, as the
    board reads them (Swedish texts; no person's data: owners are units or functions)."""
    from audits.models import Implementation
    from audits.selectors import audit_status_summary, open_recommendations, overdue_measures

    summary = audit_status_summary(municipality, today)
    if not summary.recommendations:
        return None
    return {
        "recommendations": summary.recommendations,
        "open": summary.open_recommendations,
        "overdue_responses": summary.overdue_responses,
        "overdue_measures": summary.overdue_measures,
        "open_rows": [
            {
                "audit": f"{row.audit.title} ({row.audit.year})",
                "number": row.number,
                "text": row.text,
                "answered": bool(row.has_response),  # type: ignore[attr-defined]
                "response_due": _date(row.response_due),
                "assessment": str(Implementation(row.latest_implementation).label)  # type: ignore[attr-defined]
                if row.latest_implementation  # type: ignore[attr-defined]
                else None,
            }
            for row in open_recommendations(municipality)
        ],
        "overdue_measure_rows": [
            {"what": measure.what, "owner": measure.owner, "due_on": _date(measure.due_on)}
            for measure in overdue_measures(municipality, today)
        ],
    }


def build_content(municipality: Municipality, period: Period, *, today: datetime.date) -> Json:
    """Everything the report shows, computed now and frozen (texts from the data in Swedish)."""
    with translation.override("sv"):
        board = dashboard(municipality, period, today=today)
        compared, references = _comparisons(municipality, period)
        return {
            "version": CONTENT_VERSION,
            "municipality": municipality.name,
            "period": {
                "kind": period.kind.value,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "label": period.label,
            },
            "as_of": today.isoformat(),
            "values": {key: shown_json(shown) for key, shown in board.values.items()},
            "previous": {key: shown_json(shown) for key, shown in board.previous.items()},
            "goals": _goals(municipality, board),
            "documents": _documents(municipality, today),
            "routine": _routine(municipality),
            "sectors": [
                {
                    "label": row.label,
                    "attendance": shown_json(row.attendance),
                    "participants": row.participants,
                    "confirmed": shown_json(row.confirmed),
                }
                for row in board.sectors
            ],
            "wheel": _wheel_by_type(municipality, period),
            "schools": [_school(row) for row in board.schools],
            "trend": _trend(board),
            "comparisons": compared,
            "references": references,
            "audits": _audits(municipality, today),
            "sip": _sip(board),
            "training": _training(municipality, period, today),
        }


# --- reading it back -----------------------------------------------------------------------


def _indicator(key: str) -> Indicator:
    return REPORTS_ARRIVED if key == "reports" else CATALOGUE[key]


def _cell(text: str | None) -> Cell | None:
    if text is None:
        return None
    if text == "<5":
        return Cell(0, suppressed=True)
    if text == "–":
        return Cell(0, hidden=True)
    return Cell(int(text))


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def shown_from_json(data: Json) -> Shown:
    """The stored value as a :class:`Shown` again (the words and number format of the
    active language). A protected value has no number to give back."""
    indicator = _indicator(data["key"])
    if data.get("goal_direction"):
        indicator = for_goal(indicator, data["goal_direction"])
    return Shown(
        indicator,
        _decimal(data["value"]),
        numerator=_cell(data.get("numerator")),
        denominator=_cell(data.get("denominator")),
        protected=bool(data.get("protected")),
        target=_decimal(data.get("target")),
        hidden=bool(data.get("hidden")),
    )


def light_of(shown: Shown) -> str:
    return traffic_light(shown.indicator, shown.value, shown.target).value


def trend_points(points: list[Json], key: str) -> list[TrendPoint]:
    indicator = _indicator(key)
    return [
        TrendPoint(
            datetime.date.fromisoformat(point["month"]),
            Shown(
                indicator,
                _decimal(point["value"]),
                protected=bool(point["protected"]),
                hidden=bool(point.get("hidden")),
            ),
        )
        for point in points
    ]


def period_of(content: Json) -> Period:
    period = content["period"]
    return Period(
        PeriodKind(period["kind"]),
        datetime.date.fromisoformat(period["start"]),
        datetime.date.fromisoformat(period["end"]),
    )


def comparison_rows(entries: list[Json]) -> list[Comparison]:
    return [
        Comparison(entry["label"], shown_from_json(entry["value"]), entry["own"])
        for entry in entries
    ]
