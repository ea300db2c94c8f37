"""The plan pages: who sees what, the former party's page, query counts, the refusal of a
save over a newer one, double submits and bad input."""

import datetime
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access.models import AccessLog
from organisations.models import Role, UnitKind
from sip import services
from sip.models import ActionStatus, Consent, Plan, PlanStatus
from sip.policies import SipAction, plan_policy
from sip.tests.conftest import record_consent, start_plan
from tests.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_set_up", "english")]

OUTSIDERS = [
    (Role.MEDICAL_STUDENT_HEALTH, "eksjo"),
    (Role.INTAKE, "eksjo"),
    (Role.SIP_PARTICIPANT, "eksjo"),
    (Role.PRINCIPAL, "leksand"),
    (Role.COORDINATOR, "leksand"),
    (Role.REPORTER, "leksand"),
    (Role.STUDENT_HEALTH, "leksand"),
    (Role.MANAGER, "leksand"),
    (Role.MUNICIPAL_ADMIN, "leksand"),
]


def _routes(plan: Plan) -> list[str]:
    participant = plan.participants.first()
    assert participant is not None
    args = [plan.public_id]
    return [
        reverse("sip:plan_detail", args=args),
        reverse("sip:plan_history", args=args),
        reverse("sip:plan_edit", args=args),
        reverse("sip:plan_activate", args=args),
        reverse("sip:plan_close", args=args),
        reverse("sip:participant_add", args=args),
        reverse("sip:participant_remove", args=[plan.public_id, participant.pk]),
        reverse("sip:action_add", args=args),
        reverse("sip:consent_record", args=args),
    ]


def _nurse(world: World):
    return world.user(Role.MEDICAL_STUDENT_HEALTH)


def _filled(world: World, plan: Plan) -> Plan:
    """A plan with text, one action, the responsible and a follow-up date."""
    nurse = _nurse(world)
    permit = plan_policy.find(nurse, SipAction.EDIT, pk=plan.pk)
    assert permit is not None
    services.action_add(
        permit=permit,
        actor=nurse,
        data=services.ActionData(
            what="Samtal varannan vecka",
            party=world.unit(UnitKind.HEALTH_REGION_CLINIC),
            by_whom="Kuratorn",
            due_on=timezone.localdate() - datetime.timedelta(days=3),
            status=ActionStatus.ONGOING,
        ),
    )
    permit = plan_policy.find(nurse, SipAction.EDIT, pk=plan.pk)
    assert permit is not None
    plan.refresh_from_db()
    services.plan_update(
        permit=permit,
        actor=nurse,
        expected_version=plan.version,
        text=services.PlanText(
            needs="Stöd i skolan",
            goals="Närvaro",
            follow_up_on=timezone.localdate() + datetime.timedelta(days=30),
            responsible_id=plan.participants.filter(user=nurse).get().pk,
        ),
    )
    plan.refresh_from_db()
    return plan


def test_the_convener_sees_the_list_and_the_page(client: Client, world: World, plan: Plan) -> None:
    client.force_login(_nurse(world))
    response = client.get(reverse("sip:plan_list"))
    assert response.status_code == 200
    assert "Alva Testsson" in response.content.decode()
    response = client.get(reverse("sip:plan_detail", args=[plan.public_id]))
    assert response.status_code == 200
    assert AccessLog.objects.filter(user=_nurse(world), object_id=str(plan.pk)).count() == 2


@pytest.mark.parametrize(("role", "place"), OUTSIDERS)
def test_outsiders_get_404_on_every_plan_route(
    client: Client, world: World, plan: Plan, role: str, place: str
) -> None:
    record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC, UnitKind.INTAKE)
    client.force_login(world.user(role, place))
    for url in _routes(plan):
        assert client.get(url).status_code == 404, url
        # A GET-only page answers a POST with 405 before it looks anything up.
        assert client.post(url, {}).status_code in (404, 405), url
    assert "Alva Testsson" not in client.get(reverse("sip:plan_list")).content.decode()


def test_a_party_without_consent_gets_404(client: Client, world: World, plan: Plan) -> None:
    client.force_login(world.user(Role.SIP_PARTICIPANT))
    assert client.get(reverse("sip:plan_detail", args=[plan.public_id])).status_code == 404


def test_a_party_edits_but_does_not_manage(client: Client, world: World, plan: Plan) -> None:
    record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    client.force_login(world.user(Role.SIP_PARTICIPANT))
    assert client.get(reverse("sip:plan_detail", args=[plan.public_id])).status_code == 200
    assert client.get(reverse("sip:plan_edit", args=[plan.public_id])).status_code == 200
    assert client.get(reverse("sip:consent_record", args=[plan.public_id])).status_code == 404
    assert client.get(reverse("sip:plan_close", args=[plan.public_id])).status_code == 404


