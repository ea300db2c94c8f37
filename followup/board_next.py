"""What the coordinator has to do before the next board report (the issue: "Coordinator:
everything aggregated, what needs doing before the next board report").

The next board report is the next planned (or moved) occurrence of the annual wheel's
``BOARD_REPORT`` activity, with the board report linked to it if one is; beside it the counts
that a board would ask about: red indicators, audit answers and measures overdue. Two queries
per panel whatever the data: one for every municipality's next occurrence and its report, and
one of the audits' counts per municipality (``audits.selectors.follow_up_counts``).
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils.http import urlencode

from audits.selectors import follow_up_counts
from followup.models import BoardReport, BoardReportState
from organisations.models import Municipality
from wheel.models import ActivityType, Occurrence, OccurrenceStatus

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WAITING = (OccurrenceStatus.PLANNED, OccurrenceStatus.MOVED)


def _upcoming(since: datetime.datetime) -> QuerySet[Occurrence]:
    return Occurrence.objects.filter(
        series__activity_type=ActivityType.BOARD_REPORT,
        status__in=WAITING,
        starts_at__gte=since,
    )


def _linked(field: str) -> Subquery:
    """A field of the newest board report linked to the outer occurrence."""
    reports = BoardReport.objects.filter(occurrence_id=OuterRef("pk")).order_by("-created_at")
    return Subquery(reports.values(field)[:1])


def next_board_occurrences(
    municipality_ids: set[int], today: datetime.date
) -> dict[int, Occurrence]:
    """Per municipality, its next board-report occurrence from the start of ``today`` (a
    meeting later today is still ahead), with ``linked_report_id``, ``linked_report_state``
    and ``linked_report_title`` of the newest report linked to it (None without one): one
    query, however many occurrences the wheel holds."""
    if not municipality_ids:
        return {}
    since = datetime.datetime.combine(today, datetime.time.min, tzinfo=STOCKHOLM)
    upcoming = _upcoming(since)
    first_ids = (
        Municipality.objects.filter(pk__in=municipality_ids)
        .annotate(
            first=Subquery(
                upcoming.filter(municipality_id=OuterRef("pk"))
                .order_by("starts_at", "pk")
                .values("pk")[:1]
            )
        )
        .values("first")
    )
    rows = (
        upcoming.filter(pk__in=first_ids)
        .select_related("series")
        .annotate(
            linked_report_id=_linked("pk"),
            linked_report_state=_linked("state"),
            linked_report_title=_linked("title"),
        )
    )
    return {row.municipality_id: row for row in rows}


@dataclass(frozen=True)
class BeforeNextReport:
    """The coordinator's section "before the next board report" of one municipality."""

    occurrence: Occurrence | None
    report_id: int | None
    report_title: str
    report_published: bool
    create_url: str
    red_count: int
    overdue_responses: int
    overdue_measures: int


def before_next_report(
    municipality: Municipality,
    occurrence: Occurrence | None,
    *,
    red_count: int,
    today: datetime.date,
) -> BeforeNextReport:
    counts = follow_up_counts(municipality, today)
    query = {"municipality": municipality.pk}
    if occurrence is not None:
        query["occurrence"] = occurrence.pk
    report_id = getattr(occurrence, "linked_report_id", None)
    return BeforeNextReport(
        occurrence=occurrence,
        report_id=report_id,
        report_title=getattr(occurrence, "linked_report_title", None) or "",
        report_published=getattr(occurrence, "linked_report_state", None)
        == BoardReportState.PUBLISHED,
        create_url=f"{reverse('followup_board:list')}?{urlencode(query)}#new-draft",
        red_count=red_count,
        overdue_responses=counts.overdue_responses,
        overdue_measures=counts.overdue_measures,
    )
