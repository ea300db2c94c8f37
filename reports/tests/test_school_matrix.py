"""Who may open each page of the school side: the author, the principal where allowed, the
intake only for attachment downloads, and a 404 for everyone else — the other teacher at the
same school, medical student health's reports for the principal, the other municipality, the
coordinator and the board."""

import datetime
import uuid

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.personnummer import make_test_identity_number
from organisations import services as organisation_services
from organisations.models import Role, UnitKind, User
from reports import services_school
from reports.models import ConcernReport
from reports.policies import REPORTER_ROLES
from reports.tests import builders
from tests.factories import UserFactory
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

CHILD = make_test_identity_number(datetime.date(2014, 9, 1), 984).digits
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def other_teacher(world: World) -> User:
    """Another teacher at the same school as the author."""
    user = UserFactory.create(username="teacher2.leksand", municipality=world.municipality())
    organisation_services.membership_create(
        actor=None, user=user, unit=world.unit(UnitKind.SCHOOL), role=Role.REPORTER
    )
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


def with_file(report: ConcernReport) -> int:
    attachment = services_school.attachment_add(
        report=report,
        actor=report.author,
        upload=SimpleUploadedFile("notes.pdf", PDF, content_type="application/pdf"),
    )
    return attachment.pk


@pytest.fixture
def teacher_draft(world: World) -> ConcernReport:
    return builders.draft(world, child_identity_number=CHILD)


@pytest.fixture
def teacher_report(world: World) -> tuple[ConcernReport, int]:
    """A submitted report by the Leksand teacher, with one attached file."""
    report = builders.draft(world, child_identity_number=CHILD)
    attachment_id = with_file(report)
    report = services_school.report_submit(
        report=report, actor=report.author, submission_key=uuid.uuid4()
    )
    return report, attachment_id


def outsiders(world: World, allowed: list[User], other_teacher: User) -> list[tuple[User, int]]:
    return [(user, 404) for user in [*everyone_else(world, allowed), other_teacher]]


def test_new_report_and_my_reports_are_for_those_who_may_file(world, client, other_teacher):
    filers = [world.user(role, place) for place in ("leksand", "eksjo") for role in REPORTER_ROLES]
    for name in ("new", "my_reports"):
        assert_matrix(
            client,
            reverse(f"reports:{name}"),
            [
                (None, LOGIN),
                *((user, 200) for user in [*filers, other_teacher]),
                *((user, 404) for user in everyone_else(world, filers)),
            ],
        )


def test_the_school_list_is_for_principals(world, client, other_teacher):
    principals = [world.user(Role.PRINCIPAL), world.user(Role.PRINCIPAL, "eksjo")]
    assert_matrix(
        client,
        reverse("reports:school_reports"),
        [
            (None, LOGIN),
            *((user, 200) for user in principals),
            *outsiders(world, principals, other_teacher),
        ],
    )


@pytest.mark.parametrize("name", ["draft_edit", "draft_delete"])
def test_a_draft_is_its_authors_only(world, client, other_teacher, teacher_draft, name):
    author = world.user(Role.REPORTER)
    assert_matrix(
        client,
        reverse(f"reports:{name}", args=[teacher_draft.public_id]),
        [(None, LOGIN), (author, 200), *outsiders(world, [author], other_teacher)],
    )


def test_the_autosave_is_the_authors_only(world, client, other_teacher, teacher_draft):
    author = world.user(Role.REPORTER)
    assert_matrix(
        client,
        reverse("reports:draft_autosave", args=[teacher_draft.public_id]),
        # Logged out: 401, not the login page (htmx would show it in the status line).
        [(None, 401), *outsiders(world, [author], other_teacher), (author, 200)],
        method="post",
        data={"version": teacher_draft.version, "child_name": "Test"},
    )
    assert client.get(
        reverse("reports:draft_autosave", args=[teacher_draft.public_id])
    ).status_code in (302, 405)


def test_the_status_page_is_for_the_author_and_the_principal(
    world, client, other_teacher, teacher_report
):
    report, _ = teacher_report
    allowed = [world.user(Role.REPORTER), world.user(Role.PRINCIPAL)]
    assert_matrix(
        client,
        reverse("reports:status", args=[report.public_id]),
        [
            (None, LOGIN),
            *((user, 200) for user in allowed),
            *outsiders(world, allowed, other_teacher),
        ],
    )


@pytest.mark.parametrize("name", ["receipt", "supplement"])
def test_receipt_and_supplement_are_the_authors_only(
    world, client, other_teacher, teacher_report, name
):
    report, _ = teacher_report
    author = world.user(Role.REPORTER)
    assert_matrix(
        client,
        reverse(f"reports:{name}", args=[report.public_id]),
        [(None, LOGIN), (author, 200), *outsiders(world, [author], other_teacher)],
    )


def test_attachments_are_for_the_author_and_the_intake_not_the_principal(
    world, client, other_teacher, teacher_report
):
    report, attachment_id = teacher_report
    allowed = [world.user(Role.REPORTER), world.user(Role.INTAKE)]
    url = reverse("reports:attachment", args=[report.public_id, attachment_id])
    assert_matrix(
        client,
        url,
        [
            (None, LOGIN),
            *((user, 200) for user in allowed),
            *outsiders(world, allowed, other_teacher),
        ],
    )
    # Another report's id in the URL is no way in.
    other = builders.draft(world, child_identity_number=CHILD)
    client.force_login(world.user(Role.REPORTER))
    wrong = reverse("reports:attachment", args=[other.public_id, attachment_id])
    assert client.get(wrong).status_code == 404


def test_a_drafts_attachment_is_its_authors_only(world, client, other_teacher, teacher_draft):
    attachment_id = with_file(teacher_draft)
    author = world.user(Role.REPORTER)
    assert_matrix(
        client,
        reverse("reports:attachment", args=[teacher_draft.public_id, attachment_id]),
        [(None, LOGIN), (author, 200), *outsiders(world, [author], other_teacher)],
    )


def test_medical_student_healths_report_is_not_the_principals(world, client, other_teacher):
    nurse = world.user(Role.MEDICAL_STUDENT_HEALTH)
    report = builders.draft(world, author=nurse, child_identity_number=CHILD)
    attachment_id = with_file(report)
    report = services_school.report_submit(report=report, actor=nurse, submission_key=uuid.uuid4())
    assert report.school_unit == world.unit(UnitKind.SCHOOL)
    assert_matrix(
        client,
        reverse("reports:status", args=[report.public_id]),
        [(None, LOGIN), (nurse, 200), *outsiders(world, [nurse], other_teacher)],
    )
    assert_matrix(
        client,
        reverse("reports:attachment", args=[report.public_id, attachment_id]),
        [(nurse, 200), (world.user(Role.INTAKE), 200), (world.user(Role.PRINCIPAL), 404)],
    )
    client.force_login(world.user(Role.PRINCIPAL))
    page = client.get(reverse("reports:school_reports")).content.decode()
    assert report.reference not in page


def test_an_unknown_report_is_a_404_like_anothers(world, client):
    client.force_login(world.user(Role.REPORTER))
    missing = uuid.uuid4()
    for name in ("draft_edit", "draft_delete", "status", "receipt", "supplement"):
        assert client.get(reverse(f"reports:{name}", args=[missing])).status_code == 404
    assert client.get(reverse("reports:attachment", args=[missing, 1])).status_code == 404
