"""The wheel's pages: who may open them, what they show, filters, and what they cost."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access.models import AuditEvent, AuditEventType
from organisations.models import BreakKind, Role, SchoolBreak, Sector, UnitKind
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World
from wheel import feeds
from wheel.models import ActivityType, CalendarFeed, OccurrenceStatus
from wheel.tests.calendar_builders import local, make_occurrence, make_series

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

YEAR_QUERY = {"year": "2026", "span": "school"}


@pytest.fixture
def leksand(world: World):
    return list(world.places["leksand"].users.values())


@pytest.fixture
def series(world: World):
    return make_series(
        municipality=world.municipality(),
        organiser=world.unit(UnitKind.INTAKE),
        created_by=world.user(Role.COORDINATOR),
        activity_type=ActivityType.RESOURCE_COUNCIL,
        title="Resurssamråd",
        invited_units=[world.unit(UnitKind.SCHOOL)],
    )


@pytest.fixture
def region(world: World):
    return make_series(
        municipality=world.municipality(),
        organiser=world.unit(UnitKind.MUNICIPAL_OFFICE),
        created_by=world.user(Role.COORDINATOR),
        activity_type=ActivityType.REGION_CONSULTATION,
        title="Konsultation med regionen",
        invited_sectors=[Sector.HEALTH_REGION],
    )


def _occurrence_ids(response) -> list[str]:
    return re.findall(r'data-occurrence="(\d+)"', response.content.decode())


# --- permission matrix ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("wheel:wheel", []),
        ("wheel:list", []),
        ("wheel:month", [2026, 10]),
        ("wheel:coverage", []),
        ("wheel:calendar_feeds", []),
    ],
)
def test_pages_are_for_every_member(client: Client, world: World, name, args) -> None:
    everyone = [user for place in world.places.values() for user in place.users.values()]
    assert_matrix(
        client, reverse(name, args=args), [(None, LOGIN), *[(user, 200) for user in everyone]]
    )


def test_this_month_redirects_to_the_month(client: Client, world: World) -> None:
    client.force_login(world.user(Role.REPORTER))
    today = timezone.localdate()
    response = client.get(reverse("wheel:this_month"), {"sector": "school"})
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("wheel:month", args=[today.year, today.month]) + "?sector=school"
    )


def test_another_municipality_is_404(client: Client, world: World) -> None:
    leksand = world.municipality().pk
    for name in ("wheel:wheel", "wheel:list", "wheel:coverage"):
        assert_matrix(
            client,
            reverse(name) + f"?municipality={leksand}",
            [(world.user(Role.COORDINATOR, "eksjo"), 404), (world.user(Role.COORDINATOR), 200)],
        )
    assert_matrix(
        client,
        reverse("wheel:month", args=[2026, 10]) + f"?municipality={leksand}",
        [(world.user(Role.AUDITOR, "eksjo"), 404)],
    )


def test_impossible_months_are_404(client: Client, world: World) -> None:
    for args in ([2026, 13], [2026, 0], [1, 1], [9999, 1]):
        assert_matrix(client, reverse("wheel:month", args=args), [(world.user(Role.REPORTER), 404)])


def test_a_user_without_memberships_gets_404(client: Client, world: World) -> None:
    from organisations import services as organisation_services

    user = world.user(Role.REPORTER)
    for membership in user.memberships.all():
        organisation_services.membership_end(actor=None, membership=membership)
    for name in ("wheel:wheel", "wheel:coverage", "wheel:calendar_feeds"):
        assert_matrix(client, reverse(name), [(user, 404)])


def test_eksjo_gets_404_for_a_leksand_occurrence_ics(
    client: Client, world: World, series, leksand
) -> None:
    occurrence = make_occurrence(series, local(2026, 10, 6))
    url = reverse("wheel:occurrence_ics", args=[occurrence.pk])
    assert_matrix(
        client,
        url,
        [
            (None, LOGIN),
            *[(user, 200) for user in leksand],
            *[(user, 404) for user in everyone_else(world, leksand)],
        ],
    )


# --- the wheel -----------------------------------------------------------------------------------


def test_wheel_draws_the_year_and_lists_the_same(client: Client, world: World, series) -> None:
    held = make_occurrence(series, local(2026, 9, 8), status=OccurrenceStatus.HELD)
    cancelled = make_occurrence(series, local(2026, 10, 6), status=OccurrenceStatus.CANCELLED)
    planned = make_occurrence(series, local(2027, 3, 2))
    make_occurrence(series, local(2027, 8, 3))  # the next school year
    client.force_login(world.user(Role.PRINCIPAL))
    response = client.get(reverse("wheel:wheel"), YEAR_QUERY)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="wheel-mark"') == 3
    assert 'role="img"' in page
    assert '<title id="wheel-title">The annual wheel of Leksand, 2026/27</title>' in page
    for month in ("August", "September", "January", "July"):
        assert f">{month}</text>" in page
    assert _occurrence_ids(response) == [str(held.pk), str(cancelled.pk), str(planned.pk)]
    assert "Cancelled" in page
    assert "Held" in page
    assert "style=" not in page


def test_wheel_calendar_year(client: Client, world: World, series) -> None:
    make_occurrence(series, local(2026, 7, 1))
    inside = make_occurrence(series, local(2027, 1, 12))
    client.force_login(world.user(Role.REPORTER))
    response = client.get(reverse("wheel:wheel"), {"year": "2027", "span": "calendar"})
    assert _occurrence_ids(response) == [str(inside.pk)]
    page = response.content.decode()
    assert page.index(">January</text>") < page.index(">August</text>")


def test_bad_filter_values_fall_back_and_say_so(client: Client, world: World, series) -> None:
    make_occurrence(series, local(2026, 9, 8))
    client.force_login(world.user(Role.REPORTER))
    response = client.get(
        reverse("wheel:wheel"), {"year": "20x6", "activity_type": "party", "span": "school"}
    )
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()


def test_filters_by_type_and_sector(client: Client, world: World, series, region) -> None:
    council = make_occurrence(series, local(2026, 9, 8))
    consultation = make_occurrence(region, local(2026, 9, 9))
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("wheel:wheel")
    by_type = client.get(url, {**YEAR_QUERY, "activity_type": ActivityType.RESOURCE_COUNCIL})
    assert _occurrence_ids(by_type) == [str(council.pk)]
    assert by_type.content.decode().count('class="wheel-mark"') == 1
    by_sector = client.get(url, {**YEAR_QUERY, "sector": Sector.HEALTH_REGION})
    assert _occurrence_ids(by_sector) == [str(consultation.pk)]
    # The organiser's sector and the invited units' sectors count too.
    social = client.get(url, {**YEAR_QUERY, "sector": Sector.SOCIAL_SERVICES})
    assert _occurrence_ids(social) == [str(council.pk)]
    school = client.get(url, {**YEAR_QUERY, "sector": Sector.SCHOOL})
    assert _occurrence_ids(school) == [str(council.pk)]
    police = client.get(url, {**YEAR_QUERY, "sector": Sector.POLICE})
    assert _occurrence_ids(police) == []


def test_other_municipalitys_occurrences_are_not_shown(client: Client, world: World) -> None:
    eksjo = make_series(
        municipality=world.municipality("eksjo"),
        organiser=world.unit(UnitKind.INTAKE, "eksjo"),
        created_by=world.user(Role.COORDINATOR, "eksjo"),
        title="Eksjö resurssamråd",
    )
    make_occurrence(eksjo, local(2026, 9, 8))
    client.force_login(world.user(Role.COORDINATOR))
    for name in ("wheel:wheel", "wheel:list"):
        response = client.get(reverse(name), YEAR_QUERY)
        assert "Eksjö resurssamråd" not in response.content.decode()
    month = client.get(reverse("wheel:month", args=[2026, 9]))
    assert "Eksjö resurssamråd" not in month.content.decode()


def test_titles_are_escaped(client: Client, world: World) -> None:
    hostile = make_series(
        municipality=world.municipality(),
        organiser=world.unit(UnitKind.INTAKE),
        created_by=world.user(Role.COORDINATOR),
        title='<script>alert("x")</script>',
    )
    make_occurrence(hostile, local(2026, 9, 8))
    client.force_login(world.user(Role.REPORTER))
    for url in (reverse("wheel:wheel"), reverse("wheel:list")):
        page = client.get(url, YEAR_QUERY).content.decode()
        assert '<script>alert("x")' not in page
        assert "&lt;script&gt;" in page


def _fill(series, count: int) -> None:
    start = datetime.date(2026, 8, 3)
    for index in range(count):
        day = start + datetime.timedelta(days=(index * 5) % 360)
        make_occurrence(
            series,
            local(day.year, day.month, day.day, 8 + index % 8),
            status=[OccurrenceStatus.HELD, OccurrenceStatus.PLANNED, OccurrenceStatus.CANCELLED][
                index % 3
            ],
        )


@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.parametrize(
    ("name", "args", "query", "queries"),
    [
        # The user and the occurrences (the session, the memberships and the unread count are
        # in the shared cache).
        ("wheel:wheel", [], YEAR_QUERY, 2),
        ("wheel:list", [], YEAR_QUERY, 2),
        ("wheel:month", [2026, 10], {}, 3),
        # ... and the invited units when filtering by sector.
        ("wheel:wheel", [], {**YEAR_QUERY, "sector": "school"}, 3),
    ],
)
def test_query_count_is_fixed(
    client: Client,
    world: World,
    series,
    django_assert_num_queries,
    count: int,
    name,
    args,
    query,
    queries: int,
) -> None:
    _fill(series, count)
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse(name, args=args)
    client.get(url, query)  # the first request of a session checks two-factor
    with django_assert_num_queries(queries):
        response = client.get(url, query)
    assert response.status_code == 200


# --- the list and the month ----------------------------------------------------------------------


def test_list_has_a_table_per_month(client: Client, world: World, series) -> None:
    first = make_occurrence(series, local(2026, 9, 8, 13, 0), place="Kommunhuset")
    second = make_occurrence(series, local(2026, 11, 3))
    client.force_login(world.user(Role.AUDITOR))
    response = client.get(reverse("wheel:list"), YEAR_QUERY)
    page = response.content.decode()
    assert _occurrence_ids(response) == [str(first.pk), str(second.pk)]
    assert "Kommunhuset" in page
    assert page.count("<table") == 2
    assert 'scope="col"' in page
    assert reverse("wheel:occurrence_detail", args=[first.pk]) in page


def test_month_grid_with_previous_and_next(client: Client, world: World, series) -> None:
    inside = make_occurrence(series, local(2026, 10, 6, 13, 0))
    spill = make_occurrence(series, local(2026, 11, 1))  # shown in the grid's last week
    make_occurrence(series, local(2026, 12, 1))
    client.force_login(world.user(Role.REPORTER))
    response = client.get(reverse("wheel:month", args=[2026, 10]), {"sector": "school"})
    page = response.content.decode()
    assert _occurrence_ids(response) == [str(inside.pk), str(spill.pk)]
    assert response.context["count"] == 1
    assert reverse("wheel:month", args=[2026, 9]) + "?sector=school" in page
    assert reverse("wheel:month", args=[2026, 11]) + "?sector=school" in page
    assert page.count('<th scope="col">') == 8  # the week number and seven days
    january = client.get(reverse("wheel:month", args=[2027, 1]))
    assert reverse("wheel:month", args=[2026, 12]) in january.content.decode()


def test_month_shows_week_numbers_holidays_and_the_municipalitys_breaks(
    client: Client, world: World
) -> None:
    leksand, eksjo = world.municipality(), world.municipality("eksjo")
    SchoolBreak.objects.create(
        municipality=leksand,
        kind=BreakKind.AUTUMN,
        starts_on=datetime.date(2026, 10, 26),
        ends_on=datetime.date(2026, 10, 30),
    )
    SchoolBreak.objects.create(
        municipality=eksjo,
        kind=BreakKind.OTHER,
        name="Eksjös studiedag",
        starts_on=datetime.date(2026, 10, 5),
        ends_on=datetime.date(2026, 10, 5),
    )
    client.force_login(world.user(Role.REPORTER))
    response = client.get(reverse("wheel:month", args=[2026, 10]))
    page = response.content.decode()
    weeks = response.context["weeks"]
    assert [week.number for week in weeks] == [40, 41, 42, 43, 44]
    assert page.count('class="month-grid__week"') == 5
    by_day = {day.date: day for week in weeks for day in week.days}
    assert by_day[datetime.date(2026, 10, 28)].school_break == str(BreakKind.AUTUMN.label)
    assert by_day[datetime.date(2026, 10, 31)].holiday  # All Saints' Day
    assert "Eksjös studiedag" not in page  # another municipality's break
    assert not by_day[datetime.date(2026, 10, 5)].school_break


# --- coverage ------------------------------------------------------------------------------------


def test_coverage_page_shows_gaps_in_words(client: Client, world: World) -> None:
    visits = make_series(
        municipality=world.municipality(),
        organiser=world.unit(UnitKind.INTAKE),
        created_by=world.user(Role.COORDINATOR),
        activity_type=ActivityType.PARENT_MEETING_VISIT,
        title="Föräldramöte",
    )
    make_occurrence(
        visits,
        local(2025, 9, 3, 18),
        status=OccurrenceStatus.HELD,
        school=world.unit(UnitKind.SCHOOL),
    )
    client.force_login(world.user(Role.COORDINATOR))
    response = client.get(reverse("wheel:coverage"), {"year": "2026"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="held"' in page
    assert 'data-state="not_planned"' in page
    assert "Missing" in page
    assert "Leksand school" in page
    assert "no school terms" in page  # the test world has none


def test_coverage_query_count(client: Client, world: World, django_assert_num_queries) -> None:
    from organisations import services as organisation_services
    from organisations.models import TermKind

    organisation_services.term_create(
        actor=None,
        municipality=world.municipality(),
        kind=TermKind.AUTUMN,
        starts_on=datetime.date(2026, 8, 17),
        ends_on=datetime.date(2026, 12, 18),
    )
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("wheel:coverage")
    client.get(url)
    # User, schools, terms, two grouped counts (the session, the memberships and the unread
    # count: the shared cache).
    with django_assert_num_queries(5):
        client.get(url)


# --- calendar feeds ------------------------------------------------------------------------------


def test_feeds_page_shows_only_own_feeds(client: Client, world: World) -> None:
    mine = feeds.calendar_feed_create(user=world.user(Role.PRINCIPAL))
    theirs = feeds.calendar_feed_create(user=world.user(Role.REPORTER))
    client.force_login(world.user(Role.PRINCIPAL))
    page = client.get(reverse("wheel:calendar_feeds")).content.decode()
    assert mine.token in page
    assert theirs.token not in page
    assert reverse("wheel:feed", args=[mine.token]) in page
    assert "webcal://" in page


def test_create_a_feed(client: Client, world: World) -> None:
    user = world.user(Role.BOARD_MEMBER)
    client.force_login(user)
    assert client.get(reverse("wheel:calendar_feed_create")).status_code == 405
    response = client.post(reverse("wheel:calendar_feed_create"))
    assert response.status_code == 302
    assert response["Location"] == reverse("wheel:calendar_feeds")
    feed = CalendarFeed.objects.get(user=user)
    page = client.get(response["Location"]).content.decode()
    assert feed.token in page
    assert "A new calendar feed was created" in page
    assert AuditEvent.objects.filter(event_type=AuditEventType.CALENDAR_FEED_CREATED).exists()


def test_create_beyond_the_limit_says_why(client: Client, world: World) -> None:
    user = world.user(Role.BOARD_MEMBER)
    for _index in range(feeds.MAX_ACTIVE_FEEDS):
        feeds.calendar_feed_create(user=user)
    client.force_login(user)
    response = client.post(reverse("wheel:calendar_feed_create"), follow=True)
    assert "Revoke one you no longer use" in response.content.decode()
    assert CalendarFeed.objects.filter(user=user).count() == feeds.MAX_ACTIVE_FEEDS


def test_revoke_asks_first_then_revokes(client: Client, world: World) -> None:
    user = world.user(Role.PRINCIPAL)
    feed = feeds.calendar_feed_create(user=user)
    url = reverse("wheel:calendar_feed_revoke", args=[feed.pk])
    client.force_login(user)
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Revoke the feed" in confirm.content.decode()
    feed.refresh_from_db()
    assert feed.revoked_at is None
    response = client.post(url)
    assert response.status_code == 302
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert client.get(reverse("wheel:feed", args=[feed.token])).status_code == 404
    assert client.get(url).status_code == 404  # already revoked


def test_revoking_someone_elses_feed_is_404(client: Client, world: World) -> None:
    owner = world.user(Role.PRINCIPAL)
    feed = feeds.calendar_feed_create(user=owner)
    url = reverse("wheel:calendar_feed_revoke", args=[feed.pk])
    others = everyone_else(world, [owner])
    assert_matrix(client, url, [(None, LOGIN), *[(user, 404) for user in others], (owner, 200)])
    assert_matrix(client, url, [(user, 404) for user in others], method="post")
    feed.refresh_from_db()
    assert feed.revoked_at is None
