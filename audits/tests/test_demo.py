"""The demo audits: Leksand's 2015 audit with its 2023 follow-up, Eksjö's 2022 letter with
seven recommendations due 2022-03-24; loading twice changes nothing."""

import datetime

import pytest

from access.models import AuditEvent
from audits import demo
from audits.models import Audit, AuditMeasure, Implementation, Recommendation
from audits.selectors import audit_status_summary, open_recommendations, overdue_responses
from organisations import demo as organisations_demo
from organisations.models import Municipality

TODAY = datetime.date(2026, 12, 5)


@pytest.fixture(autouse=True)
def _loaded(db):  # noqa: ARG001 - asks pytest for the database
    organisations_demo.load(today=TODAY)
    demo.load(today=TODAY)


def _counts():
    return (
        Audit.objects.count(),
        Recommendation.objects.count(),
        AuditMeasure.objects.count(),
        AuditEvent.objects.count(),
    )


def test_loading_twice_changes_nothing():
    first = _counts()
    assert first[0] == 3
    assert demo.load(today=TODAY) == 0
    assert _counts() == first


def test_eksjo_letter_seven_recommendations_five_answers_overdue():
    eksjo = Municipality.objects.get(code="0686")
    letter = Audit.objects.get(municipality=eksjo)
    assert letter.recommendations.count() == 7
    assert set(letter.recommendations.values_list("response_due", flat=True)) == {
        datetime.date(2022, 3, 24)
    }
    assert [r.number for r in overdue_responses(eksjo, TODAY)] == [3, 4, 5, 6, 7]
    summary = audit_status_summary(eksjo, TODAY)
    assert (summary.recommendations, summary.responded_recommendations) == (7, 2)
    # Done: two; the agreement (2022-12-31) and the training (2023-06-30) overdue; one later.
    assert (summary.measures, summary.overdue_measures) == (5, 2)


def test_leksand_follow_up_assessed_and_board_recommendation_open():
    leksand = Municipality.objects.get(code="2029")
    audit = Audit.objects.get(municipality=leksand, year=2015)
    assert audit.questions.count() == 3
    round_ = audit.rounds.get()
    assert round_.is_finished
    assert set(round_.assessments.values_list("implementation", flat=True)) == {
        Implementation.IMPLEMENTED
    }
    assert [q.assessment for q in round_.questions.order_by("question__number")] == [
        "fulfilled",
        "fulfilled",
        "not_fulfilled",
    ]
    still_open = list(open_recommendations(leksand))
    assert len(still_open) == 1
    assert still_open[0].text.startswith("Kommunstyrelsen bör efterfråga uppföljning")
