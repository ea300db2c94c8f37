"""Survey results in the browser: a member of the analysis group (the Leksand school
counsellor) finds the round on the start page, reads the results with their charts and the
trend against last year's round, reads the free texts, records a prioritised resource and
puts it on the resource council's next meeting, where the coordinator links the decision.
Axe on every page at 1366 and 320 px, where nothing may scroll sideways."""

import datetime
from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from organisations import demo as organisations_demo
from organisations.demo import DEMO_PASSWORD
from organisations.models import Municipality, Role, Sector, Unit, UnitKind, User
from surveys.models import Round
from surveys.tests.factories_results import answer_many, make_round, make_version
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from wheel.models import ActivityType, MeetingDecision, Occurrence
from wheel.tests.calendar_builders import make_occurrence, make_series

WIDTHS = (1366, 320)


@pytest.fixture
def rounds(transactional_db: None) -> Iterator[tuple[Round, Occurrence]]:  # noqa: ARG001 - committed data for the live server
    """Leksand's demo people, two rounds of one survey (last year's and this year's), and a
    resource council meeting in two weeks."""
    organisations_demo.load(today=timezone.localdate())
    leksand = Municipality.objects.get(name="Leksand")
    group = [User.objects.get(username=name) for name in ("counsellor.leksand", "intake.leksand")]
    first = make_version(leksand, title="Lägesbild – droger och trygghet")
    second = make_version(leksand, template=first.template, number=2)
    last_year = make_round(
        first,
        opens_on=timezone.localdate() - datetime.timedelta(days=380),
        title="Lägesbild förra året",
        invitations=20,
    )
    answer_many(last_year, 12)
    this_year = make_round(
        second,
        opens_on=timezone.localdate() - datetime.timedelta(days=15),
        title="Lägesbild i år",
        invitations=30,
        members=group,
    )
    answer_many(this_year, 14, sector=Sector.SCHOOL)
    answer_many(this_year, 8, sector=Sector.SOCIAL_SERVICES, start=14)
    coordinator = User.objects.get(username="coordinator.leksand")
    office = Unit.objects.filter(municipality=leksand, kind=UnitKind.MUNICIPAL_OFFICE).first()
    assert office is not None
    series = make_series(
        municipality=leksand,
        organiser=office,
        created_by=coordinator,
        activity_type=ActivityType.RESOURCE_COUNCIL,
        title="Resursråd",
    )
    council = make_occurrence(series, timezone.now() + datetime.timedelta(days=14))
    assert coordinator.memberships.filter(role=Role.COORDINATOR).exists()
    with override_settings(DEMO_MODE=True):
        yield this_year, council


def check(page: Page, width: int) -> None:
    expect(page.locator("h1")).to_have_count(1)
    check_axe(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width} px: {scroll_width}"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_analysis_group_reads_results_and_sends_a_priority_to_the_council(
    page: Page, log_in: LogIn, rounds: tuple[Round, Occurrence], width: int
) -> None:
    this_year, council = rounds
    page.set_viewport_size({"width": width, "height": 900})
    log_in("counsellor.leksand", DEMO_PASSWORD)

    # The start page names the round to the analysis group.
    page.get_by_role("link", name="Du ingår i analysgruppen för Lägesbild i år").click()
    expect(page.locator("h1")).to_have_text("Resultat: Lägesbild i år")
    expect(page.locator("svg[role=img]")).to_have_count(5)  # four questions, one trend
    expect(page.get_by_role("heading", name="Jämfört med tidigare omgångar")).to_be_visible()
    expect(page.get_by_role("row", name="Lägesbild förra året")).to_have_count(4)
    check(page, width)

    page.get_by_role("link", name="Fritextsvar", exact=True).click()
    expect(page.get_by_text("Fritextsvar kan innehålla uppgifter om enskilda")).to_be_visible()
    check(page, width)
    page.get_by_role("link", name="Ta bort text").first.click()
    check(page, width)
    page.get_by_role("button", name="Ta bort texten").click()
    expect(page.get_by_text("Texten togs bort av analysgruppen")).to_have_count(1)

    page.get_by_role("link", name="Analys och prioriteringar").click()
    check(page, width)
    page.get_by_role("link", name="Skriv analysen").click()
    check(page, width)
    page.get_by_label("Analys").fill("Oron kring narkotika har ökat sedan förra året.")
    page.get_by_role("button", name="Spara analysen").click()
    expect(page.get_by_text("Analysen sparades.")).to_be_visible()

    page.get_by_role("link", name="Lägg till en prioriterad resurs").click()
    check(page, width)
    page.get_by_role("button", name="Lägg till").click()  # empty: refused, in Swedish
    expect(page.get_by_text("Skriv vilken resurs som prioriteras.").first).to_be_visible()
    check(page, width)
    page.get_by_label("Vilken resurs").fill("Fältassistenter kvällstid")
    page.get_by_label("Varför").fill("Oron vid resecentrum har ökat.")
    page.get_by_label("Ansvarig enhet").select_option(label="Fritidsgården")
    page.get_by_role("button", name="Lägg till").click()
    expect(page.get_by_text("Den prioriterade resursen lades till.")).to_be_visible()

    page.get_by_role(
        "link", name="Lägg på resursrådets dagordning: Fältassistenter kvällstid"
    ).click()
    check(page, width)
    page.get_by_role("button", name="Lägg den på dagordningen").click()
    expect(page.get_by_text("Lagd på resursrådets dagordning: Resursråd den")).to_be_visible()
    check(page, width)

    # The coordinator records the meeting's decision and links it to the priority.
    MeetingDecision.objects.create(occurrence=council, text="Två fältassistenter under våren.")
    page.context.clear_cookies()
    log_in("coordinator.leksand", DEMO_PASSWORD)
    page.goto(reverse("wheel:occurrence_detail", args=[council.pk]))
    expect(page.get_by_role("heading", name="Från lägesbildsanalysen")).to_be_visible()
    check(page, width)
    page.get_by_role("button", name="Koppla beslutet").click()
    expect(page.get_by_text("Beslut i resursrådet")).to_be_visible()
    page.goto(reverse("survey_results:round_list"))
    check(page, width)
    page.goto(reverse("survey_results:analysis", args=[this_year.pk]))
    expect(page.get_by_text("Två fältassistenter under våren.")).to_be_visible()
    check(page, width)
