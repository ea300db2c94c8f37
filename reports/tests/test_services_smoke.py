import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from organisations.models import Role, UnitKind
from organisations.selectors import memberships_of
from reports import services_intake, services_school
from reports.models import ConcernCategory, Decision, Feedback, GuardiansInformed, ReportStatus
from reports.tests.builders import DELEGATION

ARRIVAL = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def filled_draft(world, **values):
    teacher = world.user(Role.REPORTER)
    draft = services_school.report_draft_create(
        author=teacher,
        membership=memberships_of(teacher)[0],
        school_unit=world.unit(UnitKind.SCHOOL),
    )
    defaults = {
        "child_identity_number": "201203159809",
        "what_happened": "Eleven berättade om bråk hemma.",
        "acute_danger": False,
        "guardians_informed": GuardiansInformed.YES,
    }
    return services_school.report_draft_update(
        report=draft,
        actor=teacher,
        expected_version=draft.version,
        values={**defaults, **values},
        categories=[ConcernCategory.NEGLECT],
    )


def test_the_whole_path_from_draft_to_closed(world):
    teacher, intake = world.user(Role.REPORTER), world.user(Role.INTAKE)
    report = filled_draft(world)
    key = uuid.uuid4()
    report = services_school.report_submit(
        report=report, actor=teacher, submission_key=key, now=ARRIVAL
    )
    again = services_school.report_submit(
        report=report, actor=teacher, submission_key=key, now=ARRIVAL
    )
    assert again.pk == report.pk
    assert report.status == ReportStatus.SUBMITTED
    assert report.decision_due_at is not None
    assert report.decision_due_at.date() == datetime.date(2026, 3, 16)
    assert report.child_ref.startswith("c-")
    for step in (
        lambda r: services_intake.report_receive(report=r, actor=intake),
        lambda r: services_intake.report_assess_protection(
            report=r,
            actor=intake,
            immediate_protection_needed=False,
            justification="Ingen akut fara.",
        ),
        lambda r: services_intake.report_start_preliminary(report=r, actor=intake),
        lambda r: services_intake.report_decide(
            report=r, actor=intake, decision=Decision.OPENED, delegation_point=DELEGATION
        ),
        lambda r: services_intake.report_give_feedback(
            report=r, actor=intake, feedback=Feedback.OPENED
        ),
        lambda r: services_intake.report_close(report=r, actor=intake),
    ):
        report = step(report)
    assert report.status == ReportStatus.CLOSED
    assert report.next_due_at is None


def test_an_incomplete_draft_can_not_be_submitted(world):
    report = filled_draft(world, what_happened="")
    with pytest.raises(ValidationError) as raised:
        services_school.report_submit(
            report=report, actor=world.user(Role.REPORTER), submission_key=uuid.uuid4()
        )
    assert "what_happened" in raised.value.message_dict


def test_a_reporter_needs_two_factor_from_the_first_draft_on(world):
    from core.security import two_factor_required

    teacher = world.user(Role.REPORTER)
    assert not two_factor_required(teacher)
    report = filled_draft(world)
    assert two_factor_required(teacher)
    services_school.report_submit(report=report, actor=teacher, submission_key=uuid.uuid4())
    assert two_factor_required(teacher)
    assert not two_factor_required(world.user(Role.COORDINATOR))


def test_drafts_have_a_child_reference_for_the_access_log(world):
    report = filled_draft(world, child_identity_number="")
    assert report.child_ref.startswith("u-")
    with_number = filled_draft(world)
    assert with_number.child_ref.startswith("c-")
