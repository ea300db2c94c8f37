"""The whole journey of a report of concern in a real browser, with axe on every page:

a Leksand teacher files a report (autosave, receipt), the Leksand intake takes every statutory
step up to the feedback and closes it, and then the teacher and the principal see the status and
the feedback, never the intake's own assessments. The Eksjö intake never sees the report.

Demo mode spares everyone the two-factor code at login (two-factor is tested in test_login.py
and in the reports' view tests).
"""

import datetime
import re
import time
from collections.abc import Callable

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from core.personnummer import make_test_identity_number
from organisations.models import Role
from reports.models import ConcernReport, Feedback, ReportStatus
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.world import World

CHILD = make_test_identity_number(datetime.date(2014, 5, 3), 981)
WHAT_HAPPENED = "Eleven har varit borta från skolan i tre veckor och säger att det inte finns mat."
CHILD_WORDS = "Det finns ingen mat hemma, mamma sover hela dagarna."
# What only the intake writes: the school must never see it.
JUSTIFICATION = "Skyddsbedömning: mormor hämtar i dag, ingen akut fara (intern motivering 4711)."
PRELIMINARY_NOTES = "Förhandsbedömning: kontakta elevhälsan (interna anteckningar 4712)."
SAVED = re.compile(r"(Saved|Sparat) \d\d:\d\d")


def url_of(name: str, *args: object) -> re.Pattern[str]:
    return re.compile(re.escape(reverse(name, args=args)) + r"(\?.*)?$")


def labels(text: object) -> re.Pattern[str]:
    """The English or the Swedish text (whatever the translation says right now)."""
    variants = set()
    for language in ("en", "sv"):
        with translation.override(language):
            variants.add(re.escape(str(text)))
    return re.compile("|".join(sorted(variants)))


