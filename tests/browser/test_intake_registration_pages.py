"""The intake registers a report that came by phone, and makes a decision, in a browser on the
demo data: the registration's two stages (a mistyped arrival in the future first), the anonymous
form that asks for nothing identifying, the written confirmation of the call, and the decision
form (reasons missing first) — axe on each, at 1366 px and at 320 px, where nothing may scroll
sideways (WCAG 1.4.10 reflow)."""

import datetime
from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from organisations import demo as organisations_demo
from organisations.demo import DEMO_PASSWORD
from reports import demo as reports_demo
from reports.models import ConcernReport, Decision, ReportSource, ReportStatus
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.demo_snapshot import load_demo

WIDTHS = (1366, 320)
WHAT_HAPPENED = "Polisen var hemma hos familjen i natt efter larm om bråk."
REASONS = "Familjen har redan stöd från öppenvården och ingen ny oro framkommer."


@pytest.fixture
def demo(transactional_db: None) -> Iterator[None]:  # noqa: ARG001 - committed data for the live server
    today = timezone.localdate()
    load_demo((organisations_demo, reports_demo), today=today)
    with override_settings(DEMO_MODE=True):
        yield


def check(page: Page, width: int) -> None:
    expect(page.locator("h1")).to_have_count(1)
    check_axe(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width} px: {scroll_width}"


def start(page: Page, width: int, who: str, how: str) -> None:
    """From the inbox to the form for ``who`` reported ``how`` (the Swedish labels)."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("reports:inbox"))
    page.get_by_role("link", name="Registrera en anmälan per telefon, brev eller e-post").click()
    check(page, width)
    page.get_by_label(who, exact=True).check()
    page.get_by_label(how, exact=True).check()
    page.get_by_role("button", name="Fortsätt").click()
    check(page, width)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_the_intake_registers_a_phone_call_from_the_police(
    page: Page, log_in: LogIn, width: int
) -> None:
    log_in("intake.leksand", DEMO_PASSWORD)
    start(page, width, "Polisen", "Telefonsamtal")
    page.get_by_label("Anmälarens namn").fill("Anna Polis")
    page.get_by_label("Myndighet eller organisation, och enhet").fill("Polisen, Mora")
    page.get_by_label("Anmälarens telefonnummer").fill("114 14")
    page.locator("#id_child_name").fill("Vide Testsson")
    page.locator("#id_child_approximate_age").fill("9")
    page.locator("input[name=acute_danger][value=no]").check()
    page.locator("input[name=categories][value=witnessing_violence]").check()
    page.locator("#id_what_happened").fill(WHAT_HAPPENED)
    # A call that came in tomorrow: refused, and what was typed stays.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.locator("#id_arrived_on").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Registrera anmälan").click()
    expect(page.locator(".error-summary")).to_contain_text("kan inte ligga i framtiden")
    expect(page.locator("#id_what_happened")).to_have_value(WHAT_HAPPENED)
    check(page, width)
    called = timezone.localtime() - datetime.timedelta(minutes=10)
    page.locator("#id_arrived_on").fill(called.date().isoformat())
    page.locator("#id_arrived_time").fill(called.strftime("%H:%M"))
    page.get_by_role("button", name="Registrera anmälan").click()
    expect(page.locator(".message--success")).to_contain_text("Anmälan är registrerad")
    check(page, width)
    report = ConcernReport.objects.get(source=ReportSource.POLICE, reporter_name="Anna Polis")
    assert report.status == ReportStatus.RECEIVED

    # The written confirmation of the call, on the report's page.
    page.locator("#id_confirm_in_writing-confirmed_on").fill(timezone.localdate().isoformat())
    page.locator("#step-confirm_in_writing button[type=submit]").click()
    expect(page.locator("#history-confirmed_in_writing")).to_be_visible()
    check(page, width)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_an_anonymous_caller_is_asked_for_nothing_identifying(
    page: Page, log_in: LogIn, width: int
) -> None:
    log_in("intake.leksand", DEMO_PASSWORD)
    start(page, width, "En privatperson som vill vara anonym", "Telefonsamtal")
    expect(page.locator("#anonymous-notice")).to_be_visible()
    for name in ("reporter_name", "reporter_phone", "reporter_email"):
        expect(page.locator(f"[name={name}]")).to_have_count(0)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_the_decision_form_asks_for_the_reasons_when_no_investigation_is_opened(
    page: Page, log_in: LogIn, width: int
) -> None:
    report = ConcernReport.objects.filter(
        municipality__code="2029", status=ReportStatus.PRELIMINARY_ASSESSMENT, extended_until=None
    ).first()
    assert report is not None
    log_in("intake.leksand", DEMO_PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("reports:intake_detail", args=[report.public_id]))
    check(page, width)
    # The usual delegation point and the user are filled in.
    expect(page.locator("#id_decide-delegation_point")).to_have_value(
        reports_demo.DELEGATION_POINTS["leksand"]
    )
    page.locator(f"input[name='decide-decision'][value={Decision.NOT_OPENED}]").check()
    page.locator("#id_decide-case_number").fill("IFO 2026/0815")
    page.locator("#step-decide button[type=submit]").click()
    summary = page.locator("#step-decide .error-summary")
    expect(summary).to_contain_text("Ange skälen till att utredning inte inleds.")
    expect(page.locator("#id_decide-case_number")).to_have_value("IFO 2026/0815")
    check(page, width)
    page.locator("#id_decide-reasons").fill(REASONS)
    page.locator("#step-decide button[type=submit]").click()
    history = page.locator("#history-decision")
    expect(history).to_contain_text(REASONS)
    expect(history).to_contain_text("IFO 2026/0815")
    expect(history).to_contain_text(reports_demo.DELEGATION_POINTS["leksand"])
    check(page, width)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_the_admin_keeps_the_usual_delegation_point(page: Page, log_in: LogIn, width: int) -> None:
    log_in("admin.leksand", DEMO_PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("reports:deadline_settings"))
    expect(page.locator("#delegation-point")).to_contain_text(
        reports_demo.DELEGATION_POINTS["leksand"]
    )
    expect(page.locator("#feedback-at-once")).to_be_visible()
    check(page, width)
    page.get_by_label("Vanlig delegationspunkt för beslut om utredning").fill("IFO punkt 4.1")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("#delegation-point")).to_contain_text("IFO punkt 4.1")
    check(page, width)
