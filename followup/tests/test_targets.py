"""The coordinator's targets: a form listing the indicators by name, validated, audited, and
harmless when sent twice; the dashboard's lights follow the new target."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from access.models import AuditEvent, AuditEventType
from followup.models import IndicatorTarget
from organisations.models import Role

URL = "followup:targets"


def _post(client, world, **values):
    client.force_login(world.user(Role.COORDINATOR))
    return client.post(reverse(URL), values)


def test_the_form_lists_indicators_by_name_never_by_key(client, world):
    client.force_login(world.user(Role.COORDINATOR))
    html = client.get(reverse(URL)).content.decode()
    assert "Decisions within the deadline" in html
    assert "decided_within_deadline" not in re.sub(r"<[^>]+>", "", html)  # not in any text
    # An indicator with no direction has no target to set.
    assert "Reports that led to an investigation" not in html


def test_a_target_is_saved_audited_and_used(client, world):
    response = _post(client, world, meetings_held="75", decision_days_median="10")
    assert response.status_code == 302
    targets = dict(
        IndicatorTarget.objects.filter(municipality=world.municipality()).values_list(
            "indicator_key", "target"
        )
    )
    assert targets == {"meetings_held": Decimal(75), "decision_days_median": Decimal(10)}
    [event] = AuditEvent.objects.filter(event_type=AuditEventType.INDICATOR_TARGETS_CHANGED)
    assert event.actor == world.user(Role.COORDINATOR)
    assert event.municipality == world.municipality()
    assert event.old_values == {"meetings_held": None, "decision_days_median": None}
    assert event.new_values == {"meetings_held": "75", "decision_days_median": "10"}
    page = client.get(reverse(URL)).content.decode()
    assert 'value="75"' in page
    dashboard = client.get(reverse("followup:dashboard"))
    row = next(r for r in dashboard.context["rows"] if r.indicator.key == "meetings_held")
    assert row.target == "at least 75 %"


def test_sending_the_same_form_twice_changes_nothing_more(client, world):
    _post(client, world, meetings_held="75")
    response = _post(client, world, meetings_held="75")
    assert response.status_code == 302
    assert IndicatorTarget.objects.count() == 1
    assert (
        AuditEvent.objects.filter(event_type=AuditEventType.INDICATOR_TARGETS_CHANGED).count() == 1
    )


def test_emptying_a_field_goes_back_to_the_default(client, world):
    _post(client, world, meetings_held="75")
    _post(client, world, meetings_held="")
    assert not IndicatorTarget.objects.exists()
    changes = AuditEvent.objects.filter(event_type=AuditEventType.INDICATOR_TARGETS_CHANGED)
    event = changes.order_by("pk").last()
    assert event is not None
    assert event.new_values == {"meetings_held": None}


def test_bad_values_are_refused_with_a_message(client, world):
    response = _post(client, world, meetings_held="150", decision_days_median="fjorton")
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html
    assert "Give the target as a number" in html
    assert "less than or equal to 100" in html
    assert not IndicatorTarget.objects.exists()


def test_another_municipality_is_not_touched(client, world):
    _post(client, world, meetings_held="75")
    assert not IndicatorTarget.objects.filter(municipality=world.municipality("eksjo")).exists()


def test_the_service_refuses_a_permit_that_is_not_for_targets(world):
    from access.policies import NotPermitted
    from followup.policies import MANAGE_TARGETS, VIEW_DASHBOARD, followup_policy
    from followup.services import targets_set

    leksand = world.municipality()
    board = world.user(Role.BOARD_MEMBER)
    viewing = followup_policy.find(board, VIEW_DASHBOARD, pk=leksand.pk)
    assert viewing is not None
    with pytest.raises(NotPermitted):
        targets_set(permit=viewing, actor=board, targets={"meetings_held": Decimal(75)})
    # Another municipality's coordinator, and the board member, get no permit at all.
    eksjo_coordinator = world.user(Role.COORDINATOR, "eksjo")
    assert followup_policy.find(eksjo_coordinator, MANAGE_TARGETS, pk=leksand.pk) is None
    assert followup_policy.find(board, MANAGE_TARGETS, pk=leksand.pk) is None
    assert not IndicatorTarget.objects.exists()


def test_a_user_of_two_municipalities_chooses_one(client, world):
    from organisations import services as organisation_services

    coordinator = world.user(Role.COORDINATOR)
    organisation_services.membership_create(
        actor=None,
        user=coordinator,
        unit=world.unit("municipal_office", "eksjo"),
        role=Role.BOARD_MEMBER,
    )
    client.force_login(coordinator)
    eksjo = world.municipality("eksjo")
    response = client.get(reverse("followup:dashboard"), {"municipality": eksjo.pk})
    assert response.context["loaded"].municipality == eksjo
    assert 'id="id_municipality"' in response.content.decode()
    assert not response.context["can_manage_targets"]  # a board member there, not coordinator
    assert client.get(reverse(URL), {"municipality": eksjo.pk}).status_code == 404
    assert client.get(reverse(URL), {"municipality": "x"}).status_code == 404
