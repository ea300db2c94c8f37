"""The intake inbox: who sees it, its order (urgent first, nearest deadline, none last), its
filters, keyset pages, the overdue count, the access log and the pinned query count."""

import datetime
import re
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.models import AccessAction, AccessLog
from core.personnummer import make_test_identity_number
from organisations import services as organisation_services
from organisations.models import Role, UnitKind
from organisations.tests.builders import new_unit
from reports import services_intake
from reports.models import ConcernCategory, ConcernReport, ExtensionReason, ReportStatus
from reports.selectors_intake import INBOX_PAGE_SIZE, InboxCursor, InboxFilters, inbox_reports
from reports.tests.builders import advance, draft, submitted
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

URL = reverse("reports:inbox")
CHILD = make_test_identity_number(datetime.date(2012, 3, 15), 980).digits


@pytest.fixture
def intake_client(client: Client, world: World) -> Client:
    client.force_login(world.user(Role.INTAKE))
    return client


def listed(response) -> list[str]:
    """The public ids of the listed reports, in the order shown."""
    return re.findall(r'<tr data-report="([0-9a-f-]+)">', response.content.decode())


def ids(*reports: ConcernReport) -> list[str]:
    return [str(report.public_id) for report in reports]


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def due_in(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def set_due(report: ConcernReport, due: datetime.datetime | None) -> ConcernReport:
    """Put the next deadline where a test wants it (the services compute it from arrival)."""
    ConcernReport.objects.filter(pk=report.pk).update(next_due_at=due)
    report.refresh_from_db()
    return report


def many(world: World, count: int, **values) -> list[ConcernReport]:
    return [submitted(world, now=timezone.now(), **values) for _ in range(count)]


# --- who sees the inbox ---------------------------------------------------------------------


def test_the_inbox_is_for_the_intake_only(client: Client, world: World) -> None:
    intakes = [world.user(Role.INTAKE), world.user(Role.INTAKE, "eksjo")]
    assert_matrix(
        client,
        URL,
        [
            (None, LOGIN),
            *((intake, 200) for intake in intakes),
            *((user, 404) for user in everyone_else(world, intakes)),
        ],
    )


def test_each_intake_sees_its_own_municipality_only(client: Client, world: World) -> None:
    leksand = submitted(world, now=timezone.now())
    eksjo = submitted(world, now=timezone.now(), home_municipality=world.municipality("eksjo"))
    unsent = draft(world)
    client.force_login(world.user(Role.INTAKE))
    assert listed(client.get(URL)) == ids(leksand)
    client.force_login(world.user(Role.INTAKE, "eksjo"))
    assert listed(client.get(URL)) == ids(eksjo)
    assert str(unsent.public_id) not in client.get(URL).content.decode()


def test_an_intake_of_two_municipalities_sees_both_and_logs_each_under_its_own_role(
    client: Client, world: World
) -> None:
    intake = world.user(Role.INTAKE)
    organisation_services.membership_create(
        actor=None, user=intake, unit=world.unit(UnitKind.INTAKE, "eksjo"), role=Role.INTAKE
    )
    leksand = set_due(submitted(world, now=timezone.now()), due_in(1))
    eksjo = set_due(
        submitted(world, now=timezone.now(), home_municipality=world.municipality("eksjo")),
        due_in(2),
    )
    client.force_login(intake)
    assert listed(client.get(URL)) == ids(leksand, eksjo)
    units = dict(AccessLog.objects.values_list("object_id", "unit_id"))
    assert units == {
        str(leksand.pk): world.unit(UnitKind.INTAKE).pk,
        str(eksjo.pk): world.unit(UnitKind.INTAKE, "eksjo").pk,
    }


# --- what it shows and in which order ---------------------------------------------------------


def test_urgent_first_then_the_nearest_deadline_then_none(
    intake_client: Client, world: World
) -> None:
    calm_soon = set_due(submitted(world, now=timezone.now()), due_in(1))
    urgent_later = set_due(submitted(world, now=timezone.now(), acute_danger=True), due_in(5))
    urgent_soon = set_due(submitted(world, now=timezone.now(), acute_danger=True), due_in(2))
    calm_none = set_due(submitted(world, now=timezone.now()), None)
    calm_soon_too = set_due(submitted(world, now=timezone.now()), calm_soon.next_due_at)
    urgent_none = set_due(submitted(world, now=timezone.now(), acute_danger=True), None)
    calm_overdue = set_due(submitted(world, now=timezone.now()), due_in(-3))
    assert listed(intake_client.get(URL)) == ids(
        urgent_soon,
        urgent_later,
        urgent_none,
        calm_overdue,
        calm_soon,
        calm_soon_too,  # the same deadline: by id
        calm_none,
    )


def test_a_row_shows_what_the_intake_needs_and_masks_the_number(
    intake_client: Client, world: World
) -> None:
    report = submitted(
        world,
        now=timezone.now(),
        child_identity_number=CHILD,
        acute_danger=True,
        categories=[ConcernCategory.NEGLECT, ConcernCategory.SELF_HARM],
    )
    text = text_of(intake_client.get(URL))
    row = re.search(r'<tr data-report="[^"]+">.*?</tr>', text)
    assert row is not None
    for expected in (
        "Testa Testsson",
        "20120315-****",
        world.unit(UnitKind.SCHOOL).name,
        "Neglect, Self-harm",
        "Submitted",
        "Urgent",
        f'href="{reverse("reports:intake_detail", args=[report.public_id])}"',
    ):
        assert expected in row[0], expected
    assert "20120315-9809" not in text
    assert "Overdue" not in row[0]


def test_overdue_reports_are_counted_and_marked_in_words(
    intake_client: Client, world: World
) -> None:
    late = [set_due(report, due_in(-1)) for report in many(world, 2)]
    on_time = set_due(submitted(world, now=timezone.now()), due_in(3))
    response = intake_client.get(URL)
    text = text_of(response)
    assert response.context["overdue_count"] == 2
    assert "2 reports have an overdue step." in text
    for report in late:
        row = re.search(rf'<tr data-report="{report.public_id}">.*?</tr>', text)
        assert row is not None
        assert "Overdue" in row[0]
        assert "badge--danger" in row[0]
    row = re.search(rf'<tr data-report="{on_time.public_id}">.*?</tr>', text)
    assert row is not None
    assert "Overdue" not in row[0]


def test_no_overdue_step_is_said_too(intake_client: Client, world: World) -> None:
    set_due(submitted(world, now=timezone.now()), due_in(3))
    assert "No step is overdue." in text_of(intake_client.get(URL))


def test_a_report_to_be_forwarded_is_marked(intake_client: Client, world: World) -> None:
    submitted(world, now=timezone.now(), home_municipality=None, forward_to_name="Rättvik")
    assert "To be forwarded" in text_of(intake_client.get(URL))


# --- filters -------------------------------------------------------------------------------------


def test_the_status_filter(intake_client: Client, world: World) -> None:
    intake = world.user(Role.INTAKE)
    waiting = submitted(world, now=timezone.now())
    received = advance(submitted(world, now=timezone.now()), ReportStatus.RECEIVED, intake=intake)
    closed = advance(submitted(world, now=timezone.now()), ReportStatus.CLOSED, intake=intake)
    assert set(listed(intake_client.get(URL))) == set(ids(waiting, received))
    assert listed(intake_client.get(URL, {"status": "received"})) == ids(received)
    response = intake_client.get(URL, {"status": "closed"})
    assert listed(response) == ids(closed)
    assert "Closed reports, most recently closed first" in text_of(response)
    response = intake_client.get(URL, {"status": "draft"})
    assert "Choose one of the listed statuses." in text_of(response)
    assert response.context["page"] is None


def test_the_school_filter(intake_client: Client, world: World) -> None:
    preschool = new_unit(
        municipality=world.municipality(), kind=UnitKind.PRESCHOOL, name="Tällbergs förskola"
    )
    at_school = submitted(world, now=timezone.now())
    at_preschool = submitted(world, now=timezone.now(), school=preschool)
    school = world.unit(UnitKind.SCHOOL)
    assert listed(intake_client.get(URL, {"school": school.pk})) == ids(at_school)
    assert listed(intake_client.get(URL, {"school": preschool.pk})) == ids(at_preschool)
    # Another municipality's school is not a choice.
    response = intake_client.get(URL, {"school": world.unit(UnitKind.SCHOOL, "eksjo").pk})
    assert "Choose one of the listed schools." in text_of(response)
    # Only school units are offered.
    choices = {value for value, _label in response.context["form"].fields["school"].choices}
    assert choices == {"", str(school.pk), str(preschool.pk)}
    assert str(world.unit(UnitKind.INTAKE).pk) not in choices
    assert str(world.unit(UnitKind.STUDENT_HEALTH).pk) not in choices


def test_the_category_filter_lists_each_report_once(intake_client: Client, world: World) -> None:
    both = submitted(
        world,
        now=timezone.now(),
        categories=[ConcernCategory.NEGLECT, ConcernCategory.SCHOOL_ABSENCE],
    )
    neglect = submitted(world, now=timezone.now(), categories=[ConcernCategory.NEGLECT])
    other = submitted(world, now=timezone.now(), categories=[ConcernCategory.CRIMINALITY])
    assert sorted(listed(intake_client.get(URL, {"category": "neglect"}))) == sorted(
        ids(both, neglect)
    )
    assert listed(intake_client.get(URL, {"category": "school_absence"})) == ids(both)
    assert listed(intake_client.get(URL, {"category": "criminality"})) == ids(other)
    assert len(listed(intake_client.get(URL))) == 3


def test_the_overdue_and_forwarding_filters(intake_client: Client, world: World) -> None:
    late = set_due(submitted(world, now=timezone.now()), due_in(-1))
    set_due(submitted(world, now=timezone.now()), due_in(2))
    forward = submitted(
        world, now=timezone.now(), home_municipality=None, forward_to_name="Rättvik"
    )
    set_due(forward, due_in(4))
    assert listed(intake_client.get(URL, {"overdue": "on"})) == ids(late)
    assert listed(intake_client.get(URL, {"to_forward": "on"})) == ids(forward)
    assert listed(intake_client.get(URL, {"overdue": "on", "to_forward": "on"})) == []


def _extended_now(world: World, *, arrived_days_ago: int) -> ConcernReport:
    """A report waiting for its decision, extended today to thirty days from now."""
    intake = world.user(Role.INTAKE)
    arrival = timezone.now() - datetime.timedelta(days=arrived_days_ago)
    report = advance(submitted(world, now=arrival), ReportStatus.PROTECTION_ASSESSED, intake=intake)
    return services_intake.report_extend_decision(
        report=report,
        actor=intake,
        until=timezone.localdate() + datetime.timedelta(days=30),
        reason=ExtensionReason.AWAITING_INFORMATION,
        description="",
        decided_by="Eva Berg",
    )


def test_an_extension_recorded_after_the_deadline_stays_overdue(
    intake_client: Client, world: World
) -> None:
    late = _extended_now(world, arrived_days_ago=20)  # its deadline passed six days ago
    in_time = _extended_now(world, arrived_days_ago=5)
    response = intake_client.get(URL, {"overdue": "on"})
    assert listed(response) == ids(late)
    assert response.context["overdue_count"] == 1
    row = re.search(rf'<tr data-report="{late.public_id}">.*?</tr>', text_of(response))
    assert row is not None
    assert "Overdue" in row[0]
    # The selector the filter and indicators use agrees.
    overdue = inbox_reports(
        world.user(Role.INTAKE), InboxFilters(overdue_only=True), now=timezone.now()
    )
    assert list(overdue) == [late]
    assert in_time not in overdue


# --- pages --------------------------------------------------------------------------------------


def walk(client: Client, query: dict[str, str]) -> tuple[list[str], int, list[str]]:
    """Follow the next-page links; return the ids seen, the number of pages and the SQL."""
    seen: list[str] = []
    pages = 0
    with CaptureQueriesContext(connection) as queries:
        while True:
            response = client.get(URL, query)
            assert response.status_code == 200
            pages += 1
            rows = listed(response)
            assert len(rows) <= INBOX_PAGE_SIZE
            seen += rows
            assert response.context["show_first"] is (pages > 1)
            following = response.context["next_query"]
            if not following:
                break
            assert 'rel="next"' in response.content.decode()
            query = {key: values[0] for key, values in parse_qs(following).items()}
    return seen, pages, [item["sql"].upper() for item in queries.captured_queries]


def test_keyset_pages_have_no_duplicates_and_miss_nothing(
    intake_client: Client, world: World
) -> None:
    reports = many(world, 35) + many(world, 30, acute_danger=True)
    # Ties on the deadline, reports without one, and overdue ones, in both urgencies.
    for index, report in enumerate(reports):
        set_due(report, None if index % 7 == 0 else due_in((index % 4) - 1))
    expected = [
        str(public_id)
        for public_id in ConcernReport.objects.order_by(
            "-acute_danger", F("next_due_at").asc(nulls_last=True), "id"
        ).values_list("public_id", flat=True)
    ]
    seen, pages, sql = walk(intake_client, {})
    assert pages == 3
    assert seen == expected
    assert not any(" OFFSET " in statement for statement in sql)
    # One COUNT per page: the overdue count, over the intake's open reports.
    counts = [
        statement
        for statement in sql
        if "COUNT(" in statement and 'FROM "REPORTS_CONCERNREPORT"' in statement
    ]
    assert len(counts) == pages
    assert all("NEXT_DUE_AT" in statement for statement in counts)
    # Later pages start from a row comparison, one range of the inbox index (core.keyset).
    row_comparison = (
        '("REPORTS_CONCERNREPORT"."INBOX_URGENCY", "REPORTS_CONCERNREPORT"."INBOX_DUE", '
        '"REPORTS_CONCERNREPORT"."ID") >'
    )
    assert sum(row_comparison in statement for statement in sql) == pages - 1


def test_the_filters_travel_with_the_cursor(intake_client: Client, world: World) -> None:
    neglect = many(world, 30, categories=[ConcernCategory.NEGLECT])
    many(world, 5, categories=[ConcernCategory.CRIMINALITY])
    seen, pages, _sql = walk(intake_client, {"category": "neglect"})
    assert pages == 2
    assert sorted(seen) == sorted(ids(*neglect))


def test_closed_reports_are_paged_newest_closed_first(intake_client: Client, world: World) -> None:
    intake = world.user(Role.INTAKE)
    start = timezone.now() - datetime.timedelta(days=30)
    closed = [
        advance(
            submitted(world, now=start),
            ReportStatus.CLOSED,
            intake=intake,
            now=start + datetime.timedelta(hours=index),
        )
        for index in range(27)
    ]
    seen, pages, _sql = walk(intake_client, {"status": "closed"})
    assert pages == 2
    assert seen == ids(*reversed(closed))


def test_closed_reports_closed_at_the_same_moment_are_paged_by_id(
    intake_client: Client, world: World
) -> None:
    intake = world.user(Role.INTAKE)
    moment = timezone.now() - datetime.timedelta(days=3)
    closed = [
        advance(submitted(world, now=moment), ReportStatus.CLOSED, intake=intake, now=moment)
        for _index in range(30)
    ]
    ConcernReport.objects.filter(pk__in=[report.pk for report in closed]).update(closed_at=moment)
    seen, pages, sql = walk(intake_client, {"status": "closed"})
    assert pages == 2
    assert seen == ids(*sorted(closed, key=lambda report: report.pk, reverse=True))
    assert any('"REPORTS_CONCERNREPORT"."ID") <' in statement for statement in sql)


def test_a_broken_cursor_gets_a_message(intake_client: Client, world: World) -> None:
    submitted(world, now=timezone.now())
    response = intake_client.get(URL, {"after": "o1_x_3"})
    assert response.status_code == 200
    assert "The link to the next page is not valid." in text_of(response)
    assert response.context["page"] is None


def test_the_cursor_round_trips() -> None:
    moment = datetime.datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=datetime.UTC)
    for cursor in (
        InboxCursor(closed=False, acute_danger=True, due=moment, pk=7),
        InboxCursor(closed=False, acute_danger=False, due=None, pk=8),
        InboxCursor(closed=True, acute_danger=False, due=moment, pk=9),
    ):
        assert InboxCursor.decode(cursor.encode()) == cursor
    assert InboxCursor.decode("o1_99999999999999999999_1") is None  # beyond the calendar
    assert InboxCursor.decode("x") is None


