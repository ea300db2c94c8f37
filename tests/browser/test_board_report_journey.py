"""The board report in a real browser, with axe on every page:

the Leksand coordinator creates a draft for the year from the menu, waits until it is ready,
adds a comment under section 2 and publishes it after the confirmation step. A board member
is told on the start page, reads the report on a phone (320 px wide, nothing wider than the
screen) and downloads the PDF. Before publishing, the board member does not find the draft.

While the draft is made, the queue is held (a dummy backend, as when the worker is busy): the
page shows the progress and polls with htmx until the test makes the report, then shows it.
Later changes run their tasks at once, as the tests' settings say.
Demo mode spares everyone the two-factor code at login.
"""

import re

from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import Page, ViewportSize, expect

from followup import board_services
from followup.models import BoardReport, BoardReportState
from followup.tests import board_builders
from organisations.models import Role
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.world import World

COMMENT = "Mottagningen har träffat alla rektorer utom en; det tar vi igen i höst."
PHONE: ViewportSize = {"width": 320, "height": 640}
# A queue that keeps the task without running it, as when the worker is busy: the page shows
# the progress and polls until the test makes the report.
BUSY_QUEUE = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def coordinator_makes_and_publishes(page: Page, world: World, log_in: LogIn) -> BoardReport:
    log_in(world.user(Role.COORDINATOR).username)
    page.locator(f"nav.main-nav a[href='{reverse('followup_board:list')}']").click()
    expect(page.locator("h1")).to_have_text("Återrapportering till kommunstyrelsen")
    check_axe(page)
    page.locator("#id_year").select_option(str(board_builders.YEAR))
    with override_settings(TASKS=BUSY_QUEUE):
        page.get_by_role("button", name="Skapa utkast").click()
        report = BoardReport.objects.get()
        expect(page).to_have_url(
            re.compile(re.escape(reverse("followup_board:detail", args=[report.pk])))
        )
        # The page does not wait: it shows the progress, and polls.
        expect(page.locator("#board-progress")).to_contain_text("Återrapporteringen skapas")
        expect(page.locator("#board-progress")).to_contain_text("Väntar på sin tur")
        check_axe(page)
        board_services.board_report_generate(report_id=report.pk)
    # Within a few seconds the poll sees it ready and the page is shown again, with the PDF.
    expect(page.get_by_role("link", name="Ladda ner som PDF")).to_be_visible(timeout=15_000)
    expect(page.locator("#board-progress")).to_have_count(0)
    expect(page.locator("h2#section-1")).to_have_text("1. Styrning och gemensamma mål")
    check_axe(page)

    page.locator("#id_text_2").fill(COMMENT)
    page.get_by_role("button", name="Lägg till kommentaren").nth(1).click()
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("#section-2 ~ .board-comments, .board-comments").first).to_contain_text(
        COMMENT
    )
    check_axe(page)

    page.get_by_role("link", name="Publicera till kommunstyrelsen").click()
    expect(page.locator("h1")).to_have_text("Publicera återrapporteringen")
    check_axe(page)
    page.get_by_role("button", name="Publicera – kan inte ändras efteråt").click()
    expect(page.locator(".board-state")).to_contain_text("Publicerad")
    expect(page.locator("textarea")).to_have_count(0)
    check_axe(page)
    report.refresh_from_db()
    assert report.state == BoardReportState.PUBLISHED
    return report


@override_settings(DEMO_MODE=True)
def test_the_coordinator_publishes_and_the_board_reads_it_on_a_phone(
    page: Page, world: World, log_in: LogIn
) -> None:
    board_builders.scenario(world)
    board_member = world.user(Role.BOARD_MEMBER)

    # Before anything is published, the board has no report to read.
    log_in(board_member.username)
    page.goto(reverse("followup_board:list"))
    expect(page.locator(".panel")).to_contain_text("Det finns ännu ingen återrapportering")
    check_axe(page)
    page.context.clear_cookies()

    report = coordinator_makes_and_publishes(page, world, log_in)
    page.context.clear_cookies()

    # --- the board member, on a phone ------------------------------------------------------
    page.set_viewport_size(PHONE)
    log_in(board_member.username)
    link = page.get_by_role("link", name=re.compile("Ny återrapportering publicerad"))
    expect(link).to_be_visible()
    fits_the_screen(page)
    link.click()
    expect(page.locator("h1")).to_have_text(report.title)
    expect(page.locator(".board-comments")).to_contain_text(COMMENT)
    expect(page.locator("textarea")).to_have_count(0)
    check_axe(page)
    fits_the_screen(page)

    page.get_by_role("link", name="Återrapportering till kommunstyrelsen").click()
    expect(page.get_by_role("link", name=report.title)).to_be_visible()
    check_axe(page)
    fits_the_screen(page)
    page.get_by_role("link", name=report.title).click()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner som PDF").click()
    download = download_info.value
    path = download.path()
    assert path is not None
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert download.suggested_filename.endswith(".pdf")
