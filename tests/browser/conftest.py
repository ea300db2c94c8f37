"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

The browser runs for this package only (package-scoped fixture): Playwright's sync API keeps an
asyncio loop running in the main thread, and Django refuses ORM calls while a loop runs unless
``DJANGO_ALLOW_ASYNC_UNSAFE`` is set. Both are undone when the last browser test has run, so
the rest of the suite keeps Django's safety check.

Without Chromium or axe-core the tests are skipped with the reason, except when the ``CI``
environment variable is set: then they fail, because no test may be skipped in CI.
"""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connections
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Locator,
    Page,
    expect,
    sync_playwright,
)

from tests.browser.axe import AXE_SOURCE, serve_axe
from tests.factories import TEST_PASSWORD
from tests.flush import flush_past_append_only_triggers
from tests.tools import skip_unless_ci
from tests.world import World
from tests.world_snapshot import world_for_test

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--disable-sync",
    "--no-first-run",
]
# Playwright waits this long (ms) for elements, navigations and expectations before failing.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that drive the browser, so ``-m "not browser"`` can leave them out."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here) and "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def missing_tools() -> str | None:
    """Why the browser tests can not run here, or None when they can."""
    if not shutil.which("chromium"):
        return "Chromium is not installed (Debian: apt-get install chromium)"
    if not AXE_SOURCE.exists():
        return f"axe-core is not installed ({AXE_SOURCE} is missing; run npm ci)"
    return None


def require_browser_tools() -> None:
    """Skip the test when a tool is missing, or fail it when running in CI."""
    reason = missing_tools()
    if reason is not None:
        skip_unless_ci(reason)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    require_browser_tools()
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        # While the loop runs, Django keeps separate connections for it: close them too.
        connections.close_all()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package", autouse=True)
def _flush_past_append_only_triggers() -> Iterator[None]:
    """Let the test teardown empty the append-only tables (the live server needs committed
    data, so these tests use a transactional database)."""
    with flush_past_append_only_triggers():
        yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Login and report rate limits count in the cache; each test starts from zero.
    cache.clear()


@pytest.fixture
def page(browser: Browser, live_server: object) -> Iterator[Page]:
    """A fresh browser context per test (no cookies), Swedish like a Swedish user's browser.

    Content Security Policy violations and JavaScript errors fail the test.
    """
    context = browser.new_context(base_url=str(live_server), locale="sv-SE")
    context.set_default_timeout(TIMEOUT_MS)
    serve_axe(context)
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP violation on {message.location.get('url')}: {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"JavaScript error: {error.message}")

    browser_page = context.new_page()
    browser_page.on("console", on_console)
    browser_page.on("pageerror", on_page_error)
    yield browser_page
    context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def world(transactional_db: None) -> World:  # noqa: ARG001 - committed data for the live server
    """The test world, committed to the database so the live server's thread can see it."""
    return world_for_test()


LogIn = Callable[..., None]


@pytest.fixture
def log_in(page: Page) -> LogIn:
    """Log in through the real login form; by default checks that the login succeeded."""

    def _log_in(username: str, password: str = TEST_PASSWORD, *, succeed: bool = True) -> None:
        page.goto("/accounts/login/")
        page.locator("#id_login").fill(username)
        page.locator("#id_password").fill(password)
        login_form(page).get_by_role("button").click()
        if succeed:
            expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    return _log_in


def login_form(page: Page) -> Locator:
    return page.locator("form", has=page.locator("#id_password"))
