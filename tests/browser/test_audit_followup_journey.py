"""The audit module in a real browser, with axe on every page:

the Eksjö auditor opens the 2022 letter from the menu, starts a follow-up round (after a try
without a date), assesses each recommendation and the audit question, opens the drafted
follow-up report, has its PDF made and downloads it, and finishes the round after being asked
to confirm. Last, the audit page reflows at 320 px (no sideways scrolling).

Demo mode spares the auditor the two-factor code at login.
"""

import datetime
import io
import re
from pathlib import Path

from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from audits import services
from audits.models import FollowUpRound, PdfState, RecommendationAssessment
from audits.tests import builders
from organisations.models import Role
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.world import World

TITLE = "Granskning av samverkan mellan skola, socialtjänst och föräldrar"
NARROW = 320


def url_of(name: str, *args: object) -> re.Pattern[str]:
    return re.compile(re.escape(reverse(name, args=args)) + r"(\?.*)?(#.*)?$")


def submit(page: Page) -> None:
    page.locator("main form button.button--primary").click()


def saved(page: Page) -> None:
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator(".error-summary")).to_have_count(0)
    check_axe(page)


def _letter(world: World):
    audit = builders.audit(world, "eksjo", title=TITLE, kind="letter")
    question = services.question_add(
        actor=world.user(Role.AUDITOR, "eksjo"),
        audit=audit,
        number=1,
        text="Har kommunstyrelsen säkerställt en ändamålsenlig styrning av samverkan?",
        assessment="partly",
    )
    first = builders.recommendation(world, audit, 1, place="eksjo")
    builders.recommendation(world, audit, 2, place="eksjo")
    builders.respond(world, first, place="eksjo")
    builders.measure(world, first, datetime.date(2022, 12, 31), "ongoing", place="eksjo")
    return audit, question


@override_settings(DEMO_MODE=True)
def test_eksjo_auditor_follows_up_the_letter_and_downloads_the_report(
    page: Page, world: World, log_in: LogIn
) -> None:
    audit, question = _letter(world)
    log_in(world.user(Role.AUDITOR, "eksjo").username)

    # --- from the menu to the audit ------------------------------------------------------------
    page.locator(f"nav.main-nav a[href='{reverse('audits:audit_list')}']").click()
    expect(page).to_have_url(url_of("audits:audit_list"))
    expect(page.locator(f"#audit-{audit.pk} .badge--danger")).to_have_text("1 svar försenat")
    check_axe(page)
    page.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(url_of("audits:audit_detail", audit.pk))
    expect(page.locator("main")).to_contain_text("Besvarad KS 2022-03-10 § 45")
    expect(page.locator("main")).to_contain_text("Svar saknas, sista dag 24 mars 2022")
    check_axe(page)

    # --- a follow-up round, first without a date ------------------------------------------------
    page.locator(f"main a[href='{reverse('audits:round_create', args=[audit.pk])}']").click()
    expect(page).to_have_url(url_of("audits:round_create", audit.pk))
    check_axe(page)
    page.locator("#id_summary").fill("Kommunstyrelsen bör efterfråga uppföljning.")
    submit(page)
    expect(page.locator(".error-summary a[href='#id_held_on']")).to_have_count(1)
    expect(page.locator("#id_summary")).to_have_value("Kommunstyrelsen bör efterfråga uppföljning.")
    check_axe(page)
    page.locator("#id_held_on").fill("2023-01-27")
    submit(page)
    round_ = FollowUpRound.objects.get()
    expect(page).to_have_url(url_of("audits:round_detail", audit.pk, round_.pk))
    saved(page)

    # --- each recommendation, then the question ------------------------------------------------
    for recommendation, word, state in (
        (1, "Delvis genomförd", "En ny överenskommelse är på väg."),
        (2, "Ej genomförd", "Inget har gjorts."),
    ):
        card = page.locator(".card", has_text=f"Rekommendation {recommendation}").first
        card.get_by_role("link", name=re.compile("^Bedöm")).click()
        check_axe(page)
        page.get_by_label(word).check()
        page.locator("#id_current_state").fill(state)
        submit(page)
        expect(page).to_have_url(url_of("audits:round_detail", audit.pk, round_.pk))
        saved(page)
    assert RecommendationAssessment.objects.filter(round=round_).count() == 2
    question_url = reverse("audits:round_question", args=[audit.pk, round_.pk, question.pk])
    page.locator(f"main a[href='{question_url}']").click()
    check_axe(page)
    page.locator("#id_current_state").fill("Styrningen har blivit tydligare under året.")
    page.locator("#id_assessment").select_option("partly")
    submit(page)
    saved(page)

    # --- the drafted report and its PDF --------------------------------------------------------
    page.locator(f"main a[href='{reverse('audits:report', args=[audit.pk, round_.pk])}']").click()
    expect(page).to_have_url(url_of("audits:report", audit.pk, round_.pk))
    expect(page.locator("main")).to_contain_text("Tidigare bedömning")
    expect(page.locator("main")).to_contain_text("Rekommendation 2: Ej genomförd.")
    check_axe(page)
    page.locator("#pdf-status button").click()
    download_link = page.get_by_role("link", name="Ladda ner PDF-filen")
    expect(download_link).to_be_visible()  # at once, or after htmx has asked again
    check_axe(page)
    with page.expect_download() as caught:
        download_link.click()
    content = Path(caught.value.path()).read_bytes()
    text = " ".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(content)).pages)
    text = re.sub(r"\s+", " ", text)
    for expected in ("Revisionsfråga 1", "Delvis genomförd", "Ej genomförd", "Nuläge"):
        assert expected in text, expected
    assert FollowUpRound.objects.get().pdf_state == PdfState.READY

    # --- finishing asks first ------------------------------------------------------------------
    page.goto(reverse("audits:round_detail", args=[audit.pk, round_.pk]))
    page.get_by_role("link", name="Avsluta uppföljningen").click()
    expect(page).to_have_url(url_of("audits:round_finish", audit.pk, round_.pk))
    expect(page.locator("main")).to_contain_text("Det går inte att ångra.")
    check_axe(page)
    assert not FollowUpRound.objects.get().is_finished
    page.get_by_role("button", name="Avsluta uppföljningen slutgiltigt").click()
    expect(page).to_have_url(url_of("audits:round_detail", audit.pk, round_.pk))
    saved(page)
    expect(page.locator("main .badge--ok")).to_contain_text("Avslutad")
    expect(page.get_by_role("link", name=re.compile("^Bedöm|^Ändra bedömningen"))).to_have_count(0)
    assert FollowUpRound.objects.get().is_finished

    # --- the audit page at 320 px --------------------------------------------------------------
    page.set_viewport_size({"width": NARROW, "height": 800})
    page.goto(reverse("audits:audit_detail", args=[audit.pk]))
    expect(page.locator("h1")).to_have_text(TITLE)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW
    check_axe(page)
