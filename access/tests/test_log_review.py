"""The log review page: who may open it, what it lists and in which words, its filters (posted
and kept in the session), its groups of identical reads and its keyset pages."""

import datetime
import importlib
from urllib.parse import parse_qs

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import AccessAction, AccessLog
from access.selectors import GROUP_READ_LIMIT, PAGE_SIZE, Cursor
from access.services import AccessLogEntry, access_log_record, access_log_record_many
from access.tests.conftest import add_log_rows, local
from organisations import services
from organisations.models import Membership, Role, UnitKind, User
from organisations.selectors import memberships_of
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

URL = reverse("access:log_review")
FILTER_URL = reverse("access:log_review_filter")

pytestmark = pytest.mark.usefixtures("demo_mode")  # no two-factor set-up in these tests

# Every request: the user (the session, the memberships and the header's unread count are in
# the shared cache after the first request); then the page of rows with their people, units and
# municipalities in two queries (reads of the municipality's data, its staff's reads
# elsewhere: each one index range), and the events to check. (The session is saved at most
# once a minute.)
PAGE_QUERIES = 4


def listed(response) -> list[int]:
    """Every row the page shows, group by group."""
    return [row.pk for group in response.context["page"].groups for row in group.rows]


def counts(response) -> list[int]:
    return [group.count for group in response.context["page"].groups]


def test_matrix(client: Client, world: World) -> None:
    admins = [
        world.user(Role.MUNICIPAL_ADMIN, "leksand"),
        world.user(Role.MUNICIPAL_ADMIN, "eksjo"),
    ]
    outsiders = everyone_else(world, admins)
    expectations: list[tuple[User | None, int | str]] = [(None, LOGIN)]
    expectations += [(admin, 200) for admin in admins]
    expectations += [(user, 404) for user in outsiders]
    assert_matrix(client, URL, expectations)
    assert_matrix(client, URL, [(admins[0], 405)], method="post")
    # The filters are posted; nobody else may set them, and a GET is refused.
    posted: list[tuple[User | None, int | str]] = [(None, LOGIN)]
    posted += [(admin, 302) for admin in admins]
    posted += [(user, 404) for user in outsiders]
    assert_matrix(client, FILTER_URL, posted, method="post", data={"action": "view"})
    assert_matrix(client, FILTER_URL, [(admins[0], 405)])


def test_lists_only_the_admins_municipality_newest_first(client: Client, world: World) -> None:
    intake = world.user(Role.INTAKE)
    older = add_log_rows(user=intake, municipality=world.municipality(), at=local(2025, 3, 1))
    newer = add_log_rows(user=intake, municipality=world.municipality(), at=local(2025, 3, 2))
    eksjo_intake = world.user(Role.INTAKE, "eksjo")
    add_log_rows(user=eksjo_intake, municipality=world.municipality("eksjo"), at=local(2025, 3, 3))
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    response = client.get(URL)
    assert listed(response) == [newer[0].pk, older[0].pk]
    page = response.content.decode()
    assert eksjo_intake.get_full_name() not in page
    assert "<caption>" in page
    assert '<th scope="col">' in page
    assert page.count("<h1>") == 1

    client.force_login(world.user(Role.MUNICIPAL_ADMIN, "eksjo"))
    page = client.get(URL).content.decode()
    assert eksjo_intake.get_full_name() in page
    assert intake.get_full_name() not in page


def _read_of_a_report(world: World, *, who: str = Role.INTAKE) -> AccessLog:
    """A read as the report pages write it: the intake opens a submitted report."""
    from reports.policies import INTAKE_RULE
    from reports.tests.builders import submitted

    reader = world.user(who)
    report = submitted(world)
    return access_log_record(
        user=reader,
        municipality=world.municipality(),
        obj=report,
        child_ref=report.child_ref,
        action=AccessAction.VIEW,
        rule=INTAKE_RULE,
        membership=memberships_of(reader)[0],
    )


def test_rows_are_in_words_names_units_objects_and_reasons(client: Client, world: World) -> None:
    row = _read_of_a_report(world)
    report = row.object_id
    intake = world.user(Role.INTAKE)
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    page = client.get(URL).content.decode()
    from reports.models import ConcernReport

    reference = ConcernReport.objects.get(pk=report).reference
    for text in (
        intake.get_full_name(),
        "Intake social worker",
        world.unit(UnitKind.INTAKE).name,
        f"Report of concern {reference}",
        "Viewed",
        "Intake of the municipality that handles the report",
    ):
        assert text in page, text
    # No codes or keys: not the rule's code, the child's reference, the request or the name.
    for text in ("intake_of_municipality", row.child_ref, "Testa Testsson", "201203159801"):
        assert text not in page, text
    assert f">{intake.username}<" not in page


