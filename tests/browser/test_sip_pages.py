"""A coordinated plan in the browser, on the demo data: the Leksand school nurse starts a plan,
adds the clinic's participant, records the guardians' consent, writes the plan, makes it
active; the clinic's participant sees it; the nurse records a withdrawal and the clinic sees
only that its access ended; the nurse closes the plan. Axe on every page at 1366 and 320 px,
where nothing may scroll sideways."""

import datetime
from collections.abc import Iterator

import pytest
from django.db.models import F
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from organisations import demo as organisations_demo
from organisations import services as org_services
from organisations.demo import DEMO_PASSWORD
from organisations.models import Role, Unit, UnitKind, User
from reports import demo as reports_demo
from sip.models import Plan, PlanStatus
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.factories import UserFactory

WIDTHS = (1366, 320)
CHILD = "Alva Andersson"


@pytest.fixture
def demo(transactional_db: None) -> Iterator[None]:  # noqa: ARG001 - committed data for the live server
    today = timezone.localdate()
    organisations_demo.load(today=today)
    reports_demo.load(today=today)
    with override_settings(DEMO_MODE=True):
        yield


@pytest.fixture
def clinic_user(demo: None) -> User:  # noqa: ARG001 - the demo's units and users first
    unit = Unit.objects.get(
        municipality__name="Leksand",
        kind=UnitKind.HEALTH_REGION_CLINIC,
        name__endswith="Ungdomshälsan",
    )
    user = UserFactory.create(
        username="clinic.leksand",
        first_name="Cecilia",
        last_name="Klinik",
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    org_services.membership_create(actor=None, user=user, unit=unit, role=Role.SIP_PARTICIPANT)
    return user


def check(page: Page, width: int) -> None:
    expect(page.locator("h1")).to_have_count(1)
    check_axe(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width} px: {scroll_width}"


def as_user(page: Page, log_in: LogIn, username: str) -> None:
    page.context.clear_cookies()
    log_in(username, DEMO_PASSWORD)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_plan_from_start_to_close(
    page: Page, log_in: LogIn, clinic_user: User, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    as_user(page, log_in, "nurse.leksand")
    page.goto(reverse("sip:plan_list"))
    check(page, width)

    # Start.
    page.get_by_role("link", name="Starta en plan").click()
    check(page, width)
    page.locator("#id_child_name").fill(CHILD)
    page.locator("#id_child_birth_date").fill("2014-04-14")
    page.get_by_role("button", name="Starta planen").click()
    expect(page.locator("h1")).to_contain_text(CHILD)
    check(page, width)
    plan = Plan.objects.get(child_name=CHILD)
    plan_url = reverse("sip:plan_detail", args=[plan.public_id])

    # The clinic's participant, with an account.
    page.get_by_role("link", name="Lägg till deltagare").click()
    check(page, width)
    page.get_by_label("Yrkesperson").check()
    page.locator("#id_unit").select_option(label=clinic_user.memberships.get().unit.name)
    page.locator("#id_user").select_option(value=str(clinic_user.pk))
    page.locator("#id_title").fill("Kurator")
    page.get_by_role("button", name="Lägg till deltagaren").click()
    expect(page.locator("#participants")).to_contain_text("Cecilia Klinik")

    # A guardian, without an account.
    page.get_by_role("link", name="Lägg till deltagare").click()
    page.get_by_label("Vårdnadshavare").check()
    page.locator("#id_name").fill("Karin Andersson")
    page.locator("#id_title").fill("Mamma")
    page.locator("#id_phone").fill("070-123 45 67")
    page.get_by_role("button", name="Lägg till deltagaren").click()
    expect(page.locator("#participants")).to_contain_text("070-123 45 67")

    # The guardians' consent (the form first without a name: the error, the rest kept).
    page.get_by_role("link", name="Registrera samtycke").click()
    check(page, width)
    page.get_by_label("Skriftligt").check()
    page.get_by_role("button", name="Registrera samtycket").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check(page, width)
    page.get_by_label(clinic_user.memberships.get().unit.name).check()
    page.locator("#id_guardian_1").fill("Karin Andersson")
    page.locator("#id_guardian_2").fill("Jonas Andersson")
    page.get_by_role("button", name="Registrera samtycket").click()
    expect(page.locator("#consents")).to_contain_text("Gäller")

    # Activation lists what is missing first.
    page.get_by_role("link", name="Gör planen aktiv").click()
    expect(page.locator("li", has_text="Beskriv barnets behov").first).to_be_visible()
    check(page, width)
    page.goto(plan_url)

    # The plan's text and an action.
    page.get_by_role("link", name="Ändra planen").click()
    check(page, width)
    page.locator("#id_needs").fill("Alva behöver stöd med närvaron och en kontakt på kliniken.")
    page.locator("#id_goals").fill("Alva går i skolan varje dag före jullovet.")
    page.locator("#id_responsible").select_option(label="Nora Skolsköterska, Medicinska elevhälsan")
    follow_up = timezone.localdate() + datetime.timedelta(days=60)
    page.locator("#id_follow_up_on").fill(follow_up.isoformat())
    page.get_by_role("button", name="Spara").click()

    # Someone else saves meanwhile: nothing typed is lost, both versions are shown.
    page.get_by_role("link", name="Ändra planen").click()
    Plan.objects.filter(pk=plan.pk).update(version=F("version") + 1, goals="Sparat av Iris.")
    page.locator("#id_goals").fill("Alva går i skolan varje dag.")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("alert").first).to_contain_text("Någon annan har sparat planen")
    expect(page.locator("main")).to_contain_text("Sparat av Iris.")
    expect(page.locator("#id_goals")).to_have_value("Alva går i skolan varje dag.")
    check(page, width)
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("main")).to_contain_text("Alva går i skolan varje dag.")
    page.get_by_role("link", name="Lägg till en insats").click()
    check(page, width)
    page.locator("#id_what").fill("Samtal varannan vecka")
    page.locator("#id_party").select_option(label=clinic_user.memberships.get().unit.name)
    page.locator("#id_by_whom").fill("Cecilia Klinik")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("#actions")).to_contain_text("Samtal varannan vecka")

    page.get_by_role("link", name="Gör planen aktiv").click()
    check(page, width)
    page.get_by_role("button", name="Gör planen aktiv").click()
    expect(page.locator(".badge--ok").first).to_contain_text("Aktiv")
    check(page, width)
    page.get_by_role("link", name="Planens hela historik").click()
    check(page, width)

    # The clinic sees the plan.
    as_user(page, log_in, "clinic.leksand")
    page.goto(reverse("sip:plan_list"))
    check(page, width)
    page.get_by_role("link", name=CHILD).click()
    expect(page.locator("h1")).to_contain_text(CHILD)
    check(page, width)

    # The nurse records the withdrawal: the page names the clinic, which loses access.
    as_user(page, log_in, "nurse.leksand")
    page.goto(plan_url)
    page.get_by_role("link", name="har återkallats").click()
    expect(page.locator("main")).to_contain_text(clinic_user.memberships.get().unit.name)
    check(page, width)
    page.locator("#id_withdrawn_by").fill("Karin Andersson")
    page.get_by_role("button", name="Registrera återkallelsen").click()
    expect(page.locator("#consents")).to_contain_text("Återkallat")

    # The clinic sees only that its access ended, on every plan page.
    as_user(page, log_in, "clinic.leksand")
    for url in (plan_url, reverse("sip:plan_history", args=[plan.public_id])):
        page.goto(url)
        expect(page.locator("h1")).to_have_text("Din åtkomst till planen har upphört")
        assert "Alva" not in page.content()
        check(page, width)
    page.goto(reverse("sip:plan_list"))
    assert CHILD not in page.content()

    # The nurse closes the plan (a confirmation page with the reason).
    as_user(page, log_in, "nurse.leksand")
    page.goto(plan_url)
    page.get_by_role("link", name="Avsluta planen").click()
    check(page, width)
    page.get_by_label("Samtycket återkallades").check()
    page.get_by_role("button", name="Avsluta planen").click()
    expect(page.locator("main")).to_contain_text("Planen avslutades")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("width", WIDTHS)
