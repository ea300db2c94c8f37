"""The results' figures on a small fixed dataset, the suppression rules, the trend across
template versions and the cost of the results page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from followup.suppression import group_for_breakdown
from organisations.models import Role, Sector
from surveys.models import QuestionKind
from surveys.results import round_results, round_trend
from surveys.tests.factories_results import (
    DEFAULT_QUESTIONS,
    answer,
    answer_many,
    choices,
    likert_options,
    make_round,
    make_version,
)

pytestmark = pytest.mark.django_db

SHEETS = [
    {"safe": 5, "drugs": "more", "places": ["centre"], "cases": 0, "comment": "Bra"},
    {"safe": 5, "drugs": "more", "places": ["centre", "station"], "cases": 10, "comment": "Ok"},
    {"safe": 4, "drugs": "more", "places": ["station"], "cases": 20},
    {"safe": 3, "drugs": "same", "places": ["centre"], "cases": 5, "comment": "Oro"},
    {"safe": 1, "drugs": "same", "places": ["school", "centre"], "cases": 7, "comment": "Hm"},
    {"safe": 4, "drugs": "less", "cases": 100},
]


@pytest.fixture
def fixed(world):
    version = make_version(world.municipality())
    round_ = make_round(version, invitations=10)
    for sheet in SHEETS:
        answer(round_, sheet)
    return round_


def _by_key(results):
    return {result.question.key: result for result in results.questions}


def test_shares_likert_multiple_choice_and_numbers(fixed):
    results = round_results(fixed)
    assert (results.responses, results.invitations, results.answered) == (6, 10, 6)
    assert results.response_rate_text == "60\xa0%"
    found = _by_key(results)

    safe = found["safe"]
    assert safe.respondents == 6
    assert [(o.key, o.count) for o in safe.options] == [
        ("1", 1),
        ("2", 0),
        ("3", 1),
        ("4", 2),
        ("5", 2),
    ]
    assert [o.share_text for o in safe.options] == [
        "17\xa0%",
        "0\xa0%",
        "17\xa0%",
        "33\xa0%",
        "33\xa0%",
    ]
    with translation.override("sv"):
        assert safe.likert_mean_text == "3,7"

    drugs = found["drugs"]
    assert [(o.label, o.count, o.share_text) for o in drugs.options] == [
        ("Ökat", 3, "50\xa0%"),
        ("Oförändrat", 2, "33\xa0%"),
        ("Minskat", 1, "17\xa0%"),
    ]

    # Multiple choice: the share of those who answered the question that chose each.
    places = found["places"]
    assert places.respondents == 5
    assert [(o.key, o.count, o.share_text) for o in places.options] == [
        ("centre", 4, "80\xa0%"),
        ("school", 1, "20\xa0%"),
        ("station", 2, "40\xa0%"),
    ]

    numbers = found["cases"].numbers
    assert numbers is not None
    assert (numbers.count, numbers.median, numbers.minimum, numbers.maximum) == (6, 8.5, 0, 100)
    assert round(numbers.mean, 2) == 23.67
    assert [(b.label, b.count) for b in numbers.buckets] == [
        ("0–20", 5),
        ("21–41", 0),
        ("42–62", 0),
        ("63–83", 0),
        ("84–100", 1),
    ]
    assert found["comment"].texts == 4
    assert found["comment"].options == []


def test_a_round_under_five_responses_shows_no_figures(world):
    round_ = make_round(make_version(world.municipality()), invitations=8)
    answer_many(round_, 4)
    results = round_results(round_)
    assert results.suppressed
    assert results.responses == 4
    assert results.sections == []


def test_a_small_question_is_suppressed(world):
    questions = dict(DEFAULT_QUESTIONS)
    questions["rare"] = (QuestionKind.SINGLE, "Sällan besvarad", {"options": choices(("a", "A"))})
    round_ = make_round(make_version(world.municipality(), questions=questions))
    answer_many(round_, 6)
    for _index in range(3):
        answer(round_, {"rare": "a"})
    found = _by_key(round_results(round_))
    assert found["rare"].respondents == 3
    assert found["rare"].too_few
    assert found["rare"].options == []


def test_grouping_merges_small_groups_and_hides_a_lone_group():
    grouping = group_for_breakdown({"school": 10, "social_services": 6, "police": 2, "leisure": 3})
    assert grouping.shown == ("school", "social_services")
    assert grouping.merged == ("leisure", "police")
    assert not grouping.hidden
    # "Others" with fewer than five takes the smallest shown group too.
    grouping = group_for_breakdown({"school": 10, "social_services": 6, "police": 2})
    assert grouping.shown == ("school",)
    assert grouping.merged == ("police", "social_services")
    assert not grouping.hidden
    # Only one group left: no breakdown.
    assert group_for_breakdown({"school": 10, "police": 3}).hidden
    assert group_for_breakdown({"school": 12}).hidden


def test_sector_breakdown_shown_when_every_group_has_five(world):
    round_ = make_round(make_version(world.municipality()))
    answer_many(round_, 6, sector=Sector.SCHOOL)
    answer_many(round_, 5, sector=Sector.SOCIAL_SERVICES, start=6)
    answer_many(round_, 2, sector=Sector.POLICE, start=20)
    answer_many(round_, 3, sector=Sector.LEISURE, start=30)
    results = round_results(round_)
    assert results.grouping is not None
    assert not results.grouping.hidden
    breakdown = _by_key(results)["drugs"].breakdown
    assert breakdown is not None
    assert not breakdown.hidden_reason
    assert [c.respondents for c in breakdown.columns] == [6, 5, 5]
    with translation.override("en"):
        assert results.merged_labels == ["Leisure", "Police"]
    # Every group's shares are of its own respondents.
    for row in breakdown.rows:
        for cell, column in zip(row.cells, breakdown.columns, strict=True):
            assert cell.share == cell.count / column.respondents


def test_sector_breakdown_hidden_with_a_reason(world):
    round_ = make_round(make_version(world.municipality()))
    answer_many(round_, 9, sector=Sector.SCHOOL)
    answer_many(round_, 3, sector=Sector.POLICE, start=9)
    results = round_results(round_)
    assert results.grouping is not None
    assert results.grouping.hidden
    assert results.breakdown_hidden_reason
    assert all(result.breakdown is None for result in results.questions)


def test_trend_joins_questions_on_their_key_across_versions(world):
    first = make_version(world.municipality())
    questions = {
        # The same key with a new wording and order: still the same question for the trend.
        "drugs": (
            QuestionKind.SINGLE,
            "Har narkotikaanvändningen ökat det senaste året?",
            {"options": choices(("more", "Ökat"), ("same", "Oförändrat"), ("less", "Minskat"))},
        ),
        "safe": (
            QuestionKind.LIKERT,
            "Eleverna känner sig trygga i skolan",
            {"options": likert_options()},
        ),
        "new": (QuestionKind.NUMBER, "Ny fråga", {}),
    }
    second = make_version(
        world.municipality(), template=first.template, number=2, questions=questions
    )
    last_year = make_round(first, opens_on=datetime.date(2025, 3, 1), title="Lägesbild 2025")
    this_year = make_round(second, opens_on=datetime.date(2026, 3, 1), title="Lägesbild 2026")
    for _index in range(5):
        answer(last_year, {"drugs": "more", "safe": 2})
    for index in range(6):
        answer(this_year, {"drugs": "more" if index < 3 else "less", "safe": 5, "new": index})
    tiny = make_round(first, opens_on=datetime.date(2024, 3, 1), title="Lägesbild 2024")
    answer(tiny, {"drugs": "less"})
    # A draft and another template's round are not part of the trend.
    make_round(first, opens_on=datetime.date(2025, 9, 1), sent=False)
    make_round(make_version(world.municipality()), opens_on=datetime.date(2025, 6, 1))

    with translation.override("en"):
        trend = round_trend(this_year)
    assert [item.title for item in trend.rounds] == [
        "Lägesbild 2024",
        "Lägesbild 2025",
        "Lägesbild 2026",
    ]
    by_key = {item.question.key: item for item in trend.questions}
    drugs = by_key["drugs"]
    assert drugs.headers == ["Ökat", "Oförändrat", "Minskat"]
    assert [[cell.text for cell in row.cells] for row in drugs.rows] == [
        ["Too few answers"] * 3,
        ["100\xa0%", "0\xa0%", "0\xa0%"],
        ["50\xa0%", "0\xa0%", "50\xa0%"],
    ]
    assert drugs.rows[1].cells[0].value == 1.0
    assert drugs.rows[2].cells[2].value == 0.5
    assert drugs.rows[0].cells[0].value is None  # one answer: too few
    assert [row.responses for row in drugs.rows] == [1, 5, 6]
    safe = by_key["safe"]
    assert safe.rows[1].cells[0].value == 2.0
    assert safe.rows[1].cells[1].value == 0.0
    assert safe.rows[2].cells[0].value == 5.0
    assert safe.rows[2].cells[1].value == 1.0
    # A question new in this version has no earlier figures.
    assert by_key["new"].rows[1].cells[0].value is None
    assert by_key["new"].rows[2].cells[0].value == 2.5


def _page_queries(client, round_):
    url = reverse("survey_results:round_results", args=[round_.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_results_page_costs_the_same_for_5_and_50_responses(client, world):
    client.force_login(world.user(Role.COORDINATOR))
    version = make_version(world.municipality())
    earlier = make_round(version, opens_on=datetime.date(2025, 3, 1))
    answer_many(earlier, 5)
    small = make_round(version, opens_on=datetime.date(2026, 3, 1))
    answer_many(small, 5)
    large = make_round(version, opens_on=datetime.date(2026, 9, 1))
    answer_many(large, 30, sector=Sector.SCHOOL)
    answer_many(large, 20, sector=Sector.SOCIAL_SERVICES, start=30)
    _page_queries(client, earlier)  # the session and the user's memberships, once
    small_cost = _page_queries(client, small)
    assert small_cost == _page_queries(client, large)
    assert small_cost <= 20
