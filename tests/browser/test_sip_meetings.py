"""A network meeting on a coordinated plan, in a real browser with axe at 1366 and 320 px: the
school nurse who convened the plan records the meeting (who was there, minutes, the follow-up
and what was decided about an action) and sees it in the plan's list of meetings.

Demo mode spares everyone the two-factor code at login.
"""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from organisations.models import Role, UnitKind
from sip import services
from sip.models import ActionStatus, NetworkMeeting, Plan
from sip.policies import SipAction, plan_policy
from sip.tests.conftest import record_consent, start_plan
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.world import World

WIDE: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 320, "height": 640}


def _plan(world: World) -> Plan:
    plan = start_plan(world)
    nurse = world.user(Role.MEDICAL_STUDENT_HEALTH)
    permit = plan_policy.find(nurse, SipAction.EDIT, pk=plan.pk)
    assert permit is not None
    services.action_add(
        permit=permit,
        actor=nurse,
        data=services.ActionData(
            what="Samtalsstöd varannan vecka",
            party=world.unit(UnitKind.HEALTH_REGION_CLINIC),
            due_on=timezone.localdate() + datetime.timedelta(days=14),
        ),
    )
    record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    Plan.objects.filter(pk=plan.pk).update(
        status="active", follow_up_on=timezone.localdate(), needs="Stöd i skolan"
    )
    return plan


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None
    assert width <= viewport["width"], f"{page.url} scrolls sideways ({width} px)"


@pytest.mark.parametrize("size", [WIDE, PHONE], ids=["1366", "320"])
@override_settings(DEMO_MODE=True)
def test_the_nurse_holds_a_network_meeting(
    page: Page, log_in: LogIn, world: World, size: ViewportSize
) -> None:
    plan = _plan(world)
    page.set_viewport_size(size)
    log_in(world.user(Role.MEDICAL_STUDENT_HEALTH).username)
    page.goto(reverse("sip:meetings", args=[plan.public_id]))
    expect(page.get_by_text("Inget nätverksmöte är registrerat ännu.")).to_be_visible()
    check_axe(page)
    _fits(page)

    page.get_by_role("link", name="Registrera nätverksmöte").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Registrera nätverksmöte")
    check_axe(page)
    _fits(page)
    page.get_by_label("Mötet hölls den").fill(timezone.localdate().isoformat())
    clinic = world.user(Role.SIP_PARTICIPANT).get_full_name()
    page.get_by_label(clinic).check()
    page.get_by_label("Minnesanteckningar").fill("Vi gick igenom hur det går i skolan.")
    page.get_by_label("Beslut").fill("Samtalen fortsätter.")
    page.get_by_label("Planen följdes upp på det här mötet").check()
    page.get_by_label("Nästa uppföljning").fill(
        (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    )
    page.get_by_label("Pågår", exact=True).check()
    page.get_by_role("button", name="Spara").click()

    expect(page.get_by_text("Nätverksmötet registrerades.")).to_be_visible()
    expect(page.get_by_text("Vi gick igenom hur det går i skolan.")).to_be_visible()
    check_axe(page)
    _fits(page)
    meeting = NetworkMeeting.objects.get()
    assert meeting.is_follow_up
    assert plan.actions.get().status == ActionStatus.ONGOING

    page.get_by_role("link", name="Alla planens nätverksmöten").click()
    row = page.get_by_role("row").filter(has_text="1 person")
    expect(row).to_contain_text("Planen följdes upp")
    check_axe(page)
    _fits(page)
