"""The demo documents: Eksjö's expired agreement and stale action plan in red, Leksand's
routine in two versions with goals, roles and read confirmations; loading twice adds nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from access.models import AuditEvent
from governance import demo
from governance.models import GovernanceDocument, ReadConfirmation
from governance.selectors import AlertKind, document_statuses
from governance.shares import read_shares
from organisations import demo as organisations_demo
from organisations.models import User


@pytest.fixture
def loaded(db):  # noqa: ARG001 - asks pytest for the database
    today = timezone.localdate()
    organisations_demo.load(today=today)
    demo.load(today=today)
    return today


def _statuses(code, today):
    return {
        status.document.title: status
        for status in document_statuses(
            GovernanceDocument.objects.filter(municipality__code=code), today=today
        )
    }


def _counts():
    return (
        GovernanceDocument.objects.count(),
        ReadConfirmation.objects.count(),
        AuditEvent.objects.count(),
    )


def test_loading_twice_adds_nothing(loaded):
    first = _counts()
    assert first[0] == 3
    assert demo.load(today=loaded) == 0
    assert _counts() == first


def test_eksjo_agreement_expired_and_action_plan_overdue_both_red(loaded):
    statuses = _statuses("0686", loaded)
    agreement = statuses["Samverkansöverenskommelse mellan socialtjänst och skola"]
    assert {alert.kind for alert in agreement.alerts} >= {AlertKind.EXPIRED}
    assert agreement.current.valid_to.isoformat() == "2021-12-31"
    assert agreement.current.approved_on.year == 2017
    assert agreement.has_danger
    plan = statuses["Handlingsplan för samverkan"]
    kinds = {alert.kind for alert in plan.alerts}
    assert {AlertKind.REVISION_OVERDUE, AlertKind.MEASURE_OVERDUE} <= kinds
    assert plan.current.approved_on.isoformat().startswith("2018-05")
    assert plan.has_danger
    mandate = plan.document.municipality.governance_documents.get(
        title=agreement.document.title
    ).responsibilities.get(role_name="Samordnarfunktionen")
    assert "inte beslutat" in mandate.responsibility


@pytest.mark.usefixtures("demo_mode")
def test_leksand_routine_is_current_with_goals_and_a_diff(loaded, client):
    statuses = _statuses("2029", loaded)
    routine = statuses["Samverkansrutin skola – socialtjänst"]
    assert routine.alerts == []
    assert routine.current.number == 2
    assert (loaded - routine.current.approved_on).days < 365
    assert routine.current.approval_reference.startswith("KS ")
    keys = set(routine.document.goals.values_list("indicator_key", flat=True))
    assert {"feedback_on_time", "routine_confirmed"} <= keys
    client.force_login(User.objects.get(username="principal.leksand"))
    page = client.get(
        reverse("governance:version_diff", args=[routine.document.pk]),
        headers={"Accept-Language": "en"},
    ).content.decode()
    assert "<ins>" in page
    assert "Ungdomshälsan" in page


def test_the_principal_confirming_changes_the_leksand_share(loaded):
    from governance import services

    routine = GovernanceDocument.objects.get(municipality__code="2029")
    current = routine.versions.get(number=2)
    before = read_shares(routine, current, today=loaded).total
    assert before.confirmed.shown
    services.read_confirm(user=User.objects.get(username="principal.leksand"), version=current)
    after = read_shares(routine, current, today=loaded).total
    assert after.confirmed.value == before.confirmed.value + 1
    assert before.percent is not None
    assert after.percent is not None
    assert after.percent > before.percent
