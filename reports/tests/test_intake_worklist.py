"""The intake's worklist (issue 9): the search, the other reports about the child, the case
owner with its history, and the "today" list — each with its outsiders, its access-log rows
and its pinned query count."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access.models import AccessAction, AccessLog, AuditEvent, AuditEventType
from conftest import give_totp
from core.personnummer import make_test_identity_number
from organisations import services as organisation_services
from organisations.models import Role, UnitKind, User
from organisations.tests.builders import new_user
from reports import services_common, services_intake, services_school
from reports.identity import child_ref_for
from reports.models import CaseAssignment, ConcernReport, ReportStatus
from reports.selectors_worklist import (
    SearchError,
    other_reports_about_child,
    parse_search,
    today_list,
)
from reports.tests.builders import advance, submitted
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

SEARCH = reverse("reports:intake_search")
INBOX = reverse("reports:inbox")
BIRTH = datetime.date(2012, 3, 15)
CHILD = make_test_identity_number(BIRTH, 980)
COORDINATION = make_test_identity_number(BIRTH, 981, coordination=True)
SWEDISH = {"Accept-Language": "sv"}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def found(response) -> list[str]:
    return re.findall(r'<tr data-report="([0-9a-f-]+)">', response.content.decode())


def assign_url(report: ConcernReport) -> str:
    return reverse("reports:intake_assign", args=[report.public_id])


def colleague(world: World, place: str = "leksand") -> User:
    """A second social worker of the place's intake."""
    user = new_user(username=f"kollega-{place}", first_name="Kim", last_name="Kollega")
    organisation_services.membership_create(
        actor=None, user=user, unit=world.unit(UnitKind.INTAKE, place), role=Role.INTAKE
    )
    give_totp(user)
    return user


# --- who may use the pages -------------------------------------------------------------------


def test_the_search_is_for_the_intake_only(client: Client, world: World) -> None:
    intakes = [world.user(Role.INTAKE), world.user(Role.INTAKE, "eksjo")]
    for method in ("get", "post"):
        assert_matrix(
            client,
            SEARCH,
            [
                (None, LOGIN),
                *((intake, 200) for intake in intakes),
                *((user, 404) for user in everyone_else(world, intakes)),
            ],
            method=method,
            data={"query": CHILD.formatted()} if method == "post" else None,
        )


def test_only_the_reports_intake_may_assign_it(client: Client, world: World) -> None:
    report = submitted(world)
    intake = world.user(Role.INTAKE)
    assert_matrix(
        client,
        assign_url(report),
        [
            (None, LOGIN),
            *((user, 404) for user in everyone_else(world, [intake])),
            (intake, 302),
        ],
        method="post",
        data={"owner": str(intake.pk), "expected_owner": ""},
    )
    assert ConcernReport.objects.get(pk=report.pk).owner == intake
    assert CaseAssignment.objects.count() == 1  # the outsiders changed nothing


def test_an_unknown_report_is_the_same_404(client: Client, world: World) -> None:
    client.force_login(world.user(Role.INTAKE))
    missing = reverse("reports:intake_assign", args=["2f1c8a52-6d1e-4c1b-9a57-0c1d2e3f4a5b"])
    assert client.post(missing, {"owner": ""}).status_code == 404
    assert client.get(assign_url(submitted(world))).status_code == 405


# --- the search --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        CHILD.formatted(),  # 20120315-9801
        CHILD.digits,  # 201203159801
        CHILD.digits[2:8] + "-" + CHILD.digits[8:],  # 120315-9801
        CHILD.digits[2:],  # 1203159801
        " " + CHILD.digits[2:8] + " " + CHILD.digits[8:] + " ",
    ],
)
def test_every_common_way_of_writing_the_number_finds_the_child(typed: str) -> None:
    assert parse_search(typed).kind == "identity"
    assert parse_search(typed).value == CHILD.digits