# --- the access log and the cost of a page -----------------------------------------------------


def test_each_listed_report_is_logged_in_one_insert(intake_client: Client, world: World) -> None:
    reports = many(world, INBOX_PAGE_SIZE + 3)
    intake_client.get(URL)  # the first request of a session checks two-factor
    before = set(AccessLog.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        response = intake_client.get(URL)
    inserts = [
        item for item in queries.captured_queries if item["sql"].startswith('INSERT INTO "access')
    ]
    assert len(inserts) == 1
    rows = AccessLog.objects.exclude(pk__in=before)
    assert len(listed(response)) == INBOX_PAGE_SIZE
    # The "Today" list above the table names reports too (those with a step due today, which
    # depends on the hour of the run): they are shown, so they are logged.
    today = re.findall(
        r'<li data-today="\w+" data-report="([0-9a-f-]+)"', response.content.decode()
    )
    shown = set(listed(response)) | set(today)
    by_id = {str(report.pk): report for report in reports}
    assert {str(by_id[row.object_id].public_id) for row in rows} == shown
    for row in rows:
        assert row.action == AccessAction.VIEW
        assert row.rule == "intake_of_municipality"
        assert row.role == Role.INTAKE
        assert row.unit == world.unit(UnitKind.INTAKE)
        assert row.child_ref == by_id[row.object_id].child_ref


@pytest.mark.usefixtures("world")
def test_an_empty_inbox_logs_nothing(intake_client: Client) -> None:
    assert intake_client.get(URL).status_code == 200
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("rows", [25, 100])
def test_query_count_is_the_same_at_25_and_100_rows(
    client: Client, world: World, django_assert_num_queries, rows: int
) -> None:
    for index, report in enumerate(
        many(world, rows, categories=[ConcernCategory.NEGLECT, ConcernCategory.SELF_HARM])
    ):
        set_due(report, due_in(index % 5 - 2))
    client.force_login(world.user(Role.INTAKE))
    client.get(URL)  # the first request of a session checks two-factor
    # The user, the school choices, the page, its categories, the access-log insert, the
    # overdue count and the "today" list (first page only); the session, the memberships and
    # the page frame's unread count are in the shared cache.
    with django_assert_num_queries(7):
        response = client.get(URL)
    assert len(listed(response)) == INBOX_PAGE_SIZE
    # The next page costs the same, less the "today" list shown on the first page only.
    following = {key: values[0] for key, values in parse_qs(response.context["next_query"]).items()}
    with django_assert_num_queries(6 if "after" in following else 7):
        client.get(URL, following)
