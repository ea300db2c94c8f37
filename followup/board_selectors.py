"""Reading board reports: the lists a user may see, and a report's frozen content turned into
what its page and its PDF show (the same template parts for both)."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from followup.board_content import (
    COMPARISON_KEYS,
    SIP_KEYS,
    TREND_KEYS,
    Json,
    comparison_rows,
    period_of,
    shown_from_json,
    trend_points,
)
from followup.board_policies import VIEW, board_report_policy
from followup.catalogue import CATALOGUE
from followup.charts import trend_svg
from followup.models import BoardReport, BoardReportComment, BoardReportSection
from followup.selectors import REPORTS_ARRIVED
from followup.values import Shown, format_value
from organisations.models import User


def visible_reports(user: User) -> QuerySet[BoardReport]:
    """The reports ``user`` may read, newest period first (one query when listed)."""
    return board_report_policy.visible(user, VIEW).order_by("-period_start", "-created_at")


@dataclass
class Section:
    number: int
    title: str | Promise
    anchor: str
    comments: list[BoardReportComment] = field(default_factory=list)
    form: Any = None  # the comment form, on a draft's page for its coordinator


def sections(comments: list[BoardReportComment]) -> list[Section]:
    """The three sections with their comments (comments already loaded, in order)."""
    found = []
    for value, label in BoardReportSection.choices:
        found.append(
            Section(
                number=value,
                title=label,
                anchor=f"section-{value}",
                comments=[comment for comment in comments if comment.section == value],
            )
        )
    return found


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def _value(values: Json, key: str) -> Shown | None:
    data = values.get(key)
    return shown_from_json(data) if data else None


def target_text(shown: Shown | None) -> str:
    """The target in the indicator's unit ("80 %"), or a dash."""
    if shown is None or shown.target is None:
        return "–"
    return format_value(shown.target, shown.indicator.unit)


def _indicator_rows(content: Json, keys: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The rows of the table of indicators: ``keys`` in the catalogue's order, or every
    indicator but those of the part on coordinated plans."""
    rows = []
    for key, indicator in CATALOGUE.items():
        if key not in content["values"]:
            continue
        if (key not in keys) if keys is not None else (key in SIP_KEYS):
            continue
        shown = _value(content["values"], key)
        rows.append(
            {
                "name": str(indicator.name),
                "shown": shown,
                "previous": _value(content["previous"], key),
                "target": target_text(shown),
            }
        )
    return rows


def _charts(content: Json) -> list[dict[str, Any]]:
    charts = []
    for key in TREND_KEYS:
        points = trend_points(content["trend"].get(key, []), key)
        if not points:
            continue
        indicator = REPORTS_ARRIVED if key == "reports" else CATALOGUE[key]
        target = points[0].shown.target if points else None
        name = _("Reports of concern per month") if key == "reports" else str(indicator.name)
        charts.append(
            {
                "id": f"chart-{key}",
                "name": name,
                "svg": trend_svg(
                    points,
                    chart_id=f"chart-{key}",
                    title=name,
                    description=_("One bar per month; the numbers are in the table below."),
                    target=target,
                ),
                "points": points,
            }
        )
    return charts


def _comparisons(content: Json) -> list[dict[str, Any]]:
    found = []
    for key in COMPARISON_KEYS:
        entries = content["comparisons"].get(key)
        if not entries:
            continue
        found.append(
            {
                "name": str(CATALOGUE[key].name),
                "rows": comparison_rows(entries),
                "references": content["references"].get(key, []),
            }
        )
    return found


def _goal_rows(content: Json) -> list[dict[str, Any]]:
    rows = []
    for goal in content["goals"]:
        shown = shown_from_json(goal["value"]) if goal["value"] else None
        rows.append(
            {
                "document": goal["document"],
                "text": goal["text"],
                "measured": goal["measured"],
                "shown": shown,
                "target": target_text(shown),
            }
        )
    return rows


def _document_rows(content: Json) -> list[dict[str, Any]]:
    return [
        {
            **document,
            "approved_on": _date(document["approved_on"]),
            "next_revision": _date(document["next_revision"]),
        }
        for document in content["documents"]
    ]


def _sector_rows(content: Json) -> list[dict[str, Any]]:
    return [
        {
            "label": row["label"],
            "participants": row["participants"],
            "attendance": shown_from_json(row["attendance"]),
            "confirmed": shown_from_json(row["confirmed"]),
        }
        for row in content["sectors"]
    ]


def _school_rows(content: Json) -> list[dict[str, Any]]:
    return [{**row, "rate": shown_from_json(row["rate"])} for row in content["schools"]]


def _audit_status(content: Json) -> Json | None:
    audits = content.get("audits")
    if not audits:
        return None
    return {
        **audits,
        "open_rows": [
            {**row, "response_due": _date(row["response_due"])} for row in audits["open_rows"]
        ],
        "overdue_measure_rows": [
            {**row, "due_on": _date(row["due_on"])} for row in audits["overdue_measure_rows"]
        ],
    }


def _sip(content: Json) -> Json | None:
    """The part on coordinated plans: its indicators against the previous period and the
    plans started, broken down. None for a report made before the part existed."""
    found = content.get("sip")
    if found is None:
        return None
    rows = _indicator_rows(content, SIP_KEYS)
    return {**found, "rows": rows, "any": found["total"] != "0"}


def _training(content: Json) -> Json | None:
    from training.board import board_view

    return board_view(content.get("training"))


def _period_labels(content: Json) -> dict[str, str]:
    """The period's and the previous period's names, in the active language: inside a
    sentence ("vårterminen 2026") and as a column heading ("Vårterminen 2026")."""
    period = period_of(content)
    previous = period.previous()
    return {
        "period_label": period.label_in_sentence,
        "period_heading": period.label,
        "previous_label": previous.label_in_sentence,
        "previous_heading": previous.label,
    }


def report_view(content: Json) -> dict[str, Any]:
    """The snapshot as the templates show it (no query). An empty snapshot (a draft not made
    yet) gives an empty dict."""
    if not content:
        return {}
    values = content["values"]
    schools = _school_rows(content)
    return {
        "municipality": content["municipality"],
        **_period_labels(content),
        "as_of": _date(content["as_of"]),
        "goals": _goal_rows(content),
        "documents": _document_rows(content),
        "routine": content["routine"],
        "read_total": _value(values, "routine_confirmed"),
        "sectors": _sector_rows(content),
        "meetings_held": _value(values, "meetings_held"),
        "without_minutes": _value(values, "meetings_without_minutes"),
        "intake_coverage": _value(values, "intake_principal_coverage"),
        "parent_coverage": _value(values, "parent_meeting_coverage"),
        "wheel": content["wheel"],
        "schools": schools,
        "silent_schools": [row["name"] for row in schools if row["silent"]],
        "indicators": _indicator_rows(content),
        "charts": _charts(content),
        "comparisons": _comparisons(content),
        "audit_status": _audit_status(content),
        "audit_status_template": "followup/board/_audits.html",
        "sip": _sip(content),
        "training": _training(content),
    }
