"""Network meetings: recorded by those who may edit the plan, decisions change the actions in
the same transaction, the follow-up moves the plan's date, concurrent saves are refused and a
double submit makes one meeting; only those who see the plan see its meetings."""

import datetime
import uuid
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from access.models import AccessLog, AuditEvent, AuditEventType
from organisations.models import Role, UnitKind
from sip import services
from sip.models import ActionStatus, NetworkMeeting, Plan
from sip.policies import SipAction, plan_policy
from sip.services_meetings import ActionDecision, MeetingData, meeting_record
from sip.tests.conftest import record_consent
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

# The user, the plan through the policy, the access log, the meetings (one query with the
# counts) and the SIP routine link; the session, the memberships and the page frame's unread
# count are in the shared cache.
LIST_QUERIES = 6


def _permit(user, plan: Plan, action: SipAction = SipAction.EDIT):
    permit = plan_policy.find(user, action, pk=plan.pk)
    assert permit is not None
    return permit


@pytest.fixture
def nurse(world: World):
    return world.user(Role.MEDICAL_STUDENT_HEALTH)


@pytest.fixture
def action(world: World, plan: Plan, nurse):
    return services.action_add(
        permit=_permit(nurse, plan),
        actor=nurse,
        data=services.ActionData(
            what="Samtal varje vecka",
            party=world.unit(UnitKind.HEALTH_REGION_CLINIC),
            due_on=timezone.localdate() + datetime.timedelta(days=10),
        ),
    )


def _record(nurse, plan: Plan, **kwargs) -> NetworkMeeting:
    plan.refresh_from_db()
    data = MeetingData(held_on=kwargs.pop("held_on", timezone.localdate()), **kwargs)
    return meeting_record(
        permit=_permit(nurse, plan), actor=nurse, expected_version=plan.version, data=data
    )


def test_a_meeting_updates_the_actions_and_the_follow_up_in_one_go(
    plan: Plan, nurse, action
) -> None:
    today = timezone.localdate()
    plan.follow_up_on = today
    plan.save()
    version = plan.version
    new_due = today + datetime.timedelta(days=30)
    present = list(plan.participants.values_list("pk", flat=True))[:2]
    meeting = _record(
        nurse,
        plan,
        present_ids=present,
        minutes="Vi gick igenom planen.",
        decisions="Samtalen fortsätter.",
        is_follow_up=True,
        next_follow_up_on=today + datetime.timedelta(days=60),
        actions=[ActionDecision(action.pk, ActionStatus.ONGOING, new_due)],
    )
    plan.refresh_from_db()
    action.refresh_from_db()
    assert plan.version == version + 1
    assert plan.follow_up_on == today + datetime.timedelta(days=60)
    assert meeting.follow_up_due_on == today
    assert sorted(meeting.present.values_list("pk", flat=True)) == sorted(present)
    assert action.status == ActionStatus.ONGOING
    assert action.due_on == new_due
    # Each change of the action is in its history.
    assert action.history.count() == 2
    assert action.history.first().status == ActionStatus.ONGOING
    assert AuditEvent.objects.filter(event_type=AuditEventType.SIP_MEETING_RECORDED).count() == 1


def _days_from_today(days: int) -> Callable[[], datetime.date]:
    """A date worked out when the test runs, not when it is collected: a run that crosses
    midnight (Swedish time) would otherwise test yesterday's "tomorrow"."""
    return lambda: timezone.localdate() + datetime.timedelta(days=days)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"held_on": _days_from_today(1)}, "held_on"),
        ({"is_follow_up": True}, "next_follow_up_on"),
        (
            {"is_follow_up": True, "next_follow_up_on": _days_from_today(0)},
            "next_follow_up_on",
        ),
        ({"present_ids": [999999]}, "present"),
    ],
)
def test_bad_input_saves_nothing(plan: Plan, nurse, kwargs, field) -> None:
    kwargs = {name: value() if callable(value) else value for name, value in kwargs.items()}
    version = Plan.objects.get(pk=plan.pk).version
    with pytest.raises(ValidationError) as caught:
        _record(nurse, plan, **kwargs)
    assert field in caught.value.message_dict
    assert not NetworkMeeting.objects.exists()
    assert Plan.objects.get(pk=plan.pk).version == version


