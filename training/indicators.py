"""Training's indicators in the follow-up catalogue, and their values.

Why these are computed live rather than kept in ``followup.rollups``' summary tables: a
municipality records a handful of training sessions a year (Leksand plans two a term), each
with a count per unit and a few groups. The values read one municipality's sessions of the
last twelve months in three or four indexed queries whatever the period, far under what one
municipality-year of raw rows may cost (PERFORMANCE.md); ``followup`` does the same for the
governance documents' days to revision. Should sessions ever be counted by the thousand, a
source "training" in the summary tables would take their place.

- **Share of staff trained** (``training_staff_share``): per unit, the participants counted
  from the unit in the sessions held in the twelve months up to the day, capped at the unit's
  number of staff (a person who came twice is counted twice, so the cap keeps the share at
  most 100 %), divided by that number. Per sector and for the whole municipality, the sums
  over the units that have a number of staff; a unit without it is shown as "number of staff
  missing", never as a share made up.
- **Mixed groups** (``training_mixed_groups``): of the discussion groups of those sessions,
  the share with two sectors or more; per session also the number of sectors that took part.
- **Evaluation score** (``training_evaluation_score``): the mean of the answers (1–5) to the
  evaluation questions (``indicator="evaluation_score"``) of the sessions' evaluation rounds,
  with the number of responses; a round with one to four responses is shown as "<5" and its
  answers are left out of every mean (the answers are anonymous, and a small group could be
  recognised).

Counts of staff are not about children: they are shown as they are (``followup.suppression``).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Avg, Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from followup.catalogue import Direction, Indicator, Level, ValueUnit
from followup.suppression import Cell, Protection, is_small
from followup.values import Shown
from organisations.models import Municipality, Sector, Unit
from surveys.models import Answer, Response
from training.models import Participation, SessionGroup, TrainingSession

EVALUATION_INDICATOR = "evaluation_score"
TRAINING_SOURCE = _(
    "Eksjö's audit 2022, recommendation 3: training where staff of each sector inform each "
    "other and discuss boundaries in mixed groups with fictional cases"
)

TRAINING_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        key="training_staff_share",
        name=_("Staff trained in the last 12 months"),
        definition=_(
            "Share of the staff of the units that took part in a training session on the "
            "collaboration in the twelve months up to the day. A unit without a number of "
            "staff is shown as missing, not counted."
        ),
        formula=_(
            "participants from the unit (at most its staff) ÷ the unit's number of staff × 100"
        ),
        unit=ValueUnit.PERCENT,
        direction=Direction.HIGHER,
        default_target=Decimal(80),
        levels=frozenset({Level.MUNICIPALITY, Level.SECTOR, Level.UNIT}),
        source=TRAINING_SOURCE,
        protection=Protection.STAFF,
    ),
    Indicator(
        key="training_mixed_groups",
        name=_("Mixed groups at the training sessions"),
        definition=_(
            "Of the discussion groups at the training sessions of the last twelve months, the "
            "share with staff from at least two sectors."
        ),
        formula=_("groups with two sectors or more ÷ groups × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.HIGHER,
        default_target=Decimal(100),
        levels=frozenset({Level.MUNICIPALITY}),
        source=TRAINING_SOURCE,
        protection=Protection.STAFF,
    ),
    Indicator(
        key="training_evaluation_score",
        name=_("Evaluation of the training sessions"),
        definition=_(
            "The mean answer (1–5) to the evaluation questions of the training sessions of "
            "the last twelve months. An evaluation with fewer than five responses is left out."
        ),
        formula=_("the sum of the answers ÷ the number of answers"),
        unit=ValueUnit.SCORE,
        direction=Direction.HIGHER,
        default_target=Decimal(4),
        levels=frozenset({Level.MUNICIPALITY}),
        source=TRAINING_SOURCE,
        protection=Protection.CHILDREN,
    ),
)
INDICATOR = {indicator.key: indicator for indicator in TRAINING_INDICATORS}


def window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the twelve months up to ``today`` (both included)."""
    return today - relativedelta(months=12) + datetime.timedelta(days=1), today


def _share(key: str, numerator: int, denominator: int, target: Decimal | None) -> Shown:
    indicator = INDICATOR[key]
    if denominator <= 0:
        return Shown(indicator, None, target=target)
    value = Decimal(numerator) * 100 / Decimal(denominator)
    return Shown(indicator, value, Cell(numerator), Cell(denominator), target=target)


