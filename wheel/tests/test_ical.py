"""Calendars: valid RFC 5545 (parsed back with icalendar), the Stockholm time zone, cancelled
status, sequence; the personal feed: who sees what, the window, no child data, tokens."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from access.models import AuditEvent, AuditEventType
from organisations import services as organisation_services
from organisations.models import Role, Sector, UnitKind, User
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World
from wheel import feeds, ical
from wheel.models import (
    ActivityType,
    CalendarFeed,
    FollowUpAction,
    MeetingDecision,
    OccurrenceStatus,
)
from wheel.tests.calendar_builders import STOCKHOLM, local, make_occurrence, make_series

# The texts are checked in English, whichever test ran before.
pytestmark = pytest.mark.usefixtures("two_factor_set_up", "english")

NOW = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.UTC)


def _url(occurrence: object) -> str:
    return f"https://samverkan.example/arshjul/tillfallen/{occurrence.pk}/"  # type: ignore[attr-defined]


def _parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def _events(body: bytes) -> list:
    return list(_parse(body).walk("VEVENT"))


@pytest.fixture
def series(world: World):
    return make_series(
        municipality=world.municipality(),
        organiser=world.unit(UnitKind.INTAKE),
        created_by=world.user(Role.COORDINATOR),
        activity_type=ActivityType.RESOURCE_COUNCIL,
        title="Resurssamråd",
        invited_units=[world.unit(UnitKind.SCHOOL)],
        place="Kommunhuset, sal B",
    )


# --- building the calendar -----------------------------------------------------------------------


def test_rfc5545_fields_parse_back(series) -> None:
    held = make_occurrence(series, local(2026, 10, 6, 13, 0), status=OccurrenceStatus.HELD)
    moved = make_occurrence(series, local(2026, 12, 1, 9, 0), version=3, place="Teams-länk")
    body = ical.build_calendar([held, moved], name="Samverkan", url_for=_url, now=NOW)
    calendar = _parse(body)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == ical.PRODID
    first, second = calendar.walk("VEVENT")
    assert str(first["UID"]) == held.uid
    assert first.decoded("DTSTAMP") == NOW
    assert first.decoded("DTSTART") == local(2026, 10, 6, 13, 0)
    assert first.decoded("DTEND") == local(2026, 10, 6, 14, 30)
    assert first["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert first["DTEND"].params["TZID"] == "Europe/Stockholm"
    assert str(first["SUMMARY"]) == "Resurssamråd (Resource council)"
    assert str(first["LOCATION"]) == "Kommunhuset, sal B"
    assert str(first["DESCRIPTION"]) == _url(held)
    assert str(first["STATUS"]) == "CONFIRMED"
    assert first.decoded("SEQUENCE") == 1
    assert str(second["LOCATION"]) == "Teams-länk"
    assert second.decoded("SEQUENCE") == 3


def test_vtimezone_for_europe_stockholm_with_summer_time(series) -> None:
    summer = make_occurrence(series, local(2026, 6, 2, 9, 0))
    winter = make_occurrence(series, local(2026, 12, 2, 9, 0))
    body = ical.build_calendar([summer, winter], name="x", url_for=_url, now=NOW)
    calendar = _parse(body)
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Stockholm"]
    assert timezones[0].walk("DAYLIGHT")
    assert timezones[0].walk("STANDARD")
    assert not calendar.get_missing_tzids()
    # 09:00 local in both: UTC 07:00 in summer, 08:00 in winter.
    first, second = calendar.walk("VEVENT")
    assert first.decoded("DTSTART").astimezone(datetime.UTC).hour == 7
    assert second.decoded("DTSTART").astimezone(datetime.UTC).hour == 8
    assert b"DTSTART;TZID=Europe/Stockholm:20260602T090000" in body


def test_cancelled_occurrence(series) -> None:
    cancelled = make_occurrence(
        series, local(2026, 9, 8), status=OccurrenceStatus.CANCELLED, version=2
    )
    (event,) = _events(ical.build_calendar([cancelled], name="x", url_for=_url, now=NOW))
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 2


def test_an_empty_calendar_is_still_complete() -> None:
    body = ical.build_calendar([], name="x", url_for=_url, now=NOW)
    calendar = _parse(body)
    assert calendar.walk("VTIMEZONE")
    assert not calendar.walk("VEVENT")


def test_crlf_and_folded_lines(world: World) -> None:
    long_title = "Samverkansträff om hur en orosanmälan ska göras, med genomgång av lagrum " * 2
    series = make_series(
        municipality=world.municipality(),
        organiser=world.unit(UnitKind.INTAKE),
        created_by=world.user(Role.COORDINATOR),
        title=long_title.strip(),
    )
    occurrence = make_occurrence(series, local(2026, 10, 6))
    body = ical.build_calendar([occurrence], name="x", url_for=_url, now=NOW)
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    lines = body.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # a continuation line
    (event,) = _events(body)
    assert str(event["SUMMARY"]).startswith(long_title.strip())


# --- what a feed holds ---------------------------------------------------------------------------


@pytest.fixture
def wheel_world(world: World):
    """Series in Leksand for different audiences, and one in Eksjö."""
    coordinator = world.user(Role.COORDINATOR)
    now = timezone.now()
    made = {
        "intake_school": make_series(
            municipality=world.municipality(),
            organiser=world.unit(UnitKind.INTAKE),
            created_by=coordinator,
            title="Mottagning möter rektorer",
            activity_type=ActivityType.INTAKE_PRINCIPAL,
            invited_units=[world.unit(UnitKind.SCHOOL)],
        ),
        "region": make_series(
            municipality=world.municipality(),
            organiser=world.unit(UnitKind.MUNICIPAL_OFFICE),
            created_by=coordinator,
            title="Konsultationsmöte med regionen",
            activity_type=ActivityType.REGION_CONSULTATION,
            invited_sectors=[Sector.HEALTH_REGION],
        ),
        "eht": make_series(
            municipality=world.municipality(),
            organiser=world.unit(UnitKind.STUDENT_HEALTH),
            created_by=coordinator,
            title="Elevhälsoteam",
            activity_type=ActivityType.STUDENT_HEALTH_TEAM,
        ),
        "eksjo": make_series(
            municipality=world.municipality("eksjo"),
            organiser=world.unit(UnitKind.INTAKE, "eksjo"),
            created_by=world.user(Role.COORDINATOR, "eksjo"),
            title="Resurssamråd Eksjö",
            activity_type=ActivityType.RESOURCE_COUNCIL,
            invited_sectors=[s.value for s in Sector],
        ),
    }
    for series in made.values():
        make_occurrence(series, now + datetime.timedelta(days=10))
    return made


def _titles(user) -> set[str]:
    return {o.series.title for o in feeds.feed_occurrences(user, now=timezone.now())}


@pytest.mark.usefixtures("wheel_world")
def test_feed_holds_the_users_series(world: World) -> None:
    school = {"Mottagning möter rektorer"}
    assert _titles(world.user(Role.REPORTER)) == school
    assert _titles(world.user(Role.PRINCIPAL)) == school
    assert _titles(world.user(Role.INTAKE)) == school  # the organiser
    assert _titles(world.user(Role.SIP_PARTICIPANT)) == {"Konsultationsmöte med regionen"}
    assert _titles(world.user(Role.STUDENT_HEALTH)) == {"Elevhälsoteam"}
    assert _titles(world.user(Role.MANAGER)) == {"Konsultationsmöte med regionen"}
    assert _titles(world.user(Role.AUDITOR)) == set()
    # The coordinator gets all of the municipality's, and nothing of the other municipality.
    assert _titles(world.user(Role.COORDINATOR)) == {
        "Mottagning möter rektorer",
        "Konsultationsmöte med regionen",
        "Elevhälsoteam",
    }
    assert _titles(world.user(Role.COORDINATOR, "eksjo")) == {"Resurssamråd Eksjö"}
    assert _titles(world.user(Role.AUDITOR, "eksjo")) == {"Resurssamråd Eksjö"}  # by sector


@pytest.mark.usefixtures("wheel_world")
def test_a_membership_including_units_below_covers_them(world: World) -> None:
    manager = world.user(Role.BOARD_MEMBER)
    school = world.unit(UnitKind.SCHOOL)
    parent = organisation_services.unit_create(
        actor=None, municipality=world.municipality(), name="Skolområde", kind=UnitKind.SCHOOL
    )
    organisation_services.unit_update(actor=None, unit=school, parent=parent)
    organisation_services.membership_create(
        actor=None, user=manager, unit=parent, role=Role.MANAGER, includes_subtree=True
    )
    assert "Mottagning möter rektorer" in _titles(manager)


def test_feed_window_three_months_back_fifteen_ahead(world: World, series) -> None:
    now = timezone.now()
    days = {"too_old": -100, "old": -80, "soon": 5, "far": 440, "too_far": 470}
    made = {
        name: make_occurrence(series, now + datetime.timedelta(days=offset))
        for name, offset in days.items()
    }
    shown = {o.pk for o in feeds.feed_occurrences(world.user(Role.COORDINATOR), now=now)}
    assert shown == {made["old"].pk, made["soon"].pk, made["far"].pk}


# --- the feed over HTTP --------------------------------------------------------------------------


def _feed_url(feed: CalendarFeed) -> str:
    return reverse("wheel:feed", args=[feed.token])


def test_feed_is_served_by_token_without_login(client: Client, world: World, wheel_world) -> None:
    feed = feeds.calendar_feed_create(user=world.user(Role.PRINCIPAL))
    response = client.get(_feed_url(feed))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private"
    assert client.head(_feed_url(feed)).status_code == 200  # some calendar apps ask first
    assert client.post(_feed_url(feed)).status_code == 405
    events = _events(response.content)
    assert [str(event["SUMMARY"]) for event in events] == [
        "Mottagning möter rektorer (Intake–principal meeting)"
    ]
    occurrence = wheel_world["intake_school"].occurrences.get()
    assert str(events[0]["UID"]) == occurrence.uid
    assert str(events[0]["URL"]).endswith(reverse("wheel:occurrence_detail", args=[occurrence.pk]))


@pytest.mark.usefixtures("wheel_world")
def test_another_users_token_shows_that_users_events(client: Client, world: World) -> None:
    mine = feeds.calendar_feed_create(user=world.user(Role.PRINCIPAL))
    theirs = feeds.calendar_feed_create(user=world.user(Role.STUDENT_HEALTH))
    client.force_login(world.user(Role.PRINCIPAL))
    summaries = {str(e["SUMMARY"]) for e in _events(client.get(_feed_url(theirs)).content)}
    assert summaries == {"Elevhälsoteam (Student health team)"}
    summaries = {str(e["SUMMARY"]) for e in _events(client.get(_feed_url(mine)).content)}
    assert summaries == {"Mottagning möter rektorer (Intake–principal meeting)"}


@pytest.mark.usefixtures("wheel_world")
def test_revoked_unknown_and_deactivated_tokens_are_404(client: Client, world: World) -> None:
    user = world.user(Role.PRINCIPAL)
    feed = feeds.calendar_feed_create(user=user)
    assert client.get(_feed_url(feed)).status_code == 200
    assert feeds.calendar_feed_revoke(actor=user, feed=feed)
    assert client.get(_feed_url(feed)).status_code == 404
    assert not feeds.calendar_feed_revoke(actor=user, feed=feed)  # twice: nothing more
    assert client.get(reverse("wheel:feed", args=["x" * 43])).status_code == 404
    other = feeds.calendar_feed_create(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(_feed_url(other)).status_code == 404


@pytest.mark.usefixtures("wheel_world")
def test_a_feed_of_someone_without_memberships_is_404(client: Client, world: World) -> None:
    user = world.user(Role.PRINCIPAL)
    feed = feeds.calendar_feed_create(user=user)
    for membership in user.memberships.all():
        organisation_services.membership_end(actor=None, membership=membership)
    user.refresh_from_db()
    assert user.is_active
    assert client.get(_feed_url(feed)).status_code == 404


def test_feed_never_holds_minutes_decisions_or_names(client: Client, world: World, series) -> None:
    occurrence = make_occurrence(
        series,
        timezone.now() - datetime.timedelta(days=3),
        status=OccurrenceStatus.HELD,
        minutes="<p>Protokoll: vi diskuterade Kalle Anka, 20120315-9801.</p>",
    )
    MeetingDecision.objects.create(
        occurrence=occurrence, text="Beslut om stödinsats", resource="Elevassistent Lisa"
    )
    FollowUpAction.objects.create(occurrence=occurrence, what="Ring hemmet", owner="Per Rektor")
    feed = feeds.calendar_feed_create(user=world.user(Role.COORDINATOR))
    body = client.get(_feed_url(feed)).content.decode()
    (event,) = _events(body.encode())
    assert str(event["UID"]) == occurrence.uid
    unfolded = re.sub(r"\r\n[ \t]", "", body)
    for secret in ("Protokoll", "Kalle", "20120315", "Beslut", "Elevassistent", "Ring hemmet"):
        assert secret not in unfolded
    assert "Per Rektor" not in unfolded
    assert set(event.keys()) <= {
        "UID",
        "DTSTAMP",
        "DTSTART",
        "DTEND",
        "SUMMARY",
        "LOCATION",
        "DESCRIPTION",
        "URL",
        "CATEGORIES",
        "STATUS",
        "SEQUENCE",
        "TRANSP",
    }


def test_feed_costs_the_same_queries_for_few_and_many(
    client: Client, world: World, series, django_assert_num_queries
) -> None:
    feed = feeds.calendar_feed_create(user=world.user(Role.COORDINATOR))
    start = timezone.now()
    make_occurrence(series, start + datetime.timedelta(days=1))
    # The feed, the memberships, the series, their invited units, the occurrences.
    with django_assert_num_queries(5):
        client.get(_feed_url(feed))
    for day in range(60):
        make_occurrence(series, start + datetime.timedelta(days=day + 2))
    with django_assert_num_queries(5):
        response = client.get(_feed_url(feed))
    assert len(_events(response.content)) == 61


# --- creating and revoking feeds -----------------------------------------------------------------


def test_tokens_are_long_random_and_audited_without_the_token(world: World) -> None:
    user = world.user(Role.PRINCIPAL)
    first = feeds.calendar_feed_create(user=user)
    second = feeds.calendar_feed_create(user=user)
    assert first.token != second.token
    assert len(first.token) >= 43
    assert re.fullmatch(r"[A-Za-z0-9_-]+", first.token)
    events = AuditEvent.objects.filter(event_type=AuditEventType.CALENDAR_FEED_CREATED)
    assert events.count() == 2
    assert all(first.token not in str(e.new_values) for e in events)
    feeds.calendar_feed_revoke(actor=user, feed=first)
    revoked = AuditEvent.objects.get(event_type=AuditEventType.CALENDAR_FEED_REVOKED)
    assert revoked.object_id == str(first.pk)


def test_at_most_five_active_feeds(world: World) -> None:
    from django.core.exceptions import ValidationError

    user = world.user(Role.PRINCIPAL)
    made = [feeds.calendar_feed_create(user=user) for _ in range(feeds.MAX_ACTIVE_FEEDS)]
    with pytest.raises(ValidationError, match="Revoke one"):
        feeds.calendar_feed_create(user=user)
    feeds.calendar_feed_revoke(actor=user, feed=made[0])
    feeds.calendar_feed_create(user=user)


# --- a single occurrence as .ics -----------------------------------------------------------------


def test_occurrence_ics_matrix(client: Client, world: World, series) -> None:
    occurrence = make_occurrence(series, local(2026, 10, 6))
    url = reverse("wheel:occurrence_ics", args=[occurrence.pk])
    leksand = list(world.places["leksand"].users.values())
    assert_matrix(
        client,
        url,
        [
            (None, LOGIN),
            *[(user, 200) for user in leksand],
            *[(user, 404) for user in everyone_else(world, leksand)],
        ],
    )
    missing = reverse("wheel:occurrence_ics", args=[occurrence.pk + 1000])
    assert_matrix(client, missing, [(world.user(Role.COORDINATOR), 404)])


def test_the_occurrence_page_links_its_ics_file(client: Client, world: World, series) -> None:
    occurrence = make_occurrence(series, local(2026, 10, 6, 13, 15))
    client.force_login(world.user(Role.REPORTER))
    page = client.get(reverse("wheel:occurrence_detail", args=[occurrence.pk])).content.decode()
    assert f'href="{reverse("wheel:occurrence_ics", args=[occurrence.pk])}" download' in page


def test_occurrence_ics_content(client: Client, world: World, series) -> None:
    occurrence = make_occurrence(series, local(2026, 10, 6, 13, 15))
    client.force_login(world.user(Role.REPORTER))
    response = client.get(reverse("wheel:occurrence_ics", args=[occurrence.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private"
    assert "attachment" in response["Content-Disposition"]
    (event,) = _events(response.content)
    assert str(event["UID"]) == occurrence.uid
    assert event.decoded("DTSTART") == datetime.datetime(2026, 10, 6, 13, 15, tzinfo=STOCKHOLM)
