"""Every SIP service asks the plan policy: an outsider's call — another municipality, the
wrong role, or a party holding a permit for a lesser action — is refused and changes nothing
(the same rule as ``tests/test_service_outsiders.py`` for the other apps)."""

import datetime
from collections.abc import Callable

import pytest
from django.utils import timezone

from access.models import AuditEvent
from access.policies import NotPermitted, Permit
from organisations.models import Role, UnitKind
from sip import services
from sip.models import ActionStatus, CloseReason, ConsentMethod, Plan
from sip.policies import SipAction, plan_policy
from sip.tests.conftest import record_consent, start_plan
from tests.world import World

CHILD = services.ChildData(name="Test Barn", birth_date=datetime.date(2016, 1, 2))


def _party_permit(world: World, plan: Plan, action: SipAction) -> Permit[Plan]:
    """The clinic's permit: a party with a consent in force may view and edit, not manage."""
    permit = plan_policy.find(world.user(Role.SIP_PARTICIPANT), action, pk=plan.pk)
    assert permit is not None
    return permit


def _proposer_permit(world: World) -> Permit[Plan]:
    counsellor = world.user(Role.STUDENT_HEALTH)
    proposal = services.plan_propose(
        actor=counsellor,
        from_unit=world.unit(UnitKind.STUDENT_HEALTH),
        to_unit=world.unit(UnitKind.MEDICAL_STUDENT_HEALTH),
        child=CHILD,
        reason="Behöver samordning.",
    )
    permit = plan_policy.find(counsellor, SipAction.PROPOSAL, pk=proposal.pk)
    assert permit is not None
    return permit


Call = Callable[[World, Plan], object]

CALLS: list[tuple[str, Call]] = [
    (
        "plan_start at another municipality's unit",
        lambda w, _p: services.plan_start(
            actor=w.user(Role.MEDICAL_STUDENT_HEALTH, "eksjo"),
            unit=w.unit(UnitKind.MEDICAL_STUDENT_HEALTH),
            child=CHILD,
        ),
    ),
    (
        "plan_start by a teacher",
        lambda w, _p: services.plan_start(
            actor=w.user(Role.REPORTER), unit=w.unit(UnitKind.SCHOOL), child=CHILD
        ),
    ),
    (
        "plan_propose by a teacher",
        lambda w, _p: services.plan_propose(
            actor=w.user(Role.REPORTER),
            from_unit=w.unit(UnitKind.SCHOOL),
            to_unit=w.unit(UnitKind.INTAKE),
            child=CHILD,
            reason="x",
        ),
    ),
    (
        "proposal_accept with the proposer's permit",
        lambda w, _p: services.proposal_accept(
            permit=_proposer_permit(w), actor=w.user(Role.STUDENT_HEALTH)
        ),
    ),
    (
        "proposal_decline with the proposer's permit",
        lambda w, _p: services.proposal_decline(
            permit=_proposer_permit(w), actor=w.user(Role.STUDENT_HEALTH), note="Nej."
        ),
    ),
    (
        "plan_update with a view permit",
        lambda w, p: services.plan_update(
            permit=_party_permit(w, p, SipAction.VIEW),
            actor=w.user(Role.SIP_PARTICIPANT),
            expected_version=p.version,
            text=services.PlanText(needs="x"),
        ),
    ),
    (
        "plan_activate by a party",
        lambda w, p: services.plan_activate(
            permit=_party_permit(w, p, SipAction.EDIT), actor=w.user(Role.SIP_PARTICIPANT)
        ),
    ),
    (
        "plan_close by a party",
        lambda w, p: services.plan_close(
            permit=_party_permit(w, p, SipAction.EDIT),
            actor=w.user(Role.SIP_PARTICIPANT),
            reason=CloseReason.GOALS_MET,
        ),
    ),
    (
        "participant_add by a party",
        lambda w, p: services.participant_add(
            permit=_party_permit(w, p, SipAction.EDIT),
            actor=w.user(Role.SIP_PARTICIPANT),
            data=services.ParticipantData(kind="guardian", name="X"),
        ),
    ),
    (
        "participant_remove by a party",
        lambda w, p: services.participant_remove(
            permit=_party_permit(w, p, SipAction.EDIT),
            actor=w.user(Role.SIP_PARTICIPANT),
            participant_id=p.participants.first().pk,  # type: ignore[union-attr]
        ),
    ),
    (
        "action_add with a view permit",
        lambda w, p: services.action_add(
            permit=_party_permit(w, p, SipAction.VIEW),
            actor=w.user(Role.SIP_PARTICIPANT),
            data=services.ActionData(what="x", party=w.unit(UnitKind.INTAKE)),
        ),
    ),
    (
        "consent_record by a party",
        lambda w, p: services.consent_record(
            permit=_party_permit(w, p, SipAction.EDIT),
            actor=w.user(Role.SIP_PARTICIPANT),
            data=services.ConsentData(
                guardians=["X"],
                method=ConsentMethod.ORAL,
                parties=[w.unit(UnitKind.INTAKE)],
                valid_from=timezone.localdate(),
            ),
        ),
    ),
    (
        "consent_withdraw by a party",
        lambda w, p: services.consent_withdraw(
            permit=_party_permit(w, p, SipAction.VIEW),
            actor=w.user(Role.SIP_PARTICIPANT),
            consent_id=p.consents.first().pk,  # type: ignore[union-attr]
            withdrawn_by="X",
        ),
    ),
]


@pytest.mark.parametrize("call", [call for _name, call in CALLS], ids=[n for n, _c in CALLS])
def test_an_outsiders_call_is_refused_and_changes_nothing(world: World, call: Call) -> None:
    plan = start_plan(world)
    record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    plan.refresh_from_db()
    events = AuditEvent.objects.count()
    with pytest.raises(NotPermitted):
        call(world, plan)
    # A proposal made to get the proposer's permit is the only event the call may add.
    assert AuditEvent.objects.exclude(event_type="sip_proposed").count() == events


def test_the_convener_can_do_what_the_outsiders_can_not(world: World) -> None:
    """The same calls by the convening nurse go through: the refusals above are the policy's."""
    plan = start_plan(world)
    record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    nurse = world.user(Role.MEDICAL_STUDENT_HEALTH)

    def manage() -> Permit[Plan]:
        permit = plan_policy.find(nurse, SipAction.MANAGE, pk=plan.pk)
        assert permit is not None
        return permit

    plan = services.plan_update(
        permit=manage(),
        actor=nurse,
        expected_version=manage().obj.version,
        text=services.PlanText(
            needs="Stöd i skolan och hemma.",
            follow_up_on=timezone.localdate() + datetime.timedelta(days=30),
            responsible_id=plan.participants.get(user=nurse).pk,
        ),
    )
    services.action_add(
        permit=manage(),
        actor=nurse,
        data=services.ActionData(
            what="Samtal varje vecka",
            party=world.unit(UnitKind.INTAKE),
            status=ActionStatus.ONGOING,
        ),
    )
    services.plan_activate(permit=manage(), actor=nurse)
    services.plan_close(permit=manage(), actor=nurse, reason=CloseReason.GOALS_MET)
    plan.refresh_from_db()
    assert plan.status == "closed"
    assert plan_policy.find(nurse, SipAction.VIEW, pk=plan.pk) is not None