def test_after_withdrawal_a_former_party_sees_only_the_ended_page(
    client: Client, world: World, plan: Plan
) -> None:
    plan = _filled(world, plan)
    consent = record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    nurse = _nurse(world)
    permit = plan_policy.find(nurse, SipAction.VIEW, pk=plan.pk)
    assert permit is not None
    services.consent_withdraw(
        permit=permit, actor=nurse, consent_id=consent.pk, withdrawn_by="Karin Testsson"
    )
    clinic = world.user(Role.SIP_PARTICIPANT)
    client.force_login(clinic)
    before = AccessLog.objects.count()
    action = plan.actions.get()
    routes = [
        *_routes(plan),
        reverse("sip:action_edit", args=[plan.public_id, action.pk]),
        reverse("sip:consent_withdraw", args=[plan.public_id, consent.public_id]),
    ]
    for url in routes:
        for response in (client.get(url), client.post(url, {"needs": "x"})):
            if response.status_code == 405:  # a GET-only page
                continue
            assert response.status_code == 200, url
            page = response.content.decode()
            assert "Your access to the plan has ended" in page or "har upphört" in page
            for secret in ("Alva Testsson", "Testsson", "Stöd i skolan", "Samtal", plan.reference):
                assert secret not in page, (url, secret)
    assert AccessLog.objects.count() == before
    assert "Alva Testsson" not in client.get(reverse("sip:plan_list")).content.decode()
    # Nothing changed through the POSTs.
    plan.refresh_from_db()
    assert plan.needs == "Stöd i skolan"


def test_query_counts_do_not_grow(
    client: Client, world: World, plan: Plan, django_assert_max_num_queries
) -> None:
    nurse = _nurse(world)
    client.force_login(nurse)
    plan = _filled(world, plan)
    record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    client.get(reverse("sip:plan_list"))  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    list_url = reverse("sip:plan_list")
    page_url = reverse("sip:plan_detail", args=[plan.public_id])
    list_before, page_before = count(list_url), count(page_url)
    for _ in range(3):
        start_plan(world)
        _filled(world, plan)
    record_consent(world, plan, UnitKind.INTAKE)
    assert count(list_url) == list_before
    assert count(page_url) == page_before
    with django_assert_max_num_queries(30):
        client.get(page_url)


