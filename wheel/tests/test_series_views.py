"""The series pages: who may open them (the matrix), creating a series with a preview and
clear errors, changing it, and fixed query counts for the list and the series page."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from organisations.models import Role, UnitKind
from tests.factories import UserFactory
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World
from wheel import services
from wheel.models import ActivitySeries, ActivityType, OccurrenceStatus, ScheduleKind
from wheel.tests.series_builders import (
    add_terms,
    around_today,
    make_series,
    past_occurrence,
)

pytestmark = pytest.mark.usefixtures("two_factor_set_up")


def leksand_staff(world: World) -> list:
    return list(world.places["leksand"].users.values())


def eksjo_staff(world: World) -> list:
    return list(world.places["eksjo"].users.values())


# --- the matrix ----------------------------------------------------------------------------------


def test_matrix_series_list(client: Client, world: World) -> None:
    nobody = UserFactory.create(username="no.membership")
    assert_matrix(
        client,
        reverse("wheel:series_list"),
        [
            (None, LOGIN),
            *[(user, 200) for user in leksand_staff(world)],
            *[(user, 200) for user in eksjo_staff(world)],  # their own (empty) list
            (nobody, 404),
        ],
    )


def test_matrix_series_detail(client: Client, world: World) -> None:
    series = make_series(world)
    assert_matrix(
        client,
        reverse("wheel:series_detail", args=[series.pk]),
        [
            (None, LOGIN),
            *[(user, 200) for user in leksand_staff(world)],
            *[(user, 404) for user in eksjo_staff(world)],
        ],
    )
    assert_matrix(
        client,
        reverse("wheel:series_detail", args=[series.pk + 1000]),
        [(world.user(Role.COORDINATOR), 404)],
    )


def test_matrix_series_create(client: Client, world: World) -> None:
    coordinators = [world.user(Role.COORDINATOR), world.user(Role.COORDINATOR, "eksjo")]
    assert_matrix(
        client,
        reverse("wheel:series_create"),
        [
            (None, LOGIN),
            *[(user, 200) for user in coordinators],
            *[(user, 404) for user in everyone_else(world, coordinators)],
        ],
    )
    assert_matrix(
        client,
        reverse("wheel:series_create"),
        [(None, LOGIN), *[(user, 404) for user in everyone_else(world, coordinators)]],
        method="post",
        data={"title": "x"},
    )
    assert not ActivitySeries.objects.exists()


def test_matrix_series_edit(client: Client, world: World) -> None:
    series = make_series(world)
    coordinator = world.user(Role.COORDINATOR)
    url = reverse("wheel:series_edit", args=[series.pk])
    assert_matrix(
        client,
        url,
        [
            (None, LOGIN),
            (coordinator, 200),
            # The organiser unit's members record meetings but do not change the series.
            *[(user, 404) for user in everyone_else(world, [coordinator])],
        ],
    )
    assert_matrix(
        client,
        url,
        [(None, LOGIN), *[(user, 404) for user in everyone_else(world, [coordinator])]],
        method="post",
        data={"title": "Ändrad"},
    )
    series.refresh_from_db()
    assert series.title != "Ändrad"


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_type_organiser_schedule_and_counts(client: Client, world: World) -> None:
    series = around_today(world)
    services.occurrence_record(
        occurrence=past_occurrence(series),
        actor=world.user(Role.COORDINATOR),
        expected_version=1,
        record=services.OccurrenceRecord(
            status=OccurrenceStatus.HELD, starts_at=past_occurrence(series).starts_at
        ),
    )
    make_series(world, "eksjo", title="Eksjös serie")
    client.force_login(world.user(Role.REPORTER))
    response = client.get(reverse("wheel:series_list"))
    content = response.content.decode()
    assert series.title in content
    assert "Eksjös serie" not in content
    (row,) = response.context["rows"]
    assert row.held == 1
    assert row.planned == series.occurrences.count() - 1
    assert row.minutes_missing == 1
    assert "Every week at 10:00" in content
    assert "Collaboration meeting" in content
    assert world.unit(UnitKind.INTAKE).name in content
    assert 'href="/arshjul/serier/ny/"' not in content  # only coordinators create


def test_the_list_filters_by_type(client: Client, world: World) -> None:
    make_series(world, title="Samverkan")
    make_series(world, title="Resurssamråd", activity_type=ActivityType.RESOURCE_COUNCIL)
    client.force_login(world.user(Role.COORDINATOR))
    response = client.get(reverse("wheel:series_list"), {"type": ActivityType.RESOURCE_COUNCIL})
    assert [row.series.title for row in response.context["rows"]] == ["Resurssamråd"]
    response = client.get(reverse("wheel:series_list"), {"type": "nonsense"})
    assert len(response.context["rows"]) == 2


@pytest.mark.parametrize("count", [2, 12])
def test_list_query_count_is_fixed(
    client: Client, world: World, django_assert_num_queries, count: int
) -> None:
    for index in range(count):
        make_series(world, title=f"Serie {index:02d}")
    client.force_login(world.user(Role.COORDINATOR))
    client.get(reverse("wheel:series_list"))
    # The user and the series with their counts (the session, the memberships and the page
    # frame's unread count are in the shared cache).
    with django_assert_num_queries(2):
        response = client.get(reverse("wheel:series_list"))
    assert len(response.context["rows"]) == count


# --- one series ----------------------------------------------------------------------------------


def test_the_series_page_marks_missing_minutes(client: Client, world: World) -> None:
    series = around_today(world)
    occurrence = past_occurrence(series)
    services.occurrence_record(
        occurrence=occurrence,
        actor=world.user(Role.COORDINATOR),
        expected_version=1,
        record=services.OccurrenceRecord(
            status=OccurrenceStatus.HELD, starts_at=occurrence.starts_at
        ),
    )
    client.force_login(world.user(Role.BOARD_MEMBER))
    response = client.get(reverse("wheel:series_detail", args=[series.pk]))
    content = response.content.decode()
    assert "1 held meeting has no minutes yet." in content
    assert content.count("Minutes missing") == 1
    assert "Held" in content
    assert "Planned" in content
    assert reverse("wheel:occurrence_record", args=[occurrence.pk]) not in content
    assert reverse("wheel:series_edit", args=[series.pk]) not in content


def test_the_series_page_links_recording_for_the_organiser(client: Client, world: World) -> None:
    series = make_series(world)
    client.force_login(world.user(Role.INTAKE))  # a member of the organiser unit
    content = client.get(reverse("wheel:series_detail", args=[series.pk])).content.decode()
    first = series.occurrences.order_by("starts_at").first()
    assert first is not None
    assert reverse("wheel:occurrence_record", args=[first.pk]) in content
    assert reverse("wheel:series_edit", args=[series.pk]) not in content


@pytest.mark.parametrize("weeks", [3, 40])
def test_series_page_query_count_is_fixed(
    client: Client, world: World, django_assert_num_queries, weeks: int
) -> None:
    series = make_series(
        world,
        rrule=f"FREQ=WEEKLY;COUNT={weeks}",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    coordinator = world.user(Role.COORDINATOR)
    for occurrence in series.occurrences.all()[:3]:
        services.decision_add(
            occurrence=occurrence, actor=coordinator, data=services.DecisionData(text="Beslut")
        )
        services.action_add(
            occurrence=occurrence,
            actor=coordinator,
            data=services.ActionData(what="Göra", owner="Någon"),
        )
    client.force_login(coordinator)
    client.get(reverse("wheel:series_detail", args=[series.pk]))
    # User, the series, its invited units, the occurrences with their counts, the
    # participants and may-record (the session, the memberships and the unread count: the
    # shared cache).
    with django_assert_num_queries(6):
        response = client.get(reverse("wheel:series_detail", args=[series.pk]))
    assert len(response.context["rows"]) == series.occurrences.count()


# --- creating and changing -----------------------------------------------------------------------


def form_data(world: World, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "activity_type": ActivityType.REGION_CONSULTATION,
        "title": "Konsultation med regionen",
        "description": "Fyra gånger per termin.",
        "organiser_unit": world.unit(UnitKind.STUDENT_HEALTH).pk,
        "invited_units": [world.unit(UnitKind.HEALTH_REGION_CLINIC).pk],
        "invited_sectors": ["school", "health_region"],
        "schedule_kind": ScheduleKind.PER_TERM,
        "times_per_term": "4",
        "rrule": "",
        "starts_on": "2025-08-01",
        "ends_on": "2026-07-31",
        "start_time": "13:30",
        "duration_minutes": "60",
        "place": "Elevhälsan",
    }
    data.update(overrides)
    return data


def test_a_coordinator_creates_a_series(client: Client, world: World) -> None:
    add_terms(world)
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(reverse("wheel:series_create"), form_data(world))
    series = ActivitySeries.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("wheel:series_detail", args=[series.pk])
    assert series.municipality == world.municipality()
    assert series.occurrences.count() == 8
    assert series.invited_sectors == ["school", "health_region"]
    page = client.get(response["Location"]).content.decode()
    assert "The series was created with 8 occurrences." in page
    assert "4 times per term at 13:30" in page


def test_the_preview_shows_the_dates_and_saves_nothing(client: Client, world: World) -> None:
    add_terms(world)
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(reverse("wheel:series_create"), {**form_data(world), "preview": "1"})
    assert response.status_code == 200
    assert len(response.context["preview"]) == 8
    assert "The schedule gives 8 occurrences" in response.content.decode()
    assert not ActivitySeries.objects.exists()


def test_a_bad_rule_is_explained_and_the_form_keeps_what_was_typed(
    client: Client, world: World
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(
        reverse("wheel:series_create"),
        form_data(world, schedule_kind=ScheduleKind.RRULE, rrule="FREQ=HOURLY;BYDAY=TU"),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "FREQ=HOURLY can not be used" in content
    assert 'value="FREQ=HOURLY;BYDAY=TU"' in content
    assert 'value="Konsultation med regionen"' in content
    assert not ActivitySeries.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"schedule_kind": ScheduleKind.RRULE}, "Write the recurrence rule"),
        ({"times_per_term": ""}, "Enter how many times per term."),
        ({"schedule_kind": ScheduleKind.FIXED_MONTHS}, "Choose at least one month."),
        ({"ends_on": "2025-07-01"}, "The last day of the series is before its first day."),
        ({"description": "Gäller 20130101-9809"}, "personal identity number"),
        ({}, "The municipality has no school terms"),  # no terms were added
    ],
)
def test_schedule_errors_are_clear(
    client: Client, world: World, overrides: dict[str, object], message: str
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(reverse("wheel:series_create"), form_data(world, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ActivitySeries.objects.exists()


def test_units_of_another_municipality_can_not_be_chosen(client: Client, world: World) -> None:
    add_terms(world)
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(
        reverse("wheel:series_create"),
        form_data(world, organiser_unit=world.unit(UnitKind.INTAKE, "eksjo").pk),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ActivitySeries.objects.exists()


def test_a_coordinator_changes_a_series(client: Client, world: World) -> None:
    series = make_series(world)
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("wheel:series_edit", args=[series.pk])
    form = client.get(url).context["form"]
    # The stored rule FREQ=WEEKLY;BYDAY=TU is shown as the plain choice it means.
    assert form["schedule_kind"].value() == "weekly"
    assert form["weekday"].value() == "TU"
    assert not form["rrule"].value()
    data = form_data(
        world,
        title="Samverkansträff",
        organiser_unit=world.unit(UnitKind.INTAKE).pk,
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=["3", "9"],
        starts_on="2026-01-01",
        ends_on="2026-12-31",
        start_time="10:00",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    series.refresh_from_db()
    assert series.title == "Samverkansträff"
    assert series.schedule_kind == ScheduleKind.FIXED_MONTHS
    assert series.months == [3, 9]
    message = client.get(response["Location"]).content.decode()
    assert "planned again" in message


def test_a_series_is_planned_from_plain_words(client: Client, world: World) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    data = form_data(
        world,
        schedule_kind="monthly_weekday",
        weekday="TU",
        ordinal="1",
        times_per_term="",
        starts_on="2026-01-01",
        ends_on="2026-06-30",
    )
    preview = client.post(reverse("wheel:series_create"), {**data, "preview": "1"})
    # The first Tuesdays; 6 January is Epiphany and is left out.
    assert [start.day for start in preview.context["preview"]] == [3, 3, 7, 5, 2]
    response = client.post(reverse("wheel:series_create"), data)
    assert response.status_code == 302
    series = ActivitySeries.objects.get()
    assert (series.schedule_kind, series.rrule) == (ScheduleKind.RRULE, "FREQ=MONTHLY;BYDAY=1TU")
    form = client.get(reverse("wheel:series_edit", args=[series.pk])).context["form"]
    assert (form["schedule_kind"].value(), form["weekday"].value()) == ("monthly_weekday", "TU")


def test_a_plain_choice_without_a_weekday_is_kept_with_a_message(
    client: Client, world: World
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    data = form_data(world, schedule_kind="every_other_week", weekday="", title="Varannan")
    response = client.post(reverse("wheel:series_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["weekday"]
    assert 'value="Varannan"' in response.content.decode()
    assert not ActivitySeries.objects.exists()