def test_a_read_with_no_words_for_its_object_names_its_kind_and_number(
    client: Client, world: World
) -> None:
    intake_worker = world.user(Role.INTAKE)
    intake = world.unit(UnitKind.INTAKE)
    access_log_record(
        user=intake_worker,
        municipality=world.municipality(),
        obj=intake,
        child_ref="ref-42",
        action=AccessAction.DOWNLOAD,
        rule="a_retired_rule",
        membership=memberships_of(intake_worker)[0],
    )
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    page = client.get(URL).content.decode()
    assert f"Unit no. {intake.pk}" in page
    assert "Downloaded" in page
    assert "a_retired_rule" in page  # an old row stays readable


def test_a_user_without_a_name_is_shown_by_username(client: Client, world: World) -> None:
    nameless = User.objects.create_user(username="no.name")
    add_log_rows(user=nameless, municipality=world.municipality(), at=local(2025, 3, 1))
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    assert "<strong>no.name</strong>" in client.get(URL).content.decode()


def test_identical_reads_are_one_line_with_the_count_and_times(
    client: Client, world: World
) -> None:
    intake = world.user(Role.INTAKE)
    leksand = world.municipality()
    for minute in (5, 30, 55):
        add_log_rows(user=intake, municipality=leksand, at=local(2025, 3, 3, 9, minute))
    other = add_log_rows(
        user=world.user(Role.PRINCIPAL), municipality=leksand, at=local(2025, 3, 3, 10)
    )
    next_day = add_log_rows(user=intake, municipality=leksand, at=local(2025, 3, 4, 9))
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    client.cookies["django_language"] = "sv"
    response = client.get(URL, headers={"Accept-Language": "sv"})
    assert counts(response) == [1, 1, 3]  # next day, then 10:00 (another reader), the three
    assert listed(response)[:2] == [next_day[0].pk, other[0].pk]
    page = response.content.decode()
    assert "09:05</time>–<time" in page  # the first and last time of the three
    assert ">09:55</time>" in page


def _filter(client: Client, **data: str | int) -> None:
    response = client.post(FILTER_URL, data)
    assert response.status_code == 302
    assert response["Location"] == URL  # nothing of the filters goes into the address


def test_filters_are_posted_kept_and_cleared(client: Client, world: World) -> None:
    leksand = world.municipality()
    intake, nurse = world.user(Role.INTAKE), world.user(Role.MEDICAL_STUDENT_HEALTH)
    nurse.first_name, nurse.last_name = "Nora", "Skolsköterska"
    nurse.save()
    by_intake = add_log_rows(user=intake, municipality=leksand, at=local(2025, 3, 10))
    by_nurse = add_log_rows(
        user=nurse, municipality=leksand, at=local(2025, 3, 11), child_ref="child-2"
    )
    printed = add_log_rows(
        user=intake, municipality=leksand, at=local(2025, 3, 31, 23, 30), action="print"
    )
    next_day = add_log_rows(user=intake, municipality=leksand, at=local(2025, 4, 1, 0, 10))
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))

    def ids(**data: str | int) -> set[int]:
        _filter(client, **data)
        response = client.get(URL)
        assert response.status_code == 200
        return set(listed(response))

    # The person by a part of the name or the username, every word matching.
    assert ids(user="nora") == {by_nurse[0].pk}
    assert ids(user="  Skolsköt   NORA ") == {by_nurse[0].pk}
    assert ids(user="medical_student") == {by_nurse[0].pk}
    assert ids(user="nobody at all") == set()
    assert ids(action="print") == {printed[0].pk}
    # The period is in local days, both ends included.
    assert ids(date_from="2025-03-11", date_to="2025-03-31") == {by_nurse[0].pk, printed[0].pk}
    assert ids(date_from="2025-04-01") == {next_day[0].pk}
    assert ids(date_to="2025-03-10") == {by_intake[0].pk}
    assert ids(user=intake.username, date_from="2025-03-31") == {printed[0].pk, next_day[0].pk}
    # The filters are kept for the next visit, shown in the form, and cleared at once.
    page = client.get(URL).content.decode()
    assert 'value="2025-03-31"' in page
    assert f'value="{intake.username}"' in page
    assert client.post(FILTER_URL, {"clear": "1"})["Location"] == URL
    assert len(listed(client.get(URL))) == 4


