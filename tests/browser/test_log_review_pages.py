"""The municipal admin's log review and users list in a browser, on the demo data: the access
log in groups and in words, looking up a child's accesses by identity number (a mistyped one
too), the user filter, following a row's child, and the users' two-factor column — axe on each
page, at 1366 px and at 320 px, where nothing may scroll sideways (WCAG 1.4.10 reflow)."""

from collections.abc import Iterator

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from access.models import AccessAction, AccessLog
from access.selectors import previous_month
from access.services import access_log_record, log_sample_create
from organisations import demo as organisations_demo
from organisations.demo import DEMO_PASSWORD
from organisations.models import User
from organisations.selectors import memberships_of
from reports import demo as reports_demo
from reports.models import ConcernReport, ReportStatus
from reports.policies import INTAKE_RULE
from reports.selectors_common import identity_number_formatted
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn

WIDTHS = (1366, 320)
LOOKUP_LABEL = "Barnets personnummer eller samordningsnummer"


@pytest.fixture
def report(transactional_db: None) -> Iterator[ConcernReport]:  # noqa: ARG001 - committed data
    """The demo, with Leksand's intake having opened one report three times."""
    today = timezone.localdate()
    organisations_demo.load(today=today)
    reports_demo.load(today=today)
    found = (
        ConcernReport.objects.filter(municipality__code="2029", child_identity_number__gt="")
        .exclude(status=ReportStatus.DRAFT)
        .order_by("submitted_at")
        .first()
    )
    assert found is not None
    intake = User.objects.get(username="intake.leksand")

    def read() -> None:
        access_log_record(
            user=intake,
            municipality=found.municipality,
            obj=found,
            child_ref=found.child_ref,
            action=AccessAction.VIEW,
            rule=INTAKE_RULE,
            membership=memberships_of(intake)[0],
        )

    for _ in range(3):
        read()
    # Last month's reads, and their sample, for the sample pages.
    month = previous_month()
    with time_machine.travel(month.replace(day=15), tick=False):
        read()
    log_sample_create(
        actor=User.objects.get(username="admin.leksand"),
        municipality=found.municipality,
        month=month,
    )
    with override_settings(DEMO_MODE=True):
        yield found


def check(page: Page, width: int) -> None:
    expect(page.locator("h1")).to_have_count(1)
    check_axe(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width} px: {scroll_width}"


def visit(page: Page, url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    check(page, width)


def look_up(page: Page, typed: str, width: int) -> None:
    page.get_by_label(LOOKUP_LABEL).fill(typed)
    page.get_by_role("button", name="Visa åtkomsterna").click()
    check(page, width)


def log_row(page: Page, text: str) -> Locator:
    return page.locator("table.log-table tbody tr", has_text=text)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_admin_reviews_the_log(
    page: Page, log_in: LogIn, report: ConcernReport, width: int
) -> None:
    log_in("admin.leksand", DEMO_PASSWORD)
    visit(page, reverse("access:log_review"), width)
    # The intake's three reads of the report today are one line, in words (and last month's
    # read is another).
    lines = log_row(page, f"Orosanmälan {report.reference}")
    expect(lines).to_have_count(2)
    line = lines.first
    expect(line).to_contain_text("Iris Mottagning")
    expect(line).to_contain_text("Socialsekreterare, mottagning")
    expect(line).to_contain_text("Mottagningen i kommunen som handlägger anmälan")
    expect(line.locator("td").nth(1)).to_have_text("3")
    expect(page.locator("main")).not_to_contain_text(report.child_ref)

    # A mistyped number: the message, and what was typed is still there.
    look_up(page, "20120315-9802", width)
    expect(page.locator(".error-summary")).to_contain_text("Den sista siffran")
    expect(page.get_by_label(LOOKUP_LABEL)).to_have_value("20120315-9802")

    # The child's own number: the child's accesses, and the lookup itself, by the admin.
    number = identity_number_formatted(report.child_identity_number)
    look_up(page, number, width)
    assert number not in page.url
    expect(page.locator(".panel--current")).to_contain_text("personnummer")
    expect(log_row(page, f"Orosanmälan {report.reference}")).to_have_count(2)
    expect(log_row(page, "Sökning")).to_contain_text("Ada Administratör")
    expect(page.locator("main")).not_to_contain_text(number)
    assert AccessLog.objects.filter(
        action=AccessAction.SEARCH, child_ref=report.child_ref, user__username="admin.leksand"
    ).exists()
    page.get_by_role("button", name="Visa alla barn igen").click()
    check(page, width)

    # The user filter is a text field; the filters stay out of the address.
    page.get_by_label("Användare").fill("mottagning")
    page.get_by_role("button", name="Filtrera", exact=True).click()
    check(page, width)
    assert "mottagning" not in page.url.lower()
    expect(page.locator("table.log-table tbody tr")).to_have_count(2)

    # Following a row's child, without its reference.
    log_row(page, report.reference).first.get_by_role("button").click()
    check(page, width)
    expect(page.locator(".panel--current")).to_contain_text("samma barn")
    page.get_by_role("button", name="Rensa filtren").click()
    check(page, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_users_list_shows_two_factor(
    page: Page, log_in: LogIn, report: ConcernReport, width: int
) -> None:
    assert report  # the demo
    log_in("admin.leksand", DEMO_PASSWORD)
    visit(page, reverse("organisations:user_list"), width)
    cell = page.locator("main table tbody tr", has_text="intake.leksand").locator(
        "[data-two-factor]"
    )
    expect(cell).to_have_text("Inte inställd")  # demo mode: nobody needs it
    box = cell.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= width  # on the screen, not off to the side


@pytest.mark.parametrize("width", WIDTHS)
def test_the_sample_pages(page: Page, log_in: LogIn, report: ConcernReport, width: int) -> None:
    log_in("admin.leksand", DEMO_PASSWORD)
    visit(page, reverse("access:log_sample_list"), width)
    page.locator("main table tbody tr a").first.click()
    check(page, width)
    line = log_row(page, f"Orosanmälan {report.reference}")
    expect(line).to_contain_text("Iris Mottagning")
    # From a sampled row to every access to the same child.
    line.get_by_role("button").click()
    check(page, width)
    expect(page.locator(".panel--current")).to_contain_text("samma barn")
    expect(log_row(page, f"Orosanmälan {report.reference}")).to_have_count(2)  # two days
