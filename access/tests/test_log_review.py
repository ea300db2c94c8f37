"""The log review page: who may open it, what it lists, its filters and its keyset pages."""

import datetime
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import AccessAction, AccessLog
from access.selectors import PAGE_SIZE, Cursor
from access.tests.conftest import add_log_rows, local
from organisations import services
from organisations.models import Membership, Role, UnitKind, User
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

URL = reverse("access:log_review")

pytestmark = pytest.mark.usefixtures("demo_mode")  # no two-factor set-up in these tests

# Every request: session, user, memberships, the unread notifications in the header; then the
# users to choose from, the page of rows with their units in one query, and the events to
# check. (The session is saved at most once a minute.)
PAGE_QUERIES = 7


def listed(response) -> list[int]:
    return [row.pk for row in response.context["page"].rows]


def test_matrix(client: Client, world: World) -> None:
    admins = [
        world.user(Role.MUNICIPAL_ADMIN, "leksand"),
        world.user(Role.MUNICIPAL_ADMIN, "eksjo"),
    ]
    expectations: list[tuple[User | None, int | str]] = [(None, LOGIN)]
    expectations += [(admin, 200) for admin in admins]
    expectations += [(user, 404) for user in everyone_else(world, admins)]
    assert_matrix(client, URL, expectations)
    assert_matrix(client, URL, [(admins[0], 405)], method="post")


def test_lists_only_the_admins_municipality_newest_first(client: Client, world: World) -> None:
    intake = world.user(Role.INTAKE)
    older = add_log_rows(user=intake, municipality=world.municipality(), at=local(2025, 3, 1))
    newer = add_log_rows(user=intake, municipality=world.municipality(), at=local(2025, 3, 2))
    add_log_rows(
        user=world.user(Role.INTAKE, "eksjo"),
        municipality=world.municipality("eksjo"),
        at=local(2025, 3, 3),
        child_ref="eksjo-child",
    )
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    response = client.get(URL)
    assert listed(response) == [newer[0].pk, older[0].pk]
    page = response.content.decode()
    assert "eksjo-child" not in page
    for text in ("<caption>", '<th scope="col">', "intake.leksand", "test_rule", "request-0000"):
        assert text in page
    assert 'class="filters"' in page
    assert page.count("<h1>") == 1

    client.force_login(world.user(Role.MUNICIPAL_ADMIN, "eksjo"))
    page = client.get(URL).content.decode()
    assert "eksjo-child" in page
    assert "intake.leksand" not in page


def test_columns_show_role_unit_object_and_rule(client: Client, world: World) -> None:
    from access.services import access_log_record
    from organisations.selectors import memberships_of

    intake_worker = world.user(Role.INTAKE)
    intake = world.unit(UnitKind.INTAKE)
    access_log_record(
        user=intake_worker,
        municipality=world.municipality(),
        obj=intake,
        child_ref="ref-42",
        action=AccessAction.DOWNLOAD,
        rule="intake_of_municipality",
        membership=memberships_of(intake_worker)[0],
    )
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    client.cookies["django_language"] = "en"
    page = client.get(URL, headers={"Accept-Language": "en"}).content.decode()
    for text in (
        "Intake social worker",
        intake.name,
        "Unit",
        str(intake.pk),
        "ref-42",
        "Downloaded",
        "intake_of_municipality",
    ):
        assert text in page, text


def test_filters(client: Client, world: World) -> None:
    leksand = world.municipality()
    intake, nurse = world.user(Role.INTAKE), world.user(Role.MEDICAL_STUDENT_HEALTH)
    by_intake = add_log_rows(user=intake, municipality=leksand, at=local(2025, 3, 10))
    by_nurse = add_log_rows(
        user=nurse, municipality=leksand, at=local(2025, 3, 11), child_ref="child-2"
    )
    printed = add_log_rows(
        user=intake, municipality=leksand, at=local(2025, 3, 31, 23, 30), action="print"
    )
    next_day = add_log_rows(user=intake, municipality=leksand, at=local(2025, 4, 1, 0, 10))
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))

    def ids(**query: str | int) -> set[int]:
        response = client.get(URL, query)
        assert response.status_code == 200
        return set(listed(response))

    assert ids(user=nurse.pk) == {by_nurse[0].pk}
    assert ids(user=world.user(Role.PRINCIPAL).pk) == set()
    assert ids(child_ref="child-2") == {by_nurse[0].pk}
    assert ids(child_ref="child") == set()  # exact, not a partial match
    assert ids(action="print") == {printed[0].pk}
    # The period is in local days, both ends included.
    assert ids(date_from="2025-03-11", date_to="2025-03-31") == {by_nurse[0].pk, printed[0].pk}
    assert ids(date_from="2025-04-01") == {next_day[0].pk}
    assert ids(date_to="2025-03-10") == {by_intake[0].pk}
    assert ids(user=intake.pk, date_from="2025-03-31") == {
        printed[0].pk,
        next_day[0].pk,
    }


