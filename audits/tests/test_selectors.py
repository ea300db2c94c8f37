"""The public selectors with numbers worked out by hand, and their query counts."""

import datetime

import pytest

from audits import services
from audits.models import Implementation
from audits.selectors import (
    AuditStatusSummary,
    FollowUpCounts,
    audit_status_summary,
    follow_up_counts,
    open_recommendations,
    overdue_measures,
    overdue_responses,
)
from audits.tests import builders
from organisations.models import Role

TODAY = datetime.date(2022, 6, 1)


@pytest.fixture
def leksand(world):
    """Two audits in Leksand and one in Eksjö (which must never count):

    audit A: r1 answered, due 2022-03-24; r2 unanswered, due 2022-03-24 (overdue);
             r3 unanswered, due 2022-06-01 (today: not overdue); r4 no due date.
    audit B: r5 unanswered, due 2022-05-31 (overdue).
    Round 1 of A (2022-04-01): r1 implemented, r2 partly.
    Round 2 of A (2022-05-01): r1 not implemented (the latest round counts), r3 implemented.
    Measures: m1 due 2022-05-01 planned (overdue); m2 due 2022-05-01 done; m3 due 2022-05-01
    cancelled; m4 due 2022-06-01 ongoing (today: not overdue); m5 no due date.
    """
    auditor = world.user(Role.AUDITOR)
    a = builders.audit(world, title="A")
    b = builders.audit(world, title="B")
    r1, r2 = builders.recommendation(world, a, 1), builders.recommendation(world, a, 2)
    r3 = builders.recommendation(world, a, 3, response_due=TODAY)
    r4 = builders.recommendation(world, a, 4, response_due=None)
    r5 = builders.recommendation(world, b, 1, response_due=datetime.date(2022, 5, 31))
    builders.respond(world, r1)
    first = services.round_create(
        actor=auditor, audit=a, title="1", held_on=datetime.date(2022, 4, 1)
    )
    second = services.round_create(
        actor=auditor, audit=a, title="2", held_on=datetime.date(2022, 5, 1)
    )
    for round_, recommendation, word in (
        (first, r1, Implementation.IMPLEMENTED),
        (first, r2, Implementation.PARTLY),
        (second, r1, Implementation.NOT_IMPLEMENTED),
        (second, r3, Implementation.IMPLEMENTED),
    ):
        services.round_assess(
            actor=auditor, round_=round_, recommendation=recommendation, implementation=word
        )
    may = datetime.date(2022, 5, 1)
    m1 = builders.measure(world, r1, may, "planned")
    builders.measure(world, r1, may, "done")
    builders.measure(world, r2, may, "cancelled")
    builders.measure(world, r2, TODAY, "ongoing")
    builders.measure(world, r4)
    eksjo = builders.audit(world, place="eksjo")
    builders.measure(
        world, builders.recommendation(world, eksjo, place="eksjo"), may, place="eksjo"
    )
    return {"r": [r1, r2, r3, r4, r5], "m1": m1, "municipality": world.municipality()}


def test_open_recommendations(leksand, django_assert_num_queries):
    r1, r2, _r3, r4, r5 = leksand["r"]
    with django_assert_num_queries(1):
        found = list(open_recommendations(leksand["municipality"]))
    assert {row.pk for row in found} == {r1.pk, r2.pk, r4.pk, r5.pk}


def test_overdue_responses(leksand, django_assert_num_queries):
    _r1, r2, _r3, _r4, r5 = leksand["r"]
    with django_assert_num_queries(1):
        found = list(overdue_responses(leksand["municipality"], TODAY))
    assert [row.pk for row in found] == [r2.pk, r5.pk]


def test_overdue_measures(leksand, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = list(overdue_measures(leksand["municipality"], TODAY))
    assert [row.pk for row in found] == [leksand["m1"].pk]


def test_summary(leksand, django_assert_num_queries):
    with django_assert_num_queries(3):
        summary = audit_status_summary(leksand["municipality"], TODAY)
    assert summary == AuditStatusSummary(
        audits=2,
        recommendations=5,
        open_recommendations=4,
        responded_recommendations=1,
        overdue_responses=2,
        measures=5,
        overdue_measures=1,
    )
    # By id as well, the same.
    assert audit_status_summary(leksand["municipality"].pk, TODAY) == summary


def test_nothing_in_an_empty_municipality(world):
    summary = audit_status_summary(world.municipality("eksjo"), TODAY)
    assert summary == AuditStatusSummary(0, 0, 0, 0, 0, 0, 0)


def test_the_follow_up_counts_in_one_query(leksand, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = follow_up_counts(leksand["municipality"], TODAY)
    # The same numbers as the summary above, counted by hand there.
    assert counts == FollowUpCounts(
        recommendations=5, open_recommendations=4, overdue_responses=2, overdue_measures=1
    )
    assert follow_up_counts(leksand["municipality"].pk, TODAY) == counts


def test_no_follow_up_counts_in_an_empty_municipality(world):
    assert follow_up_counts(world.municipality("eksjo"), TODAY) == FollowUpCounts(0, 0, 0, 0)
