"""The start pages of the people who file reports, in a real browser with the demo data, in
Swedish, at 1366 px and at 320 px (nothing may scroll sideways) and with axe: the teacher's,
the nurse's and the principal's start pages, and the admin's page for the numbers to call.
Each job of the page is one click away: the report form, the report behind a card, the report
behind a notification, the school's reports."""

from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from organisations import demo as organisations_demo
from organisations.demo import DEMO_PASSWORD
from reports import demo as reports_demo
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.demo_snapshot import load_demo
from wheel import demo as wheel_demo

WIDTHS = (1366, 320)


@pytest.fixture
def demo(transactional_db: None) -> Iterator[None]:  # noqa: ARG001 - committed data for the live server
    today = timezone.localdate()
    load_demo((organisations_demo, reports_demo, wheel_demo), today=today)
    with override_settings(DEMO_MODE=True):
        yield


def visit(page: Page, url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    expect(page.locator("h1")).to_have_count(1)
    check_axe(page)
    no_sideways_scroll(page, width)


def no_sideways_scroll(page: Page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width} px: {scroll_width}"


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_the_teacher_starts_with_the_button_and_the_numbers(
    page: Page, log_in: LogIn, width: int
) -> None:
    log_in("teacher.leksand", DEMO_PASSWORD)
    visit(page, "/", width)
    main = page.locator("main")
    button = main.get_by_role("link", name="Gör en orosanmälan")
    expect(button).to_be_visible()
    expect(main.get_by_role("link", name="112", exact=True)).to_have_attribute("href", "tel:112")
    expect(main.locator(".call-box")).to_contain_text("Socialtjänstens mottagning")
    expect(main.locator(".call-box")).to_contain_text("Socialjouren Dalarna")
    expect(main.get_by_role("link", name="070-174 06 05")).to_have_attribute(
        "href", "tel:+46701740605"
    )
    # The first card's steps, with the step under way named for a screen reader.
    card = main.locator(".report-card").first
    expect(card.locator("[aria-current=step]")).to_have_count(1)
    expect(card.locator(".steps__feedback")).to_contain_text("Återkoppling:")

    card.get_by_role("link").first.click()
    expect(page.locator("#report-progress .steps")).to_be_visible()
    check_axe(page)
    no_sideways_scroll(page, width)

    visit(page, "/", width)
    button.click()
    expect(page.locator("h1")).to_have_text("Ny orosanmälan")
    expect(page.locator("main .call-numbers").first).to_contain_text("Socialjouren Dalarna")
    check_axe(page)
    no_sideways_scroll(page, width)


@pytest.mark.usefixtures("demo")
def test_a_notification_opens_its_report(page: Page, log_in: LogIn) -> None:
    log_in("teacher.leksand", DEMO_PASSWORD)
    visit(page, reverse("core:notifications"), 320)
    link = page.locator("main table tbody a").first
    href = link.get_attribute("href") or ""
    assert href.startswith("/anmalan/status/")
    link.click()
    expect(page).to_have_url(f"{page.url.split('/anmalan/')[0]}{href}")
    expect(page.locator("h1")).to_contain_text("Anmälan")
    expect(page.locator("#report-feedback")).to_be_visible()
    check_axe(page)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_the_nurse_is_told_who_sees_her_reports(page: Page, log_in: LogIn, width: int) -> None:
    log_in("nurse.leksand", DEMO_PASSWORD)
    visit(page, "/", width)
    expect(page.locator("main .report-lead")).to_contain_text(
        "inte rektor och inte övriga i elevhälsan"
    )
    page.locator("main").get_by_role("link", name="Gör en orosanmälan").click()
    expect(page.locator("h1")).to_have_text("Ny orosanmälan")
    page.get_by_label("Barnets skola eller förskola").select_option(label="Åkerö skola 7–9")
    page.get_by_role("button", name="Påbörja anmälan").click()
    expect(page.locator("#medical-confidentiality")).to_contain_text(
        "Bara du och socialtjänsten kommer att se den här anmälan."
    )
    check_axe(page)
    no_sideways_scroll(page, width)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_the_principal_sees_what_is_new_and_the_next_meeting(
    page: Page, log_in: LogIn, width: int
) -> None:
    log_in("principal.eksjo", DEMO_PASSWORD)
    visit(page, "/", width)
    main = page.locator("main")
    expect(
        main.get_by_role("heading", name="Nytt från din skola de senaste 30 dagarna")
    ).to_be_visible()
    expect(main.get_by_role("heading", name="Nästa möte med mottagningen")).to_be_visible()
    main.locator("section[aria-labelledby=principal-meeting] a").click()
    expect(page.locator("h1")).to_contain_text("Mottagningen möter rektor")
    check_axe(page)

    visit(page, "/", width)
    main.locator(".report-card").first.get_by_role("link").first.click()
    expect(page.locator("#report-status")).to_be_visible()
    check_axe(page)
    no_sideways_scroll(page, width)

    visit(page, "/", width)
    main.get_by_role("link", name="Alla anmälningar från skolan").click()
    expect(page.locator("h1")).to_have_text("Anmälningar från min skola")
    check_axe(page)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_the_admin_keeps_the_numbers(page: Page, log_in: LogIn, width: int) -> None:
    log_in("admin.leksand", DEMO_PASSWORD)
    visit(page, "/", width)
    page.locator("main").get_by_role("link", name="Ändra numren för Leksand").click()
    expect(page.locator("h1")).to_have_text("Nummer att ringa om ett barn")
    check_axe(page)
    no_sideways_scroll(page, width)

    page.get_by_label("Mottagningens telefonnummer").fill("0247-80")
    page.get_by_role("button", name="Spara numren").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Numret har 6 siffror")
    check_axe(page)
    no_sideways_scroll(page, width)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Mottagningens telefonnummer")).to_be_focused()
    expect(page.get_by_label("Mottagningens telefonnummer")).to_have_value("0247-80")

    page.get_by_label("Mottagningens telefonnummer").fill("0247-802 00")
    page.get_by_role("button", name="Spara numren").click()
    expect(page.locator(".message--success")).to_contain_text("Numren för Leksand är sparade")
    expect(page.locator(".call-box")).to_contain_text("0247-802 00")
    check_axe(page)