# --- share of staff trained -------------------------------------------------------------------


@dataclass(frozen=True)
class UnitShare:
    unit: Unit
    staff: int | None
    participants: int
    shown: Shown

    @property
    def staff_missing(self) -> bool:
        return self.staff is None


@dataclass(frozen=True)
class SectorShare:
    sector: str
    label: str
    staff: int
    trained: int
    units_missing: int  # units with participants or in the sector that have no staff number
    shown: Shown


@dataclass(frozen=True)
class StaffShares:
    units: list[UnitShare]
    sectors: list[SectorShare]
    total: Shown
    units_missing: int


def staff_shares(
    municipality: Municipality, *, today: datetime.date, target: Decimal | None = None
) -> StaffShares:
    """The share trained per unit, per sector and in the whole municipality (two queries)."""
    first, last = window(today)
    counted = dict(
        Participation.objects.filter(
            session__municipality=municipality,
            session__held_on__gte=first,
            session__held_on__lte=last,
        )
        .values("unit_id")
        .annotate(total=Sum("participants"))
        .values_list("unit_id", "total")
    )
    # The auditors examine the collaboration; they are not among the staff it trains.
    units = list(
        Unit.objects.filter(municipality=municipality)
        .exclude(sector=Sector.AUDIT)
        .filter(Q(is_active=True) | Q(pk__in=list(counted)))
        .order_by("name")
    )
    labels = dict(Sector.choices)
    staff_by_sector: dict[str, int] = defaultdict(int)
    trained_by_sector: dict[str, int] = defaultdict(int)
    missing_by_sector: dict[str, int] = defaultdict(int)
    rows = []
    for unit in units:
        participants = counted.get(unit.pk, 0) or 0
        staff = unit.staff_count
        if staff is None:
            missing_by_sector[unit.sector] += 1
            rows.append(
                UnitShare(unit, None, participants, Shown(INDICATOR["training_staff_share"], None))
            )
            continue
        trained = min(participants, staff)
        staff_by_sector[unit.sector] += staff
        trained_by_sector[unit.sector] += trained
        rows.append(
            UnitShare(
                unit, staff, participants, _share("training_staff_share", trained, staff, target)
            )
        )
    sectors = [
        SectorShare(
            sector=sector,
            label=str(labels.get(sector, sector)),
            staff=staff_by_sector[sector],
            trained=trained_by_sector[sector],
            units_missing=missing_by_sector[sector],
            shown=_share(
                "training_staff_share", trained_by_sector[sector], staff_by_sector[sector], target
            ),
        )
        for sector in Sector.values
        if sector in staff_by_sector or sector in missing_by_sector
    ]
    total = _share(
        "training_staff_share",
        sum(trained_by_sector.values()),
        sum(staff_by_sector.values()),
        target,
    )
    return StaffShares(rows, sectors, total, sum(missing_by_sector.values()))


# --- the mix of sectors per session ------------------------------------------------------------


@dataclass(frozen=True)
class SessionMix:
    session: TrainingSession
    participants: int
    sectors: int  # sectors that took part
    groups: int
    mixed_groups: int

    @property
    def mixed_share(self) -> Shown:
        return _share("training_mixed_groups", self.mixed_groups, self.groups, None)


def session_mixes(sessions: list[TrainingSession]) -> list[SessionMix]:
    """Per session: participants, sectors that took part, groups and mixed groups (two
    queries for any number of sessions)."""
    ids = [session.pk for session in sessions]
    participants: dict[int, int] = defaultdict(int)
    sectors: dict[int, set[str]] = defaultdict(set)
    for session_id, sector, count in Participation.objects.filter(session_id__in=ids).values_list(
        "session_id", "sector", "participants"
    ):
        participants[session_id] += count
        sectors[session_id].add(sector)
    groups: dict[int, int] = defaultdict(int)
    mixed: dict[int, int] = defaultdict(int)
    for session_id, group_sectors in SessionGroup.objects.filter(session_id__in=ids).values_list(
        "session_id", "sectors"
    ):
        groups[session_id] += 1
        if len(set(group_sectors or [])) >= 2:
            mixed[session_id] += 1
    return [
        SessionMix(
            session,
            participants[session.pk],
            len(sectors[session.pk]),
            groups[session.pk],
            mixed[session.pk],
        )
        for session in sessions
    ]


