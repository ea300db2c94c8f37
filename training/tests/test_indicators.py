"""The training and survey indicators on small fixed datasets: the share of staff trained per
unit, sector and municipality in the last twelve months (the window moves with the day), the
mix of sectors, the evaluation score and the surveys' shares over rounds, with counts under
five suppressed where answers are anonymous."""

import datetime
from decimal import Decimal

import pytest

from followup.catalogue import CATALOGUE
from organisations.models import Sector, UnitKind
from surveys.indicators import MAPPING_KEYS, SITUATION_KEY, survey_trends
from surveys.models import SurveyKind
from tests.world import World
from training.indicators import (
    evaluation_total,
    evaluations,
    session_mixes,
    staff_shares,
    training_figures,
    window,
)
from training.tests import builders

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def units(world: World) -> dict[str, object]:
    return {
        "school": builders.staffed(world, UnitKind.SCHOOL, 40),
        "intake": builders.staffed(world, UnitKind.INTAKE, 8),
        "health": builders.staffed(world, UnitKind.STUDENT_HEALTH, None),
        "office": builders.staffed(world, UnitKind.MUNICIPAL_OFFICE, 10),
    }


def test_every_indicator_is_in_the_catalogue() -> None:
    for key in (
        "training_staff_share",
        "training_mixed_groups",
        "training_evaluation_score",
        *MAPPING_KEYS,
        "situation_measures",
    ):
        assert key in CATALOGUE


def test_the_window_is_the_twelve_months_up_to_the_day() -> None:
    assert window(TODAY) == (datetime.date(2025, 6, 16), TODAY)


def test_the_share_trained_per_unit_sector_and_municipality(world: World, units) -> None:
    builders.session(
        world,
        held_on=datetime.date(2026, 3, 1),
        counts={units["school"]: 10, units["intake"]: 6, units["health"]: 3},
    )
    builders.session(
        world,
        held_on=datetime.date(2025, 9, 1),
        counts={units["school"]: 4, units["intake"]: 5},  # the intake's 11 are capped at 8
    )
    builders.session(
        world,
        held_on=datetime.date(2025, 6, 15),  # a day too old: outside the window
        counts={units["school"]: 20},
    )
    shares = staff_shares(world.municipality(), today=TODAY)
    by_unit = {row.unit.pk: row for row in shares.units}
    assert by_unit[units["school"].pk].participants == 14
    assert by_unit[units["school"].pk].shown.value == Decimal(35)  # 14 of 40
    assert by_unit[units["intake"].pk].participants == 11
    assert by_unit[units["intake"].pk].shown.value == Decimal(100)  # capped at the staff
    health = by_unit[units["health"].pk]
    assert health.staff_missing
    assert health.shown.value is None
    assert health.participants == 3
    by_sector = {row.sector: row for row in shares.sectors}
    assert (by_sector[Sector.SCHOOL].trained, by_sector[Sector.SCHOOL].staff) == (14, 40)
    # The student health unit is in the school sector and has no number of staff.
    assert by_sector[Sector.SCHOOL].units_missing >= 1
    assert by_sector[Sector.SOCIAL_SERVICES].shown.value == Decimal(100)
    assert by_sector[Sector.MANAGEMENT].shown.value == Decimal(0)  # 0 of 10
    assert Sector.AUDIT not in by_sector  # the auditors are not staff to be trained
    assert shares.total.numerator is not None
    assert shares.total.numerator.value == 22
    assert shares.total.denominator is not None
    assert shares.total.denominator.value == 58


def test_the_window_moves_with_the_day(world: World, units) -> None:
    builders.session(world, held_on=datetime.date(2025, 9, 1), counts={units["school"]: 20})
    inside = staff_shares(world.municipality(), today=datetime.date(2026, 8, 31))
    outside = staff_shares(world.municipality(), today=datetime.date(2026, 9, 1))
    assert inside.total.value == Decimal(20) * 100 / 58
    assert outside.total.value == Decimal(0)


def test_the_mix_of_sectors_per_session(world: World, units) -> None:
    session = builders.session(
        world,
        held_on=datetime.date(2026, 3, 1),
        counts={units["school"]: 10, units["intake"]: 6, units["office"]: 1},
        groups=[
            (Sector.SCHOOL, Sector.SOCIAL_SERVICES),
            (Sector.SCHOOL,),
            (Sector.SCHOOL, Sector.SOCIAL_SERVICES, Sector.POLICE),
        ],
    )
    (mix,) = session_mixes([session])
    assert (mix.participants, mix.sectors, mix.groups, mix.mixed_groups) == (17, 3, 3, 2)
    assert mix.mixed_share.value == Decimal(200) / 3


def test_an_evaluation_with_fewer_than_five_responses_is_suppressed(world: World) -> None:
    municipality = world.municipality()
    small = builders.evaluation_round(municipality, [5, 5, 4, 1], opens_on=TODAY)
    large = builders.evaluation_round(municipality, [5, 4, 4, 3, 2, 3], opens_on=TODAY)
    found = evaluations([small.pk, large.pk])
    assert found[small.pk].responses.suppressed
    assert str(found[small.pk].responses) == "<5"
    assert found[small.pk].shown.protected
    assert found[small.pk].shown.value is None
    assert found[small.pk].shown.text == "<5"
    assert found[large.pk].responses.value == 6
    assert found[large.pk].shown.value == Decimal(21) / 6
    # The small round is left out of the mean of every evaluation too.
    assert evaluation_total(found).value == Decimal(21) / 6


