"""Creating and changing activity series: the schedule is checked and the occurrences are
made at once; a change re-plans only the untouched planned occurrences to come."""

import dataclasses
import datetime

import pytest
from django.core.exceptions import ValidationError

from access.models import AuditEvent, AuditEventType
from organisations.models import BreakKind, Role, SchoolBreak, UnitKind
from tests.world import World
from wheel import services
from wheel.models import (
    ActivitySeries,
    Occurrence,
    OccurrenceStatus,
    ScheduleKind,
)
from wheel.recurrence import LOCAL
from wheel.tests.series_builders import D, add_breaks, add_terms, make_series, series_data

# The messages are checked in English, whichever test ran before.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def local_days(series: ActivitySeries) -> list[datetime.date]:
    return [o.starts_at.astimezone(LOCAL).date() for o in series.occurrences.order_by("starts_at")]


def test_a_series_is_created_with_its_occurrences(world: World) -> None:
    school = world.unit(UnitKind.SCHOOL)
    series = make_series(world, school=school)
    occurrences = list(series.occurrences.order_by("starts_at"))
    assert local_days(series) == [D(2026, 3, d) for d in (3, 10, 17, 24, 31)]
    for occurrence in occurrences:
        assert occurrence.municipality == world.municipality()
        assert occurrence.school == school
        assert occurrence.place == "Kommunhuset, sal A"
        assert occurrence.status == OccurrenceStatus.PLANNED
        assert occurrence.ends_at - occurrence.starts_at == datetime.timedelta(minutes=90)
        assert occurrence.starts_at.astimezone(LOCAL).hour == 10
    assert len({o.uid for o in occurrences}) == 5
    assert set(series.invited_units.all()) == {
        world.unit(UnitKind.SCHOOL),
        world.unit(UnitKind.STUDENT_HEALTH),
    }
    event = AuditEvent.objects.get(event_type=AuditEventType.SERIES_CREATED)
    assert event.actor == world.user(Role.COORDINATOR)
    assert event.municipality == world.municipality()
    assert event.new_values["occurrences"] == 5
    assert event.new_values["rrule"] == "FREQ=WEEKLY;BYDAY=TU"


def test_n_per_term_uses_the_municipalitys_terms(world: World) -> None:
    add_terms(world)
    series = make_series(
        world,
        schedule_kind=ScheduleKind.PER_TERM,
        times_per_term=4,
        starts_on=D(2025, 8, 1),
        ends_on=D(2026, 7, 31),
    )
    dates = local_days(series)
    assert len(dates) == 8
    assert series.rrule == ""
    assert series.times_per_term == 4
    assert all(day.isocalendar().week not in (44, 9, 15) for day in dates)


def test_n_per_term_without_terms_says_what_to_do(world: World) -> None:
    add_terms(world, "eksjo")  # the other municipality's terms do not count
    with pytest.raises(ValidationError) as error:
        make_series(
            world,
            schedule_kind=ScheduleKind.PER_TERM,
            times_per_term=4,
            starts_on=D(2025, 8, 1),
            ends_on=D(2026, 7, 31),
        )
    assert "no school terms" in error.value.message_dict["times_per_term"][0]
    assert not ActivitySeries.objects.exists()


def test_a_term_partly_in_the_period_is_clipped(world: World) -> None:
    add_terms(world)
    series = make_series(
        world,
        schedule_kind=ScheduleKind.PER_TERM,
        times_per_term=2,
        starts_on=D(2026, 3, 1),
        ends_on=D(2026, 12, 31),
    )
    dates = local_days(series)
    assert len(dates) == 2
    assert all(D(2026, 3, 1) <= day <= D(2026, 6, 11) for day in dates)


def test_fixed_months(world: World) -> None:
    series = make_series(
        world,
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=(9, 3),
        starts_on=D(2026, 1, 1),
        ends_on=D(2026, 12, 31),
    )
    assert local_days(series) == [D(2026, 3, 10), D(2026, 9, 10)]
    assert series.months == [3, 9]


