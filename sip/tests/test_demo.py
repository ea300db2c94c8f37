"""The demo plans (``sip.demo``): built on the organisations' and the reports' demos, every state
in each municipality, the withdrawn consent closing the plan to the clinic, loading twice adds
nothing, and the follow-up counts them."""

import datetime

import pytest
from django.utils import timezone

from followup.periods import Period, PeriodKind, add_months, month_start
from followup.rollups import rebuild
from followup.selectors import dashboard
from organisations import demo as organisations_demo
from organisations.models import Municipality, User
from reports import demo as reports_demo
from sip import demo as sip_demo
from sip.models import (
    CloseReason,
    Consent,
    NetworkMeeting,
    ParticipantKind,
    Plan,
    PlanState,
)
from sip.policies import SipAction, plan_policy


@pytest.mark.django_db
def test_the_demo_plans_are_in_every_state_and_load_once() -> None:
    today = timezone.localdate()
    organisations_demo.load(today=today)
    reports_demo.load(today=today)
    assert sip_demo.load(today=today) == 14
    assert sip_demo.load(today=today) == 0
    assert Plan.objects.count() == 14

    for key, code in sip_demo.PLACES.items():
        municipality = Municipality.objects.get(code=code)
        plans = list(Plan.objects.filter(municipality=municipality))
        states = sorted(plan.state(today) for plan in plans)
        assert states == sorted(
            [
                PlanState.PROPOSED,
                PlanState.DRAFT,
                PlanState.FOLLOW_UP_DUE,
                PlanState.ACTIVE,
                PlanState.ACTIVE,
                PlanState.CLOSED,
                PlanState.CLOSED,
            ]
        ), key
        closed = {plan.close_reason for plan in plans if plan.state(today) == PlanState.CLOSED}
        assert closed == {CloseReason.GOALS_MET, CloseReason.CONSENT_WITHDRAWN}
        from_report = [plan for plan in plans if plan.report_id is not None]
        assert len(from_report) == 1
        assert any(action.is_overdue(today) for action in from_report[0].actions.all())
        assert NetworkMeeting.objects.filter(plan__municipality=municipality).exists()
        kinds = set(
            Plan.objects.filter(municipality=municipality).values_list(
                "participants__kind", flat=True
            )
        )
        assert {ParticipantKind.GUARDIAN, ParticipantKind.CHILD} <= kinds
        # The dates are relative to today: the demo stays fresh.
        started = [plan.started_at for plan in plans if plan.started_at is not None]
        assert max(started).date() >= today - datetime.timedelta(days=4)

        withdrawn = Consent.objects.get(plan__municipality=municipality, withdrawn_at__isnull=False)
        assert withdrawn.plan is not None
        clinic = User.objects.get(username=f"bup.{key}")
        assert plan_policy.find(clinic, SipAction.VIEW, pk=withdrawn.plan.pk) is None
        assert plan_policy.find(clinic, SipAction.ENDED, pk=withdrawn.plan.pk) is not None
        # Through the other consents it still sees the plans it takes part in.
        assert plan_policy.visible(clinic, SipAction.VIEW).count() == 3

    rebuild()
    leksand = Municipality.objects.get(code="2029")
    end = add_months(month_start(today), 1)
    year = Period(PeriodKind.CUSTOM, add_months(end, -12), end)
    values = dashboard(leksand, year, today=today).values
    assert values["sip_started"].text == "6"  # the proposal waiting has not started
    assert values["sip_responsible_named"].text == "<5"  # 3 active plans
