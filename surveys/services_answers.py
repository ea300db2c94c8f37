"""Answering a round through a single-use link: pause (a draft on the invitation) and submit
(an anonymous response).

Anonymity by construction: a :class:`~surveys.models.Response` holds the round, the sector
copied from the invitation and the date, nothing else; the invitation records only that it was
answered. Submitting writes no audit row and logs nothing. On PostgreSQL every row written in
one transaction carries that transaction's id (``xmin``), which would tie the new response to
the one invitation marked answered with it; so the same transaction also rewrites every
answered invitation of the round, and the response's ``xmin`` then matches all of them alike.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from surveys.models import (
    Answer,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Round,
    TemplateVersion,
    token_digest,
)
from surveys.services_rounds import RoundStatus, round_status

# A value as the answer form cleans it: a choice's key, several keys, a number or a text.
Value = str | int | list[str]


class LinkError(Exception):
    """The link can not be answered now; ``reason`` says why, for the page that says so."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


UNKNOWN = "unknown"
ANSWERED = "answered"
NOT_YET_OPEN = "not_yet_open"
CLOSED = "closed"


class BadAnswers(ValueError):
    """Values that are not answers to this version's questions (a tampered form): the form
    checks these first, so reaching here means someone went around it."""


def questions_of(version: TemplateVersion) -> list[Question]:
    """The version's questions in the order they are asked, with their sections."""
    return list(
        Question.objects.filter(section__version=version)
        .select_related("section")
        .order_by("section__position", "section_id", "position", "id")
    )


@dataclass(frozen=True)
class OpenLink:
    invitation: Invitation
    round: Round


def open_link(token: str, *, today: datetime.date | None = None) -> OpenLink:
    """The invitation of ``token`` when it can be answered now; :class:`LinkError` otherwise.
    Unknown and replaced links look the same."""
    invitation = (
        Invitation.objects.select_related("round", "round__municipality", "round__template_version")
        .filter(token_digest=token_digest(token), sent_at__isnull=False)
        .first()
    )
    if invitation is None:
        raise LinkError(UNKNOWN)
    _check_open(invitation, today)
    return OpenLink(invitation=invitation, round=invitation.round)


def _check_open(invitation: Invitation, today: datetime.date | None) -> None:
    if invitation.answered:
        raise LinkError(ANSWERED)
    status = round_status(invitation.round, today)
    if status == RoundStatus.SCHEDULED:
        raise LinkError(NOT_YET_OPEN)
    if status != RoundStatus.OPEN:
        raise LinkError(CLOSED)


def check_values(questions: list[Question], values: Mapping[int, Value], *, complete: bool) -> None:
    """Refuse anything that is not an answer to one of ``questions`` of the right type and
    range; with ``complete`` also a missing answer to a required question."""
    by_id = {question.pk: question for question in questions}
    for question_id, value in values.items():
        question = by_id.get(question_id)
        if question is None:
            raise BadAnswers("a question of another version")
        keys = {row["key"] for row in question.options}
        match question.kind:
            case QuestionKind.LIKERT | QuestionKind.SINGLE:
                ok = isinstance(value, str) and value in keys
            case QuestionKind.MULTIPLE:
                ok = (
                    isinstance(value, list)
                    and bool(value)
                    and set(value) <= keys
                    and len(set(value)) == len(value)
                )
            case QuestionKind.NUMBER:
                ok = (
                    isinstance(value, int)
                    and not isinstance(value, bool)
                    and (question.min_value is None or value >= question.min_value)
                    and (question.max_value is None or value <= question.max_value)
                )
            case _:
                ok = (
                    isinstance(value, str)
                    and bool(value.strip())
                    and (question.max_length is None or len(value) <= question.max_length)
                )
        if not ok:
            raise BadAnswers(f"a bad answer to question {question.pk}")
    if complete:
        missing = [q.pk for q in questions if q.required and q.pk not in values]
        if missing:
            raise BadAnswers("required questions without an answer")


def draft_from(invitation: Invitation) -> dict[int, Value]:
    """The paused answers, as the form takes them (unknown questions dropped)."""
    found: dict[int, Value] = {}
    for key, value in (invitation.draft or {}).items():
        if key.isdigit():
            found[int(key)] = value
    return found


def draft_save(
    *, token: str, values: Mapping[int, Value], today: datetime.date | None = None
) -> None:
    """Keep unfinished answers on the invitation, to go on with the same link later.
    Types and ranges are checked, required questions not."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(token_digest=token_digest(token), sent_at__isnull=False)
            .first()
        )
        if invitation is None:
            raise LinkError(UNKNOWN)
        invitation.round = Round.objects.get(pk=invitation.round_id)
        _check_open(invitation, today)
        check_values(questions_of(invitation.round.template_version), values, complete=False)
        invitation.draft = {str(key): value for key, value in values.items()}
        invitation.save(update_fields=["draft"])


def _answers(response: Response, question: Question, value: Value) -> list[Answer]:
    match question.kind:
        case QuestionKind.MULTIPLE:
            assert isinstance(value, list)
            return [Answer(response=response, question=question, option=key) for key in value]
        case QuestionKind.LIKERT:
            assert isinstance(value, str)
            return [Answer(response=response, question=question, option=value, number=int(value))]
        case QuestionKind.SINGLE:
            assert isinstance(value, str)
            return [Answer(response=response, question=question, option=value)]
        case QuestionKind.NUMBER:
            assert isinstance(value, int)
            return [Answer(response=response, question=question, number=value)]
        case _:
            assert isinstance(value, str)
            return [Answer(response=response, question=question, text=value.strip())]


def response_submit(
    *, token: str, values: Mapping[int, Value], today: datetime.date | None = None
) -> Response:
    """Store the answers as an anonymous response, once: the invitation is locked, checked
    and marked answered (its draft erased) in the same transaction, so a second submit finds
    it answered. See the module's note on ``xmin``."""
    today = today or timezone.localdate()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(token_digest=token_digest(token), sent_at__isnull=False)
            .first()
        )
        if invitation is None:
            raise LinkError(UNKNOWN)
        round_ = Round.objects.select_related("template_version").get(pk=invitation.round_id)
        invitation.round = round_
        _check_open(invitation, today)
        questions = questions_of(round_.template_version)
        check_values(questions, values, complete=True)
        by_id = {question.pk: question for question in questions}
        response = Response.objects.create(
            round=round_, sector=invitation.sector, submitted_on=today
        )
        rows: list[Answer] = []
        for question_id, value in values.items():
            rows += _answers(response, by_id[question_id], value)
        Answer.objects.bulk_create(rows)
        Invitation.objects.filter(pk=invitation.pk).update(answered=True, draft={})
        # Every answered invitation of the round is written by this transaction too, so its
        # id (PostgreSQL's xmin) singles out none of them.
        Invitation.objects.filter(round=round_, answered=True).update(answered=True)
    return response


def values_as_json(values: Mapping[int, Any]) -> dict[str, Any]:
    return {str(key): value for key, value in values.items()}
