"""The feedback deadline on real reports (SoL 19 kap. 6 § as amended): a week after the decision,
at once for a report added to an ongoing investigation, at once for a request that comes after
the week; the request recorded by the intake, with its page, history and audit event."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from access.models import AuditEvent, AuditEventType
from organisations.models import Role
from reports import services_intake
from reports.deadlines import STOCKHOLM, end_of_day
from reports.models import ConcernReport, DeadlineSettings, Decision, ReportStatus
from reports.services_common import TransitionError
from reports.tests.builders import advance, submitted
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

# Arrived Monday 2 March 2026; the builders decide an hour after each step, the same day.
DECIDED_DAY = datetime.date(2026, 3, 2)


def local(day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, 0, tzinfo=STOCKHOLM)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def requests_recorded() -> int:
    return AuditEvent.objects.filter(event_type=AuditEventType.REPORT_FEEDBACK_REQUESTED).count()


def decided(world: World, decision: str = Decision.OPENED, **values) -> ConcernReport:
    return advance(
        submitted(world, **values), ReportStatus.DECIDED, intake=world.user(Role.INTAKE),
        decision=decision,
    )  # fmt: skip


def test_feedback_is_due_a_week_after_the_decision(world: World) -> None:
    report = decided(world)
    assert report.feedback_due_at == end_of_day(DECIDED_DAY + datetime.timedelta(days=7))
    assert report.next_due_at == report.feedback_due_at


def test_feedback_on_a_report_added_to_an_ongoing_investigation_is_due_the_same_day(
    world: World,
) -> None:
    report = decided(world, Decision.ADDED_TO_ONGOING)
    assert report.feedback_due_at == end_of_day(DECIDED_DAY)


def test_the_municipality_s_own_days_still_apply(world: World) -> None:
    DeadlineSettings.objects.create(municipality=world.municipality(), feedback_days=10)
    report = decided(world)
    assert report.feedback_due_at == end_of_day(datetime.date(2026, 3, 12))
    # At once stays at once, whatever the number of days.
    assert decided(world, Decision.ADDED_TO_ONGOING).feedback_due_at == end_of_day(DECIDED_DAY)


def test_a_request_within_the_week_is_due_when_the_week_ends(world: World) -> None:
    report = decided(world, wants_feedback=False)
    assert report.feedback_due_at is None
    report = services_intake.report_record_feedback_request(
        report=report, actor=world.user(Role.INTAKE), now=local(5)
    )
    assert report.wants_feedback
    assert report.feedback_due_at == end_of_day(datetime.date(2026, 3, 9))
    assert report.next_due_at == report.feedback_due_at


def test_a_request_after_the_week_is_due_at_once(world: World) -> None:
    report = decided(world, wants_feedback=False)
    report = services_intake.report_record_feedback_request(
        report=report, actor=world.user(Role.INTAKE), now=local(11, 14)
    )
    assert report.feedback_due_at == end_of_day(datetime.date(2026, 3, 11))
    stored = ConcernReport.objects.get(pk=report.pk)
    assert stored.feedback_requested_at == local(11, 14)
    assert stored.feedback_request_recorded_by == world.user(Role.INTAKE)
    event = AuditEvent.objects.get(event_type=AuditEventType.REPORT_FEEDBACK_REQUESTED)
    assert event.actor == world.user(Role.INTAKE)
    assert event.object_id == str(report.pk)


def test_a_request_before_the_decision_waits_for_the_decision(world: World) -> None:
    intake = world.user(Role.INTAKE)
    report = advance(submitted(world, wants_feedback=False), ReportStatus.RECEIVED, intake=intake)
    report = services_intake.report_record_feedback_request(
        report=report, actor=intake, now=local(2, 11)
    )
    assert report.feedback_due_at is None
    report = advance(report, ReportStatus.DECIDED, intake=intake)
    assert report.feedback_due_at == end_of_day(datetime.date(2026, 3, 9))


def test_a_request_is_recorded_once_and_never_for_a_forwarded_report(world: World) -> None:
    intake = world.user(Role.INTAKE)
    report = decided(world, wants_feedback=False)
    services_intake.report_record_feedback_request(report=report, actor=intake, now=local(5))
    with pytest.raises(TransitionError):
        services_intake.report_record_feedback_request(report=report, actor=intake)
    assert (
        AuditEvent.objects.filter(event_type=AuditEventType.REPORT_FEEDBACK_REQUESTED).count() == 1
    )
    forwarded = decided(world, Decision.FORWARDED, wants_feedback=False)
    with pytest.raises(TransitionError):
        services_intake.report_record_feedback_request(report=forwarded, actor=intake)


def test_the_intake_records_the_request_on_the_report_page(client: Client, world: World) -> None:
    report = decided(world, wants_feedback=False)
    client.force_login(world.user(Role.INTAKE))
    detail = reverse("reports:intake_detail", args=[report.public_id])
    page = text_of(client.get(detail))
    assert "The reporter asks for feedback" in page
    assert "or at once when that time has passed" in page
    url = reverse("reports:intake_step", args=[report.public_id, "record_feedback_request"])
    response = client.post(url)
    assert response.status_code == 302
    page = text_of(client.get(detail))
    assert "The reporter&#x27;s request for feedback has been recorded." in page
    assert 'id="history-feedback_requested"' in page
    assert "after the report arrived" in page
    # A second press (a double click) records nothing more.
    client.post(url)
    assert (
        AuditEvent.objects.filter(event_type=AuditEventType.REPORT_FEEDBACK_REQUESTED).count() == 1
    )


def test_only_the_reports_intake_records_a_request_for_feedback(
    client: Client, world: World
) -> None:
    report = decided(world, wants_feedback=False)
    intake = world.user(Role.INTAKE)
    assert_matrix(
        client,
        reverse("reports:intake_step", args=[report.public_id, "record_feedback_request"]),
        [
            (None, LOGIN),
            *((user, 404) for user in everyone_else(world, [intake])),
            (intake, 302),
        ],
        method="post",
    )
    assert requests_recorded() == 1  # the intake's, none of the outsiders'