def test_a_past_due_date_for_an_action_is_refused(plan: Plan, nurse, action) -> None:
    with pytest.raises(ValidationError) as caught:
        _record(
            nurse,
            plan,
            actions=[
                ActionDecision(
                    action.pk, ActionStatus.ONGOING, timezone.localdate() - datetime.timedelta(1)
                )
            ],
        )
    assert f"action_{action.pk}_due_on" in caught.value.message_dict
    action.refresh_from_db()
    assert action.status == ActionStatus.PLANNED


def test_a_save_over_a_newer_version_is_refused(plan: Plan, nurse) -> None:
    old = Plan.objects.get(pk=plan.pk).version
    services.plan_update(
        permit=_permit(nurse, plan),
        actor=nurse,
        expected_version=old,
        text=services.PlanText(needs="Stöd i skolan"),
    )
    with pytest.raises(services.ConcurrentEditError):
        meeting_record(
            permit=_permit(nurse, plan),
            actor=nurse,
            expected_version=old,
            data=MeetingData(held_on=timezone.localdate()),
        )
    assert not NetworkMeeting.objects.exists()


def test_a_double_submit_makes_one_meeting(plan: Plan, nurse) -> None:
    key = uuid.uuid4()
    version = Plan.objects.get(pk=plan.pk).version
    data = MeetingData(held_on=timezone.localdate(), minutes="Möte")
    first = meeting_record(
        permit=_permit(nurse, plan),
        actor=nurse,
        expected_version=version,
        data=data,
        submission_key=key,
    )
    # The second click carries the same (now old) version and the same key.
    second = meeting_record(
        permit=_permit(nurse, plan),
        actor=nurse,
        expected_version=version,
        data=data,
        submission_key=key,
    )
    assert first == second
    assert NetworkMeeting.objects.count() == 1


# --- pages ---------------------------------------------------------------------------------


def _urls(plan: Plan, meeting: NetworkMeeting | None = None) -> list[str]:
    urls = [
        reverse("sip:meetings", args=[plan.public_id]),
        reverse("sip:meeting_create", args=[plan.public_id]),
        reverse("sip:family_plan", args=[plan.public_id]),
    ]
    if meeting is not None:
        urls.append(reverse("sip:meeting", args=[plan.public_id, meeting.pk]))
    return urls


def test_recording_a_meeting_through_the_page(client, plan: Plan, nurse, action) -> None:
    client.force_login(nurse)
    url = reverse("sip:meeting_create", args=[plan.public_id])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    present = list(plan.participants.values_list("pk", flat=True))
    data = {
        "version": form["version"].value(),
        "submission_key": str(form["submission_key"].value()),
        "held_on": timezone.localdate().isoformat(),
        "present": [str(pk) for pk in present],
        "minutes": "Vi träffades.",
        "decisions": "",
        f"action_{action.pk}_status": ActionStatus.DONE,
        f"action_{action.pk}_due_on": "",
    }
    response = client.post(url, data)
    meeting = NetworkMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sip:meeting", args=[plan.public_id, meeting.pk])
    # The double click: the same form again makes nothing new.
    assert client.post(url, data).status_code == 302
    assert NetworkMeeting.objects.count() == 1
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    listing = client.get(reverse("sip:meetings", args=[plan.public_id]))
    assert meeting.held_on.strftime("%Y") in listing.content.decode()
    assert "Record a network meeting" in listing.content.decode()
    # Every read is in the access log.
    assert AccessLog.objects.filter(user=nurse).count() >= 3


