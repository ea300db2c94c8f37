"""Reads of the annual wheel. Lists start from a policy's ``visible`` queryset; single objects
are loaded by the views through ``access.loaders.get_or_404``. Each page costs a fixed number
of queries, however many series and occurrences there are.

The main part (series, occurrences, decisions, actions) belongs with the series and occurrence
views; the section at the end serves the wheel's picture, list and month views."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from organisations.models import Sector, Unit, User
from wheel.models import (
    ActionStatus,
    ActivitySeries,
    Attendance,
    FollowUpAction,
    MeetingDecision,
    Occurrence,
    OccurrenceStatus,
)
from wheel.policies import READ, series_policy
from wheel.schedule_words import describe_schedule

STATUS_BADGES: dict[str, str] = {
    OccurrenceStatus.PLANNED: "",
    OccurrenceStatus.HELD: "badge--ok",
    OccurrenceStatus.CANCELLED: "badge--danger",
    OccurrenceStatus.MOVED: "badge--warning",
}


def schedule_summary(series: ActivitySeries) -> str:
    """The schedule in words, e.g. "4 times per term", "Every week on Tuesday"."""
    time = series.start_time.strftime("%H:%M")
    what = describe_schedule(
        kind=series.schedule_kind,
        rrule=series.rrule,
        times_per_term=series.times_per_term,
        months=series.months or [],
    )
    return _("%(what)s at %(time)s") % {"what": what, "time": time}


def has_minutes(occurrence: Occurrence) -> bool:
    return bool(occurrence.minutes or occurrence.minutes_file)


def minutes_missing(occurrence: Occurrence) -> bool:
    """A held meeting whose minutes (text or file) have not been recorded."""
    return occurrence.status == OccurrenceStatus.HELD and not has_minutes(occurrence)


# --- the list of series ------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesRow:
    series: ActivitySeries
    held: int
    planned: int
    cancelled: int
    moved: int
    minutes_missing: int

    @property
    def schedule(self) -> str:
        return schedule_summary(self.series)


def series_rows(user: User, *, activity_type: str = "") -> list[SeriesRow]:
    """The series of the municipalities whose wheel the user reads, with their counts of held,
    planned, cancelled and moved occurrences: one query."""
    queryset = series_policy.visible(user, READ)
    if activity_type:
        queryset = queryset.filter(activity_type=activity_type)
    rows = queryset.annotate(
        held=Count("occurrences", filter=Q(occurrences__status=OccurrenceStatus.HELD)),
        planned=Count("occurrences", filter=Q(occurrences__status=OccurrenceStatus.PLANNED)),
        cancelled=Count("occurrences", filter=Q(occurrences__status=OccurrenceStatus.CANCELLED)),
        moved=Count("occurrences", filter=Q(occurrences__status=OccurrenceStatus.MOVED)),
        no_minutes=Count(
            "occurrences",
            filter=Q(
                occurrences__status=OccurrenceStatus.HELD,
                occurrences__minutes="",
                occurrences__minutes_file="",
            ),
        ),
    ).order_by("municipality__name", "title", "pk")
    return [
        SeriesRow(
            series=series,
            held=series.held,
            planned=series.planned,
            cancelled=series.cancelled,
            moved=series.moved,
            minutes_missing=series.no_minutes,
        )
        for series in rows
    ]


# --- one series --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OccurrenceRow:
    occurrence: Occurrence
    decisions: int
    open_actions: int
    participants: int

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.occurrence.status, "")

    @property
    def minutes_missing(self) -> bool:
        return minutes_missing(self.occurrence)


def occurrence_rows(series: ActivitySeries) -> list[OccurrenceRow]:
    """The series' occurrences in time order, with their numbers of decisions, open actions
    and participants: two queries."""
    occurrences = (
        series.occurrences.select_related("school")
        .annotate(
            decision_count=Count("decisions", distinct=True),
            open_action_count=Count(
                "actions", filter=Q(actions__status=ActionStatus.OPEN), distinct=True
            ),
        )
        .order_by("starts_at", "pk")
    )
    participants = dict(
        Attendance.objects.filter(occurrence__series=series)
        .values_list("occurrence_id")
        .annotate(total=Sum("participants"))
        .values_list("occurrence_id", "total")
    )
    return [
        OccurrenceRow(
            occurrence=occurrence,
            decisions=occurrence.decision_count,
            open_actions=occurrence.open_action_count,
            participants=participants.get(occurrence.pk, 0) or 0,
        )
        for occurrence in occurrences
    ]


# --- one occurrence ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SectorTotal:
    sector: str
    label: str
    participants: int


def attendance_of(occurrence: Occurrence) -> list[Attendance]:
    return list(occurrence.attendance.select_related("unit").order_by("unit__name"))


def sector_totals(rows: list[Attendance]) -> list[SectorTotal]:
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row.sector] += row.participants
    return [
        SectorTotal(sector=sector, label=str(Sector(sector).label), participants=totals[sector])
        for sector in Sector.values
        if sector in totals
    ]


def sector_labels(sectors: list[str] | None) -> list[str]:
    return [str(Sector(sector).label) for sector in sectors or [] if sector in Sector.values]


def decisions_of(occurrence: Occurrence) -> list[MeetingDecision]:
    return list(occurrence.decisions.select_related("receiving_unit").order_by("pk"))


def actions_of(occurrence: Occurrence) -> list[FollowUpAction]:
    return list(occurrence.actions.order_by("status", "due_on", "pk"))


# =================================================================================================
# The wheel, its list and month views
# =================================================================================================


@dataclass(frozen=True)
class WheelFilters:
    """The wheel's filters (no personal data): an activity type and a sector, or all."""

    activity_type: str = ""
    sector: str = ""