def test_propose_and_the_start_from_a_report(page: Page, log_in: LogIn, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    as_user(page, log_in, "counsellor.leksand")
    page.goto(reverse("sip:plan_list"))
    page.get_by_role("link", name="Föreslå en plan").click()
    check(page, width)
    page.locator("#id_child_name").fill("Nils Nilsson")
    page.locator("#id_child_birth_date").fill("2013-02-02")
    page.get_by_label("Medicinska elevhälsan").check()
    page.locator("#id_reason").fill("Många kontakter: skolan, kliniken och socialtjänsten.")
    page.get_by_role("button", name="Skicka förslaget").click()
    check(page, width)
    expect(page.locator("main")).to_contain_text("Väntar på svar")

    as_user(page, log_in, "nurse.leksand")
    page.goto(reverse("sip:plan_list"))
    page.get_by_role("link", name="Nils Nilsson").click()
    check(page, width)
    page.get_by_role("button", name="Avböj förslaget").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check(page, width)
    page.get_by_role("button", name="Ta upp förslaget").click()
    expect(page.locator("h1")).to_contain_text("Nils Nilsson")

    # The intake starts a plan from a report it handles.
    as_user(page, log_in, "intake.leksand")
    from reports.models import ConcernReport, ReportStatus

    report = (
        ConcernReport.objects.filter(municipality__name="Leksand")
        .exclude(status=ReportStatus.DRAFT)
        .exclude(child_name="")
        .first()
    )
    assert report is not None
    page.goto(reverse("reports:intake_detail", args=[report.public_id]))
    page.get_by_role("link", name="Starta en SIP utifrån anmälan").click()
    check(page, width)
    expect(page.locator("#id_child_name")).to_have_value(report.child_name)
