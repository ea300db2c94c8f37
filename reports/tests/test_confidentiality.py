"""Who sees what of a report of concern, through the one access layer (``report_policy``):
the object check (``find``) and the list filter (``visible``) must give the same answers."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from organisations import services as organisation_services
from organisations.models import Membership, Role, UnitKind
from organisations.selectors import forget_memberships
from reports.models import ReportStatus
from reports.policies import EDIT, FOLLOW, HANDLE, OWN, SUPPLEMENT, VIEW_OWN, report_policy
from reports.tests.builders import advance, draft, submitted
from tests.factories import UnitFactory, UserFactory

ACTIONS = (EDIT, OWN, VIEW_OWN, SUPPLEMENT, FOLLOW, HANDLE)

# Everyone of the matrix; the keys are used in the table below.
USERS = (
    "author",  # the teacher who wrote the teacher's reports
    "other_teacher",  # a reporter at the same school
    "principal",  # of the school the reports were filed from
    "other_principal",  # of another school in the same municipality
    "area_principal",  # over the schools of an area (role on a parent unit, with subtree)
    "nurse",  # medical student health: its own confidentiality domain
    "counsellor",  # student health
    "intake",
    "intake_eksjo",
    "principal_eksjo",
    "coordinator",
    "manager",
    "board",
    "auditor",
    "admin",
    "sip_participant",
)

# (report, action) -> who is allowed. Everything not listed: nobody.
ALLOWED: dict[tuple[str, str], set[str]] = {
    ("teacher_draft", EDIT): {"author"},
    ("teacher_draft", OWN): {"author"},
    ("teacher_report", OWN): {"author"},
    ("teacher_report", VIEW_OWN): {"author"},
    ("teacher_report", FOLLOW): {"principal", "area_principal"},
    ("teacher_report", SUPPLEMENT): {"author"},
    ("teacher_report", HANDLE): {"intake"},
    ("teacher_closed", OWN): {"author"},
    ("teacher_closed", VIEW_OWN): {"author"},
    ("teacher_closed", FOLLOW): {"principal", "area_principal"},
    ("teacher_closed", HANDLE): {"intake"},
    # Filed by the school nurse: never the principal's (OSL 25 kap. 1 §), nor student health's.
    ("nurse_report", OWN): {"nurse"},
    ("nurse_report", VIEW_OWN): {"nurse"},
    ("nurse_report", SUPPLEMENT): {"nurse"},
    ("nurse_report", HANDLE): {"intake"},
    ("nurse_draft", EDIT): {"nurse"},
    ("nurse_draft", OWN): {"nurse"},
    ("counsellor_report", OWN): {"counsellor"},
    ("counsellor_report", VIEW_OWN): {"counsellor"},
    ("counsellor_report", FOLLOW): {"principal", "area_principal"},
    ("counsellor_report", SUPPLEMENT): {"counsellor"},
    ("counsellor_report", HANDLE): {"intake"},
    # Filed from the other school of the area.
    ("other_school_report", FOLLOW): {"other_principal", "area_principal"},
    ("other_school_report", HANDLE): {"intake"},
}
REPORTS = sorted({report for report, _action in ALLOWED})


@pytest.fixture
def matrix(world):
    leksand = world.municipality()
    school = world.unit(UnitKind.SCHOOL)
    area = UnitFactory.create(
        municipality=leksand, name="Skolområde norr", kind=UnitKind.ADMINISTRATION
    )
    other_school = UnitFactory.create(
        municipality=leksand, name="Norrskolan", kind=UnitKind.SCHOOL, parent=area
    )
    organisation_services.unit_update(actor=None, unit=school, parent=area)

    def member(unit, role, **membership):
        user = UserFactory.create(municipality=leksand)
        organisation_services.membership_create(
            actor=None, user=user, unit=unit, role=role, **membership
        )
        return user

    users = {
        "author": world.user(Role.REPORTER),
        "other_teacher": member(school, Role.REPORTER),
        "principal": world.user(Role.PRINCIPAL),
        "other_principal": member(other_school, Role.PRINCIPAL),
        "area_principal": member(area, Role.PRINCIPAL, includes_subtree=True),
        "nurse": world.user(Role.MEDICAL_STUDENT_HEALTH),
        "counsellor": world.user(Role.STUDENT_HEALTH),
        "intake": world.user(Role.INTAKE),
        "intake_eksjo": world.user(Role.INTAKE, "eksjo"),
        "principal_eksjo": world.user(Role.PRINCIPAL, "eksjo"),
        "coordinator": world.user(Role.COORDINATOR),
        "manager": world.user(Role.MANAGER),
        "board": world.user(Role.BOARD_MEMBER),
        "auditor": world.user(Role.AUDITOR),
        "admin": world.user(Role.MUNICIPAL_ADMIN),
        "sip_participant": world.user(Role.SIP_PARTICIPANT),
    }
    other_reporter = member(other_school, Role.REPORTER)
    intake = users["intake"]
    reports = {
        "teacher_draft": draft(world),
        "teacher_report": submitted(world),
        "teacher_closed": advance(submitted(world), ReportStatus.CLOSED, intake=intake),
        "nurse_report": submitted(world, author=users["nurse"], school=school),
        "nurse_draft": draft(world, author=users["nurse"], school=school),
        "counsellor_report": submitted(world, author=users["counsellor"], school=school),
        "other_school_report": submitted(world, author=other_reporter, school=other_school),
    }
    for user in users.values():
        forget_memberships(user)
    return users, reports


def _expected(report: str, action: str) -> set[str]:
    return ALLOWED.get((report, action), set())


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", USERS)
def test_the_confidentiality_matrix(matrix, who, action):
    users, reports = matrix
    user = users[who]
    can_find = {
        key for key, report in reports.items() if report_policy.find(user, action, pk=report.pk)
    }
    listed = {report.pk for report in report_policy.visible(user, action)}
    expected = {key for key in REPORTS if who in _expected(key, action)}
    assert can_find == expected
    assert listed == {reports[key].pk for key in expected}


def test_the_matrix_covers_every_report_and_everyone():
    assert set(REPORTS) == {
        "teacher_draft",
        "teacher_report",
        "teacher_closed",
        "nurse_report",
        "nurse_draft",
        "counsellor_report",
        "other_school_report",
    }
    for allowed in ALLOWED.values():
        assert allowed <= set(USERS)


def test_the_grant_says_why(matrix):
    users, reports = matrix
    found = report_policy.find(users["principal"], FOLLOW, pk=reports["teacher_report"].pk)
    assert found is not None
    assert found.grant.rule == "principal_of_school"
    found = report_policy.find(users["intake"], HANDLE, pk=reports["teacher_report"].pk)
    assert found is not None
    assert found.grant.rule == "intake_of_municipality"
    assert found.grant.membership is not None


def test_a_report_about_a_child_in_another_municipality_goes_to_that_intake(world):
    teacher = world.user(Role.REPORTER)
    report = submitted(world, home_municipality=world.municipality("eksjo"))
    assert report_policy.find(world.user(Role.INTAKE, "eksjo"), HANDLE, pk=report.pk)
    assert report_policy.find(world.user(Role.INTAKE), HANDLE, pk=report.pk) is None
    # The school side still follows it.
    assert report_policy.find(teacher, VIEW_OWN, pk=report.pk)
    assert report_policy.find(world.user(Role.PRINCIPAL), FOLLOW, pk=report.pk)
    assert report_policy.find(world.user(Role.PRINCIPAL, "eksjo"), FOLLOW, pk=report.pk) is None
    assert list(report_policy.visible(world.user(Role.INTAKE), HANDLE)) == []
    # And the Eksjö intake works it.
    advance(report, ReportStatus.RECEIVED, intake=world.user(Role.INTAKE, "eksjo"))


def test_a_report_to_be_forwarded_stays_with_the_schools_intake(world):
    report = submitted(world, home_municipality=None, forward_to_name="Rättvik")
    assert report_policy.find(world.user(Role.INTAKE), HANDLE, pk=report.pk)
    assert report_policy.find(world.user(Role.INTAKE, "eksjo"), HANDLE, pk=report.pk) is None


def test_an_ended_role_or_a_deactivated_account_sees_nothing(world):
    report = submitted(world)
    intake, teacher = world.user(Role.INTAKE), world.user(Role.REPORTER)
    organisation_services.membership_end(actor=None, membership=intake.memberships.get())
    forget_memberships(intake)
    assert report_policy.find(intake, HANDLE, pk=report.pk) is None
    teacher.is_active = False
    assert report_policy.find(teacher, VIEW_OWN, pk=report.pk) is None
    assert not report_policy.visible(teacher, VIEW_OWN).exists()


def test_anonymous_users_see_nothing(world):
    report = submitted(world)
    for action in ACTIONS:
        assert report_policy.find(AnonymousUser(), action, pk=report.pk) is None  # type: ignore[arg-type]


# --- ended roles, and where a role's grant reaches ------------------------------------------------


def test_an_author_whose_reporting_role_ended_sees_nothing_of_their_reports(world):
    """Hole 1: the author's access needs a reporting role in force in that municipality; a
    role that never sees children (board member) gives back nothing."""
    teacher = world.user(Role.REPORTER)
    report = submitted(world)
    old_draft = draft(world)
    organisation_services.membership_end(actor=None, membership=teacher.memberships.get())
    organisation_services.membership_create(
        actor=None, user=teacher, unit=world.unit(UnitKind.MUNICIPAL_OFFICE), role=Role.BOARD_MEMBER
    )
    forget_memberships(teacher)
    for action in (EDIT, OWN, VIEW_OWN, SUPPLEMENT):
        assert report_policy.find(teacher, action, pk=report.pk) is None
        assert report_policy.find(teacher, action, pk=old_draft.pk) is None
        assert not report_policy.visible(teacher, action).exists()


def test_the_author_grant_names_the_reporting_role_and_unit(world):
    """Hole 7: author log rows carry the role and unit the author holds."""
    teacher = world.user(Role.REPORTER)
    report = submitted(world)
    found = report_policy.find(teacher, VIEW_OWN, pk=report.pk)
    assert found is not None
    assert found.grant.membership is not None
    assert found.grant.membership.role == Role.REPORTER
    assert found.grant.membership.unit == world.unit(UnitKind.SCHOOL)


def test_a_nurse_role_at_a_school_unit_stays_inside_medical_confidentiality(world):
    """Hole 2: the boundary is keyed on the role the author filed in, not only on the sector
    of the unit: a nurse given that role at a school unit files a report the principal must
    not see."""
    school = world.unit(UnitKind.SCHOOL)
    nurse = UserFactory.create(municipality=world.municipality())
    # The service refuses that role at a school unit now; a membership from before stays.
    with pytest.raises(ValidationError):
        organisation_services.membership_create(
            actor=None, user=nurse, unit=school, role=Role.MEDICAL_STUDENT_HEALTH
        )
    Membership.objects.create(user=nurse, unit=school, role=Role.MEDICAL_STUDENT_HEALTH)
    forget_memberships(nurse)
    report = submitted(world, author=nurse, school=school)
    assert report.author_sector != "medical_student_health"  # the unit is a school
    assert report_policy.find(nurse, VIEW_OWN, pk=report.pk) is not None
    assert report_policy.find(world.user(Role.PRINCIPAL), FOLLOW, pk=report.pk) is None
