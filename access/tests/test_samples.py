"""The monthly log-review sample: the services, the pages, and the start-page reminder."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import translation

from access.context import current_request_id
from access.models import AccessLog, AuditEvent, AuditEventType, LogReviewSample
from access.selectors import log_review_attention
from access.services import log_sample_create, log_sample_review
from access.tests.conftest import add_log_rows, local
from core.attention import start_sections
from organisations import services
from organisations.models import Role, UnitKind, User
from organisations.selectors import memberships_of
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

MARCH = datetime.date(2025, 3, 1)

pytestmark = pytest.mark.usefixtures("today", "demo_mode")  # 15 April 2025; no two-factor


@pytest.fixture
def march_rows(world: World) -> list[AccessLog]:
    """25 rows of Leksand in March, and rows that must never be drawn for that sample."""
    intake = world.user(Role.INTAKE)
    rows = add_log_rows(user=intake, municipality=world.municipality(), at=local(2025, 3, 1, 0, 5))
    rows += add_log_rows(
        user=intake, municipality=world.municipality(), at=local(2025, 3, 15), count=23
    )
    rows += add_log_rows(
        user=intake, municipality=world.municipality(), at=local(2025, 3, 31, 23, 55)
    )
    add_log_rows(user=intake, municipality=world.municipality(), at=local(2025, 2, 28, 23, 55))
    add_log_rows(user=intake, municipality=world.municipality(), at=local(2025, 4, 1, 0, 5))
    add_log_rows(
        user=world.user(Role.INTAKE, "eksjo"),
        municipality=world.municipality("eksjo"),
        at=local(2025, 3, 15),
        count=5,
    )
    return rows


# For tests that only need the rows to exist; the clock is pinned before the world is built.
with_march_rows = pytest.mark.usefixtures("today", "march_rows")


def draw(world: World, place: str = "leksand", month: datetime.date = MARCH) -> LogReviewSample:
    return log_sample_create(
        actor=world.user(Role.MUNICIPAL_ADMIN, place),
        municipality=world.municipality(place),
        month=month,
    )


# --- services ---------------------------------------------------------------------------------


def test_a_sample_draws_at_most_the_configured_number_from_that_month(
    world: World, march_rows: list[AccessLog], settings
) -> None:
    settings.ACCESS_LOG_SAMPLE_SIZE = 3
    sample = draw(world, month=datetime.date(2025, 3, 20))
    assert sample.month == MARCH
    entries = set(sample.entries.values_list("pk", flat=True))
    assert len(entries) == 3
    assert entries <= {row.pk for row in march_rows}


@with_march_rows
def test_the_default_size_is_20_and_a_small_month_gives_all_its_rows(
    world: World, settings
) -> None:
    del settings.ACCESS_LOG_SAMPLE_SIZE
    assert draw(world).entries.count() == 20
    eksjo = draw(world, "eksjo")
    assert eksjo.entries.count() == 5
    assert not eksjo.entries.filter(municipality=world.municipality()).exists()


def test_an_empty_month_gives_an_empty_sample(world: World) -> None:
    assert draw(world, month=datetime.date(2024, 12, 1)).entries.count() == 0


@with_march_rows
def test_the_sample_writes_an_audit_event(world: World) -> None:
    token = current_request_id.set("request-for-sample")
    try:
        sample = draw(world)
    finally:
        current_request_id.reset(token)
    event = AuditEvent.objects.get(event_type=AuditEventType.LOG_SAMPLE_CREATED)
    assert event.actor == world.user(Role.MUNICIPAL_ADMIN)
    assert event.municipality == world.municipality()
    assert event.object_type == "access.logreviewsample"
    assert event.object_id == str(sample.pk)
    assert event.new_values == {"month": "2025-03-01", "entries": 20, "sample_size": 20}
    assert event.request_id == "request-for-sample"


@with_march_rows
def test_one_sample_per_municipality_and_month(world: World) -> None:
    first = draw(world)
    with pytest.raises(ValidationError) as raised, translation.override("en"):
        draw(world, month=datetime.date(2025, 3, 31))
    assert raised.value.code == "sample_exists"
    assert "already been drawn" in raised.value.messages[0]
    assert list(LogReviewSample.objects.filter(municipality=world.municipality())) == [first]
    assert AuditEvent.objects.filter(event_type=AuditEventType.LOG_SAMPLE_CREATED).count() == 1
    draw(world, "eksjo")  # another municipality has its own
    draw(world, month=datetime.date(2025, 2, 1))  # and another month is another sample


@with_march_rows
def test_a_racing_second_draw_gets_the_same_clear_error(world: World) -> None:
    draw(world)
    # The other request's sample appears between our check and our insert.
    with (
        mock.patch.object(QuerySet, "exists", side_effect=[False, True]),
        pytest.raises(ValidationError) as raised,
    ):
        draw(world)
    assert raised.value.code == "sample_exists"
    assert LogReviewSample.objects.count() == 1
    assert AuditEvent.objects.filter(event_type=AuditEventType.LOG_SAMPLE_CREATED).count() == 1


@pytest.mark.parametrize("month", [datetime.date(2025, 4, 1), datetime.date(2025, 6, 1)])
def test_a_month_that_has_not_ended_can_not_be_sampled(world: World, month) -> None:
    with pytest.raises(ValidationError) as raised:
        draw(world, month=month)
    assert raised.value.code == "month_not_ended"
    assert not LogReviewSample.objects.exists()


@with_march_rows
def test_a_review_is_recorded_once_with_its_comment(world: World) -> None:
    sample = draw(world)
    admin = world.user(Role.MUNICIPAL_ADMIN)
    reviewed = log_sample_review(actor=admin, sample=sample, comment="  All accesses justified. ")
    sample.refresh_from_db()
    assert sample.reviewed_by == admin
    assert sample.reviewed_at is not None
    assert sample.comment == "All accesses justified."
    assert reviewed.pk == sample.pk
    event = AuditEvent.objects.get(event_type=AuditEventType.LOG_SAMPLE_REVIEWED)
    assert (event.actor, event.municipality) == (admin, world.municipality())
    assert event.new_values["comment"] == "All accesses justified."

    with pytest.raises(ValidationError) as raised:
        log_sample_review(actor=admin, sample=sample, comment="Second opinion")
    assert raised.value.code == "already_reviewed"
    sample.refresh_from_db()
    assert sample.comment == "All accesses justified."
    assert AuditEvent.objects.filter(event_type=AuditEventType.LOG_SAMPLE_REVIEWED).count() == 1


def test_a_review_needs_a_comment(world: World) -> None:
    sample = draw(world)
    with pytest.raises(ValidationError) as raised:
        log_sample_review(actor=world.user(Role.MUNICIPAL_ADMIN), sample=sample, comment="   ")
    assert raised.value.code == "comment_required"
    sample.refresh_from_db()
    assert sample.reviewed_at is None
    assert not AuditEvent.objects.filter(event_type=AuditEventType.LOG_SAMPLE_REVIEWED).exists()


# --- pages ------------------------------------------------------------------------------------


Expectations = list[tuple[User | None, int | str]]


def outsiders(world: World, *allowed: User) -> Expectations:
    expectations: Expectations = [(None, LOGIN)]
    return expectations + [(user, 404) for user in everyone_else(world, allowed)]


def test_matrix_list_and_create(client: Client, world: World) -> None:
    admins = [
        world.user(Role.MUNICIPAL_ADMIN, "leksand"),
        world.user(Role.MUNICIPAL_ADMIN, "eksjo"),
    ]
    for name in ("access:log_sample_list", "access:log_sample_create"):
        assert_matrix(
            client, reverse(name), [*((admin, 200) for admin in admins), *outsiders(world, *admins)]
        )
    assert_matrix(
        client,
        reverse("access:log_sample_create"),
        outsiders(world, *admins),
        method="post",
        data={"month": "2025-03"},
    )
    assert not LogReviewSample.objects.exists()


def test_matrix_detail_and_review(client: Client, world: World) -> None:
    sample = draw(world)
    admin = world.user(Role.MUNICIPAL_ADMIN)
    for name in ("access:log_sample_detail", "access:log_sample_review"):
        url = reverse(name, args=[sample.pk])
        # The other municipality's admin gets the same 404 as everyone else.
        assert_matrix(client, url, [(admin, 200), *outsiders(world, admin)])
        assert_matrix(client, reverse(name, args=[sample.pk + 1000]), [(admin, 404)])
    assert_matrix(
        client,
        reverse("access:log_sample_review", args=[sample.pk]),
        outsiders(world, admin),
        method="post",
        data={"comment": "Looks fine"},
    )
    sample.refresh_from_db()
    assert sample.reviewed_at is None


@with_march_rows
def test_drawing_from_the_page_and_a_double_submit(client: Client, world: World) -> None:
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    client.cookies["django_language"] = "en"
    form_page = client.get(reverse("access:log_sample_create")).content.decode()
    assert 'value="2025-03"' in form_page  # the previous month by default
    assert "can not be redrawn" in form_page

    first = client.post(reverse("access:log_sample_create"), {"month": "2025-03"})
    sample = LogReviewSample.objects.get()
    assert first.status_code == 302
    assert first["Location"] == reverse("access:log_sample_detail", args=[sample.pk])

    detail = client.get(first["Location"]).content.decode()
    assert "The sample for March 2025 has been drawn." in detail
    assert detail.count("<tr>") == 1 + 20  # header and the sampled rows
    assert "Not reviewed" in detail

    second = client.post(reverse("access:log_sample_create"), {"month": "2025-03"})
    assert second.status_code == 200
    assert "A sample for March 2025 has already been drawn." in second.content.decode()
    assert LogReviewSample.objects.count() == 1


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("", "Enter the month to sample."),
        ("2025-13", "Enter the month as YYYY-MM"),
        ("March", "Enter the month as YYYY-MM"),
        ("2025-04", "April 2025 has not ended yet."),
    ],
)
def test_a_bad_month_gets_a_clear_message(
    client: Client, world: World, month: str, message: str
) -> None:
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    client.cookies["django_language"] = "en"
    response = client.post(reverse("access:log_sample_create"), {"month": month})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'value="{month}"' in page or not month
    assert not LogReviewSample.objects.exists()


def test_an_admin_of_two_municipalities_chooses_one(client: Client, world: World) -> None:
    admin = world.user(Role.MUNICIPAL_ADMIN)
    services.membership_create(
        actor=None,
        user=admin,
        unit=world.unit(UnitKind.MUNICIPAL_OFFICE, "eksjo"),
        role=Role.MUNICIPAL_ADMIN,
    )
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    url = reverse("access:log_sample_create")
    missing = client.post(url, {"month": "2025-03"})
    assert "Choose the municipality whose log to sample." in missing.content.decode()
    client.post(url, {"month": "2025-03", "municipality": world.municipality("eksjo").pk})
    assert LogReviewSample.objects.get().municipality == world.municipality("eksjo")


@with_march_rows
def test_reviewing_from_the_page(client: Client, world: World) -> None:
    sample = draw(world)
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    client.cookies["django_language"] = "en"
    url = reverse("access:log_sample_review", args=[sample.pk])
    assert "final" in client.get(url).content.decode()

    empty = client.post(url, {"comment": "  "})
    assert empty.status_code == 200
    assert "Write what the review found" in empty.content.decode()

    done = client.post(url, {"comment": "Checked all 20 rows; each had a case."})
    assert done.status_code == 302
    assert done["Location"] == reverse("access:log_sample_detail", args=[sample.pk])
    page = client.get(done["Location"]).content.decode()
    assert "Checked all 20 rows; each had a case." in page
    assert "Record the review" not in page

    again = client.post(url, {"comment": "Changed my mind"})
    assert again.status_code == 302
    sample.refresh_from_db()
    assert sample.comment == "Checked all 20 rows; each had a case."
    assert AuditEvent.objects.filter(event_type=AuditEventType.LOG_SAMPLE_REVIEWED).count() == 1


@pytest.mark.parametrize("count", [2, 12])
def test_query_counts_of_the_sample_pages(
    client: Client, world: World, django_assert_num_queries, settings, count: int
) -> None:
    settings.ACCESS_LOG_SAMPLE_SIZE = count
    intake = world.user(Role.INTAKE)
    for month in range(1, count + 1):
        add_log_rows(
            user=intake,
            municipality=world.municipality(),
            at=local(2024, month, 10),
            count=count,
        )
        draw(world, month=datetime.date(2024, month, 1))
    sample = LogReviewSample.objects.get(month=datetime.date(2024, 1, 1))
    assert sample.entries.count() == count
    log_sample_review(actor=world.user(Role.MUNICIPAL_ADMIN), sample=sample, comment="Fine.")
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    client.get(reverse("access:log_sample_list"))  # the session's first request
    # The request's own one (the user; the session, the memberships and the unread count are
    # in the shared cache) and one for the samples.
    with django_assert_num_queries(2):
        page = client.get(reverse("access:log_sample_list"))
    assert len(page.context["samples"]) == count
    # ... and two for the sample and its rows.
    with django_assert_num_queries(3):
        client.get(reverse("access:log_sample_detail", args=[sample.pk]))


# --- the start page ---------------------------------------------------------------------------


def attention(world: World, place: str = "leksand") -> list[str]:
    admin = world.user(Role.MUNICIPAL_ADMIN, place)
    with translation.override("en"):
        return [str(item.text) for item in log_review_attention(admin, memberships_of(admin))]


@with_march_rows
def test_the_admin_is_reminded_until_last_months_review_is_done(world: World) -> None:
    assert attention(world) == ["The log review for March 2025 is not done."]
    sample = draw(world)
    assert len(attention(world)) == 1  # drawn is not reviewed
    log_sample_review(actor=world.user(Role.MUNICIPAL_ADMIN), sample=sample, comment="Fine.")
    assert attention(world) == []
    assert len(attention(world, "eksjo")) == 1  # each municipality for itself


def test_the_reminder_is_on_the_admins_start_page_only(client: Client, world: World) -> None:
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("core:start")).content.decode()
    assert "The log review for March 2025 is not done." in page
    assert reverse("access:log_sample_list") in page
    for user in everyone_else(world, [world.user(Role.MUNICIPAL_ADMIN)]):
        if Role.MUNICIPAL_ADMIN in {section.role for section in start_sections(user)}:
            continue  # the other municipality's admin has their own reminder
        texts = [str(item.text) for section in start_sections(user) for item in section.items]
        assert not any("log review" in text for text in texts)
