"""What staff see of an erased record: nothing. The skeleton row a deletion decision leaves
for the follow-up is in no list, search or start-page count, and its old address answers the
same 404 as a record that is not there (reports.policies / sip.policies leave it out)."""

import datetime
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from access.models import AccessLog
from organisations.models import Role
from reports.models import ConcernReport
from retention import services
from retention.models import RecordType
from retention.tests.conftest import TODAY, closed_plan, closed_report, rule
from sip.models import Plan
from tests.matrix import assert_matrix
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

CLOSED_LIST = reverse("reports:inbox") + "?status=closed"
SIX_YEARS_AGO = datetime.datetime(2025, 3, 2, 10, tzinfo=datetime.UTC)


def erase(world: World, record_type: str, *ids: int) -> None:
    decision = services.deletion_decide(
        actor=world.user(Role.MUNICIPAL_ADMIN),
        rule=rule(world, record_type),
        object_ids=list(ids),
        decision_reference="KS 2031/45",
        submission_key=uuid.uuid4(),
        today=TODAY,
    )
    services.deletion_carry_out(actor=world.user(Role.MUNICIPAL_ADMIN), decision=decision)


def reads_of(report: ConcernReport) -> int:
    return AccessLog.objects.filter(
        object_type="reports.concernreport", object_id=str(report.pk)
    ).count()


def page_of(client: Client, user, url: str, method: str = "get", **data: str) -> str:
    client.force_login(user)
    response = getattr(client, method)(url, data)
    assert response.status_code == 200, url
    return response.content.decode()


def test_an_erased_report_is_in_no_list_and_its_address_is_gone(
    client: Client, world: World
) -> None:
    erased = closed_report(world, day=6)
    kept = closed_report(world, day=7, arrival=SIX_YEARS_AGO)  # closed, not yet due
    erase(world, RecordType.REPORT, erased.pk)
    reads_before = reads_of(erased)
    intake = world.user(Role.INTAKE)

    for user, url in (
        (intake, CLOSED_LIST),
        (world.user(Role.REPORTER), reverse("reports:my_reports")),
        (world.user(Role.PRINCIPAL), reverse("reports:school_reports")),
    ):
        listed = page_of(client, user, url)
        assert kept.reference in listed, url
        assert erased.reference not in listed, url
    found = page_of(client, intake, reverse("reports:intake_search"), "post", query=kept.reference)
    assert "intake/" + str(kept.public_id) in found
    missing = page_of(
        client, intake, reverse("reports:intake_search"), "post", query=erased.reference
    )
    assert str(erased.public_id) not in missing

    # The old addresses: the same 404 as for a report that never was, for everyone who once
    # could open it (nothing logged as a read of it).
    for name, user in (
        ("reports:intake_detail", intake),
        ("reports:intake_print", intake),
        ("reports:status", world.user(Role.REPORTER)),
        ("reports:receipt", world.user(Role.REPORTER)),
        ("reports:status", world.user(Role.PRINCIPAL)),
    ):
        assert_matrix(client, reverse(name, args=[erased.public_id]), [(user, 404)])
        assert_matrix(client, reverse(name, args=[uuid.uuid4()]), [(user, 404)])
        assert_matrix(client, reverse(name, args=[kept.public_id]), [(user, 200)])
    assert reads_of(erased) == reads_before
    assert reads_of(kept) > 0  # the same pages do log a read of a report that is there
    # The skeleton is still there for the follow-up.
    assert ConcernReport.objects.filter(pk=erased.pk, child_name="").exists()


def test_an_erased_plan_is_in_no_list_and_its_address_is_gone(client: Client, world: World) -> None:
    plan = closed_plan(world, when=datetime.datetime(2020, 3, 2, 10, tzinfo=datetime.UTC))
    nurse = world.user(Role.MEDICAL_STUDENT_HEALTH)
    assert plan.reference in page_of(client, nurse, reverse("sip:plan_list"))
    erase(world, RecordType.MEDICAL_PLAN, plan.pk)

    assert plan.reference not in page_of(client, nurse, reverse("sip:plan_list"))
    for name in ("sip:plan_detail", "sip:plan_history", "sip:meetings", "sip:family_plan"):
        assert_matrix(client, reverse(name, args=[plan.public_id]), [(nurse, 404)])
    assert Plan.objects.filter(pk=plan.pk, child_name="").exists()


def test_erased_reports_cost_the_closed_list_no_query(
    client: Client, world: World, django_assert_max_num_queries
) -> None:
    reports = [closed_report(world, day=day) for day in (6, 7, 8, 9)]
    client.force_login(world.user(Role.INTAKE))
    client.get(CLOSED_LIST)  # the session is set up
    with django_assert_max_num_queries(30) as before:
        assert client.get(CLOSED_LIST).status_code == 200
    erase(world, RecordType.REPORT, *(report.pk for report in reports[:3]))
    with django_assert_max_num_queries(len(before.captured_queries)):
        listed = client.get(CLOSED_LIST).content.decode()
    assert reports[3].reference in listed
    assert not any(report.reference in listed for report in reports[:3])
