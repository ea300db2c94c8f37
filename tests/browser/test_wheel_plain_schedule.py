"""The series form and the month view, with the demo data, at 1366 and 320 px: the schedule is
chosen in words (every other week on Monday), the dates are previewed, the advanced rule stays
folded away; the month shows week numbers, holidays and Leksand's school breaks. Axe on every
page and no sideways scrolling at 320 px."""

import datetime
from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from governance import demo as governance_demo
from organisations import demo as organisations_demo
from organisations.demo import DEMO_PASSWORD
from organisations.models import Municipality, SchoolBreak
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.demo_snapshot import load_demo
from wheel import demo as wheel_demo

NARROW = 320


@pytest.fixture
def demo(transactional_db: None) -> Iterator[None]:  # noqa: ARG001 - committed data for the live server
    today = timezone.localdate()
    load_demo((organisations_demo, governance_demo, wheel_demo), today=today)
    with override_settings(DEMO_MODE=True):
        yield


def no_sideways_scrolling(page: Page) -> None:
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > 322)
        .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW, wide


@pytest.mark.usefixtures("demo")
def test_series_form_in_words_at_both_widths(page: Page, log_in: LogIn) -> None:
    log_in("coordinator.leksand", DEMO_PASSWORD)
    for width in (1366, NARROW):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(reverse("wheel:series_create"))
        expect(page.locator("details.advanced")).not_to_have_attribute("open", "")
        expect(page.locator("input[name=rrule]")).not_to_be_visible()
        check_axe(page)
        if width == NARROW:
            no_sideways_scrolling(page)
    page.locator("input[name=title]").fill("Samverkansträff varannan vecka")
    page.locator("select[name=organiser_unit]").select_option(index=1)
    page.locator("input[name=schedule_kind][value=every_other_week]").check()
    page.locator("select[name=weekday]").select_option("MO")
    today = timezone.localdate()
    page.locator("input[name=starts_on]").fill(today.isoformat())
    page.locator("input[name=ends_on]").fill((today + datetime.timedelta(days=90)).isoformat())
    page.locator("input[name=start_time]").fill("09:00")
    page.get_by_role("button", name="Visa datumen").click()
    preview = page.locator("#preview-heading + ol li")
    expect(preview.first).to_be_visible()  # the page the button's POST answers with
    assert preview.count() >= 3
    expect(page.locator("input[name=schedule_kind][value=every_other_week]")).to_be_checked()
    check_axe(page)
    no_sideways_scrolling(page)


@pytest.mark.usefixtures("demo")
def test_month_view_with_weeks_holidays_and_breaks(page: Page, log_in: LogIn) -> None:
    log_in("coordinator.leksand", DEMO_PASSWORD)
    leksand = Municipality.objects.get(code="2029")
    winter = SchoolBreak.objects.filter(municipality=leksand, kind="winter").earliest("starts_on")
    url = reverse("wheel:month", args=[winter.starts_on.year, winter.starts_on.month])
    for width in (1366, NARROW):
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(url)
        assert response is not None
        assert response.status == 200
        week = winter.starts_on.isocalendar().week
        expect(page.locator("th.month-grid__week", has_text=f"Vecka {week}")).to_have_count(1)
        expect(page.locator(".month-grid__note--break", has_text="Sportlov").first).to_be_visible()
        check_axe(page)
        if width == NARROW:
            no_sideways_scrolling(page)
