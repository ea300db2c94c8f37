"""axe on every page of reports of concern, filled with the demo data (about thirty reports per
municipality in every state: overdue, urgent, forwarded, extended, with supplements, files and
feedback) and the watchdog's notifications: the school side, the intake side, the print view,
the deadline settings and the notifications, also with their error messages.

The journey and the report form are checked in test_report_journey.py and
test_report_form_keyboard.py; this file looks at the pages with many and varied rows.
"""

import re
from collections.abc import Iterator

import pytest
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from organisations import demo as organisations_demo
from organisations.demo import DEMO_PASSWORD
from organisations.models import Municipality, User
from reports import demo as reports_demo
from reports.models import ConcernReport, ReportStatus
from reports.watchdog import watchdog_run
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn


@pytest.fixture
def leksand(transactional_db: None) -> Iterator[Municipality]:  # noqa: ARG001 - committed data for the live server
    """The demo, committed for the live server, with today's watchdog notifications; demo mode
    (no two-factor code at login)."""
    today = timezone.localdate()
    organisations_demo.load(today=today)
    reports_demo.load(today=today)
    watchdog_run(now=timezone.now())
    with override_settings(DEMO_MODE=True):
        yield Municipality.objects.get(code="2029")


def visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    expect(page.locator("h1")).to_have_count(1)
    check_axe(page)


def as_user(page: Page, log_in: LogIn, username: str) -> User:
    page.context.clear_cookies()
    log_in(username, DEMO_PASSWORD)
    return User.objects.get(username=username)


@pytest.mark.usefixtures("leksand")
def test_school_pages(page: Page, log_in: LogIn) -> None:
    teacher = as_user(page, log_in, "teacher.leksand")
    own = ConcernReport.objects.filter(author=teacher)
    submitted = own.exclude(status=ReportStatus.DRAFT)
    assert own.filter(status=ReportStatus.DRAFT).exists()
    assert submitted.filter(feedback__gt="").exists()

    visit(page, reverse("reports:new"))
    visit(page, reverse("reports:my_reports"))
    expect(page.locator("main table")).to_have_count(2)  # drafts and submitted reports
    for draft in own.filter(status=ReportStatus.DRAFT):
        visit(page, reverse("reports:draft_edit", args=[draft.public_id]))
        visit(page, reverse("reports:draft_delete", args=[draft.public_id]))
    with_supplement = submitted.annotate(n=Count("supplements")).filter(n__gt=0).first()
    assert with_supplement is not None
    candidates = [
        submitted.filter(feedback__gt="").first(),
        submitted.exclude(status=ReportStatus.CLOSED).first(),
        with_supplement,
    ]
    for report in {candidate for candidate in candidates if candidate is not None}:
        visit(page, reverse("reports:status", args=[report.public_id]))
    open_report = submitted.exclude(status=ReportStatus.CLOSED).first()
    assert open_report is not None
    visit(page, reverse("reports:supplement", args=[open_report.public_id]))
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check_axe(page)
    page.locator(".error-summary a").first.click()
    expect(page.locator("#id_text")).to_be_focused()
    visit(page, reverse("core:notifications"))

    as_user(page, log_in, "principal.leksand")
    visit(page, reverse("reports:school_reports"))
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 3
    rows.first.get_by_role("link").click()
    expect(page.locator("#report-status")).to_be_visible()
    check_axe(page)


def test_intake_pages(page: Page, leksand: Municipality, log_in: LogIn) -> None:
    as_user(page, log_in, "intake.leksand")
    reports = ConcernReport.objects.filter(municipality=leksand)

    # The inbox: urgent and overdue rows, the filters, the closed list, a bad filter value.
    visit(page, reverse("reports:inbox"))
    expect(page.locator("#overdue-count.attention--danger")).to_be_visible()
    open_reports = reports.exclude(status__in=[ReportStatus.DRAFT, ReportStatus.CLOSED])
    assert open_reports.filter(acute_danger=True).exists()
    first_row = page.locator("main table tbody tr").first
    expect(first_row.locator(".badge--danger").first).to_be_visible()  # urgent first
    expect(page.locator("main table .overdue").first).to_be_visible()
    page.locator("#id_overdue").check()
    page.locator("main form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"overdue=on"))
    expect(page.locator("main table tbody tr").first).to_be_visible()
    check_axe(page)
    visit(page, f"{reverse('reports:inbox')}?status=closed")
    visit(page, f"{reverse('reports:inbox')}?status=nonsense")
    expect(page.locator(".error-summary")).to_be_visible()
    visit(page, reverse("core:notifications"))
    expect(page.locator("main table tbody tr").first).to_be_visible()

    # The report page in every state, forwarded and extended ones too, and the print view.
    candidates = [
        *(
            reports.filter(status=status).order_by("submitted_at").first()
            for status in ReportStatus.values
            if status != ReportStatus.DRAFT
        ),
        reports.filter(extended_until__isnull=False).first(),
        reports.exclude(forward_to_name="").filter(decision="").first(),
        reports.annotate(n=Count("supplements")).filter(n__gt=0).first(),
    ]
    shown = {candidate for candidate in candidates if candidate is not None}
    assert len(shown) >= 8
    for report in shown:
        visit(page, reverse("reports:intake_detail", args=[report.public_id]))
        visit(page, reverse("reports:intake_print", args=[report.public_id]))

    # A step form with its errors (radio buttons, a date and text fields).
    received = reports.filter(status=ReportStatus.RECEIVED).first()
    assert received is not None
    visit(page, reverse("reports:intake_detail", args=[received.public_id]))
    page.locator("#step-extend button[type=submit]").click()
    summary = page.locator("#step-extend .error-summary")
    expect(summary).to_be_visible()
    check_axe(page)
    summary.locator("a[href='#id_extend-reason_0']").click()
    expect(page.locator("#id_extend-reason_0")).to_be_focused()


@pytest.mark.usefixtures("leksand")
def test_deadline_settings(page: Page, log_in: LogIn) -> None:
    as_user(page, log_in, "admin.leksand")
    visit(page, reverse("reports:deadline_settings"))
    page.locator("#id_decision_days").fill("99")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check_axe(page)
    page.locator("#id_decision_days").fill("15")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("#rule-decision_days")).to_contain_text("15")
    check_axe(page)
    visit(page, reverse("core:notifications"))
