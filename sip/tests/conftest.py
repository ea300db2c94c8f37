import datetime

import pytest
from django.utils import timezone

from organisations.models import Role, UnitKind
from sip import services
from sip.models import ConsentMethod, ParticipantKind, Plan
from sip.policies import SipAction, plan_policy
from tests.world import World


def start_plan(world: World, place: str = "leksand") -> Plan:
    """A draft plan convened by the school nurse, with the clinic's SIP participant and the
    intake's social worker named as participants (no consent yet)."""
    nurse = world.user(Role.MEDICAL_STUDENT_HEALTH, place)
    plan = services.plan_start(
        actor=nurse,
        unit=world.unit(UnitKind.MEDICAL_STUDENT_HEALTH, place),
        child=services.ChildData(name="Alva Testsson", birth_date=datetime.date(2015, 3, 1)),
    )
    permit = plan_policy.find(nurse, SipAction.MANAGE, pk=plan.pk)
    assert permit is not None
    parties = (
        (Role.SIP_PARTICIPANT, UnitKind.HEALTH_REGION_CLINIC),
        (Role.INTAKE, UnitKind.INTAKE),
    )
    for role, kind in parties:
        user = world.user(role, place)
        services.participant_add(
            permit=permit,
            actor=nurse,
            data=services.ParticipantData(
                kind=ParticipantKind.PROFESSIONAL,
                name=user.get_full_name(),
                unit=world.unit(kind, place),
                user=user,
            ),
        )
    return plan


def record_consent(world: World, plan: Plan, *kinds: str, **dates: datetime.date | None):
    nurse = world.user(Role.MEDICAL_STUDENT_HEALTH)
    permit = plan_policy.find(nurse, SipAction.MANAGE, pk=plan.pk)
    assert permit is not None
    return services.consent_record(
        permit=permit,
        actor=nurse,
        data=services.ConsentData(
            guardians=["Karin Testsson"],
            method=ConsentMethod.WRITTEN,
            parties=[world.unit(kind) for kind in kinds],
            valid_from=dates.get("valid_from") or timezone.localdate(),
            valid_until=dates.get("valid_until"),
        ),
    )


@pytest.fixture
def plan(world: World) -> Plan:
    return start_plan(world)
