"""The indicator catalogue: every indicator the follow-up shows, defined in code.

Each indicator says what it measures (name and definition in words, translated), how it is
computed from the summary tables (``formula`` in words and ``compute`` in code), its unit,
whether higher or lower is better and its default target (a municipality may set its own),
the levels it breaks down to, the period kinds it is shown for, how its counts are protected,
and the law or audit finding it answers. Goals of governance documents pick their indicator
from here by name.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any, SupportsIndex

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from followup.periods import PeriodKind
from followup.suppression import Protection


class ValueUnit(StrEnum):
    PERCENT = "percent"
    DAYS = "days"
    PER_100_PUPILS = "per_100_pupils"
    COUNT = "count"
    SCORE = "score"  # a mean answer on a scale of 1–5 (surveys)


class Direction(StrEnum):
    HIGHER = "higher"  # higher is better
    LOWER = "lower"  # lower is better
    NONE = "none"  # neither: a number to watch, not to push


class Level(StrEnum):
    MUNICIPALITY = "municipality"
    SECTOR = "sector"
    SCHOOL = "school"
    UNIT = "unit"
    DOCUMENT = "document"


UNIT_LABELS = {
    ValueUnit.PERCENT: _("per cent"),
    ValueUnit.DAYS: _("days"),
    ValueUnit.PER_100_PUPILS: _("per 100 pupils"),
    ValueUnit.COUNT: _("number"),
    ValueUnit.SCORE: _("on a scale of 1–5"),
}
DIRECTION_LABELS = {
    Direction.HIGHER: _("higher is better"),
    Direction.LOWER: _("lower is better"),
    Direction.NONE: _("neither higher nor lower is better in itself"),
}
LEVEL_LABELS = {
    Level.MUNICIPALITY: _("municipality"),
    Level.SECTOR: _("sector"),
    Level.SCHOOL: _("school"),
    Level.UNIT: _("unit"),
    Level.DOCUMENT: _("document"),
}

ALL_PERIODS = frozenset(PeriodKind)


@dataclass(frozen=True)
class Ratio:
    """What an indicator's compute gives: a share or rate of two counts, or a single number
    (``denominator`` None). The counts are protected by the caller."""

    numerator: int
    denominator: int | None = None
    # For medians and percentiles: the value itself (None without data), resting on
    # ``numerator`` reports; ``is_value`` says the ratio is such a value, not a count.
    value: Decimal | None = None
    is_value: bool = False


Metrics = Mapping[str, int]


@dataclass(frozen=True)
class Indicator:
    key: str
    name: Promise
    definition: Promise
    formula: Promise
    unit: ValueUnit
    direction: Direction
    default_target: Decimal | None
    levels: frozenset[Level]
    source: Promise
    protection: Protection
    compute: Callable[[Metrics], Ratio] | None = None  # None: computed live (see selectors)
    period_kinds: frozenset[PeriodKind] = ALL_PERIODS
    snapshot: bool = False  # read-confirmation snapshots: the period's latest month
    # How far from the target a value is still "close" (amber) rather than red; by default
    # 10 percentage points for a share and a tenth of the target otherwise.
    amber_margin: Decimal | None = None
    # Drawn month by month in the trends. A count of children is not: its months are parts of
    # the period's total, and only the reports' months are protected as such parts.
    trend: bool = True

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        # Pickled (the dashboards kept in the shared cache, followup/cached.py) as its key:
        # its ``compute`` may be a closure, which pickle can not write.
        if CATALOGUE.get(self.key) is self:
            return (catalogue_indicator, (self.key,))
        return super().__reduce_ex__(protocol)

    @property
    def unit_label(self) -> Promise:
        return UNIT_LABELS[self.unit]

    @property
    def direction_label(self) -> Promise:
        return DIRECTION_LABELS[self.direction]

    @property
    def level_labels(self) -> list[Promise]:
        return [LEVEL_LABELS[level] for level in Level if level in self.levels]


def _share(numerator: str, denominator: str) -> Callable[[Metrics], Ratio]:
    def compute(metrics: Metrics) -> Ratio:
        return Ratio(metrics.get(numerator, 0), metrics.get(denominator, 0))

    return compute


def percentile_days(metrics: Metrics, fraction: Decimal) -> Ratio:
    """The ``fraction`` percentile (nearest rank) of the days from arrival to decision, from
    the day histogram ``decision_days_N``; it rests on ``decided`` reports."""
    histogram = sorted(
        (int(key.removeprefix("decision_days_")), count)
        for key, count in metrics.items()
        if key.startswith("decision_days_")
    )
    total = sum(count for _days, count in histogram)
    if not total:
        return Ratio(0, is_value=True)
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for days, count in histogram:
        seen += count
        if seen >= rank:
            return Ratio(total, value=Decimal(days), is_value=True)
    raise AssertionError("unreachable: the ranks add up to the total")


def _percentile(fraction: str) -> Callable[[Metrics], Ratio]:
    return lambda metrics: percentile_days(metrics, Decimal(fraction))


SCHOOL_LEVELS = frozenset({Level.MUNICIPALITY, Level.SECTOR, Level.SCHOOL})
WHOLE = frozenset({Level.MUNICIPALITY})

# --- Coordinated individual plans (SIP) ------------------------------------------------------
# Counted from the plans by ``sip.indicators`` into the summary tables (source "sip"). Only
# counts leave the plans: nobody who reads the follow-up sees a plan.

SIP_SOURCE = _(
    "Coordinated individual plan, 10 kap. 8–9 §§ socialtjänstlagen (2025:400)"
    " (formerly 2 kap. 7 § SoL) and 16 kap. 4 § hälso- och sjukvårdslagen (2017:30)"
)
# Counts of the plans active at the end of a month: the value of a period is its last month's
# (up to this month), never a sum over its months (``followup.selectors.period_sums``).
MONTH_END_METRICS = frozenset({"sip_active", "sip_active_responsible"})
MONTH_END_INDICATORS = frozenset({"sip_responsible_named"})  # not compared: not a sum

SIP_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        key="sip_started",
        name=_("Coordinated plans (SIP) started"),
        definition=_(
            "Coordinated individual plans started in the period: a convening unit started the "
            "plan, or took up a proposal to start one. Proposals not taken up are not counted. "
            "The table below breaks them down by the sector of the convening unit and by "
            "whether the plan started from a report of concern."
        ),
        formula=_("plans started in the period"),
        unit=ValueUnit.COUNT,
        direction=Direction.NONE,
        default_target=None,
        levels=WHOLE,
        source=SIP_SOURCE,
        protection=Protection.CHILDREN,
        compute=lambda metrics: Ratio(metrics.get("sip_started", 0)),
        trend=False,
    ),
    Indicator(
        key="sip_started_from_report",
        name=_("Coordinated plans started from a report of concern"),
        definition=_(
            "Share of the coordinated plans started in the period that were started from a "
            "report of concern."
        ),
        formula=_("plans started from a report ÷ plans started × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.NONE,
        default_target=None,
        levels=WHOLE,
        source=SIP_SOURCE,
        protection=Protection.CHILDREN,
        compute=_share("sip_started_from_report", "sip_started"),
    ),
    Indicator(
        key="sip_follow_up_on_time",
        name=_("Coordinated plans followed up on time"),
        definition=_(
            "Of the follow-up dates of active coordinated plans that fell in the period, the "
            "share where the plan was followed up at a network meeting held on or before the "
            "date. A date that has passed without such a meeting counts as late, also when "
            "the meeting is held later. A date that has not yet come and has no meeting is not "
            "counted, nor is a date on or after the day the plan was closed."
        ),
        formula=_("follow-up dates met by a follow-up meeting ÷ follow-up dates due × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.HIGHER,
        default_target=Decimal(100),
        levels=WHOLE,
        source=SIP_SOURCE,
        protection=Protection.CHILDREN,
        compute=_share("sip_follow_up_on_time", "sip_follow_up_due"),
    ),
    Indicator(
        key="sip_responsible_named",
        name=_("Active coordinated plans with an overall responsible"),
        definition=_(
            "Of the coordinated plans active at the end of the period (or today, while the "
            "period lasts), the share that name who has the overall responsibility."
        ),
        formula=_("active plans naming the overall responsible ÷ active plans × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.HIGHER,
        default_target=Decimal(100),
        levels=WHOLE,
        source=SIP_SOURCE,
        protection=Protection.CHILDREN,
        compute=_share("sip_active_responsible", "sip_active"),
    ),
    Indicator(
        key="sip_consent_ended_first",
        name=_("Coordinated plans whose consent ended before the plan"),
        definition=_(
            "Of the coordinated plans closed in the period that had a consent, the share where "
            "every consent had been withdrawn or had expired before the plan was closed. The "
            "family may always withdraw its consent; many such plans can be a reason to ask "
            "how the families are met."
        ),
        formula=_("plans closed after their consent ended ÷ plans closed with a consent × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.NONE,
        default_target=None,
        levels=WHOLE,
        source=SIP_SOURCE,
        protection=Protection.CHILDREN_OUTCOME,
        compute=_share("sip_consent_ended_first", "sip_closed_with_consent"),
    ),
)


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        key="reports_per_100_pupils",
        name=_("Reports of concern from school per 100 pupils"),
        definition=_(
            "Reports of concern sent from the schools in the period, per 100 pupils of the "
            "schools. Few reports from a school can mean that staff do not know the routine."
        ),
        formula=_("reports sent from the schools ÷ pupils × 100"),
        unit=ValueUnit.PER_100_PUPILS,
        direction=Direction.NONE,
        default_target=None,
        levels=SCHOOL_LEVELS,
        source=_(
            "Duty to report, 19 kap. 1 § socialtjänstlagen (2025:400)"
            " (formerly 14 kap. 1 § SoL); Leksand's audit 2023"
        ),
        protection=Protection.CHILDREN,
    ),
    Indicator(
        key="silent_schools",
        name=_("Silent schools"),
        definition=_(
            "Schools that sent no report of concern in the last 12 months, or far fewer than "
            "the municipality as a whole (under a quarter of its rate per pupil)."
        ),
        formula=_(
            "schools with no report in 12 months, or a rate under 25 % of the municipality's"
        ),
        unit=ValueUnit.COUNT,
        direction=Direction.LOWER,
        default_target=Decimal(0),
        levels=frozenset({Level.MUNICIPALITY, Level.SCHOOL}),
        source=_("Eksjö's audit 2022: the collaboration process is not known enough"),
        protection=Protection.STAFF,
    ),
    Indicator(
        key="protection_on_time",
        name=_("Protection assessments on time"),
        definition=_(
            "Share of the protection assessments due in the period (done, or overdue) that "
            "were made by their deadline: the same day, or the next day for a late arrival."
        ),
        formula=_("assessments made by the deadline ÷ assessments due × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.HIGHER,
        default_target=Decimal(100),
        levels=WHOLE,
        source=_(
            "Immediate protection assessment, 20 kap. 1 § socialtjänstlagen (2025:400)"
            " (formerly 11 kap. 1 a § SoL)"
        ),
        protection=Protection.CHILDREN,
        compute=_share("protection_on_time", "protection_due"),
    ),
    Indicator(
        key="decision_days_median",
        name=_("Days to decision, median"),
        definition=_(
            "Half of the decisions on opening an investigation were made within this many "
            "days of the report's arrival (reports by month of arrival)."
        ),
        formula=_("the median of the days from arrival to decision"),
        unit=ValueUnit.DAYS,
        direction=Direction.LOWER,
        default_target=Decimal(14),
        levels=WHOLE,
        source=_(
            "Decision within 14 days, 20 kap. 2 § socialtjänstlagen (2025:400)"
            " (formerly 11 kap. 1 a § SoL)"
        ),
        protection=Protection.CHILDREN,
        compute=_percentile("0.5"),
    ),
    Indicator(
        key="decision_days_p90",
        name=_("Days to decision, 90th percentile"),
        definition=_(
            "Nine in ten decisions on opening an investigation were made within this many "
            "days of the report's arrival."
        ),
        formula=_("the 90th percentile of the days from arrival to decision"),
        unit=ValueUnit.DAYS,
        direction=Direction.LOWER,
        default_target=Decimal(14),
        levels=WHOLE,
        source=_(
            "Decision within 14 days, 20 kap. 2 § socialtjänstlagen (2025:400)"
            " (formerly 11 kap. 1 a § SoL)"
        ),
        protection=Protection.CHILDREN,
        compute=_percentile("0.9"),
    ),
    Indicator(
        key="decided_within_deadline",
        name=_("Decisions within the deadline"),
        definition=_(
            "Share of the decisions due (made, or overdue) that were made within 14 days of "
            "arrival, or by an extended date recorded in time for an exceptional reason. An "
            "extension recorded after the deadline counts as late."
        ),
        formula=_("decisions in time ÷ decisions due × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.HIGHER,
        default_target=Decimal(100),
        levels=WHOLE,
        source=_(
            "Decision within 14 days, 20 kap. 2 § socialtjänstlagen (2025:400)"
            " (formerly 11 kap. 1 a § SoL)"
        ),
        protection=Protection.CHILDREN,
        compute=_share("decision_on_time", "decision_due"),
    ),
    Indicator(
        key="feedback_on_time",
        name=_("Feedback given on time"),
        definition=_(
            "Share of the reports where the reporter asked for feedback, and it was due or "
            "given, that got it by its deadline (the municipality's deadline rules, counted from "
            "the decision)."
        ),
        formula=_("feedback given by the deadline ÷ feedback due × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.HIGHER,
        default_target=Decimal(100),
        levels=WHOLE,
        source=_(
            "Feedback to the reporter, 19 kap. 6 § socialtjänstlagen (2025:400)"
            " (formerly 14 kap. 1 b § SoL); both audits"
        ),
        protection=Protection.CHILDREN,
        compute=_share("feedback_on_time", "feedback_due"),
    ),
    Indicator(
        key="led_to_investigation",
        name=_("Reports that led to an investigation"),
        definition=_(
            "Share of the decided reports where an investigation was opened or the report was "
            "added to an ongoing one."
        ),
        formula=_("investigations opened or ongoing ÷ decisions × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.NONE,
        default_target=None,
        levels=WHOLE,
        source=_("20 kap. 2 § socialtjänstlagen (2025:400); national statistics (Socialstyrelsen)"),
        protection=Protection.CHILDREN_OUTCOME,
        compute=_share("investigation", "decided"),
    ),
    Indicator(
        key="meetings_held",
        name=_("Planned meetings held"),
        definition=_(
            "Share of the annual wheel's meetings whose day has passed that were held "
            "(not cancelled, not left without a record)."
        ),
        formula=_("meetings held ÷ meetings whose day has passed × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.HIGHER,
        default_target=Decimal(90),
        levels=WHOLE,
        source=_("The annual wheel in Leksand's routine; Eksjö's audit 2022, recommendation 4"),
        protection=Protection.STAFF,
        compute=_share("occ_held", "occ_due"),
    ),
    Indicator(
        key="meetings_without_minutes",
        name=_("Held meetings without minutes"),
        definition=_("Meetings recorded as held that have no minutes, as text or as a file."),
        formula=_("held meetings without minutes"),
        unit=ValueUnit.COUNT,
        direction=Direction.LOWER,
        default_target=Decimal(0),
        levels=WHOLE,
        source=_("Leksand's audit 2023: meetings are to be followed up"),
        protection=Protection.STAFF,
        compute=lambda metrics: Ratio(metrics.get("occ_no_minutes", 0)),
    ),
    Indicator(
        key="attendance_by_sector",
        name=_("Attendance per sector"),
        definition=_("Share of the held meetings that each sector attended."),
        formula=_("held meetings the sector attended ÷ held meetings × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.HIGHER,
        default_target=None,
        levels=frozenset({Level.SECTOR}),
        source=_("Eksjö's audit 2022: collaboration between the sectors"),
        protection=Protection.STAFF,
    ),
    Indicator(
        key="intake_principal_coverage",
        name=_("Schools that met the intake"),
        definition=_(
            "Share of the schools that had at least one intake–principal meeting held in the "
            "period."
        ),
        formula=_("schools with a meeting held ÷ schools × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.HIGHER,
        default_target=Decimal(100),
        levels=frozenset({Level.MUNICIPALITY, Level.SCHOOL}),
        source=_("Eksjö's audit 2022: regular meetings between the intake and the principals"),
        protection=Protection.STAFF,
    ),
    Indicator(
        key="parent_meeting_coverage",
        name=_("Schools visited at a parent meeting"),
        definition=_(
            "Share of the schools where the intake took part in at least one parent meeting "
            "in the period."
        ),
        formula=_("schools visited ÷ schools × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.HIGHER,
        default_target=Decimal(100),
        levels=frozenset({Level.MUNICIPALITY, Level.SCHOOL}),
        source=_("Eksjö's audit 2022: the intake takes part in parent meetings"),
        protection=Protection.STAFF,
        period_kinds=frozenset({PeriodKind.TERM, PeriodKind.YEAR, PeriodKind.CUSTOM}),
    ),
    Indicator(
        key="routine_confirmed",
        name=_("Staff who confirmed the routine"),
        definition=_(
            "Share of the staff (reporters, student health, principals, the intake) who "
            "confirmed that they have read the current version of the collaboration routine, "
            "at the end of the period."
        ),
        formula=_("staff who confirmed the current version ÷ staff × 100"),
        unit=ValueUnit.PERCENT,
        direction=Direction.HIGHER,
        default_target=Decimal(80),
        levels=frozenset({Level.MUNICIPALITY, Level.SECTOR, Level.UNIT}),
        source=_("Eksjö's audit 2022: the routine is not known enough"),
        protection=Protection.STAFF,
        compute=_share("staff_confirmed", "staff"),
        snapshot=True,
    ),
    Indicator(
        key="document_days_to_revision",
        name=_("Days until a governance document's revision or expiry"),
        definition=_(
            "For each governance document, the days until its next revision or the end of its "
            "validity, whichever comes first; negative when it has passed. The municipality's "
            "value is the document closest to (or furthest past) its date."
        ),
        formula=_("the earlier of the next revision date and the last valid day, minus today"),
        unit=ValueUnit.DAYS,
        direction=Direction.HIGHER,
        # At least 60 days ahead: the governance watchdog warns 60 days before a revision.
        default_target=Decimal(60),
        levels=frozenset({Level.MUNICIPALITY, Level.DOCUMENT}),
        source=_("Eksjö's audit 2022: the agreement expired in 2021"),
        protection=Protection.STAFF,
        amber_margin=Decimal(60),  # amber while the date is ahead, red once it passed
    ),
    *SIP_INDICATORS,
)

AUDIT_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        key="open_audit_recommendations",
        name=_("Open audit recommendations"),
        definition=_(
            "The auditors' recommendations that the latest follow-up did not find implemented, "
            "or that have not been followed up yet."
        ),
        formula=_("recommendations not assessed as implemented"),
        unit=ValueUnit.COUNT,
        direction=Direction.LOWER,
        default_target=Decimal(0),
        levels=WHOLE,
        source=_("The municipal board's supervisory duty; both audits' recommendations"),
        protection=Protection.STAFF,
    ),
    Indicator(
        key="overdue_audit_measures",
        name=_("Overdue measures after audits"),
        definition=_(
            "Measures decided in answer to the auditors that are past their date and neither "
            "done nor cancelled, together with answers to the auditors that are past due."
        ),
        formula=_("overdue measures + overdue answers"),
        unit=ValueUnit.COUNT,
        direction=Direction.LOWER,
        default_target=Decimal(0),
        levels=WHOLE,
        source=_("Eksjö's audit 2022: the council was asked to answer by a given date"),
        protection=Protection.STAFF,
    ),
)

CATALOGUE: dict[str, Indicator] = {
    indicator.key: indicator for indicator in (*INDICATORS, *AUDIT_INDICATORS)
}


def catalogue_indicator(key: str) -> Indicator:
    return CATALOGUE[key]


def for_goal(indicator: Indicator, goal_direction: str) -> Indicator:
    """The indicator as a goal of a governance document measures it: the goal says whether
    its target is a minimum ("at_least") or a maximum ("at_most"), which decides the light."""
    direction = Direction.LOWER if goal_direction == "at_most" else Direction.HIGHER
    return replace(indicator, direction=direction)


def register(indicator: Indicator) -> None:
    """Add an indicator of a later job (SIP, surveys, audits) to the catalogue."""
    if indicator.key in CATALOGUE:
        raise ValueError(f"The indicator {indicator.key!r} is already in the catalogue.")
    CATALOGUE[indicator.key] = indicator


def indicator_choices() -> list[tuple[str, str]]:
    """(key, name) of every indicator, by name: the choice a goal's form offers."""
    return sorted(
        ((key, str(indicator.name)) for key, indicator in CATALOGUE.items()),
        key=lambda choice: choice[1],
    )
