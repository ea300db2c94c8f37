"""The board report's part "Training and surveys" (in its third section, after the coordinated
plans): written into the report's frozen snapshot by ``followup.board_content`` and read back
by ``followup.board_selectors``, so showing the report costs no query more.

What is frozen, as it may be shown (a protected value without its number, small counts as
"<5"): the share of staff trained in the twelve months up to the period's end (or today),
per sector; the sessions held in the period with their mix of sectors and evaluation; the
mapping survey's three measures and the situational picture's measures over their latest
three rounds up to the period's end.
"""

import datetime
from typing import Any

from followup.board_content import shown_from_json, shown_json
from followup.periods import Period
from followup.suppression import Cell
from organisations.models import Municipality
from surveys.indicators import MAPPING_KEYS, SITUATION_KEY, QuestionTrend, survey_trends
from training.indicators import (
    evaluation_total,
    evaluations,
    mixed_groups_shown,
    session_mixes,
    sessions_between,
    staff_shares,
)

Json = dict[str, Any]
ROUNDS_IN_REPORT = 3


def _token(value: Cell) -> str:
    return value.token


def _trend(trend: QuestionTrend) -> Json:
    return {
        "name": trend.name,
        "text": trend.text,
        "points": [
            {
                "title": point.title,
                "opens_on": point.opens_on.isoformat(),
                "answered": _token(point.answered),
                "share": shown_json(point.shown),
            }
            for point in trend.points
        ],
    }


def board_content(municipality: Municipality, period: Period, *, today: datetime.date) -> Json:
    """The part as frozen in the snapshot (call inside the report's Swedish translation)."""
    last = min(period.last_day, today)
    shares = staff_shares(municipality, today=last)
    sessions = sessions_between(municipality, period.start, last)
    mixes = session_mixes(sessions)
    round_ids = sorted({s.evaluation_round_id for s in sessions if s.evaluation_round_id})
    found = evaluations(round_ids)
    rows = []
    for mix in mixes:
        evaluation = found.get(mix.session.evaluation_round_id or 0)
        rows.append(
            {
                "title": mix.session.title,
                "held_on": mix.session.held_on.isoformat(),
                "participants": mix.participants,
                "sectors": mix.sectors,
                "groups": mix.groups,
                "mixed": mix.mixed_groups,
                "responses": _token(evaluation.responses) if evaluation else None,
                "score": shown_json(evaluation.shown) if evaluation else None,
            }
        )
    mapping = survey_trends(
        municipality, MAPPING_KEYS, until=last, rounds_compared=ROUNDS_IN_REPORT
    )
    situation = survey_trends(
        municipality, (SITUATION_KEY,), until=last, rounds_compared=ROUNDS_IN_REPORT
    )
    return {
        "until": last.isoformat(),
        "staff_share": shown_json(shares.total),
        "units_missing": shares.units_missing,
        "sectors": [
            {
                "label": row.label,
                "trained": row.trained,
                "staff": row.staff,
                "share": shown_json(row.shown),
                "units_missing": row.units_missing,
            }
            for row in shares.sectors
        ],
        "sessions": rows,
        "mixed_groups": shown_json(mixed_groups_shown(mixes)),
        "evaluation": shown_json(evaluation_total(found)),
        "mapping": [_trend(trend) for trend in mapping],
        "situation": [_trend(trend) for trend in situation],
    }


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _trend_view(trend: Json) -> Json:
    return {
        **trend,
        "points": [
            {
                **point,
                "opens_on": _date(point["opens_on"]),
                "share": shown_from_json(point["share"]),
            }
            for point in trend["points"]
        ],
    }


def board_view(found: Json | None) -> Json | None:
    """The frozen part as the templates show it (no query); None in a report made before the
    part existed."""
    if not found:
        return None
    return {
        "until": _date(found["until"]),
        "staff_share": shown_from_json(found["staff_share"]),
        "units_missing": found["units_missing"],
        "sectors": [{**row, "share": shown_from_json(row["share"])} for row in found["sectors"]],
        "sessions": [
            {
                **row,
                "held_on": _date(row["held_on"]),
                "score": shown_from_json(row["score"]) if row["score"] else None,
            }
            for row in found["sessions"]
        ],
        "participants": sum(row["participants"] for row in found["sessions"]),
        "mixed_groups": shown_from_json(found["mixed_groups"]),
        "evaluation": shown_from_json(found["evaluation"]),
        "mapping": [_trend_view(trend) for trend in found["mapping"]],
        "situation": [_trend_view(trend) for trend in found["situation"]],
    }
