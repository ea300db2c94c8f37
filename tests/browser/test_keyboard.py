"""Keyboard use: the skip link comes first and leads to the main content; login works by keys."""

import re

import pytest
from playwright.sync_api import Page, expect

from organisations.models import Role
from tests.browser.axe import check_axe
from tests.factories import TEST_PASSWORD
from tests.world import World


@pytest.mark.usefixtures("world")
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page: Page) -> None:
    page.goto("/accounts/login/")
    check_axe(page)

    page.keyboard.press("Tab")
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # visible when focused, not only to screen readers

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    # The next Tab goes to the first control inside main, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


def test_log_in_with_the_keyboard_alone(page: Page, world: World) -> None:
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#id_login")).to_be_focused()
    page.keyboard.type(world.user(Role.COORDINATOR).username)
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/$"))
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    check_axe(page)
