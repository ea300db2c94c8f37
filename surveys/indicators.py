"""The surveys' indicators in the follow-up catalogue (DESIGN.md §3.5): from the mapping of the
collaboration, the share of staff who know the routine, who know whom to call at the intake
and who got feedback on their last report; from the situational picture, each chosen
measure's share. Each is compared over the rounds, with the number of responses.

Questions feed an indicator by their ``indicator`` field (set on the built-in templates):
``mapping_knows_routine``, ``mapping_knows_whom_to_call``, ``mapping_got_feedback`` and
``situation_measure``; ``positive_options`` names the answers that count. A question's
``key`` is stable across a template's versions, so a measure is followed over rounds by it.

The share of a question in a round: respondents who chose a positive option ÷ respondents who
answered the question × 100. Answers are anonymous and a small group could be recognised: a
question with one to four answers in a round is shown as "<5" without a share, and the
count of positive answers is not shown when it is one to four (the share is).

Computed live, like ``training.indicators`` and for the same reason: a municipality sends a
few rounds a year, and the figures read the latest rounds of one municipality in four
indexed queries whatever their number (the answers are grouped in the database).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from followup.catalogue import Direction, Indicator, Level, ValueUnit
from followup.suppression import Cell, Protection, is_small
from followup.values import Shown
from organisations.models import Municipality
from surveys.models import Answer, Question, Response, Round

MAPPING_KEYS = ("mapping_knows_routine", "mapping_knows_whom_to_call", "mapping_got_feedback")
SITUATION_KEY = "situation_measure"
ROUNDS_COMPARED = 5  # the latest rounds compared per survey

MAPPING_SOURCE = _(
    "Eksjö's audit 2022, recommendation 1: a mapping of how the collaboration works; "
    "19 kap. 6 § socialtjänstlagen (2025:400) on feedback to the reporter"
)
SITUATION_SOURCE = _("Leksand's situational picture, answered by staff of school and leisure")


def _mapping(key: str, name: object, definition: object, target: int) -> Indicator:
    return Indicator(
        key=key,
        name=name,  # type: ignore[arg-type]
        definition=definition,  # type: ignore[arg-type]
        formula=_("respondents with a positive answer ÷ respondents who answered × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.HIGHER,
        default_target=Decimal(target),
        levels=frozenset({Level.MUNICIPALITY}),
        source=MAPPING_SOURCE,
        protection=Protection.CHILDREN,
    )


SURVEY_INDICATORS: tuple[Indicator, ...] = (
    _mapping(
        "mapping_knows_routine",
        _("Staff who know the routine (mapping survey)"),
        _(
            "In the latest mapping of the collaboration, the share of the respondents who say "
            "they know the routine for reports of concern. Compared over the rounds."
        ),
        90,
    ),
    _mapping(
        "mapping_knows_whom_to_call",
        _("Staff who know whom to call at the intake (mapping survey)"),
        _(
            "In the latest mapping of the collaboration, the share of the respondents who "
            "know whom to call at the social services' intake to consult about a worry."
        ),
        90,
    ),
    _mapping(
        "mapping_got_feedback",
        _("Reporters who got feedback (mapping survey)"),
        _(
            "In the latest mapping of the collaboration, the share of the respondents who "
            "reported a worry and say they got feedback on their last report."
        ),
        80,
    ),
    Indicator(
        key="situation_measures",
        name=_("Measures of the situational picture"),
        definition=_(
            "For each question of the situational picture chosen as a measure, the share of "
            "the respondents who gave one of the answers it counts, per round, with the "
            "number of responses. Whether higher or lower is better depends on the question."
        ),
        formula=_("respondents giving a counted answer ÷ respondents who answered × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.NONE,
        default_target=None,
        levels=frozenset({Level.MUNICIPALITY}),
        source=SITUATION_SOURCE,
        protection=Protection.CHILDREN,
    ),
)
INDICATOR = {indicator.key: indicator for indicator in SURVEY_INDICATORS}


@dataclass(frozen=True)
class RoundShare:
    """One question's share in one round, as it may be shown."""

    round_id: int
    title: str
    opens_on: datetime.date
    answered: Cell
    positive: Cell
    shown: Shown


@dataclass
class QuestionTrend:
    """One measure (by indicator and question key) over the rounds, the oldest first."""

    indicator: str
    key: str
    text: str
    points: list[RoundShare] = field(default_factory=list)

    @property
    def latest(self) -> RoundShare | None:
        return self.points[-1] if self.points else None

    @property
    def name(self) -> str:
        found = INDICATOR.get(self.indicator)
        return str(found.name) if found is not None else self.text


