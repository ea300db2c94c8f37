"""Every page that shows an identified child writes the access log for each child it shows, in
one insert, with the role and unit that allowed it — by construction: the rows come from the
policy's logged lists and permits, and every request reads inside one access-log batch."""

import uuid
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import AccessAction, AccessLog
from organisations.models import Role, User
from reports import services_school
from reports.models import ConcernReport, ReportStatus
from reports.tests import builders
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")


@dataclass
class Reads:
    status: int
    object_ids: set[int]
    inserts: int
    rows: list[AccessLog]


def reads(client: Client, url: str) -> Reads:
    """Open ``url`` and return the access-log rows it wrote and how many inserts it took."""
    before = AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    inserts = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith("INSERT")
        and AccessLog._meta.db_table in query["sql"]
    ]
    rows = list(AccessLog.objects.filter(id__gt=before))
    return Reads(
        status=response.status_code,
        object_ids={int(row.object_id) for row in rows},
        inserts=len(inserts),
        rows=rows,
    )


@pytest.fixture
def reports(world: World) -> dict[str, ConcernReport]:
    intake = world.user(Role.INTAKE)
    first = builders.submitted(world, child_name="Ada Syskonsson")
    second = builders.submitted(
        world, child_name="Bo Syskonsson", child_identity_number="201405129807"
    )
    services_school.sibling_link(report=first, sibling=second, actor=first.author)
    closed = builders.advance(builders.submitted(world), ReportStatus.CLOSED, intake=intake)
    draft = builders.draft(world, child_name="Cleo Utkastsson")
    services_school.attachment_add(
        report=draft,
        actor=draft.author,
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    return {"first": first, "second": second, "closed": closed, "draft": draft}


def _login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _assert_logged(result: Reads, expected: set[int], role: str) -> None:
    assert result.status == 200
    assert result.object_ids == expected
    assert result.inserts == 1
    for row in result.rows:
        assert row.role == role
        assert row.unit_id is not None


def test_the_intake_pages_log_every_child_they_show(client, world, reports):
    intake = _login(client, world.user(Role.INTAKE))
    first, second, closed = reports["first"], reports["second"], reports["closed"]
    result = reads(intake, reverse("reports:inbox"))
    _assert_logged(result, {first.pk, second.pk}, Role.INTAKE)
    result = reads(intake, reverse("reports:inbox") + "?status=closed")
    _assert_logged(result, {closed.pk}, Role.INTAKE)
    # The report page shows the sibling's name too, and the other reports about the same
    # child (the closed one has the same identity number): all logged, in one insert.
    result = reads(intake, reverse("reports:intake_detail", args=[first.public_id]))
    _assert_logged(result, {first.pk, second.pk, closed.pk}, Role.INTAKE)
    result = reads(intake, reverse("reports:intake_print", args=[first.public_id]))
    _assert_logged(result, {first.pk, second.pk}, Role.INTAKE)
    assert {int(row.object_id): row.action for row in result.rows}[first.pk] == AccessAction.PRINT


def test_the_authors_pages_log_every_child_they_show(client, world, reports):
    teacher = _login(client, world.user(Role.REPORTER))
    first, second, closed, draft = (reports[key] for key in ("first", "second", "closed", "draft"))
    result = reads(teacher, reverse("reports:my_reports"))
    _assert_logged(result, {first.pk, second.pk, closed.pk, draft.pk}, Role.REPORTER)
    result = reads(teacher, reverse("reports:status", args=[first.public_id]))
    _assert_logged(result, {first.pk, second.pk}, Role.REPORTER)
    result = reads(teacher, reverse("reports:receipt", args=[first.public_id]))
    _assert_logged(result, {first.pk}, Role.REPORTER)
    result = reads(teacher, reverse("reports:supplement", args=[first.public_id]))
    _assert_logged(result, {first.pk}, Role.REPORTER)
    # The draft page shows the draft and, in the sibling picker, the author's other reports.
    result = reads(teacher, reverse("reports:draft_edit", args=[draft.public_id]))
    assert result.status == 200
    assert draft.pk in result.object_ids
    assert result.inserts == 1
    attachment = draft.attachments.get()
    result = reads(teacher, reverse("reports:attachment", args=[draft.public_id, attachment.pk]))
    assert result.object_ids == {draft.pk}
    assert [row.action for row in result.rows] == [AccessAction.DOWNLOAD]


def test_the_principals_pages_log_every_child_they_show(client, world, reports):
    principal = _login(client, world.user(Role.PRINCIPAL))
    first, second, closed = reports["first"], reports["second"], reports["closed"]
    result = reads(principal, reverse("reports:school_reports"))
    _assert_logged(result, {first.pk, second.pk, closed.pk}, Role.PRINCIPAL)
    result = reads(principal, reverse("reports:status", args=[first.public_id]))
    _assert_logged(result, {first.pk}, Role.PRINCIPAL)


@pytest.mark.usefixtures("reports")
def test_an_author_reading_a_report_routed_elsewhere_is_in_their_own_admins_log(client, world):
    """Hole 7: the report is handled by Eksjö, but the Leksand teacher's read of it is in
    Leksand's log review too (the reader's unit is Leksand's)."""
    routed = builders.submitted(world, home_municipality=world.municipality("eksjo"))
    teacher = _login(client, world.user(Role.REPORTER))
    result = reads(teacher, reverse("reports:status", args=[routed.public_id]))
    assert result.object_ids == {routed.pk}
    row = result.rows[0]
    assert row.municipality_id == world.municipality("eksjo").pk
    from access.selectors import AccessLogFilters, access_log_filtered

    leksand_admin = world.user(Role.MUNICIPAL_ADMIN)
    eksjo_admin = world.user(Role.MUNICIPAL_ADMIN, "eksjo")
    assert access_log_filtered(leksand_admin, AccessLogFilters()).filter(pk=row.pk).exists()
    assert access_log_filtered(eksjo_admin, AccessLogFilters()).filter(pk=row.pk).exists()


def test_a_refused_page_logs_nothing(client, world, reports):
    outsider = _login(client, world.user(Role.REPORTER, "eksjo"))
    for url in (
        reverse("reports:status", args=[reports["first"].public_id]),
        reverse("reports:intake_detail", args=[reports["first"].public_id]),
        reverse("reports:draft_edit", args=[reports["draft"].public_id]),
        reverse("reports:status", args=[uuid.uuid4()]),
    ):
        result = reads(outsider, url)
        assert result.status == 404
        assert result.rows == []