def test_a_plus_and_a_coordination_number_are_understood() -> None:
    old = make_test_identity_number(datetime.date(1920, 5, 17), 985)
    assert parse_search(old.digits[2:8] + "+" + old.digits[8:]).value == old.digits
    assert parse_search(COORDINATION.formatted()).value == COORDINATION.digits
    assert parse_search("Testa").kind == "name"
    assert parse_search("ab12cd34").kind == "reference"
    with pytest.raises(SearchError):
        parse_search("20120315-9802")  # the check digit is wrong
    with pytest.raises(SearchError):
        parse_search("x")


def test_a_search_finds_the_municipalitys_reports_and_logs_what_was_searched(
    client: Client, world: World
) -> None:
    ours = submitted(world, child_identity_number=CHILD.digits)
    other_child = submitted(world, child_identity_number=COORDINATION.digits)
    elsewhere = submitted(
        world, child_identity_number=CHILD.digits, home_municipality=world.municipality("eksjo")
    )
    client.force_login(world.user(Role.INTAKE))
    response = client.post(SEARCH, {"query": CHILD.digits[2:8] + "-" + CHILD.digits[8:]})
    assert response.status_code == 200
    assert found(response) == [str(ours.public_id)]
    assert str(elsewhere.public_id) not in response.content.decode()
    assert str(other_child.public_id) not in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    rows = list(AccessLog.objects.filter(action=AccessAction.SEARCH))
    # The search itself (under the child's own reference) and the one report it found.
    assert {(row.object_type, row.child_ref) for row in rows} == {
        ("organisations.municipality", child_ref_for(CHILD.digits)),
        ("reports.concernreport", ours.child_ref),
    }
    assert all(row.role == Role.INTAKE for row in rows)
    # The number itself is nowhere in the log.
    for row in AccessLog.objects.values():
        assert CHILD.digits[2:] not in " ".join(str(value) for value in row.values())


def test_a_search_by_coordination_number_name_and_reference(client: Client, world: World) -> None:
    by_number = submitted(world, child_identity_number=COORDINATION.digits, child_name="Sam Ord")
    client.force_login(world.user(Role.INTAKE))
    for typed in (COORDINATION.formatted(), "sam ord", by_number.reference.lower()):
        assert found(client.post(SEARCH, {"query": typed})) == [str(by_number.public_id)], typed
    # A name is logged as a keyed hash, never as typed.
    assert not AccessLog.objects.filter(child_ref__icontains="sam").exists()
    assert AccessLog.objects.filter(child_ref__startswith="n-").count() == 1


def test_a_search_is_never_made_from_the_address(client: Client, world: World) -> None:
    submitted(world, child_identity_number=CHILD.digits)
    client.force_login(world.user(Role.INTAKE))
    response = client.get(SEARCH, {"query": CHILD.digits})
    assert response.status_code == 200
    assert found(response) == []
    assert not AccessLog.objects.filter(action=AccessAction.SEARCH).exists()
    assert 'method="post"' in response.content.decode()


def test_no_match_and_bad_input_say_so_in_swedish_and_keep_what_was_typed(
    client: Client, world: World
) -> None:
    client.force_login(world.user(Role.INTAKE))
    response = client.post(SEARCH, {"query": "Ingen Alls"}, headers=SWEDISH)
    assert response.status_code == 200
    assert "Ingen anmälan i er mottagning matchar sökningen" in text_of(response)
    # The search without a match is still in the access log.
    assert AccessLog.objects.filter(action=AccessAction.SEARCH).count() == 1
    response = client.post(SEARCH, {"query": "20120315-9802"}, headers=SWEDISH)
    assert response.status_code == 200
    assert "Den sista siffran stämmer inte" in text_of(response)
    assert 'value="20120315-9802"' in response.content.decode()
    for typed in ("", "x", "9" * 200, "<script>", "2012-13-45-0000"):
        assert client.post(SEARCH, {"query": typed}, headers=SWEDISH).status_code == 200


