"""The public accessibility statement and its form for reporting a problem."""

import re

import pytest
from playwright.sync_api import Page, expect

from core.models import AccessibilityReport
from tests.browser.axe import check_axe


def submit(page: Page) -> None:
    page.locator("main form[method='post']").get_by_role("button").click()


@pytest.mark.django_db(transaction=True)
def test_statement_is_public_and_a_problem_can_be_reported(page: Page) -> None:
    page.goto("/tillganglighet/")
    expect(page).to_have_url(re.compile(r"/tillganglighet/$"))
    expect(page.locator("h1")).to_have_count(1)
    check_axe(page)

    # Nothing filled in: an error summary that links to the field, and nothing is saved.
    page.locator("#id_page").fill("The start page")
    submit(page)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#id_description']")).to_be_visible()
    expect(page.locator("#id_page")).to_have_value("The start page")
    check_axe(page)
    assert AccessibilityReport.objects.count() == 0

    summary.locator("a[href='#id_description']").click()
    expect(page.locator("#id_description")).to_be_focused()
    page.keyboard.type("The table of units can not be read with a screen reader.")
    submit(page)

    # Post-redirect-get back to the statement (the browser keeps the #fragment it had).
    expect(page).to_have_url(re.compile(r"/tillganglighet/(#id_description)?$"))
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.locator(".message--success")).to_be_visible()
    check_axe(page)
    report = AccessibilityReport.objects.get()
    assert report.page == "The start page"
    assert report.description.startswith("The table of units")