def test_the_figures_of_a_municipality_cost_a_fixed_number_of_queries(
    world: World, units, django_assert_num_queries
) -> None:
    def record(count: int) -> None:
        for n in range(count):
            evaluation = builders.evaluation_round(
                world.municipality(), [4, 4, 5, 5, 3], opens_on=TODAY
            )
            builders.session(
                world,
                held_on=TODAY - datetime.timedelta(days=n + 1),
                counts={units["school"]: 2, units["intake"]: 1},
                groups=[(Sector.SCHOOL, Sector.SOCIAL_SERVICES)],
                evaluation=evaluation,
                title=f"Utbildning {n}",
            )

    record(1)
    with django_assert_num_queries(7):
        small = training_figures(world.municipality(), today=TODAY)
    record(5)
    with django_assert_num_queries(7):
        large = training_figures(world.municipality(), today=TODAY)
    assert (small.sessions, large.sessions) == (1, 6)
    assert large.evaluation.value == Decimal("4.2")


# --- surveys --------------------------------------------------------------------------------


def _mapping(world: World, answers: list[dict[str, str]], opens_on: datetime.date, version=None):
    return builders.survey_round(
        world.municipality(),
        kind=SurveyKind.MAPPING,
        title=f"Kartläggning {opens_on.year}",
        opens_on=opens_on,
        questions=[
            ("routine", "mapping_knows_routine", ["4", "5"]),
            ("call", "mapping_knows_whom_to_call", ["5"]),
            ("feedback", "mapping_got_feedback", ["4", "5"]),
        ],
        answers=answers,
        version=version,
    )


def test_the_mapping_shares_are_compared_over_rounds(world: World) -> None:
    first = _mapping(
        world,
        [{"routine": "5", "call": "2"}, {"routine": "2", "call": "5"}, {"routine": "4"}]
        + [{"routine": "1", "call": "1", "feedback": "5"}] * 3,
        datetime.date(2025, 3, 1),
    )
    _mapping(
        world,
        [{"routine": "5", "call": "5", "feedback": "4"}] * 8 + [{"routine": "3", "call": "3"}] * 2,
        datetime.date(2026, 3, 1),
        version=first.template_version,
    )
    trends = {
        t.indicator: t for t in survey_trends(world.municipality(), MAPPING_KEYS, until=TODAY)
    }
    routine = trends["mapping_knows_routine"]
    assert [p.title for p in routine.points] == ["Kartläggning 2025", "Kartläggning 2026"]
    # 2025: 2 of 6 positive (the count is small: hidden, the share is shown); 2026: 8 of 10.
    assert routine.points[0].answered.value == 6
    assert routine.points[0].positive.hidden
    assert routine.points[0].shown.value == Decimal(100) / 3
    assert routine.points[1].shown.value == Decimal(80)
    # Feedback was answered by 3 in 2025 (under five: suppressed) and 8 in 2026.
    feedback = trends["mapping_got_feedback"]
    assert feedback.points[0].answered.suppressed
    assert feedback.points[0].shown.text == "<5"
    assert feedback.points[1].shown.value == Decimal(100)


def test_a_round_not_sent_or_opening_later_is_not_counted(world: World) -> None:
    _mapping(world, [{"routine": "5"}] * 5, datetime.date(2026, 7, 1))
    builders.survey_round(
        world.municipality(),
        kind=SurveyKind.MAPPING,
        title="Utkast",
        opens_on=datetime.date(2026, 1, 1),
        questions=[("routine", "mapping_knows_routine", ["5"])],
        answers=[],
        sent=False,
    )
    assert survey_trends(world.municipality(), MAPPING_KEYS, until=TODAY) == []


def test_several_choices_count_a_respondent_once(world: World) -> None:
    builders.survey_round(
        world.municipality(),
        kind=SurveyKind.SITUATIONAL_PICTURE,
        title="Lägesbild 2026",
        opens_on=datetime.date(2026, 2, 1),
        questions=[("places", SITUATION_KEY, ["park", "station"])],
        answers=[{"places": ["park", "station"]}] * 3 + [{"places": ["school"]}] * 3,
    )
    (trend,) = survey_trends(world.municipality(), (SITUATION_KEY,), until=TODAY)
    (point,) = trend.points
    assert (point.answered.value, point.positive.value) == (6, 3)
    assert point.shown.value == Decimal(50)


def test_another_municipality_s_rounds_are_not_counted(world: World) -> None:
    builders.survey_round(
        world.municipality("eksjo"),
        kind=SurveyKind.MAPPING,
        title="Eksjö",
        opens_on=datetime.date(2026, 1, 1),
        questions=[("routine", "mapping_knows_routine", ["5"])],
        answers=[{"routine": "5"}] * 6,
    )
    assert survey_trends(world.municipality(), MAPPING_KEYS, until=TODAY) == []
