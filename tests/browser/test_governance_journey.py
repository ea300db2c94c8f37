"""Governance documents in a real browser, with axe on every page:

the Leksand coordinator opens the routine, adds a new version (after a try with mistakes),
compares it with the one before, and writes down a goal, a role and a measure. A principal
is asked on the start page to confirm the new version and does; the coordinator's read shares
show the change, with counts under 5 shown as "<5". With all the demo data loaded, the Eksjö
coordinator's start page and document list mark the expired agreement and the stale action
plan in red, in words.

Demo mode spares everyone the two-factor code at login.
"""

import datetime
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Locator, Page, expect

from governance import demo as governance_demo
from governance import services
from governance.models import DocumentKind, DocumentVersion, Goal, Measure, Responsibility
from governance.tests import builders
from organisations import demo as organisations_demo
from organisations import services as organisation_services
from organisations.demo import DEMO_PASSWORD
from organisations.models import Role, UnitKind, User
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.factories import UserFactory
from tests.world import World
from wheel import demo as wheel_demo

ROUTINE = "Samverkansrutin skola – socialtjänst"
AGREEMENT = "Samverkansöverenskommelse mellan socialtjänst och skola"
PLAN = "Handlingsplan för samverkan"
OLD_TEXT = (
    "<h2>Anmälan</h2><p>Skolan gör en orosanmälan samma dag.</p>"
    "<p>Socialtjänsten återkopplar inom två veckor.</p>"
)
NEW_TEXT = (
    "Anmälan\n\nSkolan gör en orosanmälan samma dag.\n\n"
    "Socialtjänsten återkopplar inom en vecka.\n\n"
    "Rektor får en kopia av återkopplingen."
)
# Teachers at the principal's school besides the world's teacher and principal; four of them
# have confirmed the new version before the principal does.
EXTRA_TEACHERS = 8
CONFIRMED_BEFORE = 4


def url_of(name: str, *args: object) -> re.Pattern[str]:
    return re.compile(re.escape(reverse(name, args=args)) + r"(\?.*)?(#.*)?$")


def words(message: str) -> re.Pattern[str]:
    """``message`` in English or Swedish, any value in place of its ``%(date)s``."""
    variants = set()
    for language in ("en", "sv"):
        with translation.override(language):
            parts = gettext(message).split("%(date)s")
        variants.add(r"\S+".join(re.escape(part) for part in parts))
    return re.compile("|".join(sorted(variants)))


def log_out(page: Page) -> None:
    page.context.clear_cookies()


def visit(page: Page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == status, url
    if status == 200:
        expect(page.locator("h1")).to_have_count(1)
        check_axe(page)


def saved(page: Page) -> None:
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator(".error-summary")).to_have_count(0)
    check_axe(page)


def submit(page: Page) -> None:
    page.locator("main form button.button--primary").click()


def errors_on(page: Page, *names: str) -> None:
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    for name in names:
        expect(summary.locator(f"a[href='#id_{name}']")).to_have_count(1)
    check_axe(page)


def unit_row(page: Page, name: str) -> Locator:
    """The per-unit row of the read shares: unit, sector, staff, confirmed, share."""
    return page.locator("table", has=page.locator("caption")).last.locator(
        "tbody tr", has=page.locator("th", has_text=re.compile(f"^{re.escape(name)}$"))
    )


def teachers(world: World, count: int) -> list[User]:
    school = world.unit(UnitKind.SCHOOL)
    people = []
    for number in range(count):
        user = UserFactory.create(
            username=f"teacher{number}.leksand", municipality=school.municipality
        )
        organisation_services.membership_create(
            actor=None, user=user, unit=school, role=Role.REPORTER
        )
        people.append(user)
    return people