def test_the_search_costs_a_fixed_number_of_queries(
    client: Client, world: World, django_assert_num_queries
) -> None:
    client.force_login(world.user(Role.INTAKE))
    client.get(SEARCH)  # the first request of a session checks two-factor
    counts = []
    for rows in (1, 8):
        while ConcernReport.objects.filter(child_name="Lika Namn").count() < rows:
            submitted(world, child_name="Lika Namn")
        # The user, the results and the access-log insert (the search and its results
        # together); the session, the memberships and the unread count are in the shared cache.
        with django_assert_num_queries(3) as queries:
            assert len(found(client.post(SEARCH, {"query": "Lika Namn"}))) == rows
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- other reports about the child ---------------------------------------------------------------


def test_the_report_page_lists_the_childs_other_reports_and_siblings(
    client: Client, world: World
) -> None:
    intake = world.user(Role.INTAKE)
    earlier = advance(
        submitted(world, child_identity_number=CHILD.digits), ReportStatus.DECIDED, intake=intake
    )
    sibling = submitted(world, child_identity_number=COORDINATION.digits, child_name="Syster")
    sibling_earlier = submitted(world, child_identity_number=COORDINATION.digits)
    elsewhere = submitted(
        world, child_identity_number=CHILD.digits, home_municipality=world.municipality("eksjo")
    )
    report = submitted(world, child_identity_number=CHILD.digits)
    services_school.sibling_link(report=report, sibling=sibling, actor=report.author)
    client.force_login(intake)
    response = client.get(reverse("reports:intake_detail", args=[report.public_id]))
    page = response.content.decode()
    shown = set(re.findall(r'data-other-report="([0-9a-f-]+)"', page))
    assert shown == {str(earlier.public_id), str(sibling.public_id), str(sibling_earlier.public_id)}
    assert str(elsewhere.public_id) not in page
    assert "Investigation opened" in text_of(response)
    logged = set(AccessLog.objects.values_list("object_id", flat=True))
    assert {str(earlier.pk), str(sibling_earlier.pk)} <= logged
    # The page hands the siblings' references it read to the list; without them the list
    # reads them itself, and finds the same reports.
    alone = {str(row.report.public_id) for row in other_reports_about_child(intake, report)}
    assert alone == shown


# --- case ownership ----------------------------------------------------------------------------


def test_assigning_keeps_a_history_and_an_audit_event(client: Client, world: World) -> None:
    report = submitted(world)
    intake, kim = world.user(Role.INTAKE), colleague(world)
    client.force_login(intake)
    client.post(assign_url(report), {"owner": str(intake.pk), "expected_owner": ""})
    client.post(assign_url(report), {"owner": str(kim.pk), "expected_owner": str(intake.pk)})
    assert ConcernReport.objects.get(pk=report.pk).owner == kim
    history = list(CaseAssignment.objects.filter(report=report))
    assert [(a.assigned_to, a.previous_owner, a.assigned_by) for a in history] == [
        (intake, None, intake),
        (kim, intake, intake),
    ]
    events = AuditEvent.objects.filter(event_type=AuditEventType.REPORT_ASSIGNED)
    assert [(e.old_values, e.new_values) for e in events.order_by("id")] == [
        ({"owner": None}, {"owner": intake.pk}),
        ({"owner": intake.pk}, {"owner": kim.pk}),
    ]
    page = text_of(client.get(reverse("reports:intake_detail", args=[report.public_id])))
    assert f"{intake.display_name} assigned the case to Kim Kollega" in page
    assert "The case is owned by Kim Kollega." in page


def test_a_double_submit_records_one_assignment(client: Client, world: World) -> None:
    report = submitted(world)
    intake = world.user(Role.INTAKE)
    client.force_login(intake)
    for _ in range(2):
        response = client.post(assign_url(report), {"owner": str(intake.pk), "expected_owner": ""})
        assert response.status_code == 302
    assert CaseAssignment.objects.count() == 1
    assert AuditEvent.objects.filter(event_type=AuditEventType.REPORT_ASSIGNED).count() == 1


