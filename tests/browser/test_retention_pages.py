"""Retention in a browser, on the demo data: Leksand's municipal admin opens the retention
rules, changes the rule for reports of concern (first with a mistyped number of years: the
Swedish message, what was typed kept), opens the deletion proposal with two reports whose time
is out (one kept for research), records a deletion decision through the two steps (first
without a decision reference) and sees the decision carried out. Axe on each page, at 1366 px
and at 320 px, where nothing may scroll sideways (WCAG 1.4.10 reflow)."""

import datetime
from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.personnummer import make_test_identity_number
from organisations import demo as organisations_demo
from organisations.demo import DEMO_PASSWORD
from reports import demo as reports_demo
from reports.models import ConcernReport, ReportStatus
from retention.models import DecisionState, DeletionDecision
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.demo_snapshot import load_demo

WIDTHS = (1366, 320)
REFERENCE = "KS 2031/45"


@pytest.fixture
def due(transactional_db: None) -> Iterator[tuple[ConcernReport, ConcernReport]]:  # noqa: ARG001 - committed data for the live server
    """The demo, with two of Leksand's closed reports closed six years ago: the first about a
    child born on the 6th (to erase), the second about one born on the 15th (kept)."""
    today = timezone.localdate()
    load_demo((organisations_demo, reports_demo), today=today)
    reports = list(
        ConcernReport.objects.filter(
            municipality__code="2029", status=ReportStatus.CLOSED, supplements__isnull=True
        ).order_by("closed_at", "pk")[:2]
    )
    assert len(reports) == 2
    long_ago = timezone.now() - datetime.timedelta(days=6 * 366)
    for report, day in zip(reports, (6, 15), strict=True):
        number = make_test_identity_number(datetime.date(2014, 4, day), 981).digits
        ConcernReport.objects.filter(pk=report.pk).update(
            closed_at=long_ago, child_identity_number=number
        )
    with override_settings(DEMO_MODE=True):
        yield reports[0], reports[1]


def check(page: Page, width: int) -> None:
    expect(page.locator("h1")).to_have_count(1)
    check_axe(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width} px: {scroll_width}"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_admin_decides_a_deletion(
    page: Page,
    log_in: LogIn,
    due: tuple[ConcernReport, ConcernReport],
    width: int,
) -> None:
    erased, kept = due
    page.set_viewport_size({"width": width, "height": 900})
    log_in("admin.leksand", DEMO_PASSWORD)
    # From the menu (at 320 px behind its button).
    if width < 700:
        page.get_by_role("button", name="Meny").click()
    page.get_by_role("navigation").get_by_role("link", name="Gallring", exact=True).click()
    expect(page.locator("h1")).to_have_text("Bevarande och gallring")
    check(page, width)
    expect(page.locator("#rule-report")).to_contain_text("Orosanmälningar")
    medical = page.locator("#rule-medical_plan")
    expect(medical.locator("td").first).to_have_text("10")

    # A rule: fewer years than the law allows is refused in Swedish, and kept in the field.
    medical.get_by_role("link", name="Ändra regeln").click()
    expect(page.locator("h1")).to_have_text("Ändra gallringsregeln")
    check(page, width)
    years = page.get_by_label("Antal år som handlingarna bevaras")
    years.fill("4")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator(".error-summary")).to_contain_text("måste bevaras minst 10 år")
    expect(years).to_have_value("4")
    check(page, width)
    years.fill("12")
    page.get_by_label("Hänvisning i dokumenthanteringsplanen").fill("DHP 2031 punkt 4.2")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator(".messages")).to_contain_text("Gallringsregeln är sparad.")
    expect(medical).to_contain_text("DHP 2031 punkt 4.2")
    expect(medical.locator("td").first).to_have_text("12")
    check(page, width)

    # The proposal: both reports, by reference only; the one born on the 15th is kept.
    page.locator("#rule-report").get_by_role("link", name="Gallringsförslag").click()
    expect(page.locator("h1")).to_have_text("Gallringsförslag")
    expect(page.locator("main")).to_contain_text("Orosanmälningar, Leksand.")
    expect(page.locator("main")).to_contain_text(
        "Beslutet omfattar ärendet på den här sidan som är markerat ”Gallras”."
    )
    check(page, width)
    table = page.locator("#proposal")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tr", has_text=erased.reference)).to_contain_text("Gallras")
    expect(table.locator("tr", has_text=kept.reference)).to_contain_text("Bevaras för forskning")
    for report in (erased, kept):
        expect(page.locator("main")).not_to_contain_text(report.child_name)

    # The decision: first without a reference (the message), then with one, then confirmed.
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.locator(".error-summary")).to_contain_text("Ange beslutets diarienummer")
    check(page, width)
    page.get_by_label("Beslutets diarienummer eller paragraf").fill(REFERENCE)
    page.get_by_role("button", name="Fortsätt").click()
    confirm = page.locator("#confirm")
    expect(confirm.get_by_role("heading")).to_have_text("Gallra 1 ärende? Det går inte att ångra.")
    check(page, width)
    assert not DeletionDecision.objects.exists()  # nothing decided before the confirmation
    confirm.get_by_role("button", name="Gallra 1 ärende").click()

    # The decision page: carried out, the package's checksum, the one record.
    expect(page.locator("h1")).to_have_text(f"Gallringsbeslut {REFERENCE}")
    expect(page.locator("#decision-state")).to_have_text("Verkställt: handlingarna är gallrade")
    expect(page.locator(".messages")).to_contain_text("Beslutet är verkställt.")
    expect(page.locator("#decision-facts")).to_contain_text("Ada Administratör")
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.locator("main table")).to_contain_text(erased.reference)
    check(page, width)
    decision = DeletionDecision.objects.get()
    assert decision.state == DecisionState.COMPLETED
    assert decision.decision_reference == REFERENCE
    gone = ConcernReport.objects.get(pk=erased.pk)
    assert gone.child_identity_number == ""
    assert gone.child_name == ""
    assert ConcernReport.objects.get(pk=kept.pk).child_identity_number != ""

    # Back on the overview, the decision is listed; the proposal has only the kept report.
    page.get_by_role("link", name="Tillbaka till gallring").click()
    expect(page.locator("#decisions")).to_contain_text(REFERENCE)
    check(page, width)
    page.goto(reverse("retention:proposal", args=["report"]))
    expect(page.locator("#proposal tbody tr")).to_have_count(1)
    expect(page.locator("#all-kept")).to_contain_text("bevaras för forskning")
    check(page, width)