@override_settings(DEMO_MODE=True)
def test_coordinator_revises_the_routine_and_a_principal_confirms_it(
    page: Page, world: World, log_in: LogIn
) -> None:
    today = timezone.localdate()
    office = world.unit(UnitKind.MUNICIPAL_OFFICE)
    school = world.unit(UnitKind.SCHOOL)
    routine = builders.document(world, title=ROUTINE, parties=[school])
    builders.version(
        world,
        routine,
        text=OLD_TEXT,
        approved_on=today - datetime.timedelta(days=300),
        approving_body="Socialnämnden",
        approval_reference="SN 2025 § 12",
    )
    plan = builders.document(world, kind=DocumentKind.ACTION_PLAN, title=PLAN)
    builders.version(world, plan, approved_on=today - datetime.timedelta(days=30))
    colleagues = teachers(world, EXTRA_TEACHERS)
    detail = reverse("governance:document_detail", args=[routine.pk])

    # --- the coordinator adds a new version --------------------------------------------------
    log_in(world.user(Role.COORDINATOR).username)
    page.locator(f"nav.main-nav a[href='{reverse('governance:document_list')}']").click()
    expect(page).to_have_url(url_of("governance:document_list"))
    check_axe(page)
    page.get_by_role("link", name=ROUTINE).click()
    expect(page).to_have_url(url_of("governance:document_detail", routine.pk))
    expect(page.locator("h1")).to_have_text(ROUTINE)
    expect(page.locator(".document-text h3")).to_have_text("Anmälan")  # under the page's h2
    check_axe(page)
    page.locator(f"main a[href='{reverse('governance:version_add', args=[routine.pk])}']").click()
    expect(page).to_have_url(url_of("governance:version_add", routine.pk))
    # The text of version 1 comes back as typed: paragraphs, no tags.
    expect(page.locator("#id_text")).to_have_value(re.compile(r"^<h2>Anmälan</h2>|^Anmälan"))
    expect(page.locator("#id_approving_body")).to_have_value("Socialnämnden")
    check_axe(page)

    page.locator("#id_text").fill(NEW_TEXT)
    page.locator("#id_approval_reference").fill("SN 2026 § 7")
    page.locator("#id_approved_on").fill(today.isoformat())
    page.locator("#id_valid_from").fill(today.isoformat())
    page.locator("#id_valid_to").fill((today - datetime.timedelta(days=1)).isoformat())
    page.locator("#id_revision_interval_months").fill("0")
    submit(page)
    errors_on(page, "valid_to", "revision_interval_months")
    expect(page.locator("#id_text")).to_have_value(NEW_TEXT)
    expect(page.locator("#id_approval_reference")).to_have_value("SN 2026 § 7")
    assert not DocumentVersion.objects.filter(document=routine, number=2).exists()

    page.locator("#id_valid_to").fill("")
    page.locator("#id_revision_interval_months").fill("12")
    submit(page)
    expect(page).to_have_url(url_of("governance:document_detail", routine.pk))
    saved(page)
    version = DocumentVersion.objects.get(document=routine, number=2)
    assert version.approved_on == today
    versions = page.locator("#versions tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.first.locator(".badge--ok")).to_have_count(1)  # version 2 is current
    expect(page.locator("#read-confirmation button")).to_be_visible()

    # What changed: one line replaced, one added.
    versions.first.locator("a[href*='/diff/']").click()
    expect(page).to_have_url(url_of("governance:version_diff", routine.pk))
    expect(page.locator(".diff del")).to_have_count(1)
    expect(page.locator(".diff del")).to_contain_text("inom två veckor")
    expect(page.locator(".diff ins")).to_have_count(2)
    expect(page.locator(".diff ins").first).to_contain_text("inom en vecka")
    check_axe(page)
    page.locator("#id_old").select_option("2")
    page.locator("main form.filters button").click()  # the same version twice
    errors_on(page, "new")

    visit(page, reverse("governance:version_detail", args=[routine.pk, 2]))
    expect(page.locator("main .badge--ok")).to_be_visible()  # the current version
    page.locator("main a[href$='?old=1&new=2']").click()
    expect(page.locator(".diff ins").first).to_be_visible()
    visit(page, reverse("governance:version_detail", args=[routine.pk, 1]))
    expect(page.locator("main .badge--warning")).to_be_visible()  # an earlier version
    expect(page.locator(".document-text")).to_contain_text("inom två veckor")

    # --- a goal, a role and a measure ---------------------------------------------------------
    visit(page, detail)
    page.locator(f"main a[href='{reverse('governance:goal_add', args=[routine.pk])}']").click()
    check_axe(page)
    submit(page)  # nothing filled in
    errors_on(page, "text")
    page.locator("#id_text").fill("Skolan får återkoppling på sina anmälningar.")
    page.locator("#id_indicator_key").select_option("feedback_on_time")
    page.locator("#id_target_value").fill("85")
    page.locator("#id_target_description").fill("Andel anmälningar med återkoppling")
    submit(page)
    expect(page).to_have_url(url_of("governance:document_detail", routine.pk))
    saved(page)
    expect(page.locator("#goals tbody tr")).to_contain_text("85")
    goal = Goal.objects.get(document=routine)
    visit(page, reverse("governance:goal_edit", args=[routine.pk, goal.pk]))
    expect(page.locator("#id_indicator_key")).to_have_value("feedback_on_time")
    visit(page, reverse("governance:goal_delete", args=[routine.pk, goal.pk]))

    visit(page, reverse("governance:responsibility_add", args=[routine.pk]))
    submit(page)
    errors_on(page, "role_name", "responsibility")
    page.locator("#id_role_name").fill("Samordnare")
    page.locator("#id_unit").select_option(str(office.pk))
    page.locator("#id_responsibility").fill(
        "Sammankallar samverkansgruppen och följer upp rutinen."
    )
    submit(page)
    saved(page)
    row = Responsibility.objects.get(document=routine)
    expect(page.locator("#responsibilities tbody tr")).to_contain_text("Samordnare")
    visit(page, reverse("governance:responsibility_edit", args=[routine.pk, row.pk]))

    visit(page, reverse("governance:document_detail", args=[plan.pk]))
    page.locator(f"main a[href='{reverse('governance:measure_add', args=[plan.pk])}']").click()
    check_axe(page)
    submit(page)  # nothing filled in
    errors_on(page, "what", "owner")
    page.locator("#id_what").fill("Utbilda all personal i rutinen")
    page.locator("#id_owner").fill("Samordnaren")
    page.locator("#id_owner_unit").select_option(str(office.pk))
    page.locator("#id_due_on").fill((today - datetime.timedelta(days=7)).isoformat())
    page.locator("#id_follow_up").fill("Varje termin i samverkansgruppen")
    submit(page)
    expect(page).to_have_url(url_of("governance:document_detail", plan.pk))
    saved(page)
    measure = Measure.objects.get(document=plan)
    overdue = page.locator(f"#measure-{measure.pk}")
    expect(overdue).to_have_class(re.compile("row--danger"))
    expect(overdue.locator(".badge--danger")).to_be_visible()  # in words, not only red
    visit(page, reverse("governance:measure_edit", args=[plan.pk, measure.pk]))

    # --- the read shares before the principal confirms -----------------------------------------
    for colleague in colleagues[:CONFIRMED_BEFORE]:
        services.read_confirm(user=colleague, version=version)
    visit(page, reverse("governance:read_shares"))
    school_row = unit_row(page, school.name)
    cells = school_row.locator("td")
    expect(cells.nth(1)).to_have_text(str(EXTRA_TEACHERS + 2))  # the staff
    expect(cells.nth(2)).to_have_text("<5")  # four have confirmed: too few to show
    expect(cells.nth(3)).not_to_contain_text("%")
    expect(unit_row(page, office.name).locator("td").nth(1)).to_have_text("<5")
    log_out(page)

    # --- the principal confirms -------------------------------------------------------------
    log_in(world.user(Role.PRINCIPAL).username)
    waiting = page.locator(f"main .attention a[href='{detail}#read-confirmation']")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text(ROUTINE)
    check_axe(page)
    waiting.click()
    expect(page).to_have_url(url_of("governance:document_detail", routine.pk))
    expect(
        page.locator(f"main a[href='{reverse('governance:version_add', args=[routine.pk])}']")
    ).to_have_count(0)
    check_axe(page)
    page.locator("#read-confirmation button").click()
    expect(page.locator("#read-confirmation .badge--ok")).to_be_visible()
    expect(page.locator("#read-confirmation button")).to_have_count(0)
    saved(page)
    visit(page, "/")
    expect(page.locator(f"main a[href='{detail}#read-confirmation']")).to_have_count(0)
    visit(page, reverse("governance:read_shares"), status=404)
    log_out(page)

    # --- the coordinator sees the share change --------------------------------------------------
    log_in(world.user(Role.COORDINATOR).username)
    visit(page, reverse("governance:read_shares"))
    cells = unit_row(page, school.name).locator("td")
    expect(cells.nth(2)).to_have_text(str(CONFIRMED_BEFORE + 1))
    expect(cells.nth(3)).to_have_text(
        f"{round(100 * (CONFIRMED_BEFORE + 1) / (EXTRA_TEACHERS + 2))} %"
    )
    log_out(page)

    # --- another municipality sees nothing ------------------------------------------------------
    log_in(world.user(Role.COORDINATOR, "eksjo").username)
    visit(page, detail, status=404)
    visit(page, reverse("governance:version_diff", args=[routine.pk]), status=404)


@override_settings(DEMO_MODE=True)
@pytest.mark.django_db(transaction=True)
def test_with_the_demo_the_eksjo_coordinator_sees_the_old_documents_in_red(
    page: Page, log_in: LogIn
) -> None:
    today = timezone.localdate()
    organisations_demo.load(today=today)
    governance_demo.load(today=today)
    wheel_demo.load(today=today)
    expired = words("Expired on %(date)s")
    overdue = words("Revision overdue since %(date)s")

    log_in("coordinator.eksjo", DEMO_PASSWORD)
    danger = page.locator("main .attention--danger")
    expect(danger.filter(has_text=AGREEMENT)).to_contain_text(expired)
    expect(danger.filter(has_text=PLAN)).to_contain_text(overdue)
    check_axe(page)  # the start page with the governance documents and the wheel
    page.locator(f"nav.main-nav a[href='{reverse('governance:document_list')}']").click()
    red = page.locator("main tr.row--danger")
    agreement = red.filter(has_text=AGREEMENT)
    expect(agreement.locator(".badge--danger").filter(has_text=expired)).to_have_count(1)
    stale = red.filter(has_text=PLAN)
    expect(stale.locator(".badge--danger").filter(has_text=overdue)).to_have_count(1)
    check_axe(page)
    log_out(page)

    log_in("coordinator.leksand", DEMO_PASSWORD)
    expect(page.locator("main h1")).to_have_count(1)
    check_axe(page)  # the Leksand coordinator's start page, wheel items included
