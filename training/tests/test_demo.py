"""The demo training: four fictional cases per municipality with discussion and boundary
questions and no identity numbers; sessions in Leksand (one with named participants and an
evaluation of twelve answers) and Eksjö's linked to the wheel's training; staff numbers that
make the share per sector visible; loading twice changes nothing."""

import pytest
from django.utils import timezone

from core.personnummer import find_identity_numbers
from governance import demo as governance_demo
from organisations import demo as organisations_demo
from organisations.models import Municipality
from surveys.models import Response
from training import demo
from training.indicators import staff_shares, training_figures
from training.models import Participation, SessionGroup, TrainingSession, Vignette
from wheel import demo as wheel_demo


@pytest.fixture
def loaded(db):  # noqa: ARG001 - asks pytest for the database
    today = timezone.localdate()
    organisations_demo.load(today=today)
    governance_demo.load(today=today)
    wheel_demo.load(today=today)
    demo.load(today=today)
    return today


def _counts() -> tuple[int, ...]:
    return (
        Vignette.objects.count(),
        TrainingSession.objects.count(),
        Participation.objects.count(),
        SessionGroup.objects.count(),
        Response.objects.count(),
    )


def test_the_demo_training(loaded) -> None:
    leksand = Municipality.objects.get(name="Leksand")
    eksjo = Municipality.objects.get(name="Eksjö")
    for municipality in (leksand, eksjo):
        cases = Vignette.objects.filter(municipality=municipality)
        assert cases.count() == 4
        for case in cases:
            assert case.discussion_list
            assert case.boundary_list
            text = " ".join(
                [case.title, case.case_text, *case.discussion_list, *case.boundary_list]
            )
            assert not find_identity_numbers(text)
    assert TrainingSession.objects.filter(municipality=leksand).count() == 3
    named = TrainingSession.objects.filter(municipality=leksand, named_participants__isnull=False)
    assert named.distinct().count() == 1
    evaluated = TrainingSession.objects.get(municipality=leksand, evaluation_round__isnull=False)
    assert Response.objects.filter(round=evaluated.evaluation_round).count() == 12
    eksjo_session = TrainingSession.objects.get(municipality=eksjo)
    assert eksjo_session.occurrence is not None
    figures = training_figures(leksand, today=loaded)
    assert figures.sessions == 2  # the third is older than twelve months
    assert figures.evaluation.value is not None
    shares = staff_shares(leksand, today=loaded)
    assert shares.total.value is not None
    assert shares.units_missing >= 1
    assert any(row.shown.value for row in shares.sectors)


def test_loading_twice_changes_nothing(loaded) -> None:
    before = _counts()
    demo.load(today=loaded)
    assert _counts() == before
