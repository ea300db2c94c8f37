"""Demo surveys (invented answers, seeded, so every load gives the same data for the same day).

- The built-in templates are copied into Leksand and Eksjö.
- **Leksand**: last year's situational-picture round (closed, 35 answers from varied sectors)
  and this year's (open: sent to 40 respondents by address plus the principals and counsellors
  by role; about 30 answered, three saved a draft, the rest have not answered), with an
  analysis group; a mapping round of the collaboration (closed).
- **Eksjö**: a mapping round last year and one this year (both closed), for the trend.

Every answer goes through the real submit service (the same checks, the same anonymity). The
free texts hold no personal data except one, in this year's Leksand round, where someone typed
a pupil's name: the removal tool of the results has something to remove.

Idempotent: a round that exists (same municipality and title) is left as it is.
"""

import datetime
import random
from collections.abc import Sequence

from django.db import transaction

from organisations.demo import MUNICIPALITIES
from organisations.models import Municipality, Role, Sector, Unit, User
from surveys import demo_analysis
from surveys.models import Question, QuestionKind, Round, Template
from surveys.policies import MANAGE, round_policy
from surveys.services import builtin_copy, latest_version
from surveys.services_answers import Value, draft_save, questions_of, response_submit
from surveys.services_rounds import (
    Outgoing,
    RoundData,
    analysis_group_set,
    invitations_add_addresses,
    invitations_add_members,
    round_create,
    round_send,
)
from wheel.models import Occurrence

# How the 40 demo respondents of each municipality are spread over the sectors.
RESPONDENT_SECTORS: tuple[tuple[str, int], ...] = (
    (Sector.SCHOOL, 16),
    (Sector.SOCIAL_SERVICES, 8),
    (Sector.LEISURE, 5),
    (Sector.POLICE, 4),
    (Sector.MEDICAL_STUDENT_HEALTH, 4),
    (Sector.HEALTH_REGION, 3),
)

NAMED_TEXT = (
    "Pelle i 8B har berättat att det säljs snus och vape på toaletterna, och fler i klassen "
    "verkar veta vem man ska fråga."
)

SITUATION_TEXTS = {
    "changes_seen": [
        "Fler unga verkar må dåligt och sover för lite. Många berättar om stress inför prov.",
        "Vapen har blivit vanligare bland de yngre, även i mellanstadiet.",
        "Mindre alkohol på helgerna än förr, men mer snus och vape.",
        "Fler konflikter som börjar i sociala medier och fortsätter i skolan.",
        "Fler unga hänger vid resecentrum sent på kvällarna.",
        "Det är lättare att få kontakt med socialtjänsten nu än för ett år sedan.",
        "Vi ser fler elever med hög frånvaro, och de är yngre än tidigare.",
        "Unga pratar mer öppet om psykisk ohälsa, det är positivt.",
    ],
    "anything_else": [
        "Vi behöver fler vuxna ute på kvällarna, särskilt på fredagar.",
        "Fritidsgården borde ha öppet fler kvällar i veckan.",
        "Bra att ni frågar! Gör gärna enkäten kortare nästa gång.",
        "Samarbetet med polisen har blivit bättre under året.",
        "Föräldrar behöver mer information om vad som händer på nätet.",
        "Det saknas stöd för unga som inte vill gå till BUP men ändå mår dåligt.",
    ],
}
MAPPING_TEXTS = [
    "Återkoppling efter en anmälan, även kort, skulle göra stor skillnad.",
    "Ett telefonnummer som alltid svarar under skoltid.",
    "Gemensamma utbildningsdagar för skola och socialtjänst.",
    "Tydligare vem som gör vad när en elev far illa.",
    "Att socialtjänsten kommer till skolan oftare, inte bara när något har hänt.",
    "Kortare väntan på svar från mottagningen.",
]


def load(*, today: datetime.date) -> None:
    leksand = Municipality.objects.filter(code=MUNICIPALITIES["leksand"][1]).first()
    eksjo = Municipality.objects.filter(code=MUNICIPALITIES["eksjo"][1]).first()
    for key, municipality in (("leksand", leksand), ("eksjo", eksjo)):
        coordinator = User.objects.filter(username=f"coordinator.{key}").first()
        if municipality is None or coordinator is None:
            continue
        templates = {
            builtin_key: builtin_copy(municipality=municipality, key=builtin_key, actor=coordinator)
            for builtin_key in ("situational_picture", "mapping", "training_evaluation")
        }
        if key == "leksand":
            _leksand(municipality, coordinator, templates, today)
        else:
            _eksjo(municipality, coordinator, templates, today)
    demo_analysis.load(today=today)


