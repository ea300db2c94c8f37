"""Logging in through the real form, in a real browser, with every page checked by axe."""

import re

from django.test import override_settings
from playwright.sync_api import Page, expect

from organisations.models import Role
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.factories import TEST_PASSWORD
from tests.world import World


def test_wrong_password_shows_an_error_and_keeps_the_username(
    page: Page, world: World, log_in: LogIn
) -> None:
    username = world.user(Role.COORDINATOR).username
    log_in(username, "not-the-password", succeed=False)

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    error = page.locator("#login-errors")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(page.locator("#id_login")).to_have_value(username)
    expect(page.locator("#id_login")).to_have_attribute("aria-describedby", "login-errors")
    expect(page.locator("#id_password")).to_have_value("")
    check_axe(page)


def test_right_password_reaches_the_start_page(page: Page, world: World, log_in: LogIn) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    check_axe(page)

    log_in(world.user(Role.COORDINATOR).username)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("#role-coordinator")).to_be_visible()
    expect(page.locator(".demo-banner")).to_have_count(0)
    check_axe(page)


def test_log_out(page: Page, world: World, log_in: LogIn) -> None:
    log_in(world.user(Role.COORDINATOR).username)
    page.locator("form[action='/accounts/logout/'] button").click()
    # allauth asks for confirmation only on GET; the header button posts straight away.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    check_axe(page)


@override_settings(DEMO_MODE=True)
def test_demo_mode_shows_a_banner_on_every_page(page: Page, world: World, log_in: LogIn) -> None:
    page.goto("/accounts/login/")
    expect(page.locator(".demo-banner")).to_be_visible()
    check_axe(page)

    # In demo mode the municipal admin needs no two-factor and goes straight to the start page.
    log_in(world.user(Role.MUNICIPAL_ADMIN).username)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".demo-banner")).to_be_visible()
    check_axe(page)


def test_without_demo_mode_the_admin_must_set_up_two_factor(
    page: Page, world: World, log_in: LogIn
) -> None:
    log_in(world.user(Role.MUNICIPAL_ADMIN).username)
    activate = re.compile(r"/accounts/2fa/totp/activate/$")
    reauthenticate = re.compile(
        r"/accounts/reauthenticate/\?next=%2Faccounts%2F2fa%2Ftotp%2Factivate"
    )
    expect(page).to_have_url(re.compile(f"{activate.pattern}|{reauthenticate.pattern}"))
    if reauthenticate.search(page.url):
        # allauth asks for the password again before two-factor can be activated.
        check_axe(page)
        page.locator("#id_password").fill(TEST_PASSWORD)
        page.locator("main form").get_by_role("button").click()
    expect(page).to_have_url(activate)
    expect(page.locator("#id_code")).to_be_visible()
    check_axe(page)

    page.goto("/")  # every other page sends them back to the set-up
    expect(page).to_have_url(activate)
