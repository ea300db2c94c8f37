"""The annual wheel's series and meetings in a real browser, with axe on every page:

the Leksand coordinator creates a series "four times per school term" (after a first try with
nothing filled in, and a look at the dates), sees the planned occurrences, records a past one
as held with attendance per unit, formatted minutes, a decision and a follow-up action. An
identity number typed into the minutes is warned about while typing and refused on save, with
the text kept. A resource council's decision records the resource, the receiving unit and the
follow-up date. A teacher reads the meeting without any way to record it; the Eksjö
coordinator gets a 404.

Demo mode spares everyone the two-factor code at login.
"""

import datetime
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from organisations.demo import school_year_terms
from organisations.models import Role, SchoolTerm, UnitKind
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.world import World
from wheel.models import (
    ActivitySeries,
    ActivityType,
    FollowUpAction,
    MeetingDecision,
    Occurrence,
    OccurrenceStatus,
)
from wheel.tests.series_builders import around_today, past_occurrence

TITLE = "Konsultationsmöte med Region Dalarna"
IDENTITY_NUMBER = "201405039818"
MINUTES = (
    "<p>Vi gick igenom <strong>rutinen för konsultation</strong> och hur skolan når "
    "barn- och ungdomspsykiatrin.</p>\n<ul><li>Kontaktvägar</li><li>Svarstider</li></ul>"
)
DECISION = "Regionen skickar kontaktlistan till alla rektorer före nästa möte."
ACTION = "Uppdatera kontaktlistan på intranätet"


def url_of(name: str, *args: object) -> re.Pattern[str]:
    return re.compile(re.escape(reverse(name, args=args)) + r"(\?.*)?$")


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


@pytest.fixture
def terms(world: World) -> list[SchoolTerm]:
    """Leksand's terms of the past, the current and the next school year: the series has past
    and coming meetings whatever day the test runs."""
    return [
        SchoolTerm.objects.create(
            municipality=world.municipality(), kind=kind, starts_on=starts_on, ends_on=ends_on
        )
        for kind, starts_on, ends_on in school_year_terms(timezone.localdate())
    ]


