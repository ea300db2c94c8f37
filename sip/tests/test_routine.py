"""The municipality's SIP routine: a governance routine marked as such (one per municipality),
linked from the SIP pages at its current version, and watched like every other document."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from governance import services
from governance.models import DocumentKind, GovernanceDocument
from governance.selectors import AlertKind
from governance.tests import builders
from governance.watchdog import watchdog_run
from organisations.models import Role, UnitKind
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up", "english")


def _link(world: World, place: str = "leksand") -> str:
    template = Template("{% load sip_meetings %}{% sip_routine_link municipality_id %}")
    return template.render(Context({"municipality_id": world.municipality(place).pk})).strip()


def test_only_a_routine_can_be_marked(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        builders.document(world, kind=DocumentKind.AGREEMENT, is_sip_routine=True)
    assert "is_sip_routine" in caught.value.message_dict
    routine = builders.document(world, is_sip_routine=True)
    with pytest.raises(ValidationError):
        services.document_update(
            actor=world.user(Role.COORDINATOR),
            document=routine,
            kind=DocumentKind.ACTION_PLAN,
            title=routine.title,
            owner_unit=routine.owner_unit,
        )


def test_at_most_one_per_municipality(world: World) -> None:
    builders.document(world, title="SIP-rutin", is_sip_routine=True)
    with pytest.raises(ValidationError) as caught:
        builders.document(world, title="En annan rutin", is_sip_routine=True)
    assert "SIP-rutin" in caught.value.message_dict["is_sip_routine"][0]
    # Another municipality has its own.
    builders.document(world, "eksjo", title="SIP-rutin", is_sip_routine=True)
    # The database holds it too, whatever writes.
    other = builders.document(world, title="Tredje rutinen")
    with pytest.raises(IntegrityError), transaction.atomic():
        GovernanceDocument.objects.filter(pk=other.pk).update(is_sip_routine=True)


def test_the_mark_moves_after_it_is_removed(world: World) -> None:
    first = builders.document(world, title="Gamla SIP-rutinen", is_sip_routine=True)
    second = builders.document(world, title="Nya SIP-rutinen")
    coordinator = world.user(Role.COORDINATOR)
    services.document_update(
        actor=coordinator,
        document=first,
        kind=first.kind,
        title=first.title,
        owner_unit=first.owner_unit,
        is_sip_routine=False,
    )
    services.document_update(
        actor=coordinator,
        document=second,
        kind=second.kind,
        title=second.title,
        owner_unit=second.owner_unit,
        is_sip_routine=True,
    )
    assert GovernanceDocument.objects.get(is_sip_routine=True) == second


def test_the_link_shows_the_current_version_or_nothing(world: World) -> None:
    assert _link(world) == ""
    routine = builders.document(world, title="Rutin för SIP", is_sip_routine=True)
    assert _link(world) == ""  # no approved version yet
    builders.version(world, routine, valid_from=datetime.date(2026, 2, 1))
    builders.version(world, routine, approved_on=None)  # a draft is not the current version
    link = _link(world)
    url = reverse("governance:version_detail", args=[routine.pk, 1])
    assert f'href="{url}"' in link
    assert "Rutin för SIP, version 1, valid from" in link
    assert _link(world, "eksjo") == ""


def test_the_form_marks_it(client, world: World) -> None:
    coordinator = world.user(Role.COORDINATOR)
    client.force_login(coordinator)
    response = client.post(
        reverse("governance:document_create"),
        {
            "kind": DocumentKind.ROUTINE,
            "title": "SIP i Leksand",
            "owner_unit": world.unit(UnitKind.MUNICIPAL_OFFICE).pk,
            "is_sip_routine": "on",
        },
    )
    assert response.status_code == 302
    assert GovernanceDocument.objects.get(title="SIP i Leksand").is_sip_routine


def test_revision_alerts_apply_to_the_sip_routine(world: World) -> None:
    routine = builders.document(world, title="Rutin för SIP", is_sip_routine=True)
    builders.version(world, routine, approved_on=datetime.date(2018, 1, 10))
    result = watchdog_run(today=timezone.localdate())
    assert any(
        alert.document_id == routine.pk and alert.kind == AlertKind.REVISION_OVERDUE
        for alert in result.alerts
    )
    assert Notification.objects.filter(user=world.user(Role.COORDINATOR)).exists()
