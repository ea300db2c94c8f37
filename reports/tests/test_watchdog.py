import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from organisations import services as organisation_services
from organisations.models import Membership, Role
from reports.tasks import run_watchdog
from reports.tests.builders import advance, submitted
from reports.watchdog import AlertKind, watchdog_run

pytestmark = pytest.mark.usefixtures("english")

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def now():
    # Memberships in the test world start today, so the watchdog runs today; at noon, so that
    # "an hour later" is still the same day (the alerts are once per local day) whenever the
    # tests run, also in the last hour before midnight.
    return datetime.datetime.combine(
        timezone.localdate(), datetime.time(12), tzinfo=timezone.get_current_timezone()
    )


def _alerts(result, kind):
    return {alert.municipality_name: alert for alert in result.alerts if alert.kind == kind}


@pytest.mark.usefixtures("world")
def test_nothing_to_report_creates_nothing(now):
    result = watchdog_run(now=now)
    assert result.alerts == ()
    assert not Notification.objects.exists()


def test_a_report_waiting_past_the_threshold_alerts_the_intake_with_a_link_only(
    world, now, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.REPORT_UNRECEIVED_ALERT_HOURS = 4
    submitted(world, now=now - 5 * HOUR, child_name="Hemliga Barnet")
    submitted(world, now=now - 3 * HOUR)  # not yet past the threshold
    with django_capture_on_commit_callbacks(execute=True):
        result = watchdog_run(now=now)

    alert = _alerts(result, AlertKind.UNRECEIVED)["Leksand"]
    assert (alert.count, alert.notifications_created) == (1, 1)
    intake = world.user(Role.INTAKE)
    notification = Notification.objects.get(user=intake, dedupe_key__contains="unreceived")
    assert notification.text == (
        "1 report to Leksand has waited more than 4 hours without being received."
    )
    assert notification.url == reverse("reports:inbox") + "?status=submitted"
    assert notification.severity == "warning"
    assert notification.dedupe_key == (
        f"watchdog:unreceived:{world.municipality().pk}:{timezone.localdate(now).isoformat()}"
    )
    mails = [mail for mail in mailoutbox if "received" in mail.subject]
    assert [mail.to for mail in mails] == [[intake.email]]
    mail = mails[0]
    assert "Hemliga" not in mail.subject + mail.body
    assert "201203159801" not in mail.subject + mail.body
    assert settings.SITE_URL.rstrip("/") + notification.url in mail.body


def test_overdue_steps_are_counted_per_municipality_and_told_only_to_its_intake(world, now):
    old = now - 20 * DAY
    for _ in range(2):
        report = submitted(world, now=old)
        advance(report, "preliminary_assessment", intake=world.user(Role.INTAKE))
    eksjo_report = submitted(world, now=old, author=world.user(Role.REPORTER, "eksjo"))
    advance(eksjo_report, "received", intake=world.user(Role.INTAKE, "eksjo"))
    # A decided and closed report is never overdue.
    done = submitted(world, now=old)
    advance(done, "closed", intake=world.user(Role.INTAKE))

    result = watchdog_run(now=now)

    overdue = _alerts(result, AlertKind.OVERDUE)
    assert {name: alert.count for name, alert in overdue.items()} == {"Leksand": 2, "Eksjö": 1}
    leksand_note = Notification.objects.get(
        user=world.user(Role.INTAKE), dedupe_key__startswith="watchdog:overdue:"
    )
    assert leksand_note.text == "2 reports in Leksand have an overdue step."
    assert leksand_note.url == reverse("reports:inbox") + "?overdue=1"
    assert leksand_note.severity == "danger"
    eksjo_notes = Notification.objects.filter(user=world.user(Role.INTAKE, "eksjo"))
    assert [note.text for note in eksjo_notes.filter(dedupe_key__contains="overdue")] == [
        "1 report in Eksjö has an overdue step."
    ]
    # Only intake members hear of it (the reporter of the closed report has heard of its
    # feedback: reports.notices).
    watchdog_notes = Notification.objects.filter(dedupe_key__startswith="watchdog:")
    assert set(watchdog_notes.values_list("user__username", flat=True)) == {
        "intake.leksand",
        "intake.eksjo",
    }


def test_a_second_run_the_same_day_creates_nothing_and_sends_nothing(
    world, now, mailoutbox, django_capture_on_commit_callbacks
):
    report = submitted(world, now=now - 20 * DAY)
    advance(report, "received", intake=world.user(Role.INTAKE))
    with django_capture_on_commit_callbacks(execute=True):
        first = watchdog_run(now=now)
    assert first.notifications_created == 1
    notifications, mails = Notification.objects.count(), len(mailoutbox)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = watchdog_run(now=now + HOUR)
    assert second.notifications_created == 0
    assert [alert.count for alert in second.alerts] == [alert.count for alert in first.alerts]
    assert Notification.objects.count() == notifications
    assert len(mailoutbox) == mails
    assert callbacks == []

    # The next day the same problem is told again, once.
    assert watchdog_run(now=now + DAY).notifications_created == 1


def test_only_active_intake_memberships_are_notified(world, now):
    intake = world.user(Role.INTAKE)
    colleague = world.places["leksand"].users[Role.REPORTER]
    organisation_services.membership_create(
        actor=None, user=colleague, unit=world.unit("intake"), role=Role.INTAKE
    )
    organisation_services.membership_end(
        actor=None,
        membership=Membership.objects.get(user=intake, role=Role.INTAKE),
        on=timezone.localdate() - DAY,
    )
    submitted(world, now=now - 5 * HOUR)

    watchdog_run(now=now)

    assert list(Notification.objects.values_list("user__username", flat=True)) == [
        colleague.username
    ]


def test_a_silent_intake_alerts_the_intake_and_the_municipality(world, now, settings):
    settings.REPORT_SILENT_INTAKE_DAYS = 7
    settings.REPORT_SILENT_INTAKE_MIN_WAITING = 3
    for days in (6, 4, 1):
        submitted(world, now=now - days * DAY)
    # Received long ago does not count as a sign of life.
    old = submitted(world, now=now - 30 * DAY)
    advance(old, "closed", intake=world.user(Role.INTAKE))

    result = watchdog_run(now=now)

    alert = _alerts(result, AlertKind.SILENT_INTAKE)["Leksand"]
    assert alert.count == 3
    silent = Notification.objects.filter(dedupe_key__startswith="watchdog:silent_intake:")
    assert set(silent.values_list("user__username", flat=True)) == {
        "intake.leksand",
        "municipal_admin.leksand",
        "coordinator.leksand",
    }
    assert alert.notifications_created == 3
    note = silent.get(user=world.user(Role.MUNICIPAL_ADMIN))
    assert note.text == (
        "No report has been received by the intake of Leksand in 7 days although 3 are "
        "waiting — check that the intake's routine works."
    )
    assert note.url == reverse("core:notifications")  # the admin has no inbox
    assert silent.get(user=world.user(Role.INTAKE)).url == (
        reverse("reports:inbox") + "?status=submitted"
    )
    assert "Eksjö" not in _alerts(result, AlertKind.SILENT_INTAKE)


def test_an_intake_that_received_something_lately_is_not_silent(world, now):
    for days in (6, 4, 2, 1):
        submitted(world, now=now - days * DAY)
    advance(submitted(world, now=now - 5 * DAY), "received", intake=world.user(Role.INTAKE))
    assert not _alerts(watchdog_run(now=now), AlertKind.SILENT_INTAKE)


def test_fewer_waiting_than_the_minimum_is_not_a_broken_channel(world, now, settings):
    settings.REPORT_SILENT_INTAKE_MIN_WAITING = 3
    for days in (6, 1):
        submitted(world, now=now - days * DAY)
    assert not _alerts(watchdog_run(now=now), AlertKind.SILENT_INTAKE)
    submitted(world, now=now - 2 * DAY)
    assert _alerts(watchdog_run(now=now), AlertKind.SILENT_INTAKE)["Leksand"].count == 3


def test_nothing_submitted_lately_is_not_a_broken_channel(world, now):
    # Reports waiting for a long time are the unreceived alert's business, not a silent
    # channel's: nothing was submitted within the window.
    for days in (20, 15, 10):
        submitted(world, now=now - days * DAY)
    result = watchdog_run(now=now)
    assert not _alerts(result, AlertKind.SILENT_INTAKE)
    assert _alerts(result, AlertKind.UNRECEIVED)["Leksand"].count == 3


def _queries_of_a_run(now):
    with CaptureQueriesContext(connection) as queries:
        watchdog_run(now=now)
    return len(queries)


def test_the_queries_do_not_grow_with_the_number_of_reports(world, now):
    def add(count):
        for _ in range(count):
            submitted(world, now=now - 2 * DAY)
            submitted(world, now=now - 2 * DAY, author=world.user(Role.REPORTER, "eksjo"))

    add(3)  # enough for every kind of alert in both municipalities
    few = _queries_of_a_run(now)
    add(10)
    many = _queries_of_a_run(now + DAY)  # a new day: the same alerts are created again
    assert few == many
    # And a rerun the same day costs no more than the first run.
    assert _queries_of_a_run(now + DAY) <= many


def test_the_command_prints_counts_per_municipality_without_child_data(world, now, capsys):
    submitted(world, now=now - 20 * DAY, child_name="Hemliga Barnet")
    call_command("report_watchdog")
    output = capsys.readouterr().out
    assert "Leksand: not received in time: 1" in output
    assert "Hemliga" not in output
    assert "201203159801" not in output
    assert "new notifications" in output
    call_command("report_watchdog")
    assert "0 new notifications" in capsys.readouterr().out


@pytest.mark.usefixtures("world")
def test_the_command_says_when_there_is_nothing(capsys):
    call_command("report_watchdog")
    assert "Nothing to report." in capsys.readouterr().out


def test_the_task_runs_the_same_watchdog(world, now):
    submitted(world, now=now - 5 * HOUR)
    # The task reads the clock itself: at the fixture's noon, whatever the time of the run.
    with time_machine.travel(now, tick=False):
        result = run_watchdog.enqueue()  # the tests run tasks at once
        assert result.return_value["notifications_created"] == 1
        assert result.return_value["alerts"][0]["municipality"] == "Leksand"
        assert run_watchdog.enqueue().return_value["notifications_created"] == 0


def test_the_command_can_queue_the_task(world, now, capsys):
    submitted(world, now=now - 5 * HOUR)
    with time_machine.travel(now, tick=False):
        call_command("report_watchdog", "--enqueue")
    assert "Queued the report watchdog" in capsys.readouterr().out
    assert Notification.objects.filter(user=world.user(Role.INTAKE)).count() == 1