def share_of(
    indicator: Indicator, positive: int, answered: int, target: Decimal | None
) -> tuple[Cell, Cell, Shown]:
    """The counts and the share of one question in one round, protected (see the module)."""
    if answered == 0:
        return Cell(0), Cell(positive), Shown(indicator, None, target=target)
    if is_small(answered):
        suppressed = Cell(answered, suppressed=True)
        return (
            suppressed,
            Cell(positive, hidden=True),
            Shown(indicator, None, protected=True, target=target),
        )
    answered_cell = Cell(answered)
    positive_cell = Cell(positive, hidden=is_small(positive))
    value = Decimal(positive) * 100 / Decimal(answered)
    return (
        answered_cell,
        positive_cell,
        Shown(indicator, value, positive_cell, answered_cell, target=target),
    )


def survey_trends(
    municipality: Municipality,
    indicators: tuple[str, ...],
    *,
    until: datetime.date,
    targets: dict[str, Decimal | None] | None = None,
    rounds_compared: int = ROUNDS_COMPARED,
) -> list[QuestionTrend]:
    """The measures fed by questions with one of ``indicators`` over the latest rounds sent
    that opened by ``until`` (four queries, none when no round has such a question)."""
    targets = targets or {}
    rounds = list(
        Round.objects.filter(
            municipality=municipality,
            sent_at__isnull=False,
            opens_on__lte=until,
            template_version__sections__questions__indicator__in=indicators,
        )
        .distinct()
        .order_by("-opens_on", "-id")
        .values("id", "title", "opens_on", "template_version_id")[:rounds_compared]
    )
    if not rounds:
        return []
    rounds.reverse()  # the oldest first
    questions = list(
        Question.objects.filter(
            section__version_id__in={r["template_version_id"] for r in rounds},
            indicator__in=indicators,
        ).values("id", "key", "text", "indicator", "positive_options", "section__version_id")
    )
    if not questions:
        return []
    round_ids = [r["id"] for r in rounds]
    question_ids = [q["id"] for q in questions]
    answered = {
        (row["response__round_id"], row["question_id"]): row["count"]
        for row in Answer.objects.filter(
            response__round_id__in=round_ids, question_id__in=question_ids
        )
        .values("response__round_id", "question_id")
        .annotate(count=Count("response_id", distinct=True))
    }
    positives = reduce(
        or_,
        (
            Q(question_id=q["id"], option__in=[str(o) for o in q["positive_options"] or []])
            for q in questions
        ),
    )
    positive = {
        (row["response__round_id"], row["question_id"]): row["count"]
        for row in Answer.objects.filter(response__round_id__in=round_ids)
        .filter(positives)
        .values("response__round_id", "question_id")
        .annotate(count=Count("response_id", distinct=True))
    }
    by_version: dict[int, list[Any]] = defaultdict(list)
    for question in questions:
        by_version[question["section__version_id"]].append(question)
    trends: dict[tuple[str, str], QuestionTrend] = {}
    for found_round in rounds:
        for question in by_version[found_round["template_version_id"]]:
            indicator_key = question["indicator"]
            catalogue_key = indicator_key if indicator_key in INDICATOR else "situation_measures"
            trend = trends.setdefault(
                (indicator_key, question["key"]),
                QuestionTrend(indicator_key, question["key"], question["text"]),
            )
            trend.text = question["text"]  # the latest wording
            pair = (found_round["id"], question["id"])
            answered_cell, positive_cell, shown = share_of(
                INDICATOR[catalogue_key],
                positive.get(pair, 0),
                answered.get(pair, 0),
                targets.get(catalogue_key),
            )
            trend.points.append(
                RoundShare(
                    found_round["id"],
                    found_round["title"],
                    found_round["opens_on"],
                    answered_cell,
                    positive_cell,
                    shown,
                )
            )
    order = {key: index for index, key in enumerate(indicators)}
    return sorted(trends.values(), key=lambda trend: (order.get(trend.indicator, 99), trend.key))


def responses_of(round_ids: list[int]) -> dict[int, Cell]:
    """The responses per round, protected (one query)."""
    counts = dict(
        Response.objects.filter(round_id__in=round_ids)
        .values("round_id")
        .annotate(count=Count("id"))
        .values_list("round_id", "count")
    )
    return {
        round_id: Cell(counts.get(round_id, 0), suppressed=is_small(counts.get(round_id, 0)))
        for round_id in round_ids
    }
