"""Surveys made directly with the ORM for the results and analysis tests: a template version
with questions, sent rounds, invitations and anonymous responses. (The builder and the
answering services have their own tests; these only set up data to count.)"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from organisations.models import Municipality, Sector, User
from surveys.models import (
    AnalysisMember,
    Answer,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Round,
    Section,
    SurveyKind,
    Template,
    TemplateVersion,
    new_token,
    token_digest,
)

LIKERT_LABELS = (
    "Stämmer inte alls",
    "Stämmer dåligt",
    "Varken eller",
    "Stämmer ganska bra",
    "Stämmer helt",
)


def likert_options() -> list[dict[str, str]]:
    return [{"key": str(index), "label": label} for index, label in enumerate(LIKERT_LABELS, 1)]


def choices(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "label": label} for key, label in pairs]


# The questions of the small test template: key -> (kind, text, extra fields).
DEFAULT_QUESTIONS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "safe": (QuestionKind.LIKERT, "Eleverna känner sig trygga", {"options": likert_options()}),
    "drugs": (
        QuestionKind.SINGLE,
        "Har narkotikan ökat?",
        {"options": choices(("more", "Ökat"), ("same", "Oförändrat"), ("less", "Minskat"))},
    ),
    "places": (
        QuestionKind.MULTIPLE,
        "Var finns oron?",
        {
            "options": choices(
                ("centre", "Centrum"), ("school", "Skolgården"), ("station", "Stationen")
            )
        },
    ),
    "cases": (QuestionKind.NUMBER, "Hur många ärenden?", {"min_value": 0, "max_value": 100}),
    "comment": (QuestionKind.TEXT, "Något mer?", {"max_length": 2000}),
}


def make_version(
    municipality: Municipality,
    *,
    template: Template | None = None,
    number: int = 1,
    questions: Mapping[str, tuple[str, str, dict[str, Any]]] = DEFAULT_QUESTIONS,
    kind: str = SurveyKind.SITUATIONAL_PICTURE,
    title: str = "Lägesbild",
) -> TemplateVersion:
    if template is None:
        template = Template.objects.create(municipality=municipality, kind=kind, title=title)
    version = TemplateVersion.objects.create(
        template=template, number=number, frozen_at=timezone.now()
    )
    section = Section.objects.create(version=version, position=1, title="Läget")
    for position, (key, (question_kind, text, extra)) in enumerate(questions.items(), 1):
        Question.objects.create(
            section=section, position=position, key=key, kind=question_kind, text=text, **extra
        )
    return version


def make_round(
    version: TemplateVersion,
    *,
    opens_on: datetime.date = datetime.date(2026, 3, 1),
    sent: bool = True,
    title: str = "",
    invitations: int = 0,
    members: Iterable[User] = (),
) -> Round:
    municipality = version.template.municipality
    round_ = Round.objects.create(
        municipality=municipality,
        template_version=version,
        title=title or f"{version.template.title} {opens_on.year}",
        opens_on=opens_on,
        closes_on=opens_on + datetime.timedelta(days=21),
        sent_at=timezone.now() if sent else None,
    )
    Invitation.objects.bulk_create(
        Invitation(
            round=round_,
            email=f"person{index}@example.org",
            token_digest=token_digest(new_token()),
            sent_at=round_.sent_at,
        )
        for index in range(invitations)
    )
    for user in members:
        AnalysisMember.objects.create(round=round_, user=user, sector=Sector.SCHOOL)
    return round_


def answer(round_: Round, values: Mapping[str, Any], *, sector: str = Sector.SCHOOL) -> Response:
    """One submitted answer sheet: ``values`` by question key (a list for multiple choice, an
    int for a scale or a number, a string for a choice or a free text). The first invitation
    not answered yet is marked answered, as the answering service does."""
    questions = {
        question.key: question
        for question in Question.objects.filter(section__version=round_.template_version)
    }
    response = Response.objects.create(round=round_, sector=sector, submitted_on=round_.opens_on)
    rows = []
    for key, value in values.items():
        question = questions[key]
        if question.kind == QuestionKind.MULTIPLE:
            rows += [Answer(response=response, question=question, option=str(v)) for v in value]
        elif question.kind == QuestionKind.LIKERT:
            rows.append(
                Answer(response=response, question=question, option=str(value), number=value)
            )
        elif question.kind == QuestionKind.NUMBER:
            rows.append(Answer(response=response, question=question, number=value))
        elif question.kind == QuestionKind.SINGLE:
            rows.append(Answer(response=response, question=question, option=value))
        else:
            rows.append(Answer(response=response, question=question, text=value))
    Answer.objects.bulk_create(rows)
    invitation = round_.invitations.filter(answered=False).order_by("pk").first()
    if invitation is not None:
        invitation.answered = True
        invitation.save(update_fields=["answered"])
    return response


def answer_many(round_: Round, count: int, *, sector: str = Sector.SCHOOL, start: int = 0) -> None:
    """``count`` varied answer sheets (deterministic)."""
    for index in range(start, start + count):
        answer(
            round_,
            {
                "safe": 1 + index % 5,
                "drugs": ("more", "same", "less")[index % 3],
                "places": ["centre", "station"][: 1 + index % 2],
                "cases": index % 20,
                "comment": f"Kommentar {index}",
            },
            sector=sector,
        )