def test_the_municipalitys_school_breaks_are_avoided(world: World) -> None:
    SchoolBreak.objects.create(
        municipality=world.municipality(),
        kind=BreakKind.WINTER,
        starts_on=D(2026, 3, 9),
        ends_on=D(2026, 3, 13),
    )
    SchoolBreak.objects.create(  # another municipality's break changes nothing here
        municipality=world.municipality("eksjo"),
        kind=BreakKind.WINTER,
        starts_on=D(2026, 3, 16),
        ends_on=D(2026, 3, 20),
    )
    series = make_series(
        world,
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=(3,),
        starts_on=D(2026, 1, 1),
        ends_on=D(2026, 12, 31),
    )
    # 10 March 2026 is in week 11: the first free day is Monday 16 March (week 12).
    assert local_days(series) == [D(2026, 3, 16)]


def test_a_bad_rule_is_refused_and_nothing_is_created(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        make_series(world, rrule="FREQ=HOURLY")
    assert "rrule" in error.value.message_dict
    assert not ActivitySeries.objects.exists()
    assert not Occurrence.objects.exists()


def test_a_schedule_without_occurrences_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        make_series(world, rrule="FREQ=YEARLY;BYMONTH=7")
    assert "no occurrences" in error.value.message_dict["schedule_kind"][0]


def test_too_many_occurrences_are_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        make_series(world, rrule="FREQ=DAILY", starts_on=D(2026, 1, 1), ends_on=D(2027, 12, 31))
    assert "more than 500" in error.value.message_dict["rrule"][0]


@pytest.mark.parametrize(
    ("field", "value_of"),
    [
        ("organiser_unit", lambda world: world.unit(UnitKind.INTAKE, "eksjo")),
        ("invited_units", lambda world: (world.unit(UnitKind.SCHOOL, "eksjo"),)),
        ("school", lambda world: world.unit(UnitKind.INTAKE)),
        ("school", lambda world: world.unit(UnitKind.SCHOOL, "eksjo")),
        ("organiser_person", lambda world: world.user(Role.COORDINATOR, "eksjo")),
    ],
)
def test_everything_must_belong_to_the_municipality(world: World, field: str, value_of) -> None:
    with pytest.raises(ValidationError) as error:
        make_series(world, **{field: value_of(world)})
    assert field in error.value.message_dict


def test_identity_numbers_in_the_series_texts_are_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        make_series(world, description="Om eleven 850101-1234")
    assert "personal identity number" in error.value.message_dict["description"][0]


# --- changing a series ---------------------------------------------------------------------------

NOW = datetime.datetime(2026, 3, 12, 12, 0, tzinfo=LOCAL)


def change(world: World, series: ActivitySeries, **overrides: object) -> services.SeriesUpdate:
    return services.series_update(
        series=series,
        actor=world.user(Role.COORDINATOR),
        data=series_data(world, **overrides),  # type: ignore[arg-type]
        now=NOW,
    )


def test_a_new_schedule_replans_only_the_untouched_planned_occurrences_to_come(
    world: World,
) -> None:
    # Tuesdays from January to April 2026: 6 January (Epiphany) and the break weeks 9 and 15
    # are left out.
    add_breaks(world)
    series = make_series(world, starts_on=D(2026, 1, 1), ends_on=D(2026, 4, 30))
    by_day = {o.starts_at.astimezone(LOCAL).date(): o for o in series.occurrences.all()}
    Occurrence.objects.filter(pk=by_day[D(2026, 3, 3)].pk).update(status=OccurrenceStatus.HELD)
    Occurrence.objects.filter(pk=by_day[D(2026, 3, 10)].pk).update(
        status=OccurrenceStatus.CANCELLED, status_reason="Sjukdom"
    )
    recorded = by_day[D(2026, 3, 17)]  # a planned meeting whose place was recorded
    Occurrence.objects.filter(pk=recorded.pk).update(version=2, place="Skolan")
    with_action = by_day[D(2026, 3, 24)]
    services.action_add(
        occurrence=with_action,
        actor=world.user(Role.COORDINATOR),
        data=services.ActionData(what="Boka lokal", owner="Samordnaren"),
    )
    moved = by_day[D(2026, 3, 31)]
    Occurrence.objects.filter(pk=moved.pk).update(status=OccurrenceStatus.MOVED)

    outcome = change(
        world,
        series,
        rrule="FREQ=WEEKLY;BYDAY=TU,TH",
        starts_on=D(2026, 1, 1),
        ends_on=D(2026, 4, 30),
    )

    assert outcome.replanned
    days = local_days(series)
    # The past stays as it was: Tuesdays only before 12 March (12 March 10:00 is past too).
    assert [d for d in days if d <= D(2026, 3, 12)] == [
        D(2026, 1, 13),
        D(2026, 1, 20),
        D(2026, 1, 27),
        D(2026, 2, 3),
        D(2026, 2, 10),
        D(2026, 2, 17),
        D(2026, 3, 3),
        D(2026, 3, 10),
    ]
    # To come: Tuesdays and Thursdays; a kept occurrence's day gets no second one.
    future = [d for d in days if d > D(2026, 3, 12)]
    assert future == [
        D(2026, 3, 17),
        D(2026, 3, 19),
        D(2026, 3, 24),
        D(2026, 3, 26),
        D(2026, 3, 31),
        D(2026, 4, 2),
        D(2026, 4, 14),
        D(2026, 4, 16),
        D(2026, 4, 21),
        D(2026, 4, 23),
        D(2026, 4, 28),
        D(2026, 4, 30),
    ]
    assert Occurrence.objects.filter(pk__in=[recorded.pk, with_action.pk, moved.pk]).count() == 3
    assert Occurrence.objects.get(pk=recorded.pk).place == "Skolan"
    assert Occurrence.objects.get(pk=by_day[D(2026, 3, 3)].pk).status == OccurrenceStatus.HELD
    assert Occurrence.objects.get(pk=by_day[D(2026, 3, 10)].pk).status_reason == "Sjukdom"
    event = AuditEvent.objects.get(event_type=AuditEventType.SERIES_UPDATED)
    assert event.old_values["rrule"] == "FREQ=WEEKLY;BYDAY=TU"
    assert event.new_values["rrule"] == "FREQ=WEEKLY;BYDAY=TU,TH"
    assert event.new_values["added"] == outcome.added == 6
    assert event.new_values["removed"] == outcome.removed == 0


def test_occurrences_whose_time_is_unchanged_keep_their_row(world: World) -> None:
    series = make_series(world)
    before = {o.starts_at: (o.pk, o.uid) for o in series.occurrences.all()}
    outcome = change(world, series, rrule="FREQ=WEEKLY;BYDAY=TU,FR")
    after = {o.starts_at: (o.pk, o.uid) for o in series.occurrences.all()}
    for start, identity in before.items():
        if start >= NOW:
            assert after[start] == identity
    assert outcome.removed == 0
    assert outcome.added == 3  # Fridays 13, 20 and 27 March


def test_a_shorter_series_removes_the_planned_occurrences_after_its_end(world: World) -> None:
    series = make_series(world)
    outcome = change(world, series, ends_on=D(2026, 3, 20))
    assert local_days(series) == [D(2026, 3, 3), D(2026, 3, 10), D(2026, 3, 17)]
    assert outcome.removed == 2


def test_a_new_place_is_given_to_the_planned_occurrences_to_come(world: World) -> None:
    series = make_series(world)
    change(world, series, place="Skolans bibliotek")
    places = {o.starts_at.astimezone(LOCAL).date(): o.place for o in series.occurrences.all()}
    assert places[D(2026, 3, 10)] == "Kommunhuset, sal A"
    assert places[D(2026, 3, 17)] == "Skolans bibliotek"


def test_a_change_of_title_only_replans_nothing(world: World) -> None:
    series = make_series(world)
    before = sorted(series.occurrences.values_list("pk", "starts_at", "place"))
    outcome = change(world, series, title="Nytt namn")
    assert not outcome.replanned
    assert sorted(series.occurrences.values_list("pk", "starts_at", "place")) == before
    series.refresh_from_db()
    assert series.title == "Nytt namn"


def test_a_bad_new_schedule_changes_nothing(world: World) -> None:
    series = make_series(world)
    with pytest.raises(ValidationError):
        change(world, series, rrule="FREQ=WEEKLY;BYDAY=XX")
    series.refresh_from_db()
    assert series.rrule == "FREQ=WEEKLY;BYDAY=TU"
    assert series.occurrences.count() == 5


def test_the_school_of_the_series(world: World) -> None:
    school = world.unit(UnitKind.SCHOOL)
    series = make_series(world, school=school)
    assert services.series_school(series) == school
    change(world, series, school=None)
    assert services.series_school(series) is None  # past ones keep it, coming ones not


def test_series_data_is_a_plain_value(world: World) -> None:
    data = series_data(world)
    assert dataclasses.replace(data, title="x").title == "x"
