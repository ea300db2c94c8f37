"""The language switch in the header: Swedish by default, English selectable, and back."""

import re

import pytest
from playwright.sync_api import Page, expect

from organisations.models import Role
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.world import World


def switch_language(page: Page, code: str) -> None:
    form = page.locator("form.language-form")
    form.locator("#language-select").select_option(code)
    form.get_by_role("button").click()


@pytest.mark.usefixtures("world")
def test_language_switch_on_the_login_page(page: Page) -> None:
    page.goto("/accounts/login/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "sv")
    check_axe(page)

    switch_language(page, "en")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("#language-select")).to_have_value("en")
    check_axe(page)

    switch_language(page, "sv")
    expect(html).to_have_attribute("lang", "sv")
    expect(page.locator("#language-select")).to_have_value("sv")
    check_axe(page)


def test_chosen_language_stays_after_login(page: Page, world: World, log_in: LogIn) -> None:
    page.goto("/accounts/login/")
    switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    log_in(world.user(Role.COORDINATOR).username)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_axe(page)

    switch_language(page, "sv")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    check_axe(page)
