"""The municipal admin manages accounts and roles in the app, in a real browser, with axe on
every page: create an account with its first role, find it in the list, add a second role,
end one role and then deactivate the account, each through its confirmation step."""

import re

from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from organisations.models import Membership, Role, UnitKind, User
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.world import World


def submit(page: Page) -> None:
    page.locator("main form[method='post']").get_by_role("button").click()


def url_of(name: str, *args: object) -> re.Pattern[str]:
    return re.compile(re.escape(reverse(name, args=args)) + r"(\?.*)?$")


# Demo mode: the admin needs no two-factor code to log in (it is tested in test_login.py).
@override_settings(DEMO_MODE=True)
def test_admin_creates_a_user_gives_roles_ends_one_and_deactivates(
    page: Page, world: World, log_in: LogIn
) -> None:
    school = world.unit(UnitKind.SCHOOL)
    student_health = world.unit(UnitKind.STUDENT_HEALTH)
    log_in(world.user(Role.MUNICIPAL_ADMIN).username)

    # The main menu leads to the users.
    page.locator("nav.main-nav").locator(f"a[href='{reverse('organisations:user_list')}']").click()
    expect(page).to_have_url(url_of("organisations:user_list"))
    expect(page.locator("h1")).to_have_count(1)
    check_axe(page)

    # A new account: first without the required fields, then properly.
    page.locator(f"main a[href='{reverse('organisations:user_create')}']").click()
    expect(page).to_have_url(url_of("organisations:user_create"))
    check_axe(page)
    page.locator("#id_first_name").fill("Nora")
    submit(page)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#id_username']")).to_be_visible()
    expect(page.locator("#id_first_name")).to_have_value("Nora")
    check_axe(page)

    page.locator("#id_username").fill("nora.teacher")
    page.locator("#id_last_name").fill("Lind")
    page.locator("#id_email").fill("nora.lind@example.org")
    page.locator("#id_unit").select_option(str(school.pk))
    page.locator("#id_role").select_option(Role.REPORTER.value)
    submit(page)

    account = User.objects.get(username="nora.teacher")
    expect(page).to_have_url(url_of("organisations:user_detail", account.pk))
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("main table tbody tr")).to_have_count(1)
    check_axe(page)
    assert account.municipality == world.municipality()
    assert list(account.memberships.values_list("unit", "role")) == [(school.pk, Role.REPORTER)]

    # The list shows the new account, with a link to it.
    page.locator(f"main a[href='{reverse('organisations:user_list')}']").click()
    row = page.locator("main table tbody tr", has_text="nora.teacher")
    expect(row).to_have_count(1)
    check_axe(page)
    row.get_by_role("link").click()
    expect(page).to_have_url(url_of("organisations:user_detail", account.pk))

    # A second role.
    page.locator(
        f"main a[href='{reverse('organisations:membership_create', args=[account.pk])}']"
    ).click()
    expect(page).to_have_url(url_of("organisations:membership_create", account.pk))
    check_axe(page)
    page.locator("#id_unit").select_option(str(student_health.pk))
    page.locator("#id_role").select_option(Role.STUDENT_HEALTH.value)
    submit(page)
    expect(page).to_have_url(url_of("organisations:user_detail", account.pk))
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("main table tbody tr")).to_have_count(2)
    check_axe(page)

    # End the first role: a confirmation page, then the role gives no access any more.
    reporter = Membership.objects.get(user=account, role=Role.REPORTER)
    end_url = reverse("organisations:membership_end", args=[reporter.pk])
    page.locator(f"main a[href='{end_url}']").click()
    expect(page).to_have_url(url_of("organisations:membership_end", reporter.pk))
    check_axe(page)
    assert Membership.objects.filter(pk=reporter.pk, valid_to__isnull=True).exists()
    submit(page)
    expect(page).to_have_url(url_of("organisations:user_detail", account.pk))
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator(f"main a[href='{end_url}']")).to_have_count(0)
    check_axe(page)
    assert not Membership.objects.filter(pk=reporter.pk, valid_to__isnull=True).exists()
    assert Membership.objects.filter(user=account, role=Role.STUDENT_HEALTH).exists()

    # Deactivate the account, again through a confirmation page.
    page.locator(
        f"main a[href='{reverse('organisations:user_deactivate', args=[account.pk])}']"
    ).click()
    expect(page).to_have_url(url_of("organisations:user_deactivate", account.pk))
    check_axe(page)
    submit(page)
    expect(page.locator(".message--success")).to_be_visible()
    check_axe(page)
    account.refresh_from_db()
    assert not account.is_active