def test_a_save_over_a_newer_one_is_refused_and_keeps_the_typed_text(
    client: Client, world: World, plan: Plan
) -> None:
    client.force_login(_nurse(world))
    url = reverse("sip:plan_edit", args=[plan.public_id])
    stale = plan.version
    Plan.objects.filter(pk=plan.pk).update(version=stale + 1, needs="Sparat av någon annan")
    response = client.post(
        url, {"version": stale, "needs": "Mitt skrivna behov", "goals": "", "others_do": ""}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mitt skrivna behov" in page
    assert "Sparat av någon annan" in page
    plan.refresh_from_db()
    assert plan.needs == "Sparat av någon annan"


def test_a_double_submitted_start_makes_one_plan(client: Client, world: World) -> None:
    client.force_login(_nurse(world))
    data = {
        "once_key": str(uuid.uuid4()),
        "unit": world.unit(UnitKind.MEDICAL_STUDENT_HEALTH).pk,
        "child_name": "Ebba Dubbel",
        "child_birth_date": "2014-05-05",
    }
    first = client.post(reverse("sip:plan_start"), data)
    second = client.post(reverse("sip:plan_start"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Plan.objects.filter(child_name="Ebba Dubbel").count() == 1


def test_start_from_a_report_prefills_and_links(client: Client, world: World) -> None:
    from reports.tests import builders

    report = builders.submitted(world)
    nurse = _nurse(world)
    # The teacher wrote it: the nurse neither handles nor wrote it.
    client.force_login(nurse)
    url = reverse("sip:plan_start") + f"?report={report.public_id}"
    assert client.get(url).status_code == 404
    client.force_login(world.user(Role.INTAKE))
    detail = client.get(reverse("reports:intake_detail", args=[report.public_id]))
    assert url in detail.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert "Testa Testsson" in response.content.decode()
    response = client.post(
        reverse("sip:plan_start"),
        {
            "once_key": str(uuid.uuid4()),
            "report": str(report.public_id),
            "unit": world.unit(UnitKind.INTAKE).pk,
            "child_name": "Testa Testsson",
            "child_birth_date": "2012-03-15",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    started = Plan.objects.get(report=report)
    assert started.convening_unit == world.unit(UnitKind.INTAKE)
    page = client.get(response["Location"]).content.decode()
    assert reverse("reports:intake_detail", args=[report.public_id]) in page


def test_a_nurse_starts_a_plan_from_her_own_report(client: Client, world: World) -> None:
    from reports.tests import builders

    nurse = _nurse(world)
    report = builders.submitted(world, author=nurse)
    client.force_login(nurse)
    status = client.get(reverse("reports:status", args=[report.public_id])).content.decode()
    url = reverse("sip:plan_start") + f"?report={report.public_id}"
    assert url in status
    response = client.get(url)
    assert response.status_code == 200
    assert "Testa Testsson" in response.content.decode()
    # The teacher who wrote another report may not convene: no button, no page.
    teacher_report = builders.submitted(world)
    client.force_login(world.user(Role.REPORTER))
    teacher_page = client.get(reverse("reports:status", args=[teacher_report.public_id]))
    assert reverse("sip:plan_start") not in teacher_page.content.decode()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"once_key": "nonsense", "unit": "x", "child_name": "A", "child_birth_date": "2099-99-99"},
        {"once_key": str(uuid.uuid4()), "unit": "999999", "child_name": "A"},
        {"once_key": str(uuid.uuid4()), "child_name": "A", "child_identity_number": "12345"},
        {"once_key": str(uuid.uuid4()), "child_name": "\x00", "child_birth_date": "2090-01-01"},
    ],
)
def test_bad_input_never_500s(client: Client, world: World, plan: Plan, data: dict) -> None:
    client.force_login(_nurse(world))
    assert client.post(reverse("sip:plan_start"), data).status_code in (200, 302)
    for url in _routes(plan):
        assert client.post(url, data).status_code in (200, 302, 405), url
    assert client.get(reverse("sip:plan_list") + "?after=zz_zz").status_code == 200
    assert client.get(reverse("sip:plan_start") + "?report=nonsense").status_code == 404


def test_consent_form_asks_the_child_only_when_old_enough(
    client: Client, world: World, plan: Plan
) -> None:
    client.force_login(_nurse(world))
    url = reverse("sip:consent_record", args=[plan.public_id])
    assert 'name="child_gave"' not in client.get(url).content.decode()
    Plan.objects.filter(pk=plan.pk).update(child_birth_date=datetime.date(2008, 1, 1))
    assert 'name="child_gave"' in client.get(url).content.decode()


def test_record_and_withdraw_consent_through_the_pages(
    client: Client, world: World, plan: Plan
) -> None:
    client.force_login(_nurse(world))
    clinic = world.unit(UnitKind.HEALTH_REGION_CLINIC)
    response = client.post(
        reverse("sip:consent_record", args=[plan.public_id]),
        {
            "once_key": str(uuid.uuid4()),
            "guardian_1": "Karin Testsson",
            "method": "written",
            "parties": [clinic.pk],
            "valid_from": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(plan=plan)
    url = reverse("sip:consent_withdraw", args=[plan.public_id, consent.public_id])
    page = client.get(url).content.decode()
    assert clinic.name in page
    assert client.post(url, {"withdrawn_by": "Karin Testsson"}).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    detail = client.get(reverse("sip:plan_detail", args=[plan.public_id])).content.decode()
    assert "Karin Testsson" in detail


def test_propose_accept_and_decline(client: Client, world: World) -> None:
    counsellor = world.user(Role.STUDENT_HEALTH)
    client.force_login(counsellor)
    data = {
        "once_key": str(uuid.uuid4()),
        "child_name": "Nils Förslag",
        "child_birth_date": "2013-02-02",
        "from_unit": world.unit(UnitKind.STUDENT_HEALTH).pk,
        "to_unit": world.unit(UnitKind.MEDICAL_STUDENT_HEALTH).pk,
        "reason": "Många kontakter",
    }
    assert client.post(reverse("sip:plan_propose"), data).status_code == 302
    proposal = Plan.objects.get(child_name="Nils Förslag")
    assert proposal.status == PlanStatus.PROPOSED
    nurse_client = Client()
    nurse_client.force_login(_nurse(world))
    page = nurse_client.get(reverse("sip:plan_list")).content.decode()
    assert "Nils Förslag" in page
    response = nurse_client.post(reverse("sip:proposal_decline", args=[proposal.public_id]), {})
    assert response.status_code == 200
    response = nurse_client.post(
        reverse("sip:proposal_decline", args=[proposal.public_id]), {"note": "Inte nu"}
    )
    assert response.status_code == 302
    page = client.get(reverse("sip:proposal_detail", args=[proposal.public_id])).content.decode()
    assert "Inte nu" in page
    # The principal of the school (not the proposer) sees nothing of it.
    other = Client()
    other.force_login(world.user(Role.PRINCIPAL))
    assert other.get(reverse("sip:proposal_detail", args=[proposal.public_id])).status_code == 404


def test_activate_shows_the_gaps_then_activates_and_closes(
    client: Client, world: World, plan: Plan
) -> None:
    client.force_login(_nurse(world))
    url = reverse("sip:plan_activate", args=[plan.public_id])
    page = client.get(url).content.decode()
    assert "consent" in page.lower() or "samtycke" in page.lower()
    plan = _filled(world, plan)
    record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    assert client.post(url).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    close = reverse("sip:plan_close", args=[plan.public_id])
    assert client.post(close, {"reason": "other"}).status_code == 200
    assert client.post(close, {"reason": "goals_met"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