def sessions_between(
    municipality: Municipality, first: datetime.date, last: datetime.date
) -> list[TrainingSession]:
    return list(
        TrainingSession.objects.filter(
            municipality=municipality, held_on__gte=first, held_on__lte=last
        )
        .select_related("evaluation_round")
        .order_by("-held_on", "-id")
    )


def mixed_groups_shown(mixes: list[SessionMix], target: Decimal | None = None) -> Shown:
    return _share(
        "training_mixed_groups",
        sum(mix.mixed_groups for mix in mixes),
        sum(mix.groups for mix in mixes),
        target,
    )


# --- evaluation scores -------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """The evaluation of one round: the responses (a cell, "<5" when small) and the mean of
    its evaluation answers (None when small or without answers)."""

    round_id: int
    responses: Cell
    answers: int
    total: int  # the sum of the answers
    shown: Shown


def evaluations(round_ids: list[int], target: Decimal | None = None) -> dict[int, Evaluation]:
    """Per evaluation round (by id), its responses and mean score (two queries)."""
    if not round_ids:
        return {}
    responses = dict(
        Response.objects.filter(round_id__in=round_ids)
        .values("round_id")
        .annotate(count=Count("id"))
        .values_list("round_id", "count")
    )
    scores = {
        row["response__round_id"]: row
        for row in Answer.objects.filter(
            response__round_id__in=round_ids,
            question__indicator=EVALUATION_INDICATOR,
            number__isnull=False,
        )
        .values("response__round_id")
        .annotate(answers=Count("id"), total=Sum("number"), mean=Avg("number"))
    }
    indicator = INDICATOR["training_evaluation_score"]
    found = {}
    for round_id in round_ids:
        count = responses.get(round_id, 0)
        row = scores.get(round_id)
        answers = row["answers"] if row else 0
        total = row["total"] if row else 0
        if is_small(count):
            shown = Shown(indicator, None, protected=True, target=target)
            cell_ = Cell(count, suppressed=True)
            answers, total = 0, 0  # left out of every mean
        else:
            mean = Decimal(total) / Decimal(answers) if answers else None
            shown = Shown(indicator, mean, target=target)
            cell_ = Cell(count)
        found[round_id] = Evaluation(round_id, cell_, answers, total, shown)
    return found


def evaluation_total(found: dict[int, Evaluation], target: Decimal | None = None) -> Shown:
    """The mean over every evaluation that may be shown, weighted by its answers."""
    answers = sum(evaluation.answers for evaluation in found.values())
    total = sum(evaluation.total for evaluation in found.values())
    indicator = INDICATOR["training_evaluation_score"]
    if not answers:
        return Shown(indicator, None, target=target)
    return Shown(indicator, Decimal(total) / Decimal(answers), target=target)


# --- everything for one municipality -----------------------------------------------------------


@dataclass(frozen=True)
class TrainingFigures:
    first: datetime.date
    last: datetime.date
    shares: StaffShares
    mixes: list[SessionMix]
    mixed_groups: Shown
    evaluations: dict[int, Evaluation]
    evaluation: Shown

    @property
    def sessions(self) -> int:
        return len(self.mixes)

    @property
    def participants(self) -> int:
        return sum(mix.participants for mix in self.mixes)

    def evaluation_of(self, mix: SessionMix) -> Evaluation | None:
        round_id = mix.session.evaluation_round_id
        return self.evaluations.get(round_id) if round_id is not None else None


def training_figures(
    municipality: Municipality,
    *,
    today: datetime.date,
    targets: dict[str, Decimal | None] | None = None,
) -> TrainingFigures:
    """The three training indicators over the twelve months up to ``today`` (seven queries,
    whatever the number of sessions)."""
    targets = targets or {}
    first, last = window(today)
    shares = staff_shares(municipality, today=today, target=targets.get("training_staff_share"))
    sessions = sessions_between(municipality, first, last)
    mixes = session_mixes(sessions)
    round_ids = sorted({s.evaluation_round_id for s in sessions if s.evaluation_round_id})
    found = evaluations(round_ids, targets.get("training_evaluation_score"))
    return TrainingFigures(
        first,
        last,
        shares,
        mixes,
        mixed_groups_shown(mixes, targets.get("training_mixed_groups")),
        found,
        evaluation_total(found, targets.get("training_evaluation_score")),
    )
