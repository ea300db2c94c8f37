"""The demo's analysis: written once on Leksand's latest sent situational-picture round, with
three priorities and the first on the resource council's next meeting; nothing without a
round or an analysis group."""

import datetime

import pytest
from django.utils import timezone

from organisations.models import UnitKind
from surveys import demo_analysis
from surveys.models import Priority
from surveys.tests.factories_results import answer_many, make_round, make_version
from surveys.tests.results_world import council_series, members
from tests.factories import UnitFactory
from wheel.tests.calendar_builders import make_occurrence

pytestmark = pytest.mark.django_db


def test_nothing_without_a_sent_round(world):
    make_round(make_version(world.municipality()), sent=False, members=members(world))
    demo_analysis.load(today=timezone.localdate())
    assert not Priority.objects.exists()


def test_the_analysis_and_priorities_are_written_once(world):
    leksand = world.municipality()
    for kind in (UnitKind.LEISURE, UnitKind.SOCIAL_SERVICES_UNIT):
        UnitFactory.create(municipality=leksand, kind=kind, name=f"Leksand {kind}")
    version = make_version(leksand)
    older = make_round(version, opens_on=datetime.date(2025, 3, 1), members=members(world))
    latest = make_round(version, opens_on=datetime.date(2026, 3, 1), members=members(world))
    answer_many(latest, 6)
    council = make_occurrence(council_series(world), timezone.now() + datetime.timedelta(days=9))
    for _time in range(2):
        demo_analysis.load(today=datetime.date(2026, 12, 1))
    latest.refresh_from_db()
    assert latest.analysis.startswith("Svaren i år liknar förra årets")
    priorities = list(Priority.objects.filter(round=latest))
    assert [p.position for p in priorities] == [1, 2, 3]
    assert priorities[0].council_occurrence == council
    assert all(p.council_occurrence is None for p in priorities[1:])
    assert not Priority.objects.filter(round=older).exists()
