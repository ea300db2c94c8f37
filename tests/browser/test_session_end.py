"""Nothing typed in a report is lost when the session ends while typing, in a real browser.

The teacher types, the session ends (flushed on the server, as the idle timeout does), the
teacher keeps typing: the autosave says in Swedish that they were logged out and offers to log
in again, which leads back to the form with the text put back and saved. And when the teacher
has logged in again in another tab, "Spara utkast" in the old tab gets our own 403 page, and
the way back to the form puts the text back and saves it. Axe passes on the notice and on the
403 page.
"""

import re
import time
from collections.abc import Callable

from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from core.sessions import SessionStore
from organisations.models import Role
from reports.models import ConcernReport
from reports.tests.test_school_drafts import draft
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn, login_form
from tests.factories import TEST_PASSWORD
from tests.world import World

SAVED = re.compile(r"Sparat \d\d:\d\d")
BEFORE = "Eleven berättade i dag att hon inte vågar gå hem."
AFTER = "Hon sa: pappa slår när han har druckit."
MORE = " Hon har blåmärken på armen."
# The drafts whose text the tab keeps (htmx keeps its own history key there too).
KEPT_DRAFTS = (
    "() => Object.keys(window.sessionStorage).filter((key) => key.startsWith('samverkan:draft:'))"
)


def wait_for(condition: Callable[[], bool], message: str, timeout: float = 10.0) -> None:
    """Wait until something the live server does shows in the database."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


def end_every_session() -> None:
    # What the idle timeout does: the session is gone on the server (its row and its cached
    # copy, core/sessions.py), the cookie still sent.
    store = SessionStore()
    for key in Session.objects.values_list("session_key", flat=True):
        store.delete(key)


def fill_and_leave(page: Page, selector: str, text: str) -> None:
    """Type into a field and leave it (its change event starts an autosave)."""
    page.locator(selector).fill(text)
    page.locator(selector).press("Tab")


def open_draft(page: Page, world: World, log_in: LogIn) -> ConcernReport:
    teacher = world.user(Role.REPORTER)
    report = draft(world, author=teacher, what_happened="", child_words="")
    log_in(teacher.username)
    page.goto(reverse("reports:draft_edit", args=[report.public_id]))
    fill_and_leave(page, "#id_what_happened", BEFORE)
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    return report


def saved(report: ConcernReport, **values: str) -> Callable[[], bool]:
    return lambda: ConcernReport.objects.filter(pk=report.pk, **values).exists()


@override_settings(DEMO_MODE=True)
def test_logged_out_while_typing_the_text_is_kept_and_saved_after_the_login(
    page: Page, world: World, log_in: LogIn
) -> None:
    report = open_draft(page, world, log_in)
    end_every_session()

    fill_and_leave(page, "#id_child_words", AFTER)
    notice = page.locator("#session-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Inte sparat: du har blivit utloggad.")
    expect(notice).to_contain_text("Det du skriver finns kvar i den här fliken")
    # Not the login page in the status line, as before.
    expect(page.locator("#autosave-status")).not_to_contain_text("Logga in")
    expect(page.locator("#autosave-status input, #autosave-status form")).to_have_count(0)
    # Typing goes on after the notice; that is kept too.
    page.locator("#id_what_happened").press("End")
    page.locator("#id_what_happened").press_sequentially(MORE)
    check_axe(page)

    notice.get_by_role("link", name="Logga in igen").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.locator("#id_login").fill(world.user(Role.REPORTER).username)
    page.locator("#id_password").fill(TEST_PASSWORD)
    login_form(page).get_by_role("button").click()

    expect(page).to_have_url(re.compile(re.escape(str(report.public_id))))
    expect(page.locator("#restored-notice")).to_be_visible()
    expect(page.locator("#id_child_words")).to_have_value(AFTER)
    expect(page.locator("#id_what_happened")).to_have_value(BEFORE + MORE)
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    wait_for(
        saved(report, child_words=AFTER, what_happened=BEFORE + MORE),
        "the text typed after the session ended was not saved",
    )
    # The server has it all: the tab keeps nothing more.
    assert page.evaluate(KEPT_DRAFTS) == []
    check_axe(page)


@override_settings(DEMO_MODE=True)
def test_a_login_in_another_tab_then_save_draft_gets_our_403_page_and_keeps_the_text(
    page: Page, world: World, log_in: LogIn
) -> None:
    report = open_draft(page, world, log_in)
    end_every_session()
    other = page.context.new_page()
    other.goto("/accounts/login/")
    other.locator("#id_login").fill(world.user(Role.REPORTER).username)
    other.locator("#id_password").fill(TEST_PASSWORD)
    login_form(other).get_by_role("button").click()
    expect(other).not_to_have_url(re.compile(r"/accounts/login/"))
    other.close()

    # Back in the first tab: its form's security token was renewed by that login.
    page.locator("#id_child_words").fill(AFTER)
    edit_path = reverse("reports:draft_edit", args=[report.public_id])
    with page.expect_response(
        lambda response: response.request.method == "POST" and response.url.endswith(edit_path)
    ) as answer:
        page.get_by_role("button", name="Spara utkast").first.click()
    assert answer.value.status == 403
    expect(page.locator("h1")).to_have_text("Sidan var inaktuell")
    expect(page.locator("main")).to_contain_text("Det du skickade sparades inte.")
    expect(page.locator("header.site-header")).to_be_visible()  # our layout
    check_axe(page)

    page.get_by_role("link", name="Gå tillbaka till sidan").click()
    expect(page).to_have_url(re.compile(re.escape(edit_path) + "$"))
    expect(page.locator("#id_child_words")).to_have_value(AFTER)
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    wait_for(saved(report, child_words=AFTER), "the text of the refused form was not saved")
    assert page.evaluate(KEPT_DRAFTS) == []
