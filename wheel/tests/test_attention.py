import datetime

from django.urls import reverse
from django.utils import timezone, translation

from core.attention import start_sections
from organisations.models import Role, UnitKind
from organisations.selectors import memberships_of
from wheel.attention import coordinator_attention
from wheel.models import (
    ActionStatus,
    ActivitySeries,
    ActivityType,
    FollowUpAction,
    Occurrence,
    OccurrenceStatus,
    ScheduleKind,
)


def _occurrence(world, *, place="leksand", minutes=""):
    office = world.unit(UnitKind.MUNICIPAL_OFFICE, place)
    series = ActivitySeries.objects.create(
        municipality=world.municipality(place),
        activity_type=ActivityType.COLLABORATION_MEETING,
        title="Samverkansträff",
        organiser_unit=office,
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=[3],
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        start_time=datetime.time(9),
        created_by=world.user(Role.COORDINATOR, place),
    )
    start = timezone.now() - datetime.timedelta(days=10)
    return Occurrence.objects.create(
        series=series,
        municipality=series.municipality,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        status=OccurrenceStatus.HELD,
        minutes=minutes,
    )


def _texts(user):
    with translation.override("en"):
        return [
            str(item.text)
            for section in start_sections(user)
            if section.role == Role.COORDINATOR
            for item in section.items
            if item.url == reverse("wheel:series_list")
        ]


def test_the_coordinator_hears_of_missing_minutes_and_overdue_actions(
    world, django_assert_num_queries
):
    held = _occurrence(world)
    _occurrence(world, minutes="<p>Protokoll</p>")
    _occurrence(world, place="eksjo")  # another municipality's gap is not Leksand's
    FollowUpAction.objects.create(
        occurrence=held,
        what="Boka utbildning",
        owner="Samordnaren",
        due_on=timezone.localdate() - datetime.timedelta(days=1),
        status=ActionStatus.OPEN,
    )
    coordinator = world.user(Role.COORDINATOR)
    memberships = memberships_of(coordinator)
    with django_assert_num_queries(2):
        coordinator_attention(coordinator, memberships)
    assert _texts(coordinator) == [
        "1 held meeting has no minutes.",
        "1 follow-up action from meetings is overdue.",
    ]


def test_nothing_to_say_when_all_is_in_order(world):
    _occurrence(world, minutes="<p>Protokoll</p>")
    assert _texts(world.user(Role.COORDINATOR)) == []