def _leksand(
    municipality: Municipality,
    coordinator: User,
    templates: dict[str, Template],
    today: datetime.date,
) -> None:
    situation = templates["situational_picture"]
    last_year = today.year - 1
    _closed_round(
        municipality,
        coordinator,
        situation,
        title=f"Lägesbild {last_year}",
        opens_on=today - datetime.timedelta(days=380),
        answers=35,
        seed=f"leksand-situation-{last_year}",
        worry=0,
    )
    _open_situation_round(municipality, coordinator, situation, today)
    _closed_round(
        municipality,
        coordinator,
        templates["mapping"],
        title=f"Kartläggning av samverkan {today.year}",
        opens_on=today - datetime.timedelta(days=90),
        answers=24,
        seed=f"leksand-mapping-{today.year}",
        worry=0,
    )


def _eksjo(
    municipality: Municipality,
    coordinator: User,
    templates: dict[str, Template],
    today: datetime.date,
) -> None:
    mapping = templates["mapping"]
    for offset, answers, better in ((400, 27, 0), (45, 31, 1)):
        opens_on = today - datetime.timedelta(days=offset)
        _closed_round(
            municipality,
            coordinator,
            mapping,
            title=f"Kartläggning av samverkan {opens_on.year}",
            opens_on=opens_on,
            answers=answers,
            seed=f"eksjo-mapping-{opens_on.year}",
            worry=-better,
        )


def _addresses(municipality: Municipality) -> list[tuple[str, str]]:
    domain = f"{municipality.name.lower().replace('ö', 'o').replace('ä', 'a')}.example"
    found = []
    number = 1
    for sector, count in RESPONDENT_SECTORS:
        for _i in range(count):
            found.append((f"respondent{number:02d}@{domain}", sector))
            number += 1
    return found


def _new_round(
    municipality: Municipality,
    coordinator: User,
    template: Template,
    *,
    title: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    occurrence: Occurrence | None = None,
) -> Round | None:
    """A draft round inviting the 40 demo addresses (``None`` when it exists already)."""
    if Round.objects.filter(municipality=municipality, title=title).exists():
        return None
    round_ = round_create(
        actor=coordinator,
        version=latest_version(template),
        data=RoundData(
            title=title,
            opens_on=opens_on,
            closes_on=closes_on,
            occurrence_id=occurrence.pk if occurrence else None,
        ),
    )
    permit = round_policy.find(coordinator, MANAGE, pk=round_.pk)
    assert permit is not None
    by_sector: dict[str, list[str]] = {}
    for address, sector in _addresses(municipality):
        by_sector.setdefault(sector, []).append(address)
    for sector, addresses in by_sector.items():
        invitations_add_addresses(
            permit=permit, actor=coordinator, addresses=addresses, sector=sector
        )
    return round_


def _send(round_: Round, coordinator: User, opens_on: datetime.date) -> dict[str, str]:
    permit = round_policy.find(coordinator, MANAGE, pk=round_.pk)
    assert permit is not None
    tokens: dict[str, str] = {}

    def collect(_round: Round, outgoing: Sequence[Outgoing]) -> None:
        tokens.update({item.address: item.token for item in outgoing})

    sent_at = datetime.datetime.combine(opens_on, datetime.time(8, 0), tzinfo=datetime.UTC)
    round_send(permit=permit, actor=coordinator, now=sent_at, deliver=collect)
    return tokens


def _closed_round(
    municipality: Municipality,
    coordinator: User,
    template: Template,
    *,
    title: str,
    opens_on: datetime.date,
    answers: int,
    seed: str,
    worry: int,
) -> None:
    closes_on = opens_on + datetime.timedelta(days=21)
    with transaction.atomic():
        round_ = _new_round(
            municipality, coordinator, template, title=title, opens_on=opens_on, closes_on=closes_on
        )
        if round_ is None:
            return
        tokens = _send(round_, coordinator, opens_on)
        _answer_all(round_, tokens, answers, random.Random(seed), worry=worry)


