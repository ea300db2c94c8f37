"""Small fixed data for the training tests: sessions recorded through the services, and survey
rounds with answers made directly (the surveys' own services are another helper's)."""

import datetime
from collections.abc import Mapping, Sequence

from django.utils import timezone

from organisations.models import Municipality, Role, Sector, Unit, UnitKind
from surveys.models import (
    Answer,
    Question,
    QuestionKind,
    Response,
    Round,
    Section,
    SurveyKind,
    Template,
    TemplateVersion,
)
from tests.factories import UnitFactory
from tests.world import World
from training import services
from training.models import TrainingSession, Vignette

LIKERT = [{"key": str(n), "label": str(n)} for n in range(1, 6)]


def vignette(world: World, place: str = "leksand", title: str = "Ett påhittat fall") -> Vignette:
    return services.vignette_create(
        actor=world.user(Role.COORDINATOR, place),
        municipality=world.municipality(place),
        data=services.VignetteData(
            title=title,
            case_text="Elin i årskurs 8 är ofta borta.",
            discussion_questions="Vad vet skolan?\nVem pratar med Elin?",
            boundary_questions="När blir oro en anmälan?",
        ),
    )


def session(
    world: World,
    *,
    place: str = "leksand",
    held_on: datetime.date,
    counts: dict[Unit, int],
    groups: Sequence[Sequence[str]] = (),
    title: str = "Utbildning",
    evaluation: Round | None = None,
) -> TrainingSession:
    return services.session_create(
        actor=world.user(Role.COORDINATOR, place),
        municipality=world.municipality(place),
        today=max(held_on, timezone.localdate()),
        data=services.SessionData(
            title=title,
            held_on=held_on,
            participants={unit.pk: count for unit, count in counts.items()},
            groups=[services.GroupData(sectors=list(sectors)) for sectors in groups],
            evaluation_round=evaluation,
        ),
    )


def staffed(world: World, kind: str, staff: int | None, place: str = "leksand") -> Unit:
    unit = world.unit(kind, place)
    Unit.objects.filter(pk=unit.pk).update(staff_count=staff)
    unit.refresh_from_db()
    return unit


def extra_unit(world: World, name: str, sector: str, staff: int | None) -> Unit:
    return UnitFactory.create(
        municipality=world.municipality(),
        name=name,
        kind=UnitKind.SOCIAL_SERVICES_UNIT if sector == Sector.SOCIAL_SERVICES else UnitKind.SCHOOL,
        sector=sector,
        staff_count=staff,
    )


def survey_round(
    municipality: Municipality,
    *,
    kind: str,
    title: str,
    opens_on: datetime.date,
    questions: Sequence[tuple[str, str, Sequence[str]]],
    answers: Sequence[Mapping[str, object]],
    version: TemplateVersion | None = None,
    sent: bool = True,
) -> Round:
    """A sent round of a template of ``kind`` whose Likert ``questions`` are (key, indicator,
    positive options); each of ``answers`` is one response (question key → option key, or a
    list of keys for several choices). Reusing ``version`` keeps the questions of an earlier
    round (the trend joins on the keys)."""
    if version is None:
        template = Template.objects.create(municipality=municipality, kind=kind, title=title)
        version = TemplateVersion.objects.create(
            template=template, number=1, frozen_at=timezone.now()
        )
        section = Section.objects.create(version=version, title="Frågor")
        for position, (key, indicator, positive) in enumerate(questions):
            Question.objects.create(
                section=section,
                position=position,
                key=key,
                text=f"Fråga {key}",
                kind=QuestionKind.LIKERT,
                options=LIKERT,
                indicator=indicator,
                positive_options=list(positive),
            )
    found = Round.objects.create(
        municipality=municipality,
        template_version=version,
        title=title,
        opens_on=opens_on,
        closes_on=opens_on + datetime.timedelta(days=14),
        sent_at=timezone.now() if sent else None,
    )
    by_key = {q.key: q for q in Question.objects.filter(section__version=version)}
    for sheet in answers:
        response = Response.objects.create(round=found, submitted_on=opens_on)
        for key, chosen in sheet.items():
            options = [chosen] if isinstance(chosen, str) else [str(o) for o in chosen]  # type: ignore[attr-defined]
            for option in options:
                Answer.objects.create(
                    response=response,
                    question=by_key[key],
                    option=option,
                    number=int(option) if option.isdigit() else None,
                )
    return found


def evaluation_round(
    municipality: Municipality, scores: Sequence[int], *, opens_on: datetime.date
) -> Round:
    return survey_round(
        municipality,
        kind=SurveyKind.TRAINING_EVALUATION,
        title="Utvärdering",
        opens_on=opens_on,
        questions=[("useful", "evaluation_score", ["4", "5"])],
        answers=[{"useful": str(score)} for score in scores],
    )
