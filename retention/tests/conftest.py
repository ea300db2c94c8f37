"""Closed records for the retention tests, made through the services as in real use."""

import datetime

from django.core.files.base import ContentFile

from core.personnummer import make_test_identity_number
from organisations.models import Role, UnitKind
from reports.models import Attachment, ConcernReport, ReportStatus
from reports.tests.builders import ARRIVAL, advance, submitted
from retention.models import RecordType, RetentionRule
from retention.rules import rules_for
from sip import services as sip_services
from sip.models import CloseReason, Plan
from sip.policies import SipAction, plan_policy
from sip.tests.conftest import record_consent, start_plan
from tests.world import World

# Five years and a day after the test reports were closed (ARRIVAL + a few hours).
TODAY = datetime.date(2031, 3, 3)


def identity(day: int, serial: int = 981) -> str:
    return make_test_identity_number(datetime.date(2014, 4, day), serial).digits


def closed_report(
    world: World, *, day: int = 6, arrival: datetime.datetime = ARRIVAL, attachment: bool = False
) -> ConcernReport:
    """A closed report from the Leksand school about a child born on ``day`` April 2014."""
    report = submitted(world, now=arrival, child_identity_number=identity(day))
    if attachment:
        Attachment.objects.create(
            report=report,
            file=ContentFile(b"%PDF-1.4 a scanned letter", name="Brev om Testa.pdf"),
            original_name="Brev om Testa.pdf",
            content_type="application/pdf",
            size=25,
            uploaded_by=report.author,
        )
    report = advance(report, ReportStatus.CLOSED, intake=world.user(Role.INTAKE), now=arrival)
    assert report.status == ReportStatus.CLOSED
    return report


def closed_plan(world: World, *, when: datetime.datetime = ARRIVAL) -> Plan:
    """A plan convened by the medical student health, with a consent, closed at ``when``."""
    plan = start_plan(world)
    record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    nurse = world.user(Role.MEDICAL_STUDENT_HEALTH)
    permit = plan_policy.find(nurse, SipAction.MANAGE, pk=plan.pk)
    assert permit is not None
    sip_services.plan_close(
        permit=permit, actor=nurse, reason=CloseReason.GOALS_MET, note="Målen nådda."
    )
    # Memberships start today, so the plan is made now and its clock set back.
    Plan.objects.filter(pk=plan.pk).update(closed_at=when, updated_at=when)
    return Plan.objects.get(pk=plan.pk)


def rule(
    world: World, record_type: str = RecordType.REPORT, place: str = "leksand"
) -> RetentionRule:
    return rules_for(world.municipality(place))[record_type]
