"""Governance documents in a real browser, with the demo documents: axe on every page, the
Eksjö coordinator's red alerts, and a principal who confirms the routine while the
coordinator watches the share change."""

import re
from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from governance import demo as governance_demo
from governance.models import GovernanceDocument
from organisations import demo as organisations_demo
from organisations.demo import DEMO_PASSWORD
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.demo_snapshot import load_demo

AGREEMENT = "Samverkansöverenskommelse mellan socialtjänst och skola"
ACTION_PLAN = "Handlingsplan för samverkan"
ROUTINE = "Samverkansrutin skola – socialtjänst"


@pytest.fixture
def demo(transactional_db: None) -> Iterator[None]:  # noqa: ARG001 - committed data for the live server
    today = timezone.localdate()
    load_demo((organisations_demo, governance_demo), today=today)
    with override_settings(DEMO_MODE=True):
        yield


def visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    expect(page.locator("h1")).to_have_count(1)
    check_axe(page)


def _pk(title: str) -> int:
    return GovernanceDocument.objects.get(title=title).pk


@pytest.mark.usefixtures("demo")
def test_the_eksjo_coordinator_sees_the_expired_agreement_and_the_stale_plan_in_red(
    page: Page, log_in: LogIn
) -> None:
    log_in("coordinator.eksjo", DEMO_PASSWORD)
    visit(page, "/")
    danger = page.locator(".attention--danger")
    expect(danger.filter(has_text=AGREEMENT)).to_have_count(1)
    expect(danger.filter(has_text=ACTION_PLAN)).to_have_count(1)
    visit(page, reverse("governance:document_list"))
    for title in (AGREEMENT, ACTION_PLAN):
        row = page.locator("tr.row--danger", has_text=title)
        expect(row).to_have_count(1)
        expect(row.locator(".badge--danger").first).to_be_visible()
    page.get_by_role("link", name=AGREEMENT).click()
    expect(page.locator("h1")).to_have_text(AGREEMENT)
    expect(page.locator("#alerts-heading")).to_be_visible()
    check_axe(page)
    plan = _pk(ACTION_PLAN)
    visit(page, reverse("governance:document_detail", args=[plan]))
    expect(page.locator("#measures tr.row--danger")).to_have_count(3)
    for name in ("version_add", "document_edit", "goal_add", "responsibility_add", "measure_add"):
        visit(page, reverse(f"governance:{name}", args=[plan]))
    visit(page, reverse("governance:document_create"))
    page.locator("main form button[type=submit]").click()  # nothing filled in
    expect(page.locator(".error-summary")).to_be_visible()
    check_axe(page)
    visit(page, reverse("governance:read_shares"))


@pytest.mark.usefixtures("demo")
def test_a_principal_confirms_the_routine_and_the_coordinator_sees_the_share_change(
    page: Page, log_in: LogIn
) -> None:
    routine = _pk(ROUTINE)
    log_in("coordinator.leksand", DEMO_PASSWORD)
    visit(page, reverse("governance:read_shares"))
    total = page.locator("tfoot tr")
    before = total.locator("td").nth(2).inner_text()
    visit(page, reverse("governance:version_diff", args=[routine]))
    expect(page.locator(".diff ins").first).to_be_visible()
    visit(page, reverse("governance:version_detail", args=[routine, 1]))
    page.locator("form[action$='/accounts/logout/'] button").click()

    log_in("principal.leksand", DEMO_PASSWORD)
    visit(page, "/")
    page.get_by_role("link", name=re.compile("waiting for your confirmation|väntar på")).click()
    check_axe(page)
    page.locator("#read-confirmation button").click()
    expect(page.locator("#read-confirmation .badge--ok")).to_be_visible()
    check_axe(page)
    page.locator("form[action$='/accounts/logout/'] button").click()

    log_in("coordinator.leksand", DEMO_PASSWORD)
    visit(page, reverse("governance:read_shares"))
    after = page.locator("tfoot tr").locator("td").nth(2).inner_text()
    assert before != after
    assert int(after.rstrip(" %")) > int(before.rstrip(" %"))
