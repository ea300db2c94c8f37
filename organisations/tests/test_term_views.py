"""School terms: admins and coordinators edit their municipality's terms; holidays are shown."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import AuditEvent, AuditEventType
from organisations import services
from organisations.models import Role, SchoolTerm


@pytest.fixture
def coordinator(world):
    return world.user(Role.COORDINATOR)


@pytest.fixture
def staff_client(client, coordinator):
    client.force_login(coordinator)
    return client


def _term(world, kind, start, end, place="leksand"):
    return services.term_create(
        actor=None, municipality=world.municipality(place), kind=kind, starts_on=start, ends_on=end
    )


def test_a_coordinator_adds_a_term(staff_client, world, coordinator):
    response = staff_client.post(
        reverse("organisations:term_create"),
        {"kind": "autumn", "starts_on": "2026-08-17", "ends_on": "2026-12-22"},
    )
    assert response.status_code == 302
    term = SchoolTerm.objects.get()
    assert term.municipality == world.municipality()
    assert (term.starts_on, term.ends_on) == (
        datetime.date(2026, 8, 17),
        datetime.date(2026, 12, 22),
    )
    event = AuditEvent.objects.get(event_type=AuditEventType.TERM_CREATED)
    assert event.actor == coordinator


def test_the_list_shows_holidays_in_each_term(staff_client, world):
    _term(world, "spring", datetime.date(2026, 1, 8), datetime.date(2026, 6, 19))
    _term(world, "autumn", datetime.date(2026, 8, 17), datetime.date(2026, 12, 31))
    _term(world, "autumn", datetime.date(2026, 8, 17), datetime.date(2026, 12, 18), "eksjo")
    response = staff_client.get(reverse("organisations:term_list"))
    rows = response.context["rows"]
    assert len(rows) == 2  # not Eksjö's term
    spring, autumn = rows
    spring_days = dict(spring.holidays)
    assert spring_days[datetime.date(2026, 6, 19)] == "Midsummer Eve"
    assert datetime.date(2026, 1, 6) not in spring_days  # before the term
    assert datetime.date(2026, 6, 20) not in spring_days  # after the term
    autumn_days = dict(autumn.holidays)
    assert autumn_days[datetime.date(2026, 12, 24)] == "Christmas Eve"
    assert autumn_days[datetime.date(2026, 12, 31)] == "New Year's Eve"
    assert datetime.date(2026, 8, 23) not in autumn_days  # an ordinary Sunday
    page = response.content.decode()
    assert 'datetime="2026-12-24"' in page


def test_term_names_follow_the_language(client, world, coordinator):
    _term(world, "spring", datetime.date(2026, 1, 8), datetime.date(2026, 6, 19))
    client.force_login(coordinator)
    page = client.get(reverse("organisations:term_list"), headers={"Accept-Language": "sv"})
    assert "Midsommarafton" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"kind": "autumn", "starts_on": "2026-12-18", "ends_on": "2026-08-17"},
            "ends_on",
            "The last day must be after the first day.",
        ),
        (
            {"kind": "autumn", "starts_on": "2026-10-01", "ends_on": "2026-12-18"},
            "starts_on",
            "An autumn term must start in July, August or September.",
        ),
        (
            {"kind": "spring", "starts_on": "2027-03-01", "ends_on": "2027-06-10"},
            "starts_on",
            "A spring term must start in December, January or February.",
        ),
        (
            {"kind": "spring", "starts_on": "2027-01-08", "ends_on": "2028-06-10"},
            "ends_on",
            "A term can not be longer than 250 days. Check the year.",
        ),
        (
            {"kind": "", "starts_on": "", "ends_on": "2026-13-01"},
            "kind",
            "This field is required.",
        ),
    ],
)
def test_bad_dates_get_clear_messages(staff_client, data, field, message):
    response = staff_client.post(reverse("organisations:term_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in form.errors[field]
    page = response.content.decode()
    assert message in page.replace("&#x27;", "'")
    if data["starts_on"]:
        assert f'value="{data["starts_on"]}"' in page
    assert not SchoolTerm.objects.exists()


def test_a_spring_term_may_start_in_december(staff_client):
    response = staff_client.post(
        reverse("organisations:term_create"),
        {"kind": "spring", "starts_on": "2026-12-28", "ends_on": "2027-06-11"},
    )
    assert response.status_code == 302


def test_overlapping_terms_are_refused(staff_client, world):
    _term(world, "autumn", datetime.date(2026, 8, 17), datetime.date(2026, 12, 22))
    _term(world, "autumn", datetime.date(2026, 8, 1), datetime.date(2026, 12, 22), "eksjo")
    response = staff_client.post(
        reverse("organisations:term_create"),
        {"kind": "spring", "starts_on": "2026-12-20", "ends_on": "2027-06-11"},
    )
    page = response.content.decode()
    assert "The dates overlap with Autumn term 2026" in page
    assert "Terms of a municipality can not overlap." in page
    assert SchoolTerm.objects.filter(municipality=world.municipality()).count() == 1


def test_edit_a_term_without_overlapping_itself(staff_client, world):
    term = _term(world, "autumn", datetime.date(2026, 8, 17), datetime.date(2026, 12, 22))
    url = reverse("organisations:term_edit", args=[term.pk])
    assert 'value="2026-08-17"' in staff_client.get(url).content.decode()
    response = staff_client.post(
        url, {"kind": "autumn", "starts_on": "2026-08-18", "ends_on": "2026-12-22"}
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.starts_on == datetime.date(2026, 8, 18)
    event = AuditEvent.objects.get(event_type=AuditEventType.TERM_UPDATED)
    assert event.new_values == {"starts_on": "2026-08-18"}


def test_delete_a_term_after_confirmation(staff_client, world):
    term = _term(world, "autumn", datetime.date(2026, 8, 17), datetime.date(2026, 12, 22))
    url = reverse("organisations:term_delete", args=[term.pk])
    page = staff_client.get(url).content.decode()
    assert "Cancel" in page
    assert SchoolTerm.objects.filter(pk=term.pk).exists()
    assert staff_client.post(url).status_code == 302
    assert not SchoolTerm.objects.filter(pk=term.pk).exists()
    assert AuditEvent.objects.filter(event_type=AuditEventType.TERM_DELETED).exists()


def test_term_list_query_count_is_pinned(staff_client, world, django_assert_num_queries):
    url = reverse("organisations:term_list")
    _term(world, "autumn", datetime.date(2020, 8, 17), datetime.date(2020, 12, 22))
    staff_client.get(url)
    with CaptureQueriesContext(connection) as small:
        staff_client.get(url)
    for year in range(2021, 2031):
        _term(world, "spring", datetime.date(year, 1, 8), datetime.date(year, 6, 12))
        _term(world, "autumn", datetime.date(year, 8, 17), datetime.date(year, 12, 22))
    with django_assert_num_queries(len(small)):
        response = staff_client.get(url)
    assert len(response.context["rows"]) == 21
