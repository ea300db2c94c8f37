"""The consent gate: a party sees a plan only while a consent in force covers its unit; the
access log names the consent; withdrawal and expiry take effect on the next request."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from access.models import AccessLog
from access.policies import NotPermitted, access_log_batch, rule_label
from organisations.models import Role, UnitKind
from sip import services
from sip.models import Plan
from sip.policies import CONVENER_RULE, PARTY_RULE, SipAction, plan_policy
from sip.tests.conftest import record_consent
from tests.world import World


def _sees(user, plan: Plan) -> bool:
    return plan_policy.find(user, SipAction.VIEW, pk=plan.pk) is not None


def test_without_consent_only_the_convener_sees_the_plan(world: World, plan: Plan) -> None:
    assert _sees(world.user(Role.MEDICAL_STUDENT_HEALTH), plan)
    for role in Role.values:
        if role != Role.MEDICAL_STUDENT_HEALTH:
            assert not _sees(world.user(role), plan), role
        assert not _sees(world.user(role, "eksjo"), plan), role


def test_a_consent_opens_the_plan_to_the_parties_it_covers_and_only_them(
    world: World, plan: Plan
) -> None:
    consent = record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    clinic = world.user(Role.SIP_PARTICIPANT)
    permit = plan_policy.find(clinic, SipAction.VIEW, pk=plan.pk)
    assert permit is not None
    assert permit.grant.rule == PARTY_RULE
    assert permit.logged_rule == f"{PARTY_RULE}:{consent.reference}"
    assert consent.reference in rule_label(permit.logged_rule)
    # The intake takes part, but the consent does not cover it.
    assert not _sees(world.user(Role.INTAKE), plan)
    # The principal's unit is no party: nothing.
    assert not _sees(world.user(Role.PRINCIPAL), plan)
    # The coordinator, manager and board see counts only.
    for role in (Role.COORDINATOR, Role.MANAGER, Role.BOARD_MEMBER, Role.MUNICIPAL_ADMIN):
        assert not plan_policy.visible(world.user(role), SipAction.VIEW).exists()


def test_a_lists_reads_name_the_consent_in_the_access_log(world: World, plan: Plan) -> None:
    consent = record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC, UnitKind.INTAKE)
    intake = world.user(Role.INTAKE)
    with access_log_batch():
        shown = list(plan_policy.visible(intake, SipAction.VIEW))
    assert shown == [plan]
    row = AccessLog.objects.get(user=intake)
    assert row.rule == f"{PARTY_RULE}:{consent.reference}"
    assert row.child_ref == plan.child_ref
    nurse = world.user(Role.MEDICAL_STUDENT_HEALTH)
    with access_log_batch():
        list(plan_policy.visible(nurse, SipAction.VIEW))
    assert AccessLog.objects.get(user=nurse).rule == CONVENER_RULE


def test_withdrawal_ends_access_on_the_next_request(world: World, plan: Plan) -> None:
    consent = record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    clinic = world.user(Role.SIP_PARTICIPANT)
    assert _sees(clinic, plan)
    nurse = world.user(Role.MEDICAL_STUDENT_HEALTH)
    permit = plan_policy.find(nurse, SipAction.VIEW, pk=plan.pk)
    assert permit is not None
    services.consent_withdraw(
        permit=permit, actor=nurse, consent_id=consent.pk, withdrawn_by="Karin Testsson"
    )
    assert not _sees(clinic, plan)
    assert not plan_policy.visible(clinic, SipAction.VIEW).exists()
    assert not plan_policy.visible(clinic, SipAction.EDIT).exists()
    # What the former party may still learn: that their access ended (no content).
    assert plan_policy.find(clinic, SipAction.ENDED, pk=plan.pk) is not None
    # The convener keeps the plan it holds.
    assert _sees(nurse, plan)


def test_expiry_and_a_future_start(world: World, plan: Plan) -> None:
    today = timezone.localdate()
    record_consent(
        world,
        plan,
        UnitKind.HEALTH_REGION_CLINIC,
        valid_from=today,
        valid_until=today + datetime.timedelta(days=10),
    )
    record_consent(world, plan, UnitKind.INTAKE, valid_from=today + datetime.timedelta(days=5))
    clinic, intake = world.user(Role.SIP_PARTICIPANT), world.user(Role.INTAKE)
    assert _sees(clinic, plan)
    assert not _sees(intake, plan)
    assert plan_policy.find(intake, SipAction.ENDED, pk=plan.pk) is None
    with time_machine.travel(today + datetime.timedelta(days=6, hours=12)):
        assert _sees(clinic, plan)
        assert _sees(intake, plan)
    with time_machine.travel(today + datetime.timedelta(days=11, hours=12)):
        assert not _sees(clinic, plan)
        assert plan_policy.find(clinic, SipAction.ENDED, pk=plan.pk) is not None


def test_a_party_needs_to_be_named_at_the_covered_unit(world: World, plan: Plan) -> None:
    """Another account at the clinic, not named in the plan, sees nothing."""
    from organisations import services as org_services
    from tests.factories import UserFactory

    record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    colleague = UserFactory.create(municipality=world.municipality())
    org_services.membership_create(
        actor=None,
        user=colleague,
        unit=world.unit(UnitKind.HEALTH_REGION_CLINIC),
        role=Role.SIP_PARTICIPANT,
    )
    assert not _sees(colleague, plan)


def test_only_the_convener_manages(world: World, plan: Plan) -> None:
    record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    clinic = world.user(Role.SIP_PARTICIPANT)
    assert plan_policy.find(clinic, SipAction.EDIT, pk=plan.pk) is not None
    assert plan_policy.find(clinic, SipAction.MANAGE, pk=plan.pk) is None
    permit = plan_policy.find(clinic, SipAction.VIEW, pk=plan.pk)
    assert permit is not None
    consent = plan.consents.get()
    with pytest.raises(NotPermitted):
        services.consent_withdraw(
            permit=permit, actor=clinic, consent_id=consent.pk, withdrawn_by="X"
        )