def test_a_concurrent_reassignment_is_not_overwritten(client: Client, world: World) -> None:
    report = submitted(world)
    intake, kim = world.user(Role.INTAKE), colleague(world)
    # Kim takes the case while the intake's page still shows it unassigned.
    services_intake.report_assign(report=report, actor=kim, assignee=kim, expected_owner_id=None)
    client.force_login(intake)
    response = client.post(
        assign_url(report), {"owner": str(intake.pk), "expected_owner": ""}, follow=True
    )
    assert ConcernReport.objects.get(pk=report.pk).owner == kim
    assert "Someone else changed the case owner" in text_of(response)
    with pytest.raises(services_common.ConcurrentEditError):
        services_intake.report_assign(
            report=report, actor=intake, assignee=intake, expected_owner_id=None
        )


def test_only_a_social_worker_of_this_intake_can_own_the_case(client: Client, world: World) -> None:
    report = submitted(world)
    client.force_login(world.user(Role.INTAKE))
    for stranger in (world.user(Role.INTAKE, "eksjo"), world.user(Role.REPORTER)):
        response = client.post(
            assign_url(report), {"owner": str(stranger.pk), "expected_owner": ""}, headers=SWEDISH
        )
        assert response.status_code == 200
        assert "Välj en socialsekreterare" in text_of(response)
    for garbage in ({"owner": "x", "expected_owner": "y"}, {}):
        assert client.post(assign_url(report), garbage).status_code in (200, 302)
    assert ConcernReport.objects.get(pk=report.pk).owner is None
    assert not CaseAssignment.objects.exists()


def test_the_inbox_filters_my_cases_and_the_unassigned(client: Client, world: World) -> None:
    intake, kim = world.user(Role.INTAKE), colleague(world)
    mine, kims, nobodys = (submitted(world, now=timezone.now()) for _ in range(3))
    for report, owner in ((mine, intake), (kims, kim)):
        services_intake.report_assign(
            report=report, actor=intake, assignee=owner, expected_owner_id=None
        )
    client.force_login(intake)
    assert found(client.get(INBOX, {"owner": "mine"})) == [str(mine.public_id)]
    assert found(client.get(INBOX, {"owner": "unassigned"})) == [str(nobodys.public_id)]
    assert len(found(client.get(INBOX, {"owner": ""}))) == 3
    response = client.get(INBOX, {"owner": "someone"}, headers=SWEDISH)
    assert response.status_code == 200
    assert "Välj en av de listade handläggarna." in text_of(response)


# --- today ---------------------------------------------------------------------------------------


def test_today_lists_urgent_then_due_today_then_overdue_with_the_step(
    client: Client, world: World, request: pytest.FixtureRequest
) -> None:
    intake = world.user(Role.INTAKE)
    # Tomorrow morning (the memberships start today): the protection assessment of a report
    # arriving then is due the same day.
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    now = tomorrow.replace(hour=8, minute=0, second=0, microsecond=0)
    traveller = time_machine.travel(now, tick=False)
    traveller.start()
    request.addfinalizer(traveller.stop)
    urgent = submitted(world, now=now, acute_danger=True)
    due_today = submitted(world, now=now)  # the protection assessment is due today
    overdue = submitted(world, now=now - datetime.timedelta(days=20))
    overdue = advance(overdue, ReportStatus.PROTECTION_ASSESSED, intake=intake)
    later = advance(submitted(world, now=now), ReportStatus.PROTECTION_ASSESSED, intake=intake)
    today = today_list(intake, now=now)
    assert [row.report.pk for row in today.urgent] == [urgent.pk]
    assert [row.report.pk for row in today.overdue] == [overdue.pk]
    assert [row.step for row in today.overdue] == ["decision"]
    assert [row.overdue for row in today.urgent + today.overdue] == [False, True]
    assert due_today.pk in [row.report.pk for row in today.due_today]
    assert later.pk not in [row.report.pk for row in today.due_today + today.overdue]
    client.force_login(intake)
    page = text_of(client.get(INBOX, headers=SWEDISH))
    assert page.index('id="today"') < page.index("<table")
    assert "Skyddsbedömning" in page
    assert "Försenade steg" in page
