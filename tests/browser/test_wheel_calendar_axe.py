"""The annual wheel's picture, list, month, coverage and calendar feed pages in a real browser,
filled with the demo wheels: axe on every page, no Content Security Policy violation (the SVG
is inline and drawn with presentation attributes), and a feed a calendar app can subscribe to
until it is revoked."""

from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect

from governance import demo as governance_demo
from organisations import demo as organisations_demo
from organisations.demo import DEMO_PASSWORD
from organisations.models import Municipality
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.demo_snapshot import load_demo
from wheel import demo as wheel_demo


@pytest.fixture
def demo(transactional_db: None) -> Iterator[None]:  # noqa: ARG001 - committed data for the live server
    today = timezone.localdate()
    load_demo((organisations_demo, governance_demo, wheel_demo), today=today)
    with override_settings(DEMO_MODE=True):
        yield


def visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    expect(page.locator("h1")).to_have_count(1)
    check_axe(page)


@pytest.mark.usefixtures("demo")
def test_wheel_pages(page: Page, log_in: LogIn) -> None:
    log_in("coordinator.leksand", DEMO_PASSWORD)
    visit(page, reverse("wheel:wheel"))
    picture = page.locator("svg.wheel-svg")
    expect(picture).to_be_visible()
    expect(picture).to_have_attribute("role", "img")
    marks = picture.locator("g.wheel-mark")
    assert marks.count() > 10
    # The list below the picture holds the same activities.
    expect(page.locator(".wheel-month-list li")).to_have_count(marks.count())
    visit(page, reverse("wheel:wheel") + "?span=calendar")
    visit(page, reverse("wheel:wheel") + "?activity_type=student_health_team&sector=school")
    visit(page, reverse("wheel:list"))
    today = timezone.localdate()
    visit(page, reverse("wheel:month", args=[today.year, today.month]))
    page.locator("main a[rel='prev']").click()
    expect(page.locator("table.month-grid")).to_be_visible()
    check_axe(page)
    visit(page, reverse("wheel:wheel") + "?year=20x6")  # the error summary
    expect(page.locator(".error-summary")).to_be_visible()


@pytest.mark.usefixtures("demo")
def test_coverage_page_shows_the_gaps(page: Page, log_in: LogIn) -> None:
    log_in("coordinator.eksjo", DEMO_PASSWORD)
    visit(page, reverse("wheel:coverage"))
    expect(page.locator("table.coverage-table")).to_have_count(2)
    assert page.locator('td[data-state="missing"], td[data-state="not_planned"]').count() >= 2
    eksjo = Municipality.objects.get(code="0686")
    assert eksjo.name in page.locator("h1").inner_text()


@pytest.mark.usefixtures("demo")
def test_a_calendar_app_subscribes_until_the_feed_is_revoked(
    page: Page, browser: Browser, log_in: LogIn, live_server: object
) -> None:
    log_in("principal.leksand", DEMO_PASSWORD)
    visit(page, reverse("wheel:calendar_feeds"))
    page.locator("form[action$='/kalendrar/ny/'] button").click()
    expect(page.locator(".message--success")).to_be_visible()
    check_axe(page)
    address = page.locator("input.feed-url").input_value()
    path = address[address.index("/arshjul/") :]
    # The calendar app: no cookies, no login.
    app = browser.new_context(base_url=str(live_server))
    response = app.request.get(path)
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.body())
    assert calendar.walk("VEVENT")
    assert calendar.walk("VTIMEZONE")
    page.locator("main table a[href*='aterkalla']").first.click()
    check_axe(page)
    page.locator("main form button.button--danger").click()
    expect(page.locator(".message--success")).to_be_visible()
    assert app.request.get(path).status == 404
    app.close()