def _series_in_sector(series: ActivitySeries, sector: str) -> bool:
    """A series concerns a sector when it invites the sector, or its organiser or one of its
    invited units belongs to it."""
    if sector in (series.invited_sectors or []) or series.organiser_unit.sector == sector:
        return True
    return any(unit.sector == sector for unit in series.invited_units.all())


def wheel_occurrences(
    visible: QuerySet[Occurrence],
    *,
    municipality_id: int,
    start: datetime.datetime,
    end: datetime.datetime,
    filters: WheelFilters,
) -> list[Occurrence]:
    """The municipality's occurrences from ``start`` to ``end`` (exclusive), oldest first, with
    series, organiser and school: one query, and one more when filtering by sector (the
    invited units), however many occurrences there are. ``visible`` comes from the policy."""
    occurrences = (
        visible.filter(municipality_id=municipality_id, starts_at__gte=start, starts_at__lt=end)
        .select_related("series", "series__organiser_unit", "school")
        .order_by("starts_at", "id")
    )
    if filters.activity_type:
        occurrences = occurrences.filter(series__activity_type=filters.activity_type)
    if not filters.sector:
        return list(occurrences)
    occurrences = occurrences.prefetch_related(
        Prefetch("series__invited_units", queryset=Unit.objects.only("id", "sector"))
    )
    return [
        occurrence
        for occurrence in occurrences
        if _series_in_sector(occurrence.series, filters.sector)
    ]


def next_planned_meeting(
    school_ids: list[int], activity_type: str, *, now: datetime.datetime
) -> Occurrence | None:
    """The next planned (or moved) occurrence of ``activity_type`` with one of the schools,
    from ``now`` on, with its series: one query."""
    if not school_ids:
        return None
    return (
        Occurrence.objects.filter(
            school_id__in=school_ids,
            series__activity_type=activity_type,
            status__in=[OccurrenceStatus.PLANNED, OccurrenceStatus.MOVED],
            starts_at__gte=now,
        )
        .select_related("series", "school")
        .order_by("starts_at", "pk")
        .first()
    )
