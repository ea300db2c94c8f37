"""After submitting: the receipt, the author's and the principal's views (status and feedback,
never the intake's work), supplements, downloads, the access log, and the lists with their
keyset pages and pinned query counts."""

import datetime
import re
import uuid
import zoneinfo
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import AccessAction, AccessLog
from core.personnummer import make_test_identity_number
from organisations.models import Role, UnitKind, User
from reports import services_intake, services_school
from reports.models import ConcernCategory, ConcernReport, Feedback, ReportStatus, Supplement
from reports.tests import builders
from tests.factories import UnitFactory
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
CHILD = make_test_identity_number(datetime.date(2012, 6, 20), 985)
PDF = b"%PDF-1.4\n%%EOF\n"
SECRET_INTAKE_TEXT = "HEMLIG SKYDDSBEDÖMNING"


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def report_of(world: World, *, author: User | None = None, **values: Any) -> ConcernReport:
    """A submitted report (arrived 2 March 2026, 10:00 Swedish time) with a file."""
    values = {
        "child_identity_number": CHILD.digits,
        "child_name": "Selma Testsson",
        "child_class": "4B",
        "what_happened": "Selma kom till skolan med ett blått öga.",
        "child_words": "Pappa var arg igen.",
        **values,
    }
    report = builders.draft(world, author=author, **values)
    services_school.attachment_add(
        report=report,
        actor=report.author,
        upload=SimpleUploadedFile("foto.pdf", PDF, content_type="application/pdf"),
    )
    return services_school.report_submit(
        report=report, actor=report.author, submission_key=uuid.uuid4(), now=builders.ARRIVAL
    )


def worked_on(world: World, report: ConcernReport, status: str) -> ConcernReport:
    """The intake's steps, with text the school must never see."""
    intake = world.user(Role.INTAKE)
    report = services_intake.report_receive(report=report, actor=intake)
    report = services_intake.report_assess_protection(
        report=report,
        actor=intake,
        immediate_protection_needed=False,
        justification=SECRET_INTAKE_TEXT,
    )
    report = services_intake.report_start_preliminary(
        report=report, actor=intake, notes="HEMLIGA ANTECKNINGAR"
    )
    return builders.advance(report, status, intake=intake)


# --- the receipt ---------------------------------------------------------------------------------


def test_the_receipt_gives_the_arrival_time_the_reference_and_what_happens_next(client, world):
    report = report_of(world)
    page = (
        login(client, report.author)
        .get(reverse("reports:receipt", args=[report.public_id]))
        .content.decode()
    )
    assert "Your report has been received" in page
    local = builders.ARRIVAL.astimezone(STOCKHOLM)
    assert local.hour == 10
    assert "March 2, 2026, 10 a.m." in page or "2 March 2026 10:00" in page
    assert f'datetime="{local.isoformat()}"' in page
    assert report.reference in page
    assert "The social services' intake in Leksand" in page
    assert "Within 14 days of arrival they decide whether to open an investigation" in page
    assert "You asked for feedback" in page
    assert "you have fulfilled your duty to report" in page


def test_the_receipt_in_swedish_shows_a_swedish_date(world):
    report = report_of(world)
    swedish = Client(headers={"Accept-Language": "sv"})
    page = (
        login(swedish, report.author)
        .get(reverse("reports:receipt", args=[report.public_id]))
        .content.decode()
    )
    assert "2\xa0mars\xa02026, 10:00" in page


def test_a_forwarded_report_says_so_on_the_receipt(client, world):
    report = report_of(world, home_municipality=None, forward_to_name="Rättvik")
    page = (
        login(client, report.author)
        .get(reverse("reports:receipt", args=[report.public_id]))
        .content.decode()
    )
    assert "The child lives in Rättvik, which is not in Samverkan" in page


# --- the status page -----------------------------------------------------------------------------


def test_the_author_sees_what_they_wrote_the_status_and_the_feedback(client, world):
    report = worked_on(world, report_of(world), ReportStatus.FEEDBACK_GIVEN)
    page = (
        login(client, report.author)
        .get(reverse("reports:status", args=[report.public_id]))
        .content.decode()
    )
    assert "Selma kom till skolan med ett blått öga." in page
    assert "Pappa var arg igen." in page
    assert CHILD.formatted() in page
    assert "foto.pdf" in page
    assert re.search(r'id="report-status"><span class="badge[^"]*">Decided</span>', page)
    assert "An investigation has been opened" in page
    # The steps show that the protection assessment was made (issue 9's step indicator),
    # never its outcome or the intake's notes.
    for intake_text in (
        SECRET_INTAKE_TEXT,
        "HEMLIGA ANTECKNINGAR",
        "immediate protection",
        "Preliminary assessment",
    ):
        assert intake_text not in page
    assert world.user(Role.INTAKE).username not in page


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (ReportStatus.SUBMITTED, "Submitted"),
        (ReportStatus.RECEIVED, "Received by social services"),
        (ReportStatus.PROTECTION_ASSESSED, "Being assessed"),
        (ReportStatus.PRELIMINARY_ASSESSMENT, "Being assessed"),
        (ReportStatus.DECIDED, "Decided"),
        (ReportStatus.CLOSED, "Closed"),
    ],
)
def test_the_school_sees_a_simplified_status(client, world, status, label):
    report = report_of(world)
    report = builders.advance(report, status, intake=world.user(Role.INTAKE))
    for user in (report.author, world.user(Role.PRINCIPAL)):
        page = (
            login(client, user)
            .get(reverse("reports:status", args=[report.public_id]))
            .content.decode()
        )
        assert re.search(rf'id="report-status"><span class="badge[^"]*">{label}</span>', page)


