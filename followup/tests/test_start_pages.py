"""Each role's start page around its job, from the summary tables of the current year (term,
month): what a board member, coordinator, manager, principal, intake and auditor see, and a
fixed number of queries for a few reports and for many more."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.rollups import rebuild
from followup.tests.scenario import NOW, at
from organisations import services as organisation_services
from organisations.models import Role, UnitKind
from reports.tests.builders import submitted
from tests.factories import UnitFactory, UserFactory
from wheel.models import ActivityType
from wheel.tests.calendar_builders import make_occurrence, make_series

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NEXT_MEETING = datetime.datetime(2026, 5, 6, 13, 0, tzinfo=STOCKHOLM)


def _start(client, user):
    client.force_login(user)
    response = client.get(reverse("core:start"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_board_member_sees_the_indicators_against_target_and_what_is_red(client, march):
    html = _start(client, march.user(Role.BOARD_MEMBER))
    assert "How the collaboration goes in Leksand, 2026" in html
    assert "Not meeting the target" in html
    assert "Decisions within the deadline: 71 % (target at least 100 %)" in html
    assert "Target not met" in html
    assert "Target met" in html
    assert f'href="{reverse("followup:dashboard")}?municipality=' in html
    assert "Testa" not in html  # no child


def test_the_coordinator_sees_red_silent_schools_and_documents(client, march):
    from governance.models import DocumentKind
    from governance.tests import builders

    UnitFactory.create(municipality=march.municipality(), name="Tysta skolan", kind=UnitKind.SCHOOL)
    document = builders.document(march, kind=DocumentKind.AGREEMENT, title="Överenskommelse")
    builders.version(
        march, document, approved_on=datetime.date(2025, 6, 1), valid_to=datetime.date(2026, 4, 5)
    )
    html = _start(client, march.user(Role.COORDINATOR))
    assert "Silent schools" in html
    assert "Tysta skolan" in html
    assert "Överenskommelse" in html
    assert "Passed 10 days ago" in html
    assert reverse("followup:targets") in html


def test_the_manager_sees_the_schools_below_their_unit(client, march):
    municipality = march.municipality()
    area = UnitFactory.create(
        municipality=municipality, name="Skolområde Norr", kind=UnitKind.ADMINISTRATION
    )
    north = UnitFactory.create(
        municipality=municipality, name="Norrskolan", kind=UnitKind.SCHOOL, parent=area
    )
    area_manager = UserFactory.create(username="manager.north", municipality=municipality)
    organisation_services.membership_create(
        actor=None, user=area_manager, unit=area, role=Role.MANAGER, includes_subtree=True
    )
    html = _start(client, area_manager)
    assert "The schools of Skolområde Norr" in html
    assert north.name in html
    assert march.unit(UnitKind.SCHOOL).name not in html
    # At the municipal office (no schools below): the whole municipality.
    html = _start(client, march.user(Role.MANAGER))
    assert "The schools of Leksand" in html
    assert march.unit(UnitKind.SCHOOL).name in html
    assert north.name in html


def test_the_principal_sees_their_school_this_term_and_the_next_meeting(client, march):
    school = march.unit(UnitKind.SCHOOL)
    series = make_series(
        municipality=march.municipality(),
        organiser=march.unit(UnitKind.INTAKE),
        created_by=march.user(Role.COORDINATOR),
        activity_type=ActivityType.INTAKE_PRINCIPAL,
    )
    make_occurrence(series, NEXT_MEETING, school=school)
    html = _start(client, march.user(Role.PRINCIPAL))
    assert "Your school, Spring term 2026" in html
    # 8 reports sent in March; feedback given on 1 of them: a single child is "<5".
    assert f'<th scope="row">{school.name}</th><td>8</td><td>&lt;5</td>' in html
    assert "Wednesday 6 May 2026, 13:00" in html


def test_the_intake_sees_the_deadlines_of_the_month_beside_its_workload(client, march):
    html = _start(client, march.user(Role.INTAKE))
    assert "Deadlines in April 2026" in html
    assert "Days to decision, median" in html
    assert "report has an overdue step" in html or "reports have an overdue step" in html
    # The 8 reports of March are all open (none closed).
    assert "<dt>Open reports</dt><dd>8</dd>" in html
    # Overdue on 15 April: the five decided without feedback (due a week after the decision)
    # and the one never received; the forwarded one and the one with feedback are not.
    assert '<dt>With an overdue step</dt><dd><span class="badge badge--danger">6</span>' in html
    assert "<dt>Not received yet</dt><dd>1</dd>" in html


def test_the_auditor_gets_the_way_to_the_follow_up(client, march):
    html = _start(client, march.user(Role.AUDITOR))
    assert reverse("followup:dashboard") in html
    assert reverse("followup:catalogue") in html


def test_a_reporter_has_no_follow_up_panel(client, march):
    html = _start(client, march.user(Role.REPORTER))
    assert reverse("followup:dashboard") not in html


# --- a fixed number of queries, for a few reports and for many more -----------------------

ROLES = [
    Role.BOARD_MEMBER,
    Role.COORDINATOR,
    Role.MANAGER,
    Role.PRINCIPAL,
    Role.INTAKE,
    Role.AUDITOR,
]


def _count(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _more_reports(world):
    for day in range(3, 28):
        submitted(world, now=at(day))
    rebuild(now=NOW)


# The queries of each page after the first request of a session: session, user and
# memberships (3) and the unread notifications (1) on every page; the rest is the role's
# attention items and follow-up panel. The dashboard of a year is seven queries of
# ``followup.selectors.dashboard`` (eight with an approved governance document), computed
# once per request however many roles show it; the principal's term is two or three
# (``period_sums``) and one for the next meeting. The audits' overdue answers and measures
# (auditor, coordinator, board member) are one query; the board report's news and its latest
# published report (board member, auditor) two, the coordinator's draft one.
EXPECTED = {
    Role.BOARD_MEMBER: 14,  # 4 + the dashboard (7) + audits (1) + board report (2)
    Role.COORDINATOR: 18,  # 4 + the dashboard (7) + audits, board report, other apps' items
    Role.MANAGER: 13,  # 4 + the dashboard (7) + other apps' attention items
    Role.PRINCIPAL: 9,  # 4 + term sums + next meeting + other apps' attention items
    Role.INTAKE: 13,  # 4 + the month's dashboard (7) + other apps' attention items
    Role.AUDITOR: 7,  # 4 + audits (1) + board report (2)
}
# 4 + the dashboard (7) + the comparisons (2)
DASHBOARD_QUERIES = 13


@pytest.mark.parametrize("role", ROLES)
def test_a_start_page_costs_the_same_queries_for_more_reports(
    client, march, role, django_assert_num_queries
):
    user = march.user(role)
    client.force_login(user)
    url = reverse("core:start")
    client.get(url)  # the first request after a login stores the session once more
    with django_assert_num_queries(EXPECTED[role]):
        client.get(url)
    _more_reports(march)
    with django_assert_num_queries(EXPECTED[role]):
        client.get(url)


def test_the_dashboard_costs_the_same_queries_for_more_reports(
    client, march, django_assert_num_queries
):
    client.force_login(march.user(Role.COORDINATOR))
    url = reverse("followup:dashboard") + "?period=month&month=2026-03"
    client.get(url)  # the first request after a login stores the session once more
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get(url)
    _more_reports(march)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get(url)
