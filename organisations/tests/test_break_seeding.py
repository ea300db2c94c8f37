"""The migration that moved school breaks from the installation setting to data keeps what
planning avoided before: the old break weeks, for every year a municipality has terms."""

import datetime
import importlib

import pytest
from django.apps import apps

from organisations.models import BreakKind, SchoolBreak, SchoolTerm, TermKind

pytestmark = pytest.mark.django_db
migration = importlib.import_module(
    "organisations.migrations.0003_school_breaks_seeded_from_break_weeks"
)
D = datetime.date


def test_old_break_weeks_become_each_municipalitys_breaks(world, settings) -> None:
    settings.WHEEL_BREAK_WEEKS = {"autumn": [44], "spring": [8, 15]}
    SchoolTerm.objects.create(
        municipality=world.municipality(),
        kind=TermKind.AUTUMN,
        starts_on=D(2025, 8, 19),
        ends_on=D(2025, 12, 19),
    )
    SchoolTerm.objects.create(
        municipality=world.municipality(),
        kind=TermKind.SPRING,
        starts_on=D(2026, 1, 8),
        ends_on=D(2026, 6, 11),
    )
    migration.seed_breaks_from_the_old_setting(apps, None)
    breaks = list(SchoolBreak.objects.order_by("starts_on"))
    # Each year a term touches gets all of its weeks: 2025 and 2026, spring and autumn.
    found = {(b.starts_on.year, b.starts_on.isocalendar().week, b.kind) for b in breaks}
    assert (2025, 44, BreakKind.AUTUMN) in found
    assert (2026, 8, BreakKind.WINTER) in found
    assert (2026, 15, BreakKind.EASTER) in found
    assert all(b.municipality == world.municipality() for b in breaks)  # Eksjö has no terms
    assert all((b.ends_on - b.starts_on).days == 6 for b in breaks)
    migration.seed_breaks_from_the_old_setting(apps, None)  # twice changes nothing
    assert SchoolBreak.objects.count() == len(breaks)
