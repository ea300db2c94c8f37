"""The permission matrix of every plan page: anonymous, the roles allowed, everyone else of
both municipalities (a 404 alike for "not there" and "not yours")."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from organisations.models import Role, UnitKind
from sip.models import Plan
from sip.tests.conftest import record_consent
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_set_up", "english")]

# The plan's views by who may open them: the content (the convener and a party through a
# consent), the management (the convener only).
CONTENT = ["sip:plan_detail", "sip:plan_history", "sip:plan_edit", "sip:action_add"]
MANAGEMENT = [
    "sip:plan_activate",
    "sip:plan_close",
    "sip:participant_add",
    "sip:consent_record",
]


@pytest.fixture
def consented(world: World, plan: Plan) -> Plan:
    """The plan with a consent covering the clinic (whose participant is named)."""
    record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    return plan


def _expect(world: World, allowed: list, ok: int = 200) -> list:
    return [(None, LOGIN), *((user, ok) for user in allowed)] + [
        (user, 404) for user in everyone_else(world, allowed)
    ]


@pytest.mark.parametrize("name", CONTENT)
def test_the_content_is_for_the_convener_and_the_parties(
    client: Client, world: World, consented: Plan, name: str
) -> None:
    allowed = [world.user(Role.MEDICAL_STUDENT_HEALTH), world.user(Role.SIP_PARTICIPANT)]
    assert_matrix(client, reverse(name, args=[consented.public_id]), _expect(world, allowed))


def test_an_action_is_changed_by_the_convener_and_the_parties(
    client: Client, world: World, consented: Plan
) -> None:
    from sip import services
    from sip.policies import SipAction, plan_policy

    nurse = world.user(Role.MEDICAL_STUDENT_HEALTH)
    action = services.action_add(
        permit=plan_policy.require(nurse, SipAction.EDIT, consented),
        actor=nurse,
        data=services.ActionData(what="Samtal", party_name="Föräldrarna"),
    )
    allowed = [nurse, world.user(Role.SIP_PARTICIPANT)]
    url = reverse("sip:action_edit", args=[consented.public_id, action.pk])
    assert_matrix(client, url, _expect(world, allowed))


@pytest.mark.parametrize("name", MANAGEMENT)
def test_management_is_for_the_convener(
    client: Client, world: World, consented: Plan, name: str
) -> None:
    allowed = [world.user(Role.MEDICAL_STUDENT_HEALTH)]
    assert_matrix(client, reverse(name, args=[consented.public_id]), _expect(world, allowed))


def test_removing_a_participant_and_withdrawing_a_consent_are_the_conveners(
    client: Client, world: World, plan: Plan
) -> None:
    consent = record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    allowed = [world.user(Role.MEDICAL_STUDENT_HEALTH)]
    participant = plan.participants.get(user=world.user(Role.INTAKE))
    url = reverse("sip:participant_remove", args=[plan.public_id, participant.pk])
    assert_matrix(client, url, _expect(world, allowed))
    url = reverse("sip:consent_withdraw", args=[plan.public_id, consent.public_id])
    assert_matrix(client, url, _expect(world, allowed))


def test_the_list_is_for_every_logged_in_user(client: Client, world: World) -> None:
    everyone = everyone_else(world, [])
    assert_matrix(
        client, reverse("sip:plan_list"), [(None, LOGIN), *((user, 200) for user in everyone)]
    )


def test_starting_is_for_conveners_and_proposing_for_student_health_and_principals(
    client: Client, world: World
) -> None:
    conveners = [
        world.user(role, place)
        for place in ("leksand", "eksjo")
        for role in (Role.MEDICAL_STUDENT_HEALTH, Role.INTAKE, Role.SIP_PARTICIPANT)
    ]
    assert_matrix(client, reverse("sip:plan_start"), _expect(world, conveners))
    proposers = [
        world.user(role, place)
        for place in ("leksand", "eksjo")
        for role in (Role.STUDENT_HEALTH, Role.PRINCIPAL)
    ]
    assert_matrix(client, reverse("sip:plan_propose"), _expect(world, proposers))


def test_a_proposal_is_for_its_proposer_and_the_unit_asked(client: Client, world: World) -> None:
    from sip import services

    counsellor = world.user(Role.STUDENT_HEALTH)
    proposal = services.plan_propose(
        actor=counsellor,
        from_unit=world.unit(UnitKind.STUDENT_HEALTH),
        to_unit=world.unit(UnitKind.MEDICAL_STUDENT_HEALTH),
        child=services.ChildData(name="Nils Förslag", birth_date=datetime.date(2013, 2, 2)),
        reason="Många kontakter",
    )
    nurse = world.user(Role.MEDICAL_STUDENT_HEALTH)
    url = reverse("sip:proposal_detail", args=[proposal.public_id])
    assert_matrix(client, url, _expect(world, [counsellor, nurse]))
    # Answering: only the unit asked (a decline without a note shows the form again).
    decline = reverse("sip:proposal_decline", args=[proposal.public_id])
    assert_matrix(client, decline, _expect(world, [nurse]), method="post")
    accept = reverse("sip:proposal_accept", args=[proposal.public_id])
    assert_matrix(
        client,
        accept,
        [(None, LOGIN), *((user, 404) for user in everyone_else(world, [nurse]))],
        method="post",
    )
    assert_matrix(client, accept, [(nurse, 302)], method="post")