def wait_for(condition: Callable[[], bool], message: str, timeout: float = 10.0) -> None:
    """Wait until something the live server does shows in the database."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


def log_out(page: Page) -> None:
    page.context.clear_cookies()


def take_step(page: Page, step: str) -> None:
    page.locator(f"#step-{step} button[type=submit]").click()
    expect(page.locator(f"#step-{step}")).to_have_count(0)  # done: not offered again
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator(".error-summary")).to_have_count(0)


@override_settings(DEMO_MODE=True)
def test_teacher_files_intake_handles_and_teacher_and_principal_see_the_feedback(
    page: Page, world: World, log_in: LogIn
) -> None:
    teacher = world.user(Role.REPORTER)

    # --- the teacher files the report ------------------------------------------------------
    log_in(teacher.username)
    page.locator(f"nav.main-nav a[href='{reverse('reports:new')}']").click()
    expect(page).to_have_url(url_of("reports:new"))
    expect(page.locator("h1")).to_have_text(re.compile("orosanmälan|report of concern", re.I))
    check_axe(page)
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/anmalan/drafts/[0-9a-f-]{36}/$"))
    report = ConcernReport.objects.get(author=teacher)
    assert report.status == ReportStatus.DRAFT
    expect(page.locator("#autosave-status")).to_have_text("")
    check_axe(page)  # the empty draft

    page.locator("#id_child_identity_number").fill(CHILD.formatted())
    # The acute-danger question comes right after the child, with no answer preset.
    expect(page.locator("input[name=acute_danger]:checked")).to_have_count(0)
    page.locator("input[name=acute_danger][value=no]").check()
    page.locator("input[name=categories][value=neglect]").check()
    page.locator("input[name=categories][value=school_absence]").check()
    page.locator("#id_what_happened").fill(WHAT_HAPPENED)
    page.locator("#id_child_words").fill(CHILD_WORDS)
    page.locator("input[name=guardians_informed][value=yes]").check()
    page.locator("#id_wants_feedback").check()
    page.locator("#id_reporter_phone").fill("0247-123 45")
    page.locator("#id_reporter_email").focus()  # the phone field's change event saves it

    # The draft saved itself while the teacher typed.
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    wait_for(
        lambda: ConcernReport.objects.filter(
            pk=report.pk, what_happened=WHAT_HAPPENED, reporter_phone="0247-123 45"
        ).exists(),
        "the autosave did not store what was typed",
    )
    report.refresh_from_db()
    assert report.child_identity_number == CHILD.digits
    assert report.acute_danger is False
    assert report.version > 1
    expect(page.locator("#draft-version")).to_have_value(str(report.version))
    # Neglect and school absence: the guardians question stays, no acute notice.
    expect(page.locator("#guardians-notice")).to_have_count(0)
    expect(page.locator("#acute-notice .attention--danger")).to_have_count(0)
    check_axe(page)  # the filled draft

    page.locator("button[name=submit]").click()
    expect(page).to_have_url(url_of("reports:receipt", report.public_id))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    receipt = page.locator("#receipt")
    expect(receipt.locator("strong")).to_have_text(report.reference)
    arrived = receipt.locator("time")
    expect(arrived).not_to_be_empty()
    shown = datetime.datetime.fromisoformat(arrived.get_attribute("datetime") or "")
    assert report.submitted_at is not None
    assert shown == report.submitted_at
    expect(arrived).to_contain_text(timezone.localtime(report.submitted_at).strftime("%H:%M"))
    check_axe(page)

    page.locator(f"main a[href='{reverse('reports:status', args=[report.public_id])}']").click()
    expect(page).to_have_url(url_of("reports:status", report.public_id))
    expect(page.locator("#report-status")).not_to_be_empty()
    check_axe(page)
    page.locator(f"nav.main-nav a[href='{reverse('reports:my_reports')}']").click()
    expect(page.locator("main table tbody tr", has_text=report.reference)).to_have_count(1)
    check_axe(page)
    log_out(page)

    # --- the Leksand intake takes the steps --------------------------------------------------
    log_in(world.user(Role.INTAKE).username)
    page.locator(f"nav.main-nav a[href='{reverse('reports:inbox')}']").click()
    expect(page).to_have_url(url_of("reports:inbox"))
    row = page.locator(f"tr[data-report='{report.public_id}']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(CHILD.masked())
    check_axe(page)
    row.get_by_role("link").click()

    expect(page).to_have_url(url_of("reports:intake_detail", report.public_id))
    main = page.locator("main")
    expect(main).to_contain_text(CHILD.formatted())  # in full on the intake's page only
    expect(main).to_contain_text(WHAT_HAPPENED)
    expect(main).to_contain_text(CHILD_WORDS)
    check_axe(page)

    take_step(page, "receive")
    check_axe(page)

    # The protection assessment without an answer: the form says what is missing.
    page.locator("#step-assess_protection button[type=submit]").click()
    summary = page.locator("#step-assess_protection .error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a")).to_have_count(2)
    check_axe(page)
    # Its first link leads to the first radio button of the question, not to its wrapper.
    summary.locator("a").first.click()
    expect(page.locator("#id_assess_protection-immediate_protection_needed_0")).to_be_focused()
    page.locator("input[name='assess_protection-immediate_protection_needed'][value=no]").check()
    page.locator("#id_assess_protection-justification").fill(JUSTIFICATION)
    take_step(page, "assess_protection")
    expect(page.locator("#history-protection")).to_contain_text(JUSTIFICATION)

    page.locator("#id_start_preliminary-notes").fill(PRELIMINARY_NOTES)
    take_step(page, "start_preliminary")
    check_axe(page)

    page.locator("input[name='decide-decision'][value=opened]").check()
    # The test world's municipality has no usual delegation point: it is typed.
    page.locator("#id_decide-delegation_point").fill("Delegationsordning IFO punkt 3.1")
    take_step(page, "decide")
    expect(page.locator("#step-give_feedback")).to_contain_text(labels(Feedback.OPENED.label))
    check_axe(page)
    take_step(page, "give_feedback")

    page.locator(
        f"main a[href='{reverse('reports:intake_print', args=[report.public_id])}']"
    ).click()
    expect(page).to_have_url(url_of("reports:intake_print", report.public_id))
    expect(page.locator("main")).to_contain_text(JUSTIFICATION)
    check_axe(page)
    page.go_back()

    page.locator("#id_close-confirm").check()
    take_step(page, "close")
    expect(page.locator("[id^=step-]")).to_have_count(0)
    check_axe(page)
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED
    assert report.feedback == Feedback.OPENED
    log_out(page)

    # --- the Eksjö intake never sees it ------------------------------------------------------
    log_in(world.user(Role.INTAKE, "eksjo").username)
    page.goto(reverse("reports:inbox"))
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator(f"tr[data-report='{report.public_id}']")).to_have_count(0)
    page.goto(f"{reverse('reports:inbox')}?status=closed")
    expect(page.locator(f"tr[data-report='{report.public_id}']")).to_have_count(0)
    for name in ("reports:intake_detail", "reports:intake_print"):
        response = page.goto(reverse(name, args=[report.public_id]))
        assert response is not None
        assert response.status == 404, name
    log_out(page)

    # --- the teacher sees the feedback, not the intake's work --------------------------------
    feedback = labels(Feedback.OPENED.label)
    log_in(teacher.username)
    page.goto(reverse("reports:my_reports"))
    row = page.locator("main table tbody tr", has_text=report.reference)
    expect(row).to_contain_text(feedback)
    check_axe(page)
    row.get_by_role("link").click()
    expect(page).to_have_url(url_of("reports:status", report.public_id))
    expect(page.locator("#report-feedback")).to_have_text(feedback)
    expect(page.locator("main")).to_contain_text(WHAT_HAPPENED)  # what the teacher wrote
    for secret in (JUSTIFICATION, PRELIMINARY_NOTES):
        expect(page.locator("body")).not_to_contain_text(secret)
    # Closed: no supplement any more.
    expect(
        page.locator(f"a[href='{reverse('reports:supplement', args=[report.public_id])}']")
    ).to_have_count(0)
    check_axe(page)
    log_out(page)

    # --- the principal sees status and feedback, not the text --------------------------------
    log_in(world.user(Role.PRINCIPAL).username)
    page.locator(f"nav.main-nav a[href='{reverse('reports:school_reports')}']").click()
    expect(page).to_have_url(url_of("reports:school_reports"))
    row = page.locator("main table tbody tr", has_text=report.reference)
    expect(row).to_contain_text(feedback)
    expect(row).to_contain_text(CHILD.masked())
    expect(page.locator("main")).not_to_contain_text(CHILD.formatted())
    check_axe(page)
    row.get_by_role("link").click()
    expect(page).to_have_url(url_of("reports:status", report.public_id))
    expect(page.locator("#report-feedback")).to_have_text(feedback)
    for secret in (WHAT_HAPPENED, CHILD_WORDS, JUSTIFICATION, PRELIMINARY_NOTES):
        expect(page.locator("body")).not_to_contain_text(secret)
    check_axe(page)