@override_settings(DEMO_MODE=True)
def test_coordinator_creates_a_series_and_records_a_meeting(
    page: Page, world: World, terms: list[SchoolTerm], log_in: LogIn
) -> None:
    today = timezone.localdate()
    office = world.unit(UnitKind.MUNICIPAL_OFFICE)
    region = world.unit(UnitKind.HEALTH_REGION_CLINIC)
    school = world.unit(UnitKind.SCHOOL)
    student_health = world.unit(UnitKind.STUDENT_HEALTH)

    # --- the coordinator creates the series --------------------------------------------------
    log_in(world.user(Role.COORDINATOR).username)
    page.locator(f"nav.main-nav a[href='{reverse('wheel:series_list')}']").click()
    expect(page).to_have_url(url_of("wheel:series_list"))
    check_axe(page)  # no series yet
    page.locator(f"main a[href='{reverse('wheel:series_create')}']").click()
    expect(page).to_have_url(url_of("wheel:series_create"))
    check_axe(page)
    page.locator("main form button.button--primary").click()  # nothing filled in
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#id_title']")).to_have_count(1)
    expect(summary.locator("a[href='#id_schedule_kind_0']")).to_have_count(1)
    check_axe(page)

    page.locator("#id_activity_type").select_option(ActivityType.REGION_CONSULTATION)
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_description").fill("Skolan och regionen stämmer av samverkan kring BUP.")
    page.locator("#id_organiser_unit").select_option(str(office.pk))
    page.locator("#id_organiser_person").select_option(str(world.user(Role.COORDINATOR).pk))
    for sector in ("school", "health_region"):
        page.locator(f"input[name=invited_sectors][value={sector}]").check()
    for unit in (region, school, student_health):
        page.locator(f"input[name=invited_units][value='{unit.pk}']").check()
    first_day = terms[0].starts_on
    last_day = today + datetime.timedelta(days=180)
    page.locator("#id_starts_on").fill(first_day.isoformat())
    page.locator("#id_ends_on").fill(last_day.isoformat())
    page.locator("#id_start_time").fill("13:00")
    page.locator("#id_duration_minutes").fill("120")
    page.locator("#id_place").fill("Regionens lokaler, Leksand")
    page.locator("input[name=schedule_kind][value=per_term]").check()
    page.locator("#id_times_per_term").fill("4")
    page.locator("button[name=preview]").click()
    preview = page.locator("#preview-heading")
    # The dates are below the long form: the heading takes the focus, and so comes into view.
    expect(preview).to_be_focused()
    expect(preview).to_be_in_viewport()
    dates = page.locator("section[aria-labelledby=preview-heading] li time")
    planned = dates.count()
    covered = sum(1 for term in terms if term.starts_on <= last_day and term.ends_on >= first_day)
    assert planned >= 4 * (covered - 1)
    assert ActivitySeries.objects.count() == 0  # a preview saves nothing
    expect(page.locator("#id_title")).to_have_value(TITLE)  # what was typed is kept
    check_axe(page)

    page.locator("main form button.button--primary").click()
    series = ActivitySeries.objects.get(title=TITLE)
    expect(page).to_have_url(url_of("wheel:series_detail", series.pk))
    saved(page)
    assert series.times_per_term == 4
    occurrences = list(series.occurrences.order_by("starts_at"))
    assert len(occurrences) == planned
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(planned)
    expect(rows.locator(".badge", has_text=re.compile(r"\S"))).to_have_count(planned)

    # The series list counts them too.
    page.locator(f"main a[href='{reverse('wheel:series_list')}']").click()
    row = page.locator("main table tbody tr", has_text=TITLE)
    expect(row).to_have_count(1)
    check_axe(page)
    row.get_by_role("link", name=TITLE).click()

    # Change the series: look at the dates and save without changing the schedule.
    page.locator(f"main a[href='{reverse('wheel:series_edit', args=[series.pk])}']").click()
    expect(page).to_have_url(url_of("wheel:series_edit", series.pk))
    expect(page.locator("input[name=schedule_kind][value=per_term]")).to_be_checked()
    expect(page.locator("#id_times_per_term")).to_have_value("4")
    check_axe(page)
    page.locator("#id_place").fill("Regionens lokaler, Leksand, rum 2")
    page.locator("button[name=preview]").click()
    expect(page.locator("#preview-heading")).to_be_focused()
    check_axe(page)
    page.locator("main form button.button--primary").click()
    expect(page).to_have_url(url_of("wheel:series_detail", series.pk))
    saved(page)

    # --- a past meeting is recorded ----------------------------------------------------------
    first = occurrences[0]
    assert first.starts_at < timezone.now()
    detail = reverse("wheel:occurrence_detail", args=[first.pk])
    page.locator(f"main table a[href='{detail}']").click()
    expect(page).to_have_url(url_of("wheel:occurrence_detail", first.pk))
    check_axe(page)
    page.locator(f"main a[href='{reverse('wheel:occurrence_record', args=[first.pk])}']").click()
    expect(page).to_have_url(url_of("wheel:occurrence_record", first.pk))
    check_axe(page)

    page.locator("input[name=status][value=held]").check()
    page.locator(f"#id_attendance_{office.pk}").fill("1")
    page.locator(f"#id_attendance_{region.pk}").fill("2")
    page.locator(f"#id_attendance_{school.pk}").fill("3")
    minutes = page.locator("#id_minutes")
    minutes.fill(MINUTES + "\n<p>Gäller eleven ")
    # Typed key by key, as a person types: the warning shows while typing.
    minutes.press_sequentially(IDENTITY_NUMBER + ".</p>")
    warning = page.locator("#minutes-check .attention--warning")
    expect(warning).to_be_visible()
    check_axe(page)  # with the warning
    page.locator("main form button.button--primary").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#id_minutes']")).to_have_count(1)
    expect(page.locator("#id_minutes")).to_have_value(re.compile(IDENTITY_NUMBER))
    expect(page.locator("#id_minutes")).to_have_value(re.compile("rutinen för konsultation"))
    expect(page.locator(f"#id_attendance_{region.pk}")).to_have_value("2")
    expect(page.locator("input[name=status][value=held]")).to_be_checked()
    check_axe(page)  # the refusal
    first.refresh_from_db()
    assert first.status == OccurrenceStatus.PLANNED
    assert IDENTITY_NUMBER not in first.minutes

    # Without the number the minutes are saved, and the warning goes away.
    page.locator("#id_minutes").fill(MINUTES)
    page.locator("#id_minutes").press("End")
    expect(page.locator("#minutes-check .attention--warning")).to_have_count(0)
    page.locator("main form button.button--primary").click()
    expect(page).to_have_url(url_of("wheel:occurrence_detail", first.pk))
    saved(page)
    first.refresh_from_db()
    assert first.status == OccurrenceStatus.HELD
    assert {row.unit_id: row.participants for row in first.attendance.all()} == {
        office.pk: 1,
        region.pk: 2,
        school.pk: 3,
    }
    minutes_panel = page.locator("section[aria-labelledby=minutes-heading] .panel")
    expect(minutes_panel.locator("strong")).to_have_text("rutinen för konsultation")
    expect(minutes_panel.locator("li")).to_have_count(2)
    attendance = page.locator("section[aria-labelledby=attendance-heading] tbody tr")
    expect(attendance).to_have_count(3 + 3)  # three units, then their three sectors

    # A decision: the first try with an identity number is refused, too.
    page.locator(f"main a[href='{reverse('wheel:decision_create', args=[first.pk])}']").click()
    expect(page).to_have_url(url_of("wheel:decision_create", first.pk))
    check_axe(page)
    page.locator("#id_text").fill(f"Eleven {IDENTITY_NUMBER} remitteras.")
    page.locator("main form button.button--primary").click()
    expect(page.locator(".error-summary a[href='#id_text']")).to_have_count(1)
    check_axe(page)
    page.locator("#id_text").fill(DECISION)
    page.locator("main form button.button--primary").click()
    expect(page).to_have_url(url_of("wheel:occurrence_detail", first.pk))
    saved(page)
    expect(page.locator("section[aria-labelledby=decisions-heading] li")).to_contain_text(DECISION)
    decision = MeetingDecision.objects.get(occurrence=first)
    page.locator(f"main a[href='{reverse('wheel:decision_edit', args=[decision.pk])}']").click()
    expect(page.locator("#id_text")).to_have_value(DECISION)
    check_axe(page)
    page.locator("main form button.button--primary").click()
    saved(page)

    # A follow-up action.
    page.locator(f"main a[href='{reverse('wheel:action_create', args=[first.pk])}']").click()
    expect(page).to_have_url(url_of("wheel:action_create", first.pk))
    check_axe(page)
    page.locator("main form button.button--primary").click()  # nothing filled in
    expect(page.locator(".error-summary a[href='#id_what']")).to_have_count(1)
    check_axe(page)
    page.locator("#id_what").fill(ACTION)
    page.locator("#id_owner").fill("Region Dalarna, BUP Leksand")
    page.locator("#id_due_on").fill((today + datetime.timedelta(days=30)).isoformat())
    page.locator("main form button.button--primary").click()
    expect(page).to_have_url(url_of("wheel:occurrence_detail", first.pk))
    saved(page)
    action = FollowUpAction.objects.get(occurrence=first)
    actions = page.locator("section[aria-labelledby=actions-heading] tbody tr")
    expect(actions).to_have_count(1)
    expect(actions).to_contain_text(ACTION)
    page.locator(f"main a[href='{reverse('wheel:action_edit', args=[action.pk])}']").click()
    expect(page.locator("#id_what")).to_have_value(ACTION)
    check_axe(page)
    page.locator(f"main form a[href='{detail}']").click()  # Cancel
    expect(page).to_have_url(url_of("wheel:occurrence_detail", first.pk))
    actions.locator("form button").click()  # mark as done
    saved(page)
    expect(actions.locator("form")).to_have_count(0)
    expect(actions.locator(".badge--ok")).to_have_count(1)

    # The series page shows what was recorded.
    page.locator(f"main a[href='{reverse('wheel:series_detail', args=[series.pk])}']").click()
    row = page.locator("main table tbody tr").first
    cells = row.locator("td")  # status, place, minutes, participants, decisions, open actions
    expect(cells.nth(0).locator(".badge--ok")).to_have_count(1)
    expect(cells.nth(2)).not_to_have_text("–")
    expect(cells.nth(3)).to_have_text("6")
    expect(cells.nth(4)).to_have_text("1")
    expect(cells.nth(5)).to_have_text("0")
    check_axe(page)
    log_out(page)

    # --- a teacher reads the meeting; the Eksjö coordinator gets nothing ---------------------
    log_in(world.user(Role.REPORTER).username)
    visit(page, detail)
    expect(page.locator("section[aria-labelledby=decisions-heading]")).to_contain_text(DECISION)
    expect(
        page.locator(f"a[href^='{reverse('wheel:occurrence_record', args=[first.pk])}']")
    ).to_have_count(0)
    expect(page.locator("main a[href*='/beslut/'], main a[href*='/atgarder/']")).to_have_count(0)
    expect(page.locator("main form")).to_have_count(0)
    visit(page, reverse("wheel:occurrence_record", args=[first.pk]), status=404)
    visit(page, reverse("wheel:series_detail", args=[series.pk]))
    expect(
        page.locator(f"a[href='{reverse('wheel:series_edit', args=[series.pk])}']")
    ).to_have_count(0)
    log_out(page)

    log_in(world.user(Role.COORDINATOR, "eksjo").username)
    visit(page, detail, status=404)
    visit(page, reverse("wheel:series_detail", args=[series.pk]), status=404)