def test_the_user_choice_holds_the_municipalitys_people_also_after_their_role_ended(
    client: Client, world: World
) -> None:
    # Administered elsewhere, and their role at Leksand's intake ended long ago.
    intake = User.objects.create_user(username="former.intake", first_name="Former")
    Membership.objects.create(
        user=intake,
        unit=world.unit(UnitKind.INTAKE),
        role=Role.INTAKE,
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2021, 1, 1),
    )
    rows = add_log_rows(user=intake, municipality=world.municipality(), at=local(2020, 3, 1))
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    response = client.get(URL, {"user": intake.pk})
    assert listed(response) == [rows[0].pk]
    assert f'<option value="{intake.pk}" selected>' in response.content.decode()
    choices = response.context["form"].fields["user"].queryset
    assert world.user(Role.INTAKE, "eksjo") not in choices


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"date_from": "2025-03-31", "date_to": "2025-03-01"},
            "is before the from date",
        ),
        ({"date_from": "31/3"}, "YYYY-MM-DD"),
        ({"action": "delete"}, "Choose one of the listed actions."),
        ({"user": "999999"}, "Choose one of the listed users."),
        ({"user": "abc"}, "Choose one of the listed users."),
        ({"before": "not-a-cursor"}, "The link to older rows is not valid."),
    ],
)
def test_bad_filters_get_a_clear_message_and_keep_the_input(
    client: Client, world: World, query: dict[str, str], message: str
) -> None:
    add_log_rows(
        user=world.user(Role.INTAKE), municipality=world.municipality(), at=local(2025, 3, 1)
    )
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    client.cookies["django_language"] = "en"
    response = client.get(URL, query)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'class="error-summary"' in page
    assert response.context["page"] is None
    if "date_from" in query:
        assert f'value="{query["date_from"]}"' in page


def test_keyset_pages_cover_every_row_once_also_when_times_are_equal(
    client: Client, world: World
) -> None:
    intake = world.user(Role.INTAKE)
    leksand = world.municipality()
    # Ties on occurred_at (a whole batch in one instant) must be split by id.
    rows = add_log_rows(user=intake, municipality=leksand, at=local(2025, 3, 1), count=70)
    rows += add_log_rows(user=intake, municipality=leksand, at=local(2025, 3, 2), count=50)
    expected = [row.pk for row in sorted(rows, key=lambda r: (r.occurred_at, r.pk), reverse=True)]
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))

    seen: list[int] = []
    query: dict[str, str] = {"child_ref": "child-1"}
    pages = 0
    with CaptureQueriesContext(connection) as queries:
        while True:
            response = client.get(URL, query)
            pages += 1
            ids = listed(response)
            assert len(ids) <= PAGE_SIZE
            assert response.context["show_newest"] is (pages > 1)  # a way back to the top
            seen += ids
            older = response.context["older_query"]
            if not older:
                break
            assert 'rel="next"' in response.content.decode()
            query = {key: values[0] for key, values in parse_qs(older).items()}
            assert query["child_ref"] == "child-1"  # the filters travel with the cursor
    assert pages == 3
    assert seen == expected
    sql = " ".join(
        query["sql"].upper()
        for query in queries.captured_queries
        if "core_notification" not in query["sql"]  # the header's unread count, not the log
    )
    assert " OFFSET " not in sql
    assert "COUNT(" not in sql


def test_the_cursor_round_trips_to_the_microsecond() -> None:
    moment = datetime.datetime(2025, 3, 1, 11, 0, 0, 123456, tzinfo=datetime.UTC)
    cursor = Cursor(occurred_at=moment, pk=42)
    assert Cursor.decode(cursor.encode()) == cursor
    assert Cursor.decode("1_") is None
    assert Cursor.decode("99999999999999999999_1") is None  # beyond the calendar


@pytest.mark.parametrize("rows", [5, 120])
def test_query_count_does_not_grow_with_rows(
    client: Client, world: World, django_assert_num_queries, rows: int
) -> None:
    intake = world.user(Role.INTAKE)
    add_log_rows(user=intake, municipality=world.municipality(), at=local(2025, 3, 1), count=rows)
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    client.get(URL)  # the first request of a session also records the session's start
    with django_assert_num_queries(PAGE_QUERIES) as queries:
        response = client.get(URL)
    assert len(listed(response)) == min(rows, PAGE_SIZE)
    assert sum("access_accesslog" in query["sql"] for query in queries.captured_queries) == 1
    # Choosing a user checks the choice: one more.
    with django_assert_num_queries(PAGE_QUERIES + 1):
        client.get(URL, {"user": str(intake.pk), "date_from": "2025-03-01"})


def test_an_admin_of_two_municipalities_sees_both_and_can_narrow(
    client: Client, world: World
) -> None:
    admin = world.user(Role.MUNICIPAL_ADMIN)
    services.membership_create(
        actor=None,
        user=admin,
        unit=world.unit(UnitKind.MUNICIPAL_OFFICE, "eksjo"),
        role=Role.MUNICIPAL_ADMIN,
    )
    in_leksand = add_log_rows(
        user=world.user(Role.INTAKE), municipality=world.municipality(), at=local(2025, 3, 1)
    )
    in_eksjo = add_log_rows(
        user=world.user(Role.INTAKE, "eksjo"),
        municipality=world.municipality("eksjo"),
        at=local(2025, 3, 2),
    )
    client.force_login(admin)
    response = client.get(URL)
    assert listed(response) == [in_eksjo[0].pk, in_leksand[0].pk]
    assert "Eksjö" in response.content.decode()  # the municipality column and filter
    narrowed = client.get(URL, {"municipality": world.municipality("eksjo").pk})
    assert listed(narrowed) == [in_eksjo[0].pk]
    assert AccessLog.objects.count() == 2
