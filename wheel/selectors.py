"""Reads of the annual wheel. Lists start from a policy's ``visible`` queryset.

The main part (series, occurrences, decisions, actions) belongs with the series and occurrence
views; the section at the end serves the wheel's picture, list and month views."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from organisations.models import Unit
from wheel.models import ActivitySeries, Occurrence

# =================================================================================================
# The wheel, its list and month views (calendar helper's section)
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