@override_settings(DEMO_MODE=True)
def test_a_resource_council_decision_names_the_resource_the_unit_and_the_follow_up(
    page: Page, world: World, log_in: LogIn
) -> None:
    series = around_today(world, activity_type=ActivityType.RESOURCE_COUNCIL, title="Resursråd")
    occurrence: Occurrence = past_occurrence(series)
    receiving = world.unit(UnitKind.SCHOOL)
    follow_up = timezone.localdate() + datetime.timedelta(days=42)

    log_in(world.user(Role.COORDINATOR).username)
    visit(page, reverse("wheel:occurrence_detail", args=[occurrence.pk]))
    page.locator(f"main a[href='{reverse('wheel:decision_create', args=[occurrence.pk])}']").click()
    check_axe(page)
    page.locator("main form button.button--primary").click()  # nothing filled in
    summary = page.locator(".error-summary")
    for name in ("text", "resource", "receiving_unit", "follow_up_on"):
        expect(summary.locator(f"a[href='#id_{name}']")).to_have_count(1)
    check_axe(page)
    page.locator("#id_text").fill("Skolan får stöd av en specialpedagog under vårterminen.")
    page.locator("#id_resource").fill("Specialpedagog 20 %")
    page.locator("#id_receiving_unit").select_option(str(receiving.pk))
    page.locator("#id_follow_up_on").fill(follow_up.isoformat())
    page.locator("main form button.button--primary").click()
    expect(page).to_have_url(url_of("wheel:occurrence_detail", occurrence.pk))
    saved(page)
    decision = MeetingDecision.objects.get(occurrence=occurrence)
    assert (decision.resource, decision.receiving_unit, decision.follow_up_on) == (
        "Specialpedagog 20 %",
        receiving,
        follow_up,
    )
    shown = page.locator("section[aria-labelledby=decisions-heading] dl")
    expect(shown).to_contain_text("Specialpedagog 20 %")
    expect(shown).to_contain_text(receiving.name)
