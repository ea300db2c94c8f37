"""The dashboard page on the hand-counted March of ``scenario``: every indicator with its
value, counts, target, light in words, the previous period and the change; the period form
and its bad input; the comparison; the schools, sectors and documents."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from followup.catalogue import CATALOGUE
from followup.models import ComparisonConsent, ReferenceValue
from organisations.models import Role

MARCH = {"period": "month", "month": "2026-03"}


def _page(client, user, **query):
    client.force_login(user)
    response = client.get(reverse("followup:dashboard"), query)
    assert response.status_code == 200
    return response


def _row(response, key):
    return next(row for row in response.context["rows"] if row.indicator.key == key)


def test_every_indicator_of_the_catalogue_is_a_row(client, march):
    response = _page(client, march.user(Role.BOARD_MEMBER), **MARCH)
    keys = [row.indicator.key for row in response.context["rows"]]
    assert keys == list(CATALOGUE)
    html = response.content.decode()
    for indicator in CATALOGUE.values():
        assert escape(str(indicator.name)) in html
        assert f'href="/uppfoljning/indikatorer/#{indicator.key}"' in html


def test_the_values_counts_targets_and_lights_by_hand(client, march):
    response = _page(client, march.user(Role.BOARD_MEMBER), **MARCH)
    decided = _row(response, "decided_within_deadline")
    assert decided.shown.text == "71 %"  # 5 of 7
    assert decided.shown.counts_text == ""  # "5 of 7" would give away the 2 decided late
    assert decided.target == "at least 100 %"
    assert decided.light_label == "Target not met"  # 71 is more than 10 points under 100
    protection = _row(response, "protection_on_time")
    # 7 of 8: more than 10 points under 100.
    assert (protection.shown.text, protection.light_label) == ("88 %", "Target not met")
    meetings = _row(response, "meetings_held")  # 2 of 4 against at least 90 %
    assert (meetings.shown.text, meetings.light_label) == ("50 %", "Target not met")
    median = _row(response, "decision_days_median")
    assert (median.shown.text, median.target, median.light_label) == (
        "2",
        "at most 14",
        "Target met",
    )
    rate = _row(response, "reports_per_100_pupils")
    assert (rate.target, rate.light_label) == ("No target", "No target")
    # February had nothing: no previous value, so no change.
    assert (decided.previous.text, decided.change) == ("–", "–")
    html = response.content.decode()
    assert "Target not met" in html
    assert "Target met" in html
    assert "No target" in html
    assert "March 2026" in html


def test_the_change_from_the_previous_period(client, march):
    # April against March: nothing has arrived in April yet.
    response = _page(client, march.user(Role.COORDINATOR), period="month", month="2026-04")
    meetings = _row(response, "meetings_held")
    assert meetings.previous.text == "50 %"
    # The year 2026 against 2025: March's values against none.
    response = _page(
        client,
        march.user(Role.COORDINATOR),
        period="custom",
        **{"from": "2026-03", "to": "2026-04"},
    )
    assert _row(response, "meetings_held").previous.text == "–"


@pytest.mark.usefixtures("english")
def test_a_change_is_said_in_percentage_points():
    from followup.presentation import change_text
    from followup.values import Shown

    indicator = CATALOGUE["meetings_held"]
    now, before = Shown(indicator, Decimal(75)), Shown(indicator, Decimal(50))
    assert change_text(now, before) == "+25 percentage points"
    assert change_text(before, now) == "−25 percentage points"
    assert change_text(now, now) == "no change"


@pytest.mark.parametrize(
    "query",
    [
        {"period": "month", "month": "2026-13"},
        {"period": "year", "year": "abc"},
        {"period": "custom", "from": "2026-05", "to": "2026-01"},
        {"period": "custom", "from": "2000-01", "to": "2026-01"},
        {"period": "term", "term": "autumn-99"},
        {"period": "week"},
        {"period": "month", "month": "0001-01"},
        {"period": "year", "year": "2100"},
    ],
)
def test_bad_period_input_shows_a_message_and_the_current_year(client, march, query):
    response = _page(client, march.user(Role.COORDINATOR), **query)
    assert response.context["loaded"].period.label == "2026"
    assert response.context["loaded"].period_error.startswith("The period could not be read")
    assert "The period could not be read" in response.content.decode()


def test_swedish_by_default_in_words(march):
    client = Client(headers={"Accept-Language": "sv"})
    response = _page(client, march.user(Role.BOARD_MEMBER), **MARCH)
    html = response.content.decode()
    for text in (
        "Uppföljning",
        "Målet inte nått",
        "Målet nått",
        "Inget mål",
        "Skyddsbedömningar i tid",
        "Dagar till beslut, median",
        "mars 2026",
    ):
        assert text in html, text


def test_the_comparison_names_only_who_agreed(client, march):
    ReferenceValue.objects.create(
        indicator_key="led_to_investigation", year=2018, value=Decimal(38), source="Socialstyrelsen"
    )
    response = _page(client, march.user(Role.BOARD_MEMBER, "eksjo"), **MARCH)
    html = response.content.decode()
    assert "Leksand" not in html  # Leksand has not agreed to be named
    assert "Municipality" in html
    assert "Sweden 2018: 38 %" in html
    assert "Source: Socialstyrelsen" in html
    ComparisonConsent.objects.create(municipality=march.municipality(), named=True)
    html = _page(client, march.user(Role.BOARD_MEMBER, "eksjo"), **MARCH).content.decode()
    assert "Leksand" in html


def test_the_schools_table(client, march):
    response = _page(client, march.user(Role.COORDINATOR), **MARCH)
    [(row, silent, met, visited)] = response.context["schools"]
    assert row.unit == march.unit("school")
    assert (str(row.sent), row.rate.text, silent, met, visited) == ("8", "2.7", "No", "Yes", "No")


def test_a_principal_sees_their_own_school_only(client, march):
    from tests.factories import UnitFactory

    UnitFactory.create(municipality=march.municipality(), name="Annan skola", kind="school")
    response = _page(client, march.user(Role.PRINCIPAL), **MARCH)
    assert [row.unit.name for row, *_flags in response.context["schools"]] == [
        march.unit("school").name
    ]
    assert "Annan skola" not in response.content.decode()
    coordinator = _page(client, march.user(Role.COORDINATOR), **MARCH)
    assert "Annan skola" in coordinator.content.decode()


def test_the_sectors_and_the_trend_tables(client, march):
    response = _page(client, march.user(Role.COORDINATOR), **MARCH)
    html = response.content.decode()
    assert [row.label for row in response.context["dash"].sectors] == ["School", "Social services"]
    assert html.count('class="trend-chart"') == len(response.context["charts"])
    assert "Numbers of the chart" in html


def test_documents_passed_are_red_with_words(client, march):
    from governance.models import DocumentKind
    from governance.tests import builders

    document = builders.document(march, kind=DocumentKind.AGREEMENT, title="Överenskommelse")
    builders.version(
        march, document, approved_on=datetime.date(2025, 6, 1), valid_to=datetime.date(2026, 4, 5)
    )
    response = _page(client, march.user(Role.BOARD_MEMBER), **MARCH)
    html = response.content.decode()
    assert "Passed 10 days ago" in html
    assert 'class="row--danger"' in html


def test_the_catalogue_describes_every_indicator(client, march):
    client.force_login(march.user(Role.REPORTER))
    response = client.get(reverse("followup:catalogue"))
    html = response.content.decode()
    for indicator in CATALOGUE.values():
        assert f'id="{indicator.key}"' in html
        assert escape(str(indicator.definition)) in html
        assert escape(str(indicator.source)) in html
    assert "At most 14" in html  # the default target of the days to decision
    # A reporter reads what the indicators mean but has no dashboard to go back to.
    assert f'href="{reverse("followup:dashboard")}"' not in html


def test_the_catalogue_is_rendered_once_per_language(client, march):
    """Its descriptions are kept per language in the process: each language gets its own."""
    client.force_login(march.user(Role.BOARD_MEMBER))
    url = reverse("followup:catalogue")
    english = client.get(url, headers={"Accept-Language": "en"}).content.decode()
    swedish = client.get(url, headers={"Accept-Language": "sv"}).content.decode()
    again = client.get(url, headers={"Accept-Language": "en"}).content.decode()
    assert "How it is counted" in english
    assert "Så räknas den" not in english
    assert "Så räknas den" in swedish
    assert "How it is counted" not in swedish
    assert _descriptions(again) == _descriptions(english)
    # A board member has a dashboard to go back to; the shared part does not say so.
    assert f'href="{reverse("followup:dashboard")}"' in english


def _descriptions(html: str) -> str:
    return html[html.index('<nav aria-labelledby="contents-heading">') : html.index("</main>")]


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.BOARD_MEMBER, True),
        (Role.PRINCIPAL, True),
        (Role.INTAKE, True),
        (Role.REPORTER, False),
        (Role.STUDENT_HEALTH, False),
    ],
)
def test_the_menu_shows_the_follow_up_to_its_roles(client, march, role, shown):
    client.force_login(march.user(role))
    html = client.get(reverse("core:start")).content.decode()
    assert (f'href="{reverse("followup:dashboard")}"' in html) is shown


def test_the_period_form_shows_the_period_in_force(client, march):
    html = _page(client, march.user(Role.COORDINATOR), **MARCH).content.decode()
    assert '<option value="month" selected>' in html
    assert 'name="month" id="id_month" value="2026-03"' in html
    # The term list starts at the term of today (spring 2026 on 15 April).
    assert '<option value="spring-2026" selected>' in html


def test_each_compared_indicator_has_its_comparison_beside_it(client, march):
    ReferenceValue.objects.create(
        indicator_key="led_to_investigation", year=2018, value=Decimal(38), source="Socialstyrelsen"
    )
    ReferenceValue.objects.create(
        indicator_key="led_to_investigation", year=2021, value=Decimal(41), source="Socialstyrelsen"
    )
    response = _page(client, march.user(Role.BOARD_MEMBER, "eksjo"), **MARCH)
    # Leksand's 8 reports from 300 pupils, computed as Leksand's own dashboard computes it.
    assert _row(response, "reports_per_100_pupils").compared_text == "One other municipality: 2.7"
    assert _row(response, "decided_within_deadline").compared_text == (
        "One other municipality: 71 %"
    )
    # The latest national value beside the row; every year in the comparison section.
    led = _row(response, "led_to_investigation")
    assert led.compared_text.endswith("Sweden 2021: 41 %")
    html = response.content.decode()
    assert 'href="#compare-reports_per_100_pupils"' in html
    assert "Sweden 2018: 38 %" in html
    # Not compared: the audits are each municipality's own.
    assert _row(response, "open_audit_recommendations").compared_text == ""
    assert "Not compared" in html
    # Leksand sees its own value in the comparison, and no other municipality with numbers.
    own = _page(client, march.user(Role.COORDINATOR), **MARCH)
    rate = _row(own, "reports_per_100_pupils")
    assert [(entry.own, entry.shown.text) for entry in rate.comparisons] == [(True, "2.7")]
    assert rate.compared_text == "No other municipality to compare with"


def test_the_comparisons_rate_leaves_out_what_inactive_schools_sent(client, march):
    school = march.unit("school")
    school.is_active = False
    school.save(update_fields=["is_active"])
    response = _page(client, march.user(Role.BOARD_MEMBER, "eksjo"), **MARCH)
    # No active school and no pupils: no rate, as on Leksand's own dashboard.
    assert _row(response, "reports_per_100_pupils").compared_text == (
        "Other municipalities: no numbers for the period"
    )


@pytest.mark.usefixtures("english")
def test_a_protected_value_stays_out_of_the_comparisons_range():
    from followup.presentation import compared_text
    from followup.selectors import Comparison
    from followup.values import Shown

    indicator = CATALOGUE["led_to_investigation"]
    entries = [
        Comparison("Leksand", Shown(indicator, Decimal(40)), own=True),
        Comparison("Municipality A", Shown(indicator, None, protected=True), own=False),
        Comparison("Municipality B", Shown(indicator, Decimal(20)), own=False),
        Comparison("Municipality C", Shown(indicator, Decimal(35)), own=False),
    ]
    assert compared_text(indicator, entries, []) == "Other municipalities: 20 % to 35 %"
    assert compared_text(indicator, entries[:2], []) == "Other municipalities: too few to show"


@pytest.mark.usefixtures("english")
def test_a_value_that_can_not_be_judged_against_its_target_says_why():
    from followup.values import Shown, format_value

    indicator = CATALOGUE["routine_confirmed"]
    assert Shown(indicator, None, target=Decimal(80)).light_label == (
        "Not judged: no data for the period"
    )
    led = CATALOGUE["protection_on_time"]
    assert Shown(led, None, protected=True, target=Decimal(100)).light_label == (
        "Not judged: too few to show"
    )
    assert Shown(led, None, protected=True).light_label == "No target"
    # A document far past its date: a true minus sign and grouped thousands.
    days = CATALOGUE["document_days_to_revision"]
    assert format_value(Decimal(-2943), days.unit) == "\N{MINUS SIGN}2,943"


def test_ten_years_are_drawn_year_by_year(client, march):
    response = _page(
        client,
        march.user(Role.BOARD_MEMBER),
        period="custom",
        **{"from": "2017-01", "to": "2026-03"},
    )
    html = response.content.decode()
    for trend, _svg, table in response.context["charts"]:
        assert trend.yearly
        labels = re.findall(r'<th scope="row">([^<]*)</th>', str(table))
        assert labels[-2:] == ["2025", "January–March 2026"]
    assert '<th scope="col">Year</th>' in html
    assert "Reports of concern that arrived, per year" in html
    assert "Bars per year from 2017 to 2026" in html
