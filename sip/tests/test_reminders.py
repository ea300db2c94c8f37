"""Reminders: follow-up near and passed, actions overdue; to the conveners and the parties
with a consent in force; once per plan, kind and date; no child data in texts or e-mails."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import Notification
from organisations.models import Role, UnitKind
from sip import services
from sip.models import Plan
from sip.policies import SipAction, plan_policy
from sip.reminders import ReminderKind, reminders_run
from sip.tasks import run_reminders
from sip.tests.conftest import record_consent, start_plan
from tests.world import World

pytestmark = pytest.mark.usefixtures("english")


def _today() -> datetime.date:
    return timezone.localdate()


def _due_plan(world: World, place: str = "leksand", **dates: datetime.date) -> Plan:
    """A plan with a consent covering the clinic, a follow-up date and an overdue action."""
    plan = start_plan(world, place)
    nurse = world.user(Role.MEDICAL_STUDENT_HEALTH, place)
    permit = plan_policy.find(nurse, SipAction.EDIT, pk=plan.pk)
    assert permit is not None
    services.action_add(
        permit=permit,
        actor=nurse,
        data=services.ActionData(
            what="Hemligt innehåll i planen",
            party=world.unit(UnitKind.INTAKE, place),
            due_on=dates.get("due_on", _today() - datetime.timedelta(days=3)),
        ),
    )
    Plan.objects.filter(pk=plan.pk).update(
        status="active", follow_up_on=dates.get("follow_up_on", _today())
    )
    if place == "leksand":
        record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    plan.refresh_from_db()
    return plan


def test_reminders_go_to_the_conveners_and_the_parties_with_consent(
    world: World, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    plan = _due_plan(world, follow_up_on=_today() + datetime.timedelta(days=7))
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders_run(today=_today())
    kinds = {reminder.kind for reminder in result.alerts}
    assert kinds == {ReminderKind.FOLLOW_UP_SOON, ReminderKind.ACTIONS_OVERDUE}
    told = set(Notification.objects.values_list("user_id", flat=True))
    # The nurse convened it; the clinic is covered by the consent. The intake takes part, but
    # no consent covers it: not told.
    assert told == {
        world.user(Role.MEDICAL_STUDENT_HEALTH).pk,
        world.user(Role.SIP_PARTICIPANT).pk,
    }
    # No child data and no plan content, in the app or in the e-mails.
    for text in [n.text for n in Notification.objects.all()] + [
        part for mail in mailoutbox for part in (mail.subject, mail.body)
    ]:
        assert plan.child_name not in text
        assert "Testsson" not in text
        assert "Hemligt" not in text
        assert "2015" not in text
    assert mailoutbox
    assert all(str(plan.public_id) in mail.body for mail in mailoutbox)


def test_a_second_run_creates_nothing(world: World) -> None:
    _due_plan(world, follow_up_on=_today() - datetime.timedelta(days=1))
    first = reminders_run(today=_today())
    assert first.notifications_created == 4
    count = Notification.objects.count()
    second = reminders_run(today=_today())
    assert second.notifications_created == 0
    assert Notification.objects.count() == count
    assert {r.kind for r in first.alerts} == {
        ReminderKind.FOLLOW_UP_PASSED,
        ReminderKind.ACTIONS_OVERDUE,
    }


def test_nothing_when_nothing_is_due(world: World) -> None:
    _due_plan(
        world,
        follow_up_on=_today() + datetime.timedelta(days=8),
        due_on=_today() + datetime.timedelta(days=1),
    )
    assert reminders_run(today=_today()).alerts == ()


def test_the_days_before_are_a_setting(world: World, settings) -> None:
    settings.SIP_FOLLOW_UP_REMINDER_DAYS = 10
    _due_plan(
        world,
        follow_up_on=_today() + datetime.timedelta(days=9),
        due_on=_today() + datetime.timedelta(days=1),
    )
    assert [r.kind for r in reminders_run(today=_today()).alerts] == [ReminderKind.FOLLOW_UP_SOON]


def test_a_withdrawn_consent_stops_the_reminders_to_that_party(world: World) -> None:
    plan = _due_plan(world)
    nurse = world.user(Role.MEDICAL_STUDENT_HEALTH)
    permit = plan_policy.find(nurse, SipAction.VIEW, pk=plan.pk)
    assert permit is not None
    services.consent_withdraw(
        permit=permit,
        actor=nurse,
        consent_id=plan.consents.get().pk,
        withdrawn_by="Karin Testsson",
    )
    reminders_run(today=_today())
    assert set(Notification.objects.values_list("user_id", flat=True)) == {nurse.pk}


def test_queries_do_not_grow_with_plans(
    world: World, django_assert_num_queries, monkeypatch
) -> None:
    """Finding the plans and the recipients is a fixed number of queries (notify's own work,
    one check and the inserts per reminder, is left out here)."""
    sent: list[str] = []

    def fake_notify(**kwargs: object) -> list[object]:
        sent.append(str(kwargs["dedupe_key"]))
        return []

    monkeypatch.setattr("sip.reminders.notify", fake_notify)
    _due_plan(world)
    _due_plan(world, "eksjo")
    # Due: 2 queries; the plans: 1; recipients: 3.
    with django_assert_num_queries(6):
        reminders_run(today=_today())
    assert len(sent) == 4
    for _ in range(3):
        _due_plan(world)
    with django_assert_num_queries(6):
        reminders_run(today=_today())
    assert len(sent) == 4 + 10


def test_the_command_and_the_task(world: World) -> None:
    _due_plan(world)
    call_command("sip_reminders")
    count = Notification.objects.count()
    assert count
    run_reminders.call()
    assert Notification.objects.count() == count