def _open_situation_round(
    municipality: Municipality, coordinator: User, template: Template, today: datetime.date
) -> None:
    opens_on = today - datetime.timedelta(days=10)
    closes_on = today + datetime.timedelta(days=11)
    occurrence = (
        Occurrence.objects.filter(
            municipality=municipality, series__title__startswith="BRA", starts_at__date__gte=today
        )
        .order_by("starts_at")
        .first()
    )
    with transaction.atomic():
        round_ = _new_round(
            municipality,
            coordinator,
            template,
            title=f"Lägesbild {today.year}",
            opens_on=opens_on,
            closes_on=closes_on,
            occurrence=occurrence,
        )
        if round_ is None:
            return
        permit = round_policy.find(coordinator, MANAGE, pk=round_.pk)
        assert permit is not None
        units = list(Unit.objects.filter(municipality=municipality, is_active=True))
        invitations_add_members(
            permit=permit,
            actor=coordinator,
            units=units,
            roles=[Role.PRINCIPAL, Role.STUDENT_HEALTH],
        )
        group = User.objects.filter(
            username__in=[
                "coordinator.leksand",
                "intake.leksand",
                "principal.leksand",
                "counsellor.leksand",
            ]
        ).values_list("pk", flat=True)
        analysis_group_set(permit=permit, actor=coordinator, user_ids=list(group))
        tokens = _send(round_, coordinator, opens_on)
        rng = random.Random(f"leksand-situation-{today.year}")
        addresses = sorted(tokens)
        rng.shuffle(addresses)
        answering, pausing = addresses[:30], addresses[30:33]
        questions = questions_of(round_.template_version)
        for number, address in enumerate(answering):
            day = opens_on + datetime.timedelta(days=min(number // 3, 10))
            values = _values(questions, rng, worry=1)
            if number == 7:
                values[_by_key(questions, "anything_else").pk] = NAMED_TEXT
            response_submit(token=tokens[address], values=values, today=day)
        for address in pausing:
            values = _values(questions, rng, worry=1)
            partial = dict(list(values.items())[:4])
            draft_save(token=tokens[address], values=partial, today=today)


def _by_key(questions: list[Question], key: str) -> Question:
    return next(question for question in questions if question.key == key)


def _answer_all(
    round_: Round, tokens: dict[str, str], count: int, rng: random.Random, *, worry: int
) -> None:
    addresses = sorted(tokens)
    rng.shuffle(addresses)
    questions = questions_of(round_.template_version)
    for number, address in enumerate(addresses[:count]):
        day = round_.opens_on + datetime.timedelta(days=min(number // 3, 20))
        response_submit(
            token=tokens[address], values=_values(questions, rng, worry=worry), today=day
        )


def _scale(rng: random.Random, centre: float) -> str:
    value = round(rng.gauss(centre, 0.9))
    return str(min(5, max(1, value)))


# Where the concern of each measure lies on the 1–5 scale (before the round's ``worry``).
CONCERN_CENTRES = {
    "alcohol": 2.6,
    "drugs": 2.9,
    "tobacco": 3.4,
    "mental_health": 3.6,
    "self_harm": 2.7,
    "online": 3.3,
    "crime": 2.5,
}


def _one_choice(keys: list[str], rng: random.Random, worry: int) -> str:
    weights = [1.0] * len(keys)
    if keys[0] == "yes":
        weights[0] = 2.5 - worry * 0.8  # more know the routine where things got better
    if "worse" in keys:
        weights[keys.index("worse")] = 1.0 + worry
    return rng.choices(keys, weights=weights)[0]


def _values(questions: list[Question], rng: random.Random, *, worry: int) -> dict[int, Value]:
    """Plausible answers: most questions answered, optional ones now and then skipped."""
    values: dict[int, Value] = {}
    for question in questions:
        if not question.required and rng.random() < 0.25:
            continue
        keys = [row["key"] for row in question.options]
        match question.kind:
            case QuestionKind.LIKERT:
                centre = CONCERN_CENTRES.get(question.key, 3.7 - 0.3 * worry)
                if question.key in ("online", "crime", "mental_health"):
                    centre += 0.35 * worry
                values[question.pk] = _scale(rng, centre)
            case QuestionKind.SINGLE:
                values[question.pk] = _one_choice(keys, rng, worry)
            case QuestionKind.MULTIPLE:
                chosen = [key for key in keys if key != "none" and rng.random() < 0.35]
                values[question.pk] = chosen or [keys[0]]
            case QuestionKind.NUMBER:
                low = question.min_value or 0
                high = min(question.max_value or 40, 40)
                values[question.pk] = rng.randint(low, high)
            case _:
                pool = SITUATION_TEXTS.get(question.key, MAPPING_TEXTS)
                if rng.random() < 0.5:
                    values[question.pk] = rng.choice(pool)
    return values
