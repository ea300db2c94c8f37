"""Fixtures of the survey tests: Leksand's copies of the built-in templates, a draft round
and a sent round whose links (tokens) the test keeps."""

import datetime
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.utils import timezone

from organisations.models import Role, Sector
from surveys import services, services_rounds
from surveys.models import Question, Round, Template
from surveys.policies import MANAGE, round_policy
from surveys.services_answers import questions_of
from surveys.services_rounds import Outgoing, RoundData
from tests.world import World


@pytest.fixture
def situation(world: World) -> Template:
    return services.builtin_copy(
        municipality=world.municipality(), key="situational_picture", actor=None
    )


@pytest.fixture
def mapping(world: World) -> Template:
    return services.builtin_copy(municipality=world.municipality(), key="mapping", actor=None)


def make_round(world: World, template: Template, *, title: str = "Lägesbild 2026") -> Round:
    coordinator = world.user(Role.COORDINATOR)
    today = timezone.localdate()
    return services_rounds.round_create(
        actor=coordinator,
        version=services.latest_version(template),
        data=RoundData(
            title=title,
            opens_on=today - datetime.timedelta(days=2),
            closes_on=today + datetime.timedelta(days=10),
        ),
    )


def permit(world: World, round_: Round):
    found = round_policy.find(world.user(Role.COORDINATOR), MANAGE, pk=round_.pk)
    assert found is not None
    return found


@dataclass
class SentRound:
    round: Round
    tokens: dict[str, str]  # address -> token
    questions: list[Question]

    def token(self, n: int = 0) -> str:
        return self.tokens[sorted(self.tokens)[n]]

    def question(self, key: str) -> Question:
        return next(q for q in self.questions if q.key == key)


def send_round(world: World, template: Template, addresses: Sequence[str], **kw) -> SentRound:
    round_ = make_round(world, template, **kw)
    services_rounds.invitations_add_addresses(
        permit=permit(world, round_),
        actor=world.user(Role.COORDINATOR),
        addresses=list(addresses),
        sector=Sector.SCHOOL,
    )
    tokens: dict[str, str] = {}

    def collect(_round: Round, outgoing: Sequence[Outgoing]) -> None:
        tokens.update({item.address: item.token for item in outgoing})

    services_rounds.round_send(
        permit=permit(world, round_), actor=world.user(Role.COORDINATOR), deliver=collect
    )
    round_.refresh_from_db()
    return SentRound(round_, tokens, questions_of(round_.template_version))


ADDRESSES = [f"person{n}@leksand.example" for n in range(1, 7)]


@pytest.fixture
def sent(world: World, situation: Template) -> SentRound:
    return send_round(world, situation, ADDRESSES)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()} {record.args!r}")


@contextmanager
def captured_logs() -> Iterator[list[str]]:
    """Every log line written inside the block, at any level, by any logger (the root and the
    loggers that do not pass their records up). Works with ``-p no:logging``."""
    handler = _Collect()
    names = ["", "django", "django.request", "django.server", "django.security", "surveys"]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