def test_the_user_filter_finds_people_whose_role_ended(client: Client, world: World) -> None:
    # Administered elsewhere, and their role at Leksand's intake ended long ago.
    former = User.objects.create_user(username="former.intake", first_name="Former")
    Membership.objects.create(
        user=former,
        unit=world.unit(UnitKind.INTAKE),
        role=Role.INTAKE,
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2021, 1, 1),
    )
    rows = add_log_rows(user=former, municipality=world.municipality(), at=local(2020, 3, 1))
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    _filter(client, user="Former")
    assert listed(client.get(URL)) == [rows[0].pk]


def test_the_user_filter_is_a_text_field_not_a_list_of_every_account(
    client: Client, world: World
) -> None:
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    page = client.get(URL).content.decode()
    assert 'name="user"' in page
    assert '<select name="user"' not in page
    assert world.user(Role.PRINCIPAL).username not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date_from": "2025-03-31", "date_to": "2025-03-01"}, "is before the from date"),
        ({"date_from": "31/3"}, "YYYY-MM-DD"),
        ({"action": "delete"}, "Choose one of the listed actions."),
        ({"user": "x" * 101}, "at most 100 characters"),
    ],
)
def test_bad_filters_get_a_clear_message_and_keep_the_input(
    client: Client, world: World, data: dict[str, str], message: str
) -> None:
    add_log_rows(
        user=world.user(Role.INTAKE), municipality=world.municipality(), at=local(2025, 3, 1)
    )
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    response = client.post(FILTER_URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'class="error-summary"' in page
    assert response.context["page"] is None
    for name, value in data.items():
        if name != "action":  # a choice not on the list can not be shown chosen
            assert f'value="{value}"' in page


def test_swedish_message_for_a_bad_filter(world: World) -> None:
    client = Client(headers={"Accept-Language": "sv"})
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    page = client.post(FILTER_URL, {"date_from": "31/3"}).content.decode()
    assert "Skriv från-datumet som ÅÅÅÅ-MM-DD" in page
    assert 'value="31/3"' in page


def test_a_broken_link_to_older_rows_says_so(client: Client, world: World) -> None:
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    response = client.get(URL, {"before": "not-a-cursor"})
    assert response.status_code == 200
    assert "The link to older rows is not valid." in response.content.decode()
    assert response.context["page"] is None


def _walk_pages(client: Client) -> tuple[list[list[int]], list[str]]:
    """Follow the "older rows" links from the newest page; the ids per page and the SQL."""
    pages: list[list[int]] = []
    query: dict[str, str] = {}
    with CaptureQueriesContext(connection) as queries:
        while True:
            response = client.get(URL, query)
            pages.append(listed(response))
            assert response.context["show_newest"] is (len(pages) > 1)  # a way back to the top
            older = response.context["older_query"]
            if not older:
                break
            assert 'rel="next"' in response.content.decode()
            query = {key: values[0] for key, values in parse_qs(older).items()}
            assert set(query) == {"before"}  # only the cursor travels in the address
    # (The header counts the user's unread notifications; that is not the log.)
    sql = [q["sql"].upper() for q in queries.captured_queries if "notification" not in q["sql"]]
    return pages, sql


def test_keyset_pages_cover_every_row_once_also_when_times_are_equal(
    client: Client, world: World
) -> None:
    intake = world.user(Role.INTAKE)
    leksand = world.municipality()
    # Ties on occurred_at (a whole batch in one instant, each row another object) must be
    # split by id.
    rows = add_log_rows(user=intake, municipality=leksand, at=local(2025, 3, 1), count=70)
    rows += add_log_rows(user=intake, municipality=leksand, at=local(2025, 3, 2), count=50)
    expected = [row.pk for row in sorted(rows, key=lambda r: (r.occurred_at, r.pk), reverse=True)]
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    _filter(client, user=intake.username)
    pages, sql = _walk_pages(client)
    assert [len(page) for page in pages] == [PAGE_SIZE, PAGE_SIZE, 20]
    assert [pk for page in pages for pk in page] == expected
    assert not any(" OFFSET " in s or "COUNT(" in s for s in sql)
    # The cursor is a row comparison, which the database can use as a range of its index.
    assert any('("ACCESS_ACCESSLOG"."OCCURRED_AT", "ACCESS_ACCESSLOG"."ID") <' in s for s in sql)


def test_pages_of_groups_cover_every_row_once(client: Client, world: World) -> None:
    """Groups never lose or repeat a row between pages: 60 objects read five times each, one
    read a minute, make more than one page of groups."""
    intake = world.user(Role.INTAKE)
    leksand = world.municipality()
    rows: list[AccessLog] = []
    for minute in range(5):
        rows += add_log_rows(
            user=intake, municipality=leksand, at=local(2025, 3, 1, 10, minute), count=60
        )
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    pages, _sql = _walk_pages(client)
    shown = [pk for page in pages for pk in page]
    assert sorted(shown) == sorted(row.pk for row in rows)
    assert len(shown) == len(set(shown))
    assert len(pages) > 1
    # A page reads at most its limit: 60 objects a minute, so the first page ends within the
    # read and every object appears there with the reads of that stretch.
    first = client.get(URL)
    assert sum(counts(first)) <= GROUP_READ_LIMIT
    assert len(counts(first)) == min(60, PAGE_SIZE)


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
    leksand = world.municipality()
    # Each read of another object, so that the groups grow with the rows.
    add_log_rows(user=intake, municipality=leksand, at=local(2025, 3, 1), count=rows)
    _read_of_a_report(world)
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    client.get(URL)  # the first request of a session also records the session's start
    # One more for the reports' references.
    with django_assert_num_queries(PAGE_QUERIES + 1) as queries:
        response = client.get(URL)
    assert counts(response) == [1] * min(rows + 1, PAGE_SIZE)
    assert sum("access_accesslog" in query["sql"] for query in queries.captured_queries) == 2
    # A filter by a person's name is a subquery of the same read.
    _filter(client, user=intake.username, date_from="2025-03-01")
    with django_assert_num_queries(PAGE_QUERIES + 1):
        client.get(URL)


def test_an_admin_of_two_municipalities_sees_both_and_can_narrow(
    client: Client, world: World, django_assert_num_queries
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
    client.get(URL)
    # The municipality column costs no query per row.
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(URL)
    assert listed(response) == [in_eksjo[0].pk, in_leksand[0].pk]
    assert "Eksjö" in response.content.decode()  # the municipality column and filter
    _filter(client, municipality=world.municipality("eksjo").pk)
    assert listed(client.get(URL)) == [in_eksjo[0].pk]
    assert AccessLog.objects.count() == 2


def test_reads_by_the_staff_elsewhere_are_merged_in_time_order(
    client: Client, world: World
) -> None:
    """A Leksand intake worker's read of an Eksjö child's report (routed to the home
    municipality) is in Leksand's review, between Leksand's own rows by time."""
    leksand, eksjo = world.municipality(), world.municipality("eksjo")
    intake = world.user(Role.INTAKE)
    membership = intake.memberships.get(role=Role.INTAKE)
    first = add_log_rows(user=intake, municipality=leksand, at=local(2025, 3, 1))
    with time_machine.travel(local(2025, 3, 2)):
        access_log_record_many(
            user=intake,
            action=AccessAction.VIEW,
            entries=[
                AccessLogEntry(
                    obj=eksjo,
                    municipality_id=eksjo.pk,
                    child_ref="child-eksjo",
                    rule="test_rule",
                    membership=membership,
                )
            ],
        )
    last = add_log_rows(user=intake, municipality=leksand, at=local(2025, 3, 3))
    elsewhere = AccessLog.objects.filter(child_ref="child-eksjo")
    assert [row.staff_municipality_id for row in elsewhere] == [leksand.pk]
    assert first[0].staff_municipality_id is None
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    assert listed(client.get(URL)) == [last[0].pk, elsewhere[0].pk, first[0].pk]
    # Eksjö's admin sees the read of Eksjö's data; not Leksand's own rows.
    client.force_login(world.user(Role.MUNICIPAL_ADMIN, "eksjo"))
    assert listed(client.get(URL)) == [elsewhere[0].pk]


class _Editor:
    """What the migration's function uses of a schema editor. (SQLite's own editor refuses to
    open inside the test's transaction.)"""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_the_migration_gives_older_rows_the_readers_municipality(world: World) -> None:
    leksand, eksjo = world.municipality(), world.municipality("eksjo")
    intake = world.user(Role.INTAKE)
    unit = intake.memberships.get(role=Role.INTAKE).unit
    # Rows as they were written before the column: the reader's unit, no reader's municipality.
    older = {
        municipality.pk: AccessLog.objects.create(
            user=intake,
            username=intake.username,
            role=Role.INTAKE,
            unit=unit,
            municipality=municipality,
            object_type="organisations.unit",
            object_id="1",
            child_ref="child-1",
            action=AccessAction.VIEW,
            rule="test_rule",
        ).pk
        for municipality in (eksjo, leksand)
    }
    migration = importlib.import_module("access.migrations.0012_access_log_read_elsewhere")
    migration.backfill(None, _Editor())
    stored = dict(
        AccessLog.objects.filter(pk__in=older.values()).values_list(
            "municipality_id", "staff_municipality_id"
        )
    )
    assert stored == {eksjo.pk: leksand.pk, leksand.pk: None}
    # The log is append-only again afterwards.
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=older[eksjo.pk]).update(child_ref="x")
