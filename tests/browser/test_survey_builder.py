"""Surveys in the browser: the Leksand coordinator builds a template with the keyboard,
previews it, creates a round, pastes the recipients and sends it; a respondent opens the link
on a 320 px phone, saves half-way, comes back on the same link, sends, and can not send again.
Axe on every page at 1366 and 320 px, where nothing may scroll sideways."""

import re
from collections.abc import Iterator

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from organisations import demo as organisations_demo
from organisations.demo import DEMO_PASSWORD
from surveys.models import Response
from tests.browser.axe import check_axe, serve_axe
from tests.browser.conftest import LogIn

WIDTHS = (1366, 320)


@pytest.fixture
def demo(transactional_db: None) -> Iterator[None]:  # noqa: ARG001 - committed data for the live server
    organisations_demo.load(today=timezone.localdate())
    with override_settings(DEMO_MODE=True):
        yield


def check(page: Page, width: int) -> None:
    expect(page.locator("h1")).to_have_count(1)
    check_axe(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width} px: {scroll_width}"


def field(page: Page, label: str) -> Locator:
    """The field whose label is ``label`` (with or without the colon after it)."""
    return page.get_by_label(re.compile(r"^\s*" + re.escape(label) + r":?\s*$"))


def submit_with_enter(page: Page, label: str) -> None:
    """Send a form from the keyboard: Enter in one of its one-line fields."""
    field(page, label).press("Enter")


def add_question(page: Page, width: int, kind: str, text: str, **fields: str) -> None:
    page.get_by_role("link", name=re.compile("^Lägg till en fråga")).first.click()
    check(page, width)
    field(page, "Fråga").fill(text)
    field(page, kind).check()
    for label, value in fields.items():
        field(page, label).fill(value)
    page.get_by_role("button", name="Spara frågan").click()


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_build_send_and_answer_a_survey(
    page: Page, browser: Browser, log_in: LogIn, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.context.clear_cookies()
    log_in("coordinator.leksand", DEMO_PASSWORD)
    page.goto(reverse("surveys:round_list"))
    check(page, width)
    page.goto(reverse("surveys:template_list"))
    check(page, width)

    # A ready-made template with one click; then a template of one's own.
    page.get_by_role("button", name=re.compile("^Hämta.*Kartläggning")).click()
    check(page, width)
    page.goto(reverse("surveys:template_list"))
    page.get_by_role("link", name="Ny mall").click()
    check(page, width)
    field(page, "Enkätens namn").fill("Fritidsenkät")
    field(page, "Vad den används till").select_option("other")
    submit_with_enter(page, "Enkätens namn")
    expect(page.locator("h1")).to_have_text("Fritidsenkät")
    check(page, width)

    page.get_by_role("link", name="Lägg till ett avsnitt").click()
    check(page, width)
    field(page, "Rubrik").fill("Om fritiden")
    submit_with_enter(page, "Rubrik")

    # A refused question keeps what was typed and says why.
    add_question(
        page, width, "Tal", "Hur många kvällar i veckan?", **{"Lägsta tal": "7", "Högsta tal": "0"}
    )
    expect(page.locator(".error-summary")).to_contain_text("inte vara lägre än det lägsta")
    check(page, width)
    field(page, "Lägsta tal").fill("0")
    field(page, "Högsta tal").fill("7")
    field(page, "Frågan måste besvaras").check()
    page.get_by_role("button", name="Spara frågan").click()
    add_question(
        page,
        width,
        "Skala 1–5",
        "Hur trivs du på fritidsgården?",
        Svarsalternativ="Inte alls\nInte så bra\nGanska bra\nBra\nMycket bra",
    )
    add_question(page, width, "Fritext", "Vad saknar du?", **{"Längsta svar (tecken)": "200"})
    expect(page.get_by_text("Hur trivs du på fritidsgården?", exact=True)).to_be_visible()
    check(page, width)
    page.get_by_role("link", name="Förhandsvisa enkäten").click()
    check(page, width)
    page.go_back()

    # A round of it, to two pasted addresses (one duplicate, one bad piece left out).
    page.get_by_role("link", name="Ny omgång med den här mallen").click()
    check(page, width)
    field(page, "Omgångens namn").fill("Fritid hösten")
    today = timezone.localdate()
    field(page, "Öppnar").fill(today.isoformat())
    field(page, "Stänger").fill(
        today.replace(day=28).isoformat() if today.day < 28 else today.isoformat()
    )
    page.get_by_role("button", name="Skapa omgången").click()
    check(page, width)
    page.get_by_role("link", name="Välj mottagare").click()
    check(page, width)
    field(page, "E-postadresser").fill(
        "ung1@leksand.example\nung2@leksand.example, ung1@leksand.example\nung3.leksand.example"
    )
    page.get_by_role("button", name="Lägg till adresserna").click()
    expect(page.locator(".messages")).to_contain_text("2 mottagare har lagts till")
    expect(page.locator(".messages")).to_contain_text("ung3.leksand.example")
    check(page, width)
    page.get_by_role("link", name="Gå vidare till utskick").click()
    expect(page.locator("h1")).to_have_text("Skicka till 2 mottagare?")
    check(page, width)
    mail.outbox.clear()
    page.get_by_role("button", name="Skicka", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Enkäten skickades till 2 mottagare")
    check(page, width)
    assert len(mail.outbox) == 2
    link = re.search(r"https?://\S+/svar/\S+/", str(mail.outbox[0].body))
    assert link is not None
    path = "/svar/" + link.group(0).split("/svar/")[1]

    # The respondent, on a phone, without logging in.
    context = browser.new_context(base_url=page.url.split("/enkater/")[0], locale="sv-SE")
    serve_axe(context)
    phone = context.new_page()
    phone.set_viewport_size({"width": 320, "height": 700})
    phone.goto(path)
    check(phone, 320)
    phone.get_by_label("Ganska bra").check()
    phone.get_by_label("Vad saknar du?").fill("Fler kvällar med musik.")
    phone.get_by_role("button", name="Spara och fortsätt senare").click()
    expect(phone.locator("h1")).to_have_text("Dina svar är sparade")
    check(phone, 320)
    phone.goto(path)
    expect(phone.get_by_label("Ganska bra")).to_be_checked()
    expect(phone.get_by_label("Vad saknar du?")).to_have_value("Fler kvällar med musik.")
    # The required number is missing: the error summary links to it.
    phone.get_by_role("button", name="Skicka svar").click()
    expect(phone.locator(".error-summary")).to_contain_text("Svara på frågan.")
    check(phone, 320)
    phone.locator(".error-summary a").first.click()
    phone.get_by_label(re.compile("Hur många kvällar")).fill("3")
    phone.get_by_role("button", name="Skicka svar").click()
    expect(phone.locator("h1")).to_have_text("Tack för dina svar")
    check(phone, 320)
    phone.goto(path)
    expect(phone.locator("h1")).to_have_text("Du har redan svarat")
    check(phone, 320)
    context.close()
    assert Response.objects.filter(round__title="Fritid hösten").count() == 1

    # The round's page counts the answer; closing it asks first.
    page.goto(reverse("surveys:round_list"))
    page.get_by_role("link", name="Fritid hösten").click()
    expect(page.locator("dl.facts")).to_contain_text("1")
    check(page, width)
    page.get_by_role("link", name="Stäng omgången nu").click()
    check(page, width)
    page.get_by_role("button", name="Stäng omgången").click()
    expect(page.locator(".messages")).to_contain_text("Omgången är stängd")
