"""Evidence from the follow-up: a published report to the board, and an indicator's value at
a date, kept as it was shown."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audits import services
from audits.models import EvidenceKind
from audits.tests import builders
from conftest import give_totp
from followup.rollups import rebuild
from followup.tests import board_builders
from followup.tests.scenario import NOW
from organisations.models import Role
from tests.world import World, build_world


@pytest.fixture
def leksand(db):  # noqa: ARG001 - asks pytest for the database
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        board_builders.scenario(world)
        rebuild(now=NOW)
        yield world


def _evidence(world: World, audit, **values):
    recommendation = audit.recommendations.first() or builders.recommendation(world, audit)
    return services.evidence_add(
        actor=world.user(Role.COORDINATOR),
        audit=audit,
        recommendation=recommendation,
        description="Underlag",
        **values,
    )


def test_a_published_board_report_is_evidence_and_a_draft_is_not(
    leksand: World, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(NOW, tick=False):
        audit = builders.audit(leksand)
        draft = board_builders.draft(leksand, django_capture_on_commit_callbacks)
        with pytest.raises(ValidationError) as refused:
            _evidence(leksand, audit, kind=EvidenceKind.BOARD_REPORT, board_report=draft)
        assert "board_report" in refused.value.message_dict
        with pytest.raises(ValidationError):
            _evidence(leksand, audit, kind=EvidenceKind.BOARD_REPORT)  # nothing chosen
        report = board_builders.published(leksand, django_capture_on_commit_callbacks)
        evidence = _evidence(leksand, audit, kind=EvidenceKind.BOARD_REPORT, board_report=report)
        eksjo_audit = builders.audit(leksand, "eksjo")
        with pytest.raises(ValidationError):
            services.evidence_add(
                actor=leksand.user(Role.COORDINATOR, "eksjo"),
                audit=eksjo_audit,
                recommendation=builders.recommendation(leksand, eksjo_audit, place="eksjo"),
                description="Fel kommun",
                kind=EvidenceKind.BOARD_REPORT,
                board_report=report,
            )
    assert evidence.board_report == report
    auditor = leksand.user(Role.AUDITOR)
    give_totp(auditor)
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(auditor)
    page = client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    assert reverse("followup_board:detail", args=[report.pk]) in page
    assert client.get(reverse("followup_board:detail", args=[report.pk])).status_code == 200


def test_an_indicator_value_is_kept_as_it_was_shown(leksand: World) -> None:
    with time_machine.travel(NOW, tick=False):
        audit = builders.audit(leksand)
        evidence = _evidence(
            leksand, audit, kind=EvidenceKind.INDICATOR, indicator_key="decided_within_deadline"
        )
        with pytest.raises(ValidationError) as refused:
            _evidence(leksand, audit, kind=EvidenceKind.INDICATOR, indicator_key="no_such_key")
        assert "indicator_key" in refused.value.message_dict
    # The scenario's March: 5 of 7 decisions in time; the last twelve months up to April 2026.
    assert evidence.indicator_value == "71 %"
    assert evidence.indicator_period == "maj 2025 – april 2026"
    assert evidence.indicator_as_of == datetime.date(2026, 4, 15)
    with translation.override("en"):
        assert evidence.indicator_name == "Decisions within the deadline"
