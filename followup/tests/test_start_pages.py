"""Each role's start page around its job, from the summary tables of the current year (term,
month): what a board member, coordinator, manager, principal, intake and auditor see, and a
fixed number of queries for a few reports and for many more."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.tests import builders as audit_builders
from followup import board_services
from followup.periods import year_period
from followup.rollups import rebuild
from followup.tests.scenario import NOW, at
from organisations import services as organisation_services
from organisations.followup_stamp import followup_restamp
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
    assert "Next meeting with the intake" in html
    assert "May 6, 2026, 1 p.m." in html
    # The meeting comes right after the school's news, before the term's numbers.
    assert (
        html.index("New from your school")
        < html.index("Next meeting")
        < html.index("Your school, Spring term 2026")
    )


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


# The queries of each page after the first request of a session: the user (1) on every page
# (the session, the memberships and the unread count are in the shared cache by then); the
# rest is the role's attention items and follow-up panel. The dashboard of a year is kept in the
# shared cache (followup/cached.py): one query for the follow-up stamps, read once per request
# however many roles show it. Computed, it is ten more (``DASHBOARD_COMPUTED``): seven of
# ``followup.selectors.dashboard`` (eight with an approved governance document) and the three
# of the comparison, which the dashboard page shows from the same kept parts. The principal's
# term is two or three (``period_sums``) and one for the next meeting. The audits' overdue
# answers and measures (auditor, coordinator, board member) are one query; the board report's
# news and its latest published report (board member, auditor) two, the coordinator's draft
# one. The coordinator's "before the next board report" is two more: the next board-report
# occurrence with its linked report (one query for all municipalities) and the audits' overdue
# counts of the municipality (one; the audits' attention item above counts the same on its
# own). Every start page also asks once for the survey rounds whose analysis group names the
# user (surveys.attention_results): the +1 in each figure below.
EXPECTED = {
    Role.BOARD_MEMBER: 6,  # 1 + the dashboard (1) + audits (1) + board report (2) + 1
    Role.COORDINATOR: 12,  # 1 + the dashboard (1) + audits, board report, other apps' items
    # + the next board report (2)
    Role.MANAGER: 5,  # 1 + the dashboard (1) + other apps' attention items
    # 1 + term sums + next meeting + other apps' attention items (9), and the reports' panels
    # (reports.start): the last visit, the news counted and listed, the access log of the
    # news shown, the numbers to call and the principal's own latest reports.
    Role.PRINCIPAL: 13,
    Role.INTAKE: 5,  # 1 + the month's dashboard (1) + other apps' attention items
    Role.AUDITOR: 5,  # 1 + audits (1) + board report (2) + 1
}
DASHBOARD_COMPUTED = 10
# What the first page after a change to the dashboard's data costs more. The intake's month (this
# month) has no summary rows yet, so its comparison does not ask for the municipalities.
COMPUTED_MORE = {
    Role.BOARD_MEMBER: DASHBOARD_COMPUTED,
    Role.COORDINATOR: DASHBOARD_COMPUTED,
    Role.MANAGER: DASHBOARD_COMPUTED,
    Role.INTAKE: DASHBOARD_COMPUTED - 1,
}
# The dashboard page computed: the user, the stamps, the dashboard (7) and the comparisons (3:
# the sums, the municipalities, the reference values). Kept in the shared cache
# (followup/cached.py): the user and the stamps.
DASHBOARD_QUERIES = 12
DASHBOARD_KEPT_QUERIES = 2


@pytest.mark.parametrize("role", ROLES)
def test_a_start_page_costs_the_same_queries_for_more_reports(
    client, march, role, django_assert_num_queries
):
    user = march.user(role)
    if role == Role.PRINCIPAL:
        # News since the last visit in both measurements: the rows shown are logged.
        submitted(march, now=at(20))
    client.force_login(user)
    url = reverse("core:start")
    client.get(url)  # the first request after a login stores the session once more
    computed = EXPECTED[role] + COMPUTED_MORE.get(role, 0)
    with django_assert_num_queries(EXPECTED[role]):
        client.get(url)
    _more_reports(march)  # the summary tables rebuilt: the kept dashboard is not used again
    with django_assert_num_queries(computed):
        client.get(url)
    with django_assert_num_queries(EXPECTED[role]):
        client.get(url)


def test_the_dashboard_costs_the_same_queries_for_more_reports(
    client, march, django_assert_num_queries
):
    client.force_login(march.user(Role.COORDINATOR))
    url = reverse("followup:dashboard") + "?period=month&month=2026-03"
    client.get(url)  # the first request after a login stores the session once more
    for more in (False, True):
        if more:
            _more_reports(march)
        followup_restamp([march.municipality().pk])
        with django_assert_num_queries(DASHBOARD_QUERIES):
            client.get(url)
        with django_assert_num_queries(DASHBOARD_KEPT_QUERIES):
            client.get(url)


# --- the coordinator's "before the next board report" --------------------------------------

BOARD_MEETING = datetime.datetime(2026, 5, 20, 9, 0, tzinfo=STOCKHOLM)


def _board_series(world, title="Återrapportering till KS"):
    return make_series(
        municipality=world.municipality(),
        organiser=world.unit(UnitKind.MUNICIPAL_OFFICE),
        created_by=world.user(Role.COORDINATOR),
        activity_type=ActivityType.BOARD_REPORT,
        title=title,
    )


def _panel(client, world):
    client.force_login(world.user(Role.COORDINATOR))
    response = client.get(reverse("core:start"))
    [panel] = [
        panel
        for section in response.context["sections"]
        for panel in section.panels
        if panel.template == "followup/start/coordinator.html"
    ]
    return panel.context, response.content.decode()


def _next_report(client, world):
    context, html = _panel(client, world)
    return context["next_report"], html


def next_report_red(client, world):
    return _panel(client, world)[0]["red"]


def test_without_a_board_report_in_the_wheel_the_coordinator_is_told_so(client, march):
    next_report, html = _next_report(client, march)
    assert next_report.occurrence is None
    assert "Before the next board report" in html
    assert "No board report is planned in the annual wheel." in html
    assert next_report.create_url.startswith(reverse("followup_board:list") + "?municipality=")
    # The same red indicators as listed below it; no audits yet.
    assert next_report.red_count == len(next_report_red(client, march)) > 0
    assert (next_report.overdue_responses, next_report.overdue_measures) == (0, 0)


def test_the_next_occurrence_with_a_link_to_create_its_draft(client, march):
    series = _board_series(march)
    make_occurrence(series, datetime.datetime(2026, 3, 18, 9, 0, tzinfo=STOCKHOLM))  # past
    make_occurrence(series, datetime.datetime(2026, 11, 18, 9, 0, tzinfo=STOCKHOLM))  # later
    make_occurrence(  # cancelled: not the next one
        series, datetime.datetime(2026, 4, 29, 9, 0, tzinfo=STOCKHOLM), status="cancelled"
    )
    occurrence = make_occurrence(series, BOARD_MEETING)
    next_report, html = _next_report(client, march)
    assert next_report.occurrence == occurrence
    assert "Återrapportering till KS, Wed 20 May 2026" in html
    assert "No report is linked to it yet." in html
    municipality = march.municipality().pk
    url = f"{reverse('followup_board:list')}?municipality={municipality}&occurrence={occurrence.pk}"
    assert next_report.create_url == url + "#new-draft"
    assert 'href="' + url.replace("&", "&amp;") + '#new-draft"' in html
    # The link preselects the occurrence in the draft form.
    form = client.get(url).context["form"]
    assert str(form["occurrence"].value()) == str(occurrence.pk)


def test_the_linked_report_with_its_state(client, march):
    occurrence = make_occurrence(_board_series(march), BOARD_MEETING)
    report = board_services.board_report_create_draft(
        actor=march.user(Role.COORDINATOR),
        municipality=march.municipality(),
        period=year_period(2025),
        occurrence=occurrence,
    )
    next_report, html = _next_report(client, march)
    assert next_report.report_id == report.pk
    assert not next_report.report_published
    assert f'href="{reverse("followup_board:detail", args=[report.pk])}"' in html
    assert "(draft)" in html
    assert "No report is linked to it yet." not in html


def test_overdue_audit_answers_and_measures_are_counted(client, march):
    audit = audit_builders.audit(march)
    unanswered = audit_builders.recommendation(march, audit, number=1)  # due in 2022
    audit_builders.measure(march, unanswered, due_on=datetime.date(2026, 4, 1))
    audit_builders.measure(march, unanswered, due_on=datetime.date(2026, 4, 14))
    audit_builders.measure(march, unanswered, due_on=datetime.date(2026, 6, 1))  # not yet
    audit_builders.measure(march, unanswered, due_on=datetime.date(2026, 4, 1), status="done")
    next_report, html = _next_report(client, march)
    assert (next_report.overdue_responses, next_report.overdue_measures) == (1, 2)
    assert "Measures after audits that are overdue" in html
    assert f'href="{reverse("audits:audit_list")}"' in html


def test_another_municipalitys_board_report_is_not_the_next_one(client, march):
    eksjo = march.municipality("eksjo")
    series = make_series(
        municipality=eksjo,
        organiser=march.unit(UnitKind.MUNICIPAL_OFFICE, "eksjo"),
        created_by=march.user(Role.COORDINATOR, "eksjo"),
        activity_type=ActivityType.BOARD_REPORT,
    )
    make_occurrence(series, BOARD_MEETING)
    next_report, _html = _next_report(client, march)
    assert next_report.occurrence is None


def test_the_coordinators_start_page_costs_the_same_with_the_wheel_and_reports(
    client, march, django_assert_num_queries
):
    user = march.user(Role.COORDINATOR)
    client.force_login(user)
    url = reverse("core:start")
    client.get(url)
    series = _board_series(march)
    first = make_occurrence(series, BOARD_MEETING)
    board_services.board_report_create_draft(
        actor=user, municipality=march.municipality(), period=year_period(2025), occurrence=first
    )
    # With a draft the board report's attention item stops at it (one query less than when
    # it must also look for last year's report).
    with_a_draft = EXPECTED[Role.COORDINATOR] - 1
    with django_assert_num_queries(with_a_draft):
        client.get(url)
    for month in (6, 9, 11):
        later = make_occurrence(series, datetime.datetime(2026, month, 20, 9, 0, tzinfo=STOCKHOLM))
    board_services.board_report_create_draft(
        actor=user, municipality=march.municipality(), period=year_period(2024), occurrence=later
    )
    audit = audit_builders.audit(march)
    for number in (1, 2, 3):
        recommendation = audit_builders.recommendation(march, audit, number=number)
        audit_builders.measure(march, recommendation, due_on=datetime.date(2026, 4, 1))
    # The audit is read by the dashboard: the first page after it computes the dashboard anew.
    with django_assert_num_queries(with_a_draft + DASHBOARD_COMPUTED):
        client.get(url)
    with django_assert_num_queries(with_a_draft):
        client.get(url)
