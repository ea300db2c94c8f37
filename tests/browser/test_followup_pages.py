"""The follow-up in a real browser with the demo data: axe on the dashboard, the indicator
catalogue and the board member's start page, at 1366 px and at 320 px, where nothing may
scroll sideways."""

from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from followup import demo as followup_demo
from governance import demo as governance_demo
from organisations import demo as organisations_demo
from organisations.demo import DEMO_PASSWORD
from reports import demo as reports_demo
from sip import demo as sip_demo
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.demo_snapshot import load_demo
from wheel import demo as wheel_demo

WIDTHS = (1366, 320)


@pytest.fixture
def demo(transactional_db: None) -> Iterator[None]:  # noqa: ARG001 - committed data for the live server
    today = timezone.localdate()
    load_demo(
        (organisations_demo, reports_demo, governance_demo, wheel_demo, sip_demo, followup_demo),
        today=today,
    )
    with override_settings(DEMO_MODE=True):
        yield


def visit(page: Page, url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    expect(page.locator("h1")).to_have_count(1)
    check_axe(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{url} scrolls sideways at {width} px: {scroll_width}"


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_the_board_member_reads_the_follow_up(page: Page, log_in: LogIn, width: int) -> None:
    log_in("board.leksand", DEMO_PASSWORD)
    visit(page, "/", width)
    expect(page.get_by_text("Så går samverkan i Leksand")).to_be_visible()
    visit(page, reverse("followup:dashboard"), width)
    expect(page.locator("#indicators-heading")).to_be_visible()
    expect(page.locator("svg.trend-chart").first).to_be_visible()
    expect(page.locator("#sip-sectors-caption")).to_be_visible()  # the demo's plans, counted
    visit(page, reverse("followup:dashboard") + "?period=month&month=2026-13", width)
    expect(page.get_by_role("alert")).to_contain_text("Perioden kunde inte läsas")
    visit(page, reverse("followup:catalogue"), width)
    expect(page.locator("#decision_days_median-heading")).to_have_text("Dagar till beslut, median")


@pytest.mark.usefixtures("demo")
def test_the_coordinator_sets_a_target(page: Page, log_in: LogIn) -> None:
    log_in("coordinator.leksand", DEMO_PASSWORD)
    visit(page, reverse("followup:targets"), 1366)
    page.get_by_label("Planerade möten som hölls").fill("75")
    page.get_by_role("button", name="Spara målen").click()
    expect(page.locator(".message--success")).to_contain_text("Målen är sparade")
    visit(page, reverse("followup:targets"), 320)
    page.get_by_label("Planerade möten som hölls").fill("150")
    page.get_by_role("button", name="Spara målen").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check_axe(page)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_the_coordinator_sees_what_to_do_before_the_next_board_report(
    page: Page, log_in: LogIn, width: int
) -> None:
    log_in("coordinator.leksand", DEMO_PASSWORD)
    visit(page, "/", width)
    expect(page.get_by_role("heading", name="Inför nästa återrapportering")).to_be_visible()
    expect(page.get_by_text("Försenade åtgärder efter granskningar")).to_be_visible()


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_the_municipal_admin_decides_on_the_name_in_comparisons(
    page: Page, log_in: LogIn, width: int
) -> None:
    log_in("admin.leksand", DEMO_PASSWORD)
    visit(page, "/", width)
    page.get_by_role("link", name="Namn i andra kommuners jämförelser").first.click()
    expect(page.locator("h1")).to_contain_text("Får Leksand namnges")
    check_axe(page)
    page.get_by_role("button", name="Spara svaret").click()  # the demo's answer is yes
    expect(page.locator(".messages")).to_contain_text("Inget ändrades")
    page.get_by_label("Nej, visa oss utan namn").check()
    page.get_by_role("button", name="Spara svaret").click()
    expect(page.locator(".message--success")).to_contain_text("utan namn")
    check_axe(page)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_the_manager_reads_their_sector(page: Page, log_in: LogIn, width: int) -> None:
    # The demo manager sits at the education administration, with the schools below it.
    log_in("manager.leksand", DEMO_PASSWORD)
    visit(page, "/", width)
    expect(page.get_by_text("Sektorn Skola i Leksand").first).to_be_visible()
    visit(page, reverse("followup:dashboard"), width)
    expect(page.locator("h1")).to_contain_text("sektorn Skola")
    expect(page.locator("#id_sector")).to_have_value("school")
    expect(page.locator("#indicators-heading")).to_have_text("Indikatorer för sektorn Skola")
    expect(page.get_by_text("Redovisas inte per sektor").first).to_be_visible()
    page.locator("#id_sector").select_option("social_services")
    page.get_by_role("button", name="Visa", exact=True).click()
    expect(page.locator("#indicators-heading")).to_have_text("Indikatorer för sektorn Socialtjänst")
    check_axe(page)
    visit(page, reverse("followup:dashboard") + "?sector=nonsense", width)
    expect(page.get_by_role("alert")).to_contain_text("Sektorn kunde inte läsas")