def test_a_concurrent_save_keeps_what_was_typed_and_shows_both(client, plan: Plan, nurse) -> None:
    client.force_login(nurse)
    url = reverse("sip:meeting_create", args=[plan.public_id])
    old = Plan.objects.get(pk=plan.pk).version
    services.plan_update(
        permit=_permit(nurse, plan),
        actor=nurse,
        expected_version=old,
        text=services.PlanText(follow_up_on=timezone.localdate() + datetime.timedelta(days=9)),
    )
    response = client.post(
        url,
        {
            "version": old,
            "submission_key": str(uuid.uuid4()),
            "held_on": timezone.localdate().isoformat(),
            "minutes": "Det jag skrev",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Det jag skrev" in text
    assert "The plan as it is saved now" in text
    assert response.context["form"]["version"].value() == str(old + 1)
    assert not NetworkMeeting.objects.exists()


def test_bad_input_on_the_page_is_kept_and_explained(client, plan, nurse) -> None:
    client.force_login(nurse)
    url = reverse("sip:meeting_create", args=[plan.public_id])
    response = client.post(
        url,
        {
            "version": Plan.objects.get(pk=plan.pk).version,
            "held_on": "inte ett datum",
            "minutes": "Mina anteckningar",
            "is_follow_up": "on",
        },
    )
    assert response.status_code == 200
    assert "Mina anteckningar" in response.content.decode()
    assert not NetworkMeeting.objects.exists()


def test_outsiders_get_404(client, world: World, plan: Plan, nurse) -> None:
    """Another municipality, the wrong roles, and the named participants whose unit no consent
    covers: the same 404 as for a plan that does not exist."""
    meeting = _record(nurse, plan)
    names = ["sip:meetings", "sip:meeting_create", "sip:family_plan"]
    for name in names:
        url = reverse(name, args=[plan.public_id])
        assert_matrix(
            client,
            url,
            [(None, LOGIN), (nurse, 200), *[(u, 404) for u in everyone_else(world, [nurse])]],
        )
    url = reverse("sip:meeting", args=[plan.public_id, meeting.pk])
    assert_matrix(
        client,
        url,
        [(None, LOGIN), (nurse, 200), *[(u, 404) for u in everyone_else(world, [nurse])]],
    )
    missing = reverse("sip:meetings", args=[uuid.uuid4()])
    assert_matrix(client, missing, [(nurse, 404)])


def test_a_party_with_consent_sees_and_records_meetings_until_withdrawal(
    client, world: World, plan: Plan, nurse
) -> None:
    consent = record_consent(world, plan, UnitKind.HEALTH_REGION_CLINIC)
    meeting = _record(nurse, plan)
    clinic = world.user(Role.SIP_PARTICIPANT)
    client.force_login(clinic)
    for url in _urls(plan, meeting):
        assert client.get(url).status_code == 200, url
    services.consent_withdraw(
        permit=_permit(nurse, plan, SipAction.VIEW),
        actor=nurse,
        consent_id=consent.pk,
        withdrawn_by="Karin Testsson",
    )
    for url in _urls(plan, meeting):
        assert client.get(url).status_code == 404, url


def test_a_closed_plan_shows_meetings_but_takes_none(client, plan: Plan, nurse) -> None:
    _record(nurse, plan)
    services.plan_close(
        permit=_permit(nurse, plan, SipAction.MANAGE), actor=nurse, reason="no_longer_needed"
    )
    client.force_login(nurse)
    listing = client.get(reverse("sip:meetings", args=[plan.public_id]))
    assert listing.status_code == 200
    assert "Record a network meeting" not in listing.content.decode()
    assert client.get(reverse("sip:meeting_create", args=[plan.public_id])).status_code == 404


def test_the_meeting_list_does_not_grow_in_queries(
    client, plan: Plan, nurse, django_assert_num_queries
) -> None:
    client.force_login(nurse)
    url = reverse("sip:meetings", args=[plan.public_id])
    _record(nurse, plan)
    client.get(url)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(url)
    for _ in range(4):
        _record(nurse, plan, present_ids=list(plan.participants.values_list("pk", flat=True)))
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(url).status_code == 200
