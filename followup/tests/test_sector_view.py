"""The follow-up for one sector ("Visa för"), on the hand-counted March of ``scenario``.

By hand, March 2026 in Leksand: the school (300 pupils) sent 8 reports, all by school staff
(the teacher's sector is School); two meetings were held, the school attended both and the
social services one; no read confirmations. So, for the School sector: 8 reports per 300
pupils = 2.7 per 100, attendance 2 of 2 = 100 %; for Social services: 0 reports = 0.0 per
100 ("0,0" in Swedish), attendance 1 of 2 = 50 %. Every other indicator is not reported per
sector.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse

from followup.catalogue import CATALOGUE, Level
from followup.periods import month_period
from followup.rollups import rebuild
from followup.sectors import sector_view
from followup.selectors import dashboard
from followup.tests.scenario import NOW, at
from followup.tests.test_start_pages import DASHBOARD_KEPT_QUERIES, DASHBOARD_QUERIES, EXPECTED
from organisations import services as organisation_services
from organisations.followup_stamp import followup_restamp
from organisations.models import Role, Sector, UnitKind
from reports.tests.builders import submitted
from tests.factories import UnitFactory, UserFactory

MARCH = {"period": "month", "month": "2026-03"}
MARCH_PERIOD = month_period(datetime.date(2026, 3, 1))


def _page(client, user, **query):
    client.force_login(user)
    response = client.get(reverse("followup:dashboard"), query)
    assert response.status_code == 200
    return response


def _row(response, key):
    return next(row for row in response.context["rows"] if row.indicator.key == key)


def _sector_values(world, sector):
    dash = dashboard(world.municipality(), MARCH_PERIOD, today=NOW.date())
    return sector_view(dash, sector).values


# --- values by hand ----------------------------------------------------------------------


def test_the_school_sector_by_hand(client, march):
    response = _page(client, march.user(Role.COORDINATOR), sector="school", **MARCH)
    assert response.context["dash"].sector == Sector.SCHOOL
    rate = _row(response, "reports_per_100_pupils")
    assert (rate.shown.text, rate.shown.counts_text) == ("2.7", "8 of 300")
    attendance = _row(response, "attendance_by_sector")
    assert (attendance.shown.text, attendance.shown.counts_text) == ("100 %", "2 of 2")
    confirmed = _row(response, "routine_confirmed")
    assert confirmed.shown.text == "–"  # no read confirmations in March


def test_the_social_services_sector_by_hand(march):
    values = _sector_values(march, Sector.SOCIAL_SERVICES)
    assert values["reports_per_100_pupils"].text == "0,0"  # Swedish by default
    assert values["attendance_by_sector"].text == "50 %"
    assert values["attendance_by_sector"].counts_text == "1 av 2"


def test_indicators_not_by_sector_say_so_in_words(client, march):
    response = _page(client, march.user(Role.COORDINATOR), sector="school", **MARCH)
    html = response.content.decode()
    for key, indicator in CATALOGUE.items():
        row = _row(response, key)
        assert row.not_by_sector == (Level.SECTOR not in indicator.levels), key
        if row.not_by_sector:
            assert row.shown is None
            assert row.light_label == "No target"
    assert "Not reported per sector" in html
    # Nothing of the municipality's values leaks into the sector's red indicators.
    assert "Decisions within the deadline" not in {
        str(row.indicator.name) for row in response.context["rows"] if row.light == "red"
    }


def test_the_headings_say_what_is_shown(client, march):
    html = _page(client, march.user(Role.COORDINATOR), sector="school", **MARCH).content.decode()
    for text in (
        "Follow-up of Leksand: the sector School",
        "Indicators for the sector School",
        "Trends month by month, whole municipality",
        "Schools, whole municipality",
        "Governance documents, whole municipality",
    ):
        assert text in html, text


def test_swedish_texts(march):
    from django.test import Client

    client = Client(headers={"Accept-Language": "sv"})
    html = _page(client, march.user(Role.COORDINATOR), sector="school", **MARCH).content.decode()
    for text in (
        "Visa för",
        "Hela kommunen",
        "Indikatorer för sektorn Skola",
        "Redovisas inte per sektor",
        "hela kommunen",
    ):
        assert text in html, text


def test_the_period_form_keeps_the_sector_and_the_links_too(client, march):
    response = _page(client, march.user(Role.COORDINATOR), sector="school", **MARCH)
    html = response.content.decode()
    assert '<option value="school" selected>' in html
    assert response.context["form"]["month"] == "2026-03"
    assert "sector=school" in response.context["query"]
    assert "month=2026-03" in response.context["query"]


# --- small numbers ------------------------------------------------------------------------


@pytest.fixture
def nurse_reports(march):
    """Two reports more from the school in March, by the medical student health (its own
    sector): School 8, Medical student health 2, in all 10."""
    with time_machine.travel(NOW, tick=False):
        for day in (6, 9):
            submitted(march, author=march.user(Role.MEDICAL_STUDENT_HEALTH), now=at(day))
        rebuild(now=NOW)
    return march


def test_a_small_sector_is_protected_and_the_other_hidden(client, nurse_reports):
    with time_machine.travel(NOW, tick=False):
        medical = _sector_values(nurse_reports, Sector.MEDICAL_STUDENT_HEALTH)
        school = _sector_values(nurse_reports, Sector.SCHOOL)
        user = nurse_reports.user(Role.COORDINATOR)
        response = _page(client, user, sector=Sector.MEDICAL_STUDENT_HEALTH, **MARCH)
    rate = medical["reports_per_100_pupils"]
    assert (rate.text, rate.counts_text) == ("<5", "")  # 2 reports
    # School's 8 would give the 2 away beside the 10 in the schools table: hidden, "–".
    assert (school["reports_per_100_pupils"].text, school["reports_per_100_pupils"].hidden) == (
        "–",
        True,
    )
    html = response.content.decode()
    assert _row(response, "reports_per_100_pupils").shown.text == "<5"
    assert "2 of 300" not in html


# --- a bad choice, the manager's default, outsiders ---------------------------------------


@pytest.mark.parametrize("value", ["nonsense", "SCHOOL", "school'", "1"])
def test_a_bad_sector_says_so_and_shows_the_whole_municipality(client, march, value):
    response = _page(client, march.user(Role.COORDINATOR), sector=value, **MARCH)
    assert response.context["dash"].sector == ""
    assert "The sector could not be read" in response.content.decode()
    assert _row(response, "decided_within_deadline").shown.text == "71 %"


def _area_manager(world):
    """A manager of an administration (sector: municipal management, the default) with a
    school below it."""
    municipality = world.municipality()
    area = UnitFactory.create(
        municipality=municipality, name="Skolområde Norr", kind=UnitKind.ADMINISTRATION
    )
    UnitFactory.create(
        municipality=municipality, name="Norrskolan", kind=UnitKind.SCHOOL, parent=area
    )
    manager = UserFactory.create(username="manager.north", municipality=municipality)
    organisation_services.membership_create(
        actor=None, user=manager, unit=area, role=Role.MANAGER, includes_subtree=True
    )
    from conftest import give_totp

    give_totp(manager)
    return manager


def test_a_manager_sees_the_sector_of_their_unit_first(client, march):
    manager = _area_manager(march)
    response = _page(client, manager, **MARCH)
    assert response.context["dash"].sector == Sector.SCHOOL
    assert _row(response, "reports_per_100_pupils").shown.text == "2.7"
    # Their choice of the whole municipality wins over the default.
    whole = _page(client, manager, sector="all", **MARCH)
    assert whole.context["dash"].sector == ""
    assert "sector=all" in whole.context["query"]


def test_a_manager_of_the_intake_sees_social_services(client, march):
    intake_manager = UserFactory.create(username="manager.ifo", municipality=march.municipality())
    organisation_services.membership_create(
        actor=None, user=intake_manager, unit=march.unit(UnitKind.INTAKE), role=Role.MANAGER
    )
    from conftest import give_totp

    give_totp(intake_manager)
    response = _page(client, intake_manager, **MARCH)
    assert response.context["dash"].sector == Sector.SOCIAL_SERVICES


def test_a_manager_at_the_municipal_office_and_other_roles_see_the_whole(client, march):
    for role in (Role.MANAGER, Role.COORDINATOR, Role.BOARD_MEMBER):
        assert _page(client, march.user(role), **MARCH).context["dash"].sector == ""


def test_the_manager_start_panel_names_the_sector(client, march):
    manager = _area_manager(march)
    client.force_login(manager)
    html = client.get(reverse("core:start")).content.decode()
    assert "The sector School in Leksand, 2026" in html
    assert "The schools of Skolområde Norr, 2026" in html
    assert "sector=school" in html
    assert "Decisions within the deadline" not in html  # a municipality-wide indicator


@pytest.mark.parametrize("query", [{"sector": "school"}, {"sector": "all"}, {}])
def test_another_municipalitys_manager_gets_the_same_404(client, march, query):
    client.force_login(march.user(Role.MANAGER, "eksjo"))
    leksand = str(march.municipality().pk)
    response = client.get(reverse("followup:dashboard"), {"municipality": leksand, **query})
    assert response.status_code == 404
    export = client.get(reverse("followup:export_csv"), {"municipality": leksand, **query})
    assert export.status_code == 404
    client.force_login(march.user(Role.REPORTER))
    assert client.get(reverse("followup:dashboard"), query).status_code == 404


# --- exports and queries ------------------------------------------------------------------


def test_the_export_follows_the_sector(march):
    from django.test import Client

    client = Client(headers={"Accept-Language": "sv"})
    client.force_login(march.user(Role.COORDINATOR))
    response = client.get(reverse("followup:export_csv"), {"sector": "school", **MARCH})
    assert "uppfoljning-leksand-skola-mars-2026.csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert "Värde för sektorn Skola" in text
    assert "Redovisas inte per sektor" in text


def test_a_sector_costs_no_query_more(client, march, django_assert_num_queries):
    client.force_login(march.user(Role.COORDINATOR))
    url = reverse("followup:dashboard") + "?period=month&month=2026-03&sector=school"
    client.get(url)  # the first request after a login stores the session once more
    with django_assert_num_queries(DASHBOARD_KEPT_QUERIES):
        client.get(url)
    followup_restamp([march.municipality().pk])
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get(url)


def test_the_managers_default_costs_no_query_more(client, march, django_assert_num_queries):
    manager = _area_manager(march)
    client.force_login(manager)
    url = reverse("followup:dashboard") + "?period=month&month=2026-03"
    client.get(url)
    with django_assert_num_queries(DASHBOARD_KEPT_QUERIES):
        client.get(url)
    followup_restamp([march.municipality().pk])
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get(url)
    start = reverse("core:start")
    client.get(start)
    with django_assert_num_queries(EXPECTED[Role.MANAGER]):
        client.get(start)
