"""Goals of governance documents show their indicator's value against the goal's target."""

from decimal import Decimal

import time_machine
from django.test import Client
from django.urls import reverse

from conftest import give_totp
from followup.rollups import rebuild
from followup.tests.scenario import NOW, march_meetings, march_reports
from governance import services
from governance.tests import builders
from organisations.models import Role
from tests.world import build_world


def test_a_goal_shows_its_value_target_and_light_in_words(db) -> None:  # noqa: ARG001
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        march_reports(world)
        march_meetings(world)
        rebuild(now=NOW)
        document = builders.document(world)
        coordinator = world.user(Role.COORDINATOR)
        services.goal_add(
            actor=coordinator,
            document=document,
            text="Planerade möten genomförs",
            indicator_key="meetings_held",
            target_value=Decimal(90),
            direction="at_least",
        )
        services.goal_add(
            actor=coordinator,
            document=document,
            text="Få möten utan minnesanteckningar",
            indicator_key="meetings_without_minutes",
            target_value=Decimal(1),
            direction="at_most",
        )
        client = Client(headers={"Accept-Language": "en"})
        principal = world.user(Role.PRINCIPAL)
        teacher = world.user(Role.REPORTER)
        give_totp(principal, teacher)  # they see children: two-factor is required
        client.force_login(teacher)
        page = client.get(reverse("governance:document_detail", args=[document.pk]))
        # A teacher reads the goals and their indicators, but not the follow-up's numbers.
        assert "Planned meetings held" in page.content.decode()
        assert "indicator-value" not in page.content.decode()
        client.force_login(principal)
        page = client.get(reverse("governance:document_detail", args=[document.pk]))
        assert page.status_code == 200, page.status_code
    body = page.content.decode()
    assert "Planned meetings held" in body  # the indicator by name, not its key
    assert "meetings_held" not in body
    # 2 held of 4 whose day passed: 50 % against at least 90 %.
    assert '<span class="indicator-value">50 %</span> <span class="muted">(2 of 4)</span>' in body
    assert '<span class="badge badge--danger">Target not met</span>' in body
    # One meeting without minutes against at most one: met.
    assert '<span class="badge badge--ok">Target met</span>' in body