def test_the_principal_sees_the_child_the_date_the_status_and_the_feedback_only(client, world):
    report = worked_on(world, report_of(world), ReportStatus.FEEDBACK_GIVEN)
    page = (
        login(client, world.user(Role.PRINCIPAL))
        .get(reverse("reports:status", args=[report.public_id]))
        .content.decode()
    )
    assert "Selma Testsson" in page
    assert "An investigation has been opened" in page
    assert "Decided" in page
    for content in (
        "Selma kom till skolan",
        "Pappa var arg igen.",
        CHILD.formatted(),
        "foto.pdf",
        SECRET_INTAKE_TEXT,
        report.author.email,
    ):
        assert content not in page
    assert "Add a supplement" not in page


def test_status_pages_and_downloads_write_the_access_log(client, world):
    report = report_of(world)
    attachment = report.attachments.get()
    login(client, report.author).get(reverse("reports:status", args=[report.public_id]))
    row = AccessLog.objects.get()
    assert (row.user, row.action, row.rule) == (report.author, AccessAction.VIEW, "author")
    assert row.child_ref == report.child_ref
    assert row.object_id == str(report.pk)

    principal = world.user(Role.PRINCIPAL)
    login(client, principal).get(reverse("reports:status", args=[report.public_id]))
    row = AccessLog.objects.filter(user=principal).get()
    assert (row.rule, row.role, row.unit) == (
        "principal_of_school",
        Role.PRINCIPAL,
        world.unit(UnitKind.SCHOOL),
    )

    for user, rule in (
        (report.author, "author"),
        (world.user(Role.INTAKE), "intake_of_municipality"),
    ):
        response = login(client, user).get(
            reverse("reports:attachment", args=[report.public_id, attachment.pk])
        )
        assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
        row = AccessLog.objects.filter(user=user, action=AccessAction.DOWNLOAD).get()
        assert row.rule == rule
    # A refused download writes nothing.
    before = AccessLog.objects.count()
    login(client, principal).get(
        reverse("reports:attachment", args=[report.public_id, attachment.pk])
    )
    assert AccessLog.objects.count() == before


def test_a_download_is_an_attachment_with_its_name_and_no_sniffing(client, world):
    report = report_of(world)
    attachment = report.attachments.get()
    response = login(client, report.author).get(
        reverse("reports:attachment", args=[report.public_id, attachment.pk])
    )
    assert response["Content-Disposition"] == 'attachment; filename="foto.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


# --- supplements ---------------------------------------------------------------------------------


def test_add_a_supplement_once_with_a_file(client, world):
    report = report_of(world)
    url = reverse("reports:supplement", args=[report.public_id])
    page = login(client, report.author).get(url).content.decode()
    found = re.search(r'name="submission_key" value="([0-9a-f-]+)"', page)
    assert found is not None
    key = found[1]
    data = {
        "submission_key": key,
        "text": "Selma berättade i dag att hon inte vågar gå hem.",
        "attachments": [SimpleUploadedFile("brev.pdf", PDF)],
    }
    response = client.post(url, data, follow=True)
    supplement = Supplement.objects.get()
    assert response.redirect_chain[-1][0].endswith(f"#supplement-{supplement.pk}")
    page = response.content.decode()
    assert f"Your supplement was added to report {report.reference}" in page
    assert "Selma berättade i dag att hon inte vågar gå hem." in page
    assert "brev.pdf" in page
    # The second press of the same button adds nothing.
    data["attachments"] = [SimpleUploadedFile("brev.pdf", PDF)]
    response = client.post(url, data, follow=True)
    assert Supplement.objects.count() == 1
    assert report.attachments.count() == 2  # the report's file and the supplement's
    assert "This supplement had already been added." in response.content.decode()


