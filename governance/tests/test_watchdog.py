"""The governance watchdog tells the municipality's coordinators, once a day per document and
alert, and a second run creates nothing."""

import datetime

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from governance import services
from governance.models import DocumentKind
from governance.selectors import AlertKind
from governance.tasks import run_watchdog
from governance.tests import builders
from governance.watchdog import watchdog_run
from organisations.models import Role

TODAY = timezone.localdate


def _stale(world, place="leksand"):
    plan = builders.document(
        world, place, kind=DocumentKind.ACTION_PLAN, title="Handlingsplan för samverkan"
    )
    builders.version(world, plan, approved_on=datetime.date(2018, 5, 22))
    services.measure_add(
        actor=world.user(Role.COORDINATOR, place),
        document=plan,
        what="Möten",
        owner="IFO",
        due_on=datetime.date(2019, 6, 30),
    )
    return plan


def test_nothing_to_report(world):
    fine = builders.document(world)
    builders.version(world, fine, approved_on=TODAY())
    assert watchdog_run(today=TODAY()).alerts == ()
    assert not Notification.objects.exists()


def test_coordinators_are_told_once_a_day(world, mailoutbox, django_capture_on_commit_callbacks):
    plan = _stale(world)
    with django_capture_on_commit_callbacks(execute=True):
        result = watchdog_run(today=TODAY())
    assert [(alert.kind, alert.notifications_created) for alert in result.alerts] == [
        (AlertKind.REVISION_OVERDUE, 1),
        (AlertKind.MEASURE_OVERDUE, 1),
    ]
    coordinator = world.user(Role.COORDINATOR)
    notes = Notification.objects.order_by("id")
    assert [note.user for note in notes] == [coordinator, coordinator]
    assert notes[0].text == (
        "Handlingsplan för samverkan (Leksand): Revision overdue since May 22, 2019."
    )
    assert notes[0].url == reverse("governance:document_detail", args=[plan.pk])
    assert notes[0].severity == "danger"
    assert notes[1].text == "Handlingsplan för samverkan (Leksand): 1 measure overdue."
    assert len(mailoutbox) == 2
    assert mailoutbox[0].to == [coordinator.email]

    again = watchdog_run(today=TODAY())
    assert again.notifications_created == 0
    assert Notification.objects.count() == 2
    # The next day it reminds again.
    assert watchdog_run(today=TODAY() + datetime.timedelta(days=1)).notifications_created == 2


def test_only_the_coordinators_of_the_documents_municipality(world):
    _stale(world, "eksjo")
    watchdog_run(today=TODAY())
    assert set(Notification.objects.values_list("user__username", flat=True)) == {
        world.user(Role.COORDINATOR, "eksjo").username
    }


def test_expired_and_due_documents(world):
    agreement = builders.document(world, kind=DocumentKind.AGREEMENT, title="Överenskommelse")
    builders.version(
        world,
        agreement,
        approved_on=TODAY() - datetime.timedelta(days=100),
        valid_to=TODAY() - datetime.timedelta(days=1),
        revision_interval_months=4,
    )
    result = watchdog_run(today=TODAY())
    kinds = {alert.kind for alert in result.alerts}
    assert AlertKind.EXPIRED in kinds
    assert AlertKind.REVISION_DUE in kinds


def test_the_command_and_the_task(world, capsys):
    _stale(world)
    call_command("governance_watchdog")
    out = capsys.readouterr().out
    assert "Governance watchdog done: 2 new notifications." in out
    call_command("governance_watchdog")
    assert "0 new notifications" in capsys.readouterr().out
    assert run_watchdog.enqueue().return_value["notifications_created"] == 0
