"""Training in the browser, on the demo data: the Leksand coordinator reads the case library,
adds a case (first with an identity number: refused, the text kept), records a training
session with cases, participants per unit and mixed groups (first without participants: the
error, the rest kept), sees the session and the share of staff trained per sector, and opens
the follow-up of training and surveys; a teacher reads the library. Axe on every page at 1366
and 320 px, where nothing may scroll sideways."""

from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from governance import demo as governance_demo
from organisations import demo as organisations_demo
from organisations.demo import DEMO_PASSWORD
from organisations.models import Unit
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from training import demo as training_demo
from training.models import TrainingSession, Vignette

WIDTHS = (1366, 320)
TITLE = "Gränsdragningar i mindre grupper"


@pytest.fixture
def demo(transactional_db: None) -> Iterator[None]:  # noqa: ARG001 - committed data for the live server
    today = timezone.localdate()
    organisations_demo.load(today=today)
    governance_demo.load(today=today)
    training_demo.load(today=today)
    with override_settings(DEMO_MODE=True):
        yield


def check(page: Page, width: int) -> None:
    expect(page.locator("h1")).to_have_count(1)
    check_axe(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width} px: {scroll_width}"


def as_user(page: Page, log_in: LogIn, username: str) -> None:
    page.context.clear_cookies()
    log_in(username, DEMO_PASSWORD)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_the_coordinator_records_a_session(page: Page, log_in: LogIn, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    as_user(page, log_in, "coordinator.leksand")
    page.goto(reverse("training:vignette_list"))
    check(page, width)
    expect(page.locator("h1")).to_contain_text("fallbiblioteket")

    # A case: an identity number is refused and the text kept.
    page.get_by_role("link", name="Lägg till ett fall").click()
    check(page, width)
    page.locator("#id_title").fill("Syskonen på fritids")
    page.locator("#id_case_text").fill("Fritidspedagogen hör 20130101-9809 nämnas.")
    page.locator("#id_boundary_questions").fill("När blir oro en anmälan?")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator(".error-summary")).to_contain_text("personnummer")
    expect(page.locator("#id_title")).to_have_value("Syskonen på fritids")
    check(page, width)
    page.locator("#id_case_text").fill("Fritidspedagogen hör två syskon prata om bråk hemma.")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("h1")).to_have_text("Syskonen på fritids")
    expect(page.get_by_text("Fiktivt fall").first).to_be_visible()
    check(page, width)

    # A session: first without participants (the error, the rest kept), then with them.
    page.goto(reverse("training:session_list"))
    check(page, width)
    page.get_by_role("link", name="Registrera ett utbildningstillfälle").click()
    check(page, width)
    page.locator("#id_title").fill(TITLE)
    page.get_by_label("Syskonen på fritids").check()
    page.get_by_label("Ett yngre syskons oro").check()
    page.get_by_role("button", name="Spara").click()
    expect(page.locator(".error-summary")).to_contain_text("minst en enhet")
    expect(page.locator("#id_title")).to_have_value(TITLE)
    check(page, width)
    school = Unit.objects.get(municipality__name="Leksand", name="Åkerö skola 7–9")
    intake = Unit.objects.get(municipality__name="Leksand", name="IFO mottagning barn och unga")
    page.locator(f"#id_unit_{school.pk}").fill("21")
    page.locator(f"#id_unit_{intake.pk}").fill("4")
    page.locator("#id_group_1_sectors_0").check()  # school
    page.locator("#id_group_1_sectors_2").check()  # social services
    page.locator("#id_group_2_sectors_0").check()
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(
        page.get_by_text("1 av 2 grupper hade personal från minst två sektorer.")
    ).to_be_visible()
    check(page, width)
    session = TrainingSession.objects.get(title=TITLE)
    assert session.vignettes.count() == 2

    # The share of staff trained per sector, on the list of sessions.
    page.get_by_role("link", name="Tillbaka till utbildningstillfällena").click()
    shares = page.locator("table", has_text="per sektor")
    expect(shares.locator("tr", has_text="Skola").first).to_be_visible()
    expect(shares.locator("tr", has_text="Fritid")).to_contain_text("antal anställda saknas")
    check(page, width)

    # Changing the session, and the follow-up of training and surveys.
    page.goto(reverse("training:session_edit", args=[session.pk]))
    check(page, width)
    page.goto(reverse("training:followup"))
    expect(page.locator("h1")).to_contain_text("Uppföljning av utbildning och enkäter")
    check(page, width)
    case = Vignette.objects.filter(municipality__name="Leksand").order_by("pk").first()
    assert case is not None
    page.goto(reverse("training:vignette_edit", args=[case.pk]))
    check(page, width)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_a_teacher_reads_the_case_library(page: Page, log_in: LogIn, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    as_user(page, log_in, "teacher.leksand")
    # "Utbildning" is in the teacher's menu (behind "Meny" on a phone).
    expect(page.locator(f'nav a[href="{reverse("training:vignette_list")}"]')).to_have_count(1)
    page.goto(reverse("training:vignette_list"))
    check(page, width)
    expect(page.get_by_role("link", name="Lägg till ett fall")).to_have_count(0)
    page.get_by_role("link", name="Läraren som hör talas om en fest med droger").click()
    expect(page.get_by_text("Fiktivt fall")).to_be_visible()
    expect(page.get_by_text("Varje likhet med verkliga personer")).to_be_visible()
    check(page, width)
    page.goto(reverse("training:session_list"))
    expect(page.locator("h1")).not_to_contain_text("Utbildningstillfällen")