def test_a_supplement_with_a_refused_file_adds_nothing_and_keeps_the_text(client, world):
    report = report_of(world)
    response = login(client, report.author).post(
        reverse("reports:supplement", args=[report.public_id]),
        {
            "submission_key": str(uuid.uuid4()),
            "text": "Mer information.",
            "attachments": [SimpleUploadedFile("virus.exe", b"MZ")],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "virus.exe can not be attached." in page
    assert "Nothing was added." in page
    assert "Mer information." in page
    assert not Supplement.objects.exists()


def test_a_closed_report_takes_no_supplement(client, world):
    report = builders.advance(report_of(world), ReportStatus.CLOSED, intake=world.user(Role.INTAKE))
    login(client, report.author)
    assert client.get(reverse("reports:supplement", args=[report.public_id])).status_code == 404
    page = client.get(reverse("reports:status", args=[report.public_id])).content.decode()
    assert "Add a supplement" not in page


# --- the lists -----------------------------------------------------------------------------------


def many_reports(world: World, count: int, *, author: User | None = None) -> None:
    for index in range(count):
        builders.submitted(
            world,
            author=author,
            child_identity_number=CHILD.digits,
            child_name=f"Barn {index:03d}",
            now=builders.ARRIVAL + datetime.timedelta(minutes=index),
        )


def test_my_reports_lists_drafts_and_submitted_reports_without_the_intakes_work(client, world):
    teacher = world.user(Role.REPORTER)
    report = worked_on(world, report_of(world), ReportStatus.FEEDBACK_GIVEN)
    unnamed = builders.draft(world, child_name="", child_identity_number=CHILD.digits)
    builders.draft(world, author=world.user(Role.STUDENT_HEALTH), child_name="Någon Annans")
    page = login(client, teacher).get(reverse("reports:my_reports")).content.decode()
    assert "Selma Testsson" in page
    assert CHILD.masked() in page  # the unnamed draft: the masked number
    assert CHILD.formatted() not in page
    assert f"Continue draft {unnamed.reference}" in page
    assert f"Delete draft {unnamed.reference}" in page
    assert "An investigation has been opened" in page
    assert "Någon Annans" not in page
    assert SECRET_INTAKE_TEXT not in page
    assert set(AccessLog.objects.values_list("object_id", flat=True)) == {
        str(report.pk),
        str(unnamed.pk),
    }


def test_my_reports_pages_by_keyset(client, world):
    many_reports(world, 27)
    login(client, world.user(Role.REPORTER))
    page = client.get(reverse("reports:my_reports")).content.decode()
    assert "Barn 026" in page
    assert "Barn 002" in page
    assert "Barn 001" not in page
    link = re.search(r'href="([^"]*before=[^"]*)" rel="next"', page)
    assert link is not None
    older = link[1].replace("&amp;", "&")
    page = client.get(older).content.decode()
    assert "Barn 001" in page
    assert "Barn 000" in page
    assert "Barn 002" not in page
    assert 'rel="next"' not in page
    assert client.get(reverse("reports:my_reports") + "?before=nonsense").status_code == 200


def test_the_school_list_shows_the_principals_school_without_the_text(client, world):
    report = worked_on(world, report_of(world), ReportStatus.FEEDBACK_GIVEN)
    nurse_report = report_of(world, author=world.user(Role.MEDICAL_STUDENT_HEALTH))
    eksjo_report = builders.submitted(world, author=world.user(Role.REPORTER, "eksjo"))
    principal = world.user(Role.PRINCIPAL)
    page = login(client, principal).get(reverse("reports:school_reports")).content.decode()
    assert "Selma Testsson" in page
    assert "4B" in page
    assert "An investigation has been opened" in page
    assert "Selma kom till skolan" not in page
    assert nurse_report.reference not in page
    assert eksjo_report.reference not in page
    rows = AccessLog.objects.filter(user=principal)
    assert [(row.object_id, row.rule) for row in rows] == [(str(report.pk), "principal_of_school")]


def test_a_principal_who_files_a_report_at_another_school_does_not_list_it(client, world):
    principal = world.user(Role.PRINCIPAL)
    preschool = UnitFactory.create(
        municipality=world.municipality(), name="Leksand förskola", kind=UnitKind.PRESCHOOL
    )
    elsewhere = builders.submitted(
        world, author=principal, school=preschool, child_name="Annan Skola"
    )
    page = login(client, principal).get(reverse("reports:school_reports")).content.decode()
    assert elsewhere.reference not in page
    page = client.get(reverse("reports:my_reports")).content.decode()
    assert elsewhere.reference in page


def count_queries(client: Client, url: str) -> int:
    client.get(url)  # the session's first request checks two-factor once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("name", "role", "expected"),
    [("my_reports", Role.REPORTER, 4), ("school_reports", Role.PRINCIPAL, 3)],
)
def test_list_query_counts_do_not_grow_with_the_reports(client, world, name, role, expected):
    login(client, world.user(role))
    url = reverse(f"reports:{name}")
    many_reports(world, 25)
    builders.draft(world)
    small = count_queries(client, url)
    many_reports(world, 75)
    for _ in range(75):
        builders.draft(world)
    assert count_queries(client, url) == small == expected


def test_a_draft_in_the_list_links_to_the_form(client, world):
    report = builders.draft(world, categories=[ConcernCategory.NEGLECT], child_name="Utkast Barn")
    page = login(client, report.author).get(reverse("reports:my_reports")).content.decode()
    assert reverse("reports:draft_edit", args=[report.public_id]) in page
    assert reverse("reports:status", args=[report.public_id]) not in page


def test_feedback_text_is_one_of_the_fixed_answers(client, world):
    report = builders.advance(
        report_of(world),
        ReportStatus.FEEDBACK_GIVEN,
        intake=world.user(Role.INTAKE),
        decision="not_opened",
        feedback=Feedback.NOT_OPENED,
    )
    page = login(client, report.author).get(reverse("reports:my_reports")).content.decode()
    assert "No investigation has been opened" in page
