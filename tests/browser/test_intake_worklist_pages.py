"""The intake's worklist in a browser, on the demo data: the inbox with its "today" list, the
search (a hit, no match, a mistyped number) and the case owner on the report page — axe on
each, at 1366 px and at 320 px, where nothing may scroll sideways (WCAG 1.4.10 reflow)."""

from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from organisations import demo as organisations_demo
from organisations.demo import DEMO_PASSWORD
from reports import demo as reports_demo
from reports.models import ConcernReport, ReportStatus
from reports.selectors_common import identity_number_formatted
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.demo_snapshot import load_demo

WIDTHS = (1366, 320)


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


def visit(page: Page, url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    check(page, width)


def search(page: Page, typed: str, width: int) -> None:
    page.get_by_label("Personnummer, namn eller referens").fill(typed)
    page.get_by_role("button", name="Sök", exact=True).click()
    check(page, width)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_the_intake_works_its_list(page: Page, log_in: LogIn, width: int) -> None:
    log_in("intake.leksand", DEMO_PASSWORD)
    visit(page, reverse("reports:inbox"), width)
    expect(page.locator("#today")).to_be_visible()
    visit(page, reverse("reports:inbox") + "?owner=mine", width)

    report = (
        ConcernReport.objects.filter(municipality__code="2029", child_identity_number__gt="")
        .exclude(status=ReportStatus.DRAFT)
        .order_by("submitted_at")
        .first()
    )
    assert report is not None
    visit(page, reverse("reports:intake_search"), width)
    search(page, identity_number_formatted(report.child_identity_number), width)
    expect(page.locator(f'tr[data-report="{report.public_id}"]')).to_be_visible()
    assert report.child_identity_number not in page.url
    search(page, "Ingen Alls Någonstans", width)
    expect(page.locator("#no-match")).to_be_visible()
    search(page, "20120315-9802", width)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Personnummer, namn eller referens")).to_have_value("20120315-9802")

    visit(page, reverse("reports:intake_detail", args=[report.public_id]), width)
    expect(page.locator("#other-reports")).to_be_visible()
    page.get_by_label("Fördela till").select_option(label="Iris Mottagning")
    page.get_by_role("button", name="Spara handläggare").click()
    expect(page.locator(".message--success")).to_contain_text("Handläggaren har sparats")
    expect(page.locator("#assignment-history")).to_contain_text("Iris Mottagning")
    check(page, width)
