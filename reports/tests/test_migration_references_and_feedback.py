"""Migrations 0004 and 0005 on rows made before them: every report keeps the reference people
wrote down (a clash within a municipality gets a new one, and the old one still finds it), and
a municipality's stored 14 days of feedback is cleared only when no person chose it."""

import uuid

import pytest

from access.models import AuditEvent
from organisations.models import Role, UnitKind
from reports.models import ConcernReport, DeadlineSettings
from reports.references import ALPHABET
from reports.tests.test_migration_late_extension import (
    ON_SQLITE,
    _flushable,  # noqa: F401 - the module fixture that lets the transactional test flush
    _migrate,
    _migrate_to_latest,
)
from tests.factories import MunicipalityFactory
from tests.world import build_world

BEFORE = [("reports", "0003_case_owner")]


@pytest.mark.django_db(transaction=ON_SQLITE)
def test_old_references_are_kept_and_old_default_feedback_days_follow_the_law() -> None:
    world = build_world()
    third = MunicipalityFactory.create(name="Rättvik", code="2031")
    apps = _migrate(BEFORE)
    try:
        OldReport = apps.get_model("reports", "ConcernReport")
        OldSettings = apps.get_model("reports", "DeadlineSettings")
        OldAuditEvent = apps.get_model("access", "AuditEvent")
        school = world.unit(UnitKind.SCHOOL)
        common = {
            "author_id": world.user(Role.REPORTER).pk,
            "author_role": "reporter",
            "author_sector": "school",
            "school_unit_id": school.pk,
            "status": "draft",
            "child_ref": "u-x",
        }
        # Two reports of Leksand whose old references are the same, and one of Eksjö.
        for suffix, place in (("a", "leksand"), ("b", "leksand"), ("c", "eksjo")):
            OldReport.objects.create(
                public_id=uuid.UUID(f"abcdef12-0000-4000-8000-00000000000{suffix}"),
                municipality_id=world.municipality(place).pk,
                **common,
            )
        leksand = OldSettings.objects.create(
            municipality_id=world.municipality().pk, feedback_days=14
        )
        OldAuditEvent.objects.create(
            actor_id=world.user(Role.MUNICIPAL_ADMIN).pk,
            municipality_id=world.municipality().pk,
            event_type="deadline_settings_changed",
            object_type="reports.deadlinesettings",
            object_id=str(leksand.pk),
            old_values={"protection_late_hour": None, "decision_days": None, "feedback_days": None},
            new_values={"protection_late_hour": None, "decision_days": None, "feedback_days": 14},
        )
        OldSettings.objects.create(municipality_id=world.municipality("eksjo").pk, feedback_days=14)
        OldSettings.objects.create(municipality_id=third.pk, feedback_days=10)
    finally:
        _migrate_to_latest()

    reports = {str(report.public_id)[-1]: report for report in ConcernReport.objects.all()}
    assert reports["a"].reference == "ABCDEF12"  # the earlier one keeps it
    assert reports["c"].reference == "ABCDEF12"  # another municipality's
    assert set(reports["b"].reference_code) <= set(ALPHABET)
    # Chosen on the settings page: kept. Never chosen: follows the new default. Others: kept.
    own = {s.municipality_id: s.feedback_days for s in DeadlineSettings.objects.all()}
    assert own[world.municipality().pk] == 14
    assert own[world.municipality("eksjo").pk] is None
    assert own[third.pk] == 10
    cleared = AuditEvent.objects.get(actor=None, event_type="deadline_settings_changed")
    assert cleared.municipality == world.municipality("eksjo")
    assert cleared.new_values["feedback_days"] is None
