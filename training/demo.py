"""Demo training (texts written for this demo; every case is made up): four fictional cases
in each municipality's case library, staff numbers on the demo units, two sessions in the last
year and one older in Leksand (one with named participants and an evaluation survey of twelve
answers), and one in Eksjö linked to the annual wheel's training, when the wheel has a held one.

The evaluation survey uses the municipality's built-in evaluation template
(``builtin_key="training_evaluation"``, made by the surveys demo) and its latest version; when
there is none, a small evaluation template of the municipality's own is made here.

Loading is idempotent: cases and sessions that exist (same municipality and title) are left as
they are, and a unit's number of staff is only set where it is empty.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from governance.selectors import main_routine_version
from organisations.demo import MUNICIPALITIES
from organisations.models import Municipality, Sector, Unit, User
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
from training import services
from training.indicators import EVALUATION_INDICATOR
from training.models import TrainingSession, Vignette
from wheel.models import ActivityType, Occurrence, OccurrenceStatus


@dataclass(frozen=True)
class CaseSpec:
    title: str
    text: str
    discussion: tuple[str, ...]
    boundaries: tuple[str, ...]


CASES = (
    CaseSpec(
        title="Hög frånvaro och en förälder som säger att allt är bra",
        text=(
            "Elin går i årskurs 8. Sedan höstlovet har hon varit borta nästan var tredje dag, "
            "oftast på måndagar. När mentorn ringer hem säger pappan att Elin har haft "
            "migrän och att allt är bra hemma. Elin själv säger inte mycket, men hon har "
            "slutat äta i matsalen och sitter ofta ensam på rasterna.\n\n"
            "En kollega har hört att familjen nyligen har flyttat isär. Mentorn vet inte om "
            "det stämmer och vill inte lägga sig i något som kanske inte är skolans sak."
        ),
        discussion=(
            "Vad vet skolan, och vad tror vi bara?",
            "Vem på skolan bör prata med Elin, och hur?",
            "Vad kan elevhälsan göra innan någon kontaktar socialtjänsten?",
        ),
        boundaries=(
            "När blir oro en anmälan?",
            "Kan skolan rådgöra med socialtjänsten utan att säga vem eleven är?",
            "Vad får skolan veta om socialtjänsten öppnar en utredning?",
        ),
    ),
    CaseSpec(
        title="Läraren som hör talas om en fest med droger",
        text=(
            "En måndag hör en lärare på gymnasiet två elever prata om en fest i helgen. De "
            "skrattar åt att en kille i årskurs 1 blev så påverkad att kompisarna fick bära "
            "hem honom, och att det fanns ”mer än bara öl”. Läraren vet vem killen är. Han "
            "har verkat trött de senaste veckorna men sköter skolarbetet.\n\n"
            "Läraren undrar om det här räcker för att göra något, och i så fall vad. Ska "
            "rektor få veta? Polisen? Föräldrarna?"
        ),
        discussion=(
            "Vad är det läraren faktiskt vet, och vad är rykten?",
            "Vem på skolan tar emot det läraren har hört?",
            "Hur kan skolan prata med eleven utan att peka ut de andra?",
        ),
        boundaries=(
            "Är misstanke om droger skäl för en anmälan till socialtjänsten?",
            "Vilken roll har polisen och fältarbetarna, och vilken har skolan?",
            "Vad får skolan berätta för föräldrarna?",
        ),
    ),
    CaseSpec(
        title="Ett yngre syskons oro",
        text=(
            "Noah går i förskoleklass. Under en samling berättar han för pedagogen att hans "
            "storebror ”bråkar jättemycket med mamma” och att han själv brukar gömma sig i "
            "garderoben när det blir högt. Storebrodern går i årskurs 6 på samma skola och "
            "har fått flera varningar för bråk på rasterna.\n\n"
            "Pedagogen har aldrig märkt något oroande hos Noah tidigare. Mamman är vänlig "
            "vid hämtning men har sagt att hon är väldigt trött."
        ),
        discussion=(
            "Vad betyder det Noah berättar, och vad betyder det inte?",
            "Hur tar skolan hand om båda syskonen utan att blanda ihop deras situationer?",
            "Vem på skolan samordnar det som görs för de två barnen?",
        ),
        boundaries=(
            "Gäller anmälningsplikten även det ett syskon berättar?",
            "Ska skolan göra en anmälan för varje barn, eller en för familjen?",
            "Hur får skolan återkoppling på en anmälan, och vad innehåller den?",
        ),
    ),
    CaseSpec(
        title="Eleven som ber kuratorn att inte säga något",
        text=(
            "Sara i årskurs 9 söker upp kuratorn och säger att hon vill berätta något, men "
            "bara om kuratorn lovar att inte säga det till någon. Kuratorn förklarar att hon "
            "inte kan lova det. Sara berättar ändå att hennes pojkvän, som är 19 år, ibland "
            "tar hennes telefon och bestämmer vem hon får träffa. Hon säger att hon klarar "
            "sig själv och att det blir värre om vuxna lägger sig i.\n\n"
            "Sara ber kuratorn att absolut inte ringa hem, eftersom hennes föräldrar inte "
            "vet om pojkvännen."
        ),
        discussion=(
            "Hur kan kuratorn behålla Saras förtroende och ändå göra det som krävs?",
            "Vad behöver Sara få veta om vad som händer sedan?",
            "Vilket stöd finns på skolan och utanför den?",
        ),
        boundaries=(
            "När går anmälningsplikten före elevens önskan om sekretess?",
            "Vem kontaktar vårdnadshavarna – skolan eller socialtjänsten?",
            "Vad får skolan veta om utredningen?",
        ),
    ),
)

# A number of staff per demo unit key. The Fritidsgården has none ("number of staff missing"),
# nor has the municipal board: its members are politicians, not staff to be trained.
STAFF = {
    "office": 40,
    "education": 25,
    "preschool": 18,
    "school_f6": 34,
    "school_79": 42,
    "upper": 70,
    "student_health": 12,
    "medical": 6,
    "social": 20,
    "intake": 8,
    "youth_unit": 16,
    "youth_health": 9,
    "cap": 14,
    "police": 10,
}

EVALUATION_QUESTIONS = (
    ("useful", "Hur användbar var utbildningen för ditt arbete?"),
    ("boundaries", "Vet du nu bättre var gränsen går mellan skolans och socialtjänstens uppdrag?"),
    ("mixed_groups", "Hur väl fungerade samtalen i de blandade grupperna?"),
)
SCALE = ("Inte alls", "Lite", "Ganska", "Mycket", "Helt")


def load(*, today: datetime.date) -> int:
    """Load the demo training; returns how many sessions were recorded."""
    recorded = 0
    for key, (_name, code, unit_specs) in MUNICIPALITIES.items():
        municipality = Municipality.objects.filter(code=code).first()
        coordinator = User.objects.filter(username=f"coordinator.{key}").first()
        if municipality is None or coordinator is None:
            continue
        units = {
            spec.key: unit
            for spec in unit_specs
            if (unit := Unit.objects.filter(municipality=municipality, name=spec.name).first())
        }
        _staff_counts(units)
        cases = _cases(municipality, coordinator)
        if key == "leksand":
            recorded += _leksand(municipality, coordinator, units, cases, today)
        else:
            recorded += _eksjo(municipality, coordinator, units, cases, today)
    return recorded


def _staff_counts(units: dict[str, Unit]) -> None:
    for key, staff in STAFF.items():
        unit = units.get(key)
        if unit is not None and unit.staff_count is None:
            Unit.objects.filter(pk=unit.pk).update(staff_count=staff)


def _cases(municipality: Municipality, coordinator: User) -> list[Vignette]:
    found = main_routine_version(municipality.pk)
    routine = found[0] if found else None
    cases = []
    for spec in CASES:
        existing = Vignette.objects.filter(municipality=municipality, title=spec.title).first()
        if existing is None:
            existing = services.vignette_create(
                actor=coordinator,
                municipality=municipality,
                data=services.VignetteData(
                    title=spec.title,
                    case_text=spec.text,
                    discussion_questions="\n".join(spec.discussion),
                    boundary_questions="\n".join(spec.boundaries),
                    governance_document=routine,
                ),
            )
        cases.append(existing)
    return cases


def _record(
    municipality: Municipality,
    coordinator: User,
    *,
    title: str,
    held_on: datetime.date,
    description: str,
    units: dict[str, Unit],
    counts: dict[str, int],
    groups: list[tuple[str, ...]],
    cases: list[Vignette],
    occurrence: Occurrence | None = None,
    people: list[User] | None = None,
) -> TrainingSession | None:
    if TrainingSession.objects.filter(municipality=municipality, title=title).exists():
        return None
    found = main_routine_version(municipality.pk)
    return services.session_create(
        actor=coordinator,
        municipality=municipality,
        today=max(held_on, timezone.localdate()),
        data=services.SessionData(
            title=title,
            held_on=held_on,
            description=description,
            routine_version=found[1] if found else None,
            vignettes=cases,
            occurrence=occurrence,
            participants={units[key].pk: count for key, count in counts.items() if key in units},
            groups=[services.GroupData(sectors=list(sectors)) for sectors in groups],
            named_participants=people or [],
        ),
    )


S = Sector


def _leksand(
    municipality: Municipality,
    coordinator: User,
    units: dict[str, Unit],
    cases: list[Vignette],
    today: datetime.date,
) -> int:
    recorded = 0
    people = list(
        User.objects.filter(
            username__in=[
                f"{name}.leksand"
                for name in ("teacher", "counsellor", "nurse", "intake", "principal")
            ]
        ).order_by("username")
    )
    with transaction.atomic():
        spring = _record(
            municipality,
            coordinator,
            title="Gränsdragningar mellan skola och socialtjänst",
            held_on=today - datetime.timedelta(days=45),
            description=(
                "IFO mottagning berättade hur en anmälan tas emot och bedöms. Elevhälsan "
                "berättade om sitt uppdrag. Sedan diskuterades två fiktiva fall i blandade grupper."
            ),
            units=units,
            counts={
                "school_79": 14,
                "upper": 12,
                "student_health": 6,
                "medical": 3,
                "intake": 5,
                "youth_unit": 6,
                "police": 2,
            },
            groups=[
                (S.SCHOOL, S.SOCIAL_SERVICES),
                (S.SCHOOL, S.SOCIAL_SERVICES, S.MEDICAL_STUDENT_HEALTH),
                (S.SCHOOL, S.SOCIAL_SERVICES, S.POLICE),
                (S.SCHOOL, S.SOCIAL_SERVICES),
                (S.SCHOOL,),
                (S.SCHOOL, S.SOCIAL_SERVICES),
            ],
            cases=cases[:2],
            people=people,
        )
        if spring is not None:
            recorded += 1
            _evaluation(municipality, coordinator, spring)
    with transaction.atomic():
        autumn = _record(
            municipality,
            coordinator,
            title="Anmälningsplikt och återkoppling",
            held_on=today - datetime.timedelta(days=200),
            description="Genomgång av rutinen för orosanmälan och diskussion av två fiktiva fall.",
            units=units,
            counts={
                "preschool": 8,
                "school_f6": 16,
                "student_health": 5,
                "intake": 4,
                "youth_unit": 3,
                "leisure": 4,
            },
            groups=[
                (S.SCHOOL, S.SOCIAL_SERVICES),
                (S.SCHOOL, S.LEISURE),
                (S.SCHOOL,),
                (S.SCHOOL,),
            ],
            cases=cases[2:],
        )
        recorded += autumn is not None
    with transaction.atomic():
        older = _record(
            municipality,
            coordinator,
            title="Introduktion till samverkansrutinen",
            held_on=today - datetime.timedelta(days=420),
            description="En första genomgång av rutinen, före den senaste revideringen.",
            units=units,
            counts={"school_79": 20, "upper": 25, "intake": 6},
            groups=[(S.SCHOOL, S.SOCIAL_SERVICES), (S.SCHOOL,)],
            cases=cases[:1],
        )
        recorded += older is not None
    return recorded


def _eksjo(
    municipality: Municipality,
    coordinator: User,
    units: dict[str, Unit],
    cases: list[Vignette],
    today: datetime.date,
) -> int:
    occurrence = (
        Occurrence.objects.filter(
            municipality=municipality,
            series__activity_type=ActivityType.TRAINING,
            status=OccurrenceStatus.HELD,
            starts_at__date__lte=today,
        )
        .order_by("-starts_at")
        .first()
    )
    held_on = (
        timezone.localtime(occurrence.starts_at).date()
        if occurrence is not None
        else today - datetime.timedelta(days=60)
    )
    with transaction.atomic():
        session = _record(
            municipality,
            coordinator,
            title="Tvärsektoriell utbildning med fiktiva fall",
            held_on=held_on,
            description=(
                "Skolan och socialtjänsten presenterade sina uppdrag och diskuterade sedan "
                "gränsdragningar i blandade grupper."
            ),
            units=units,
            counts={
                "school_f6": 10,
                "school_79": 12,
                "upper": 9,
                "student_health": 4,
                "intake": 5,
                "youth_unit": 5,
            },
            groups=[
                (S.SCHOOL, S.SOCIAL_SERVICES),
                (S.SCHOOL, S.SOCIAL_SERVICES),
                (S.SCHOOL, S.SOCIAL_SERVICES),
                (S.SCHOOL, S.SOCIAL_SERVICES),
                (S.SCHOOL,),
            ],
            cases=cases[1:3],
            occurrence=occurrence,
        )
    return int(session is not None)


# --- the evaluation survey ---------------------------------------------------------------------


def _evaluation_version(municipality: Municipality, coordinator: User) -> TemplateVersion:
    """The latest version of the municipality's built-in evaluation template, or of a small
    one of its own made here when the surveys demo made none."""
    version = (
        TemplateVersion.objects.filter(
            template__municipality=municipality,
            template__builtin_key="training_evaluation",
        )
        .order_by("-number")
        .first()
    )
    if version is None:
        version = (
            TemplateVersion.objects.filter(
                template__municipality=municipality,
                template__kind=SurveyKind.TRAINING_EVALUATION,
                template__title="Utvärdering av utbildning",
            )
            .order_by("-number")
            .first()
        )
    if version is not None:
        return version
    template = Template.objects.create(
        municipality=municipality,
        kind=SurveyKind.TRAINING_EVALUATION,
        title="Utvärdering av utbildning",
        description="Några korta frågor efter ett utbildningstillfälle.",
        created_by=coordinator,
    )
    version = TemplateVersion.objects.create(template=template, number=1)
    section = Section.objects.create(version=version, position=1, title="Utbildningen")
    for position, (key, text) in enumerate(EVALUATION_QUESTIONS, start=1):
        Question.objects.create(
            section=section,
            position=position,
            key=key,
            text=text,
            kind=QuestionKind.LIKERT,
            required=True,
            options=[{"key": str(n), "label": label} for n, label in enumerate(SCALE, start=1)],
            indicator=EVALUATION_INDICATOR,
            positive_options=["4", "5"],
        )
    return version


def _evaluation(municipality: Municipality, coordinator: User, session: TrainingSession) -> None:
    """An evaluation round for the session with twelve answers (seeded)."""
    version = _evaluation_version(municipality, coordinator)
    if version.frozen_at is None:
        TemplateVersion.objects.filter(pk=version.pk).update(frozen_at=timezone.now())
    evaluation = Round.objects.create(
        municipality=municipality,
        template_version=version,
        title=f"Utvärdering: {session.title}",
        opens_on=session.held_on,
        closes_on=session.held_on + datetime.timedelta(days=14),
        sent_at=timezone.now(),
        created_by=coordinator,
    )
    questions = list(
        Question.objects.filter(section__version=version, indicator=EVALUATION_INDICATOR)
    )
    scales = list(
        Question.objects.filter(section__version=version, kind=QuestionKind.LIKERT).exclude(
            indicator=EVALUATION_INDICATOR
        )
    )
    chooser = random.Random(f"training-evaluation-{session.pk}")
    sectors = [S.SCHOOL] * 7 + [S.SOCIAL_SERVICES] * 4 + [S.MEDICAL_STUDENT_HEALTH]
    for index, sector in enumerate(sectors):
        response = Response.objects.create(
            round=evaluation,
            sector=sector,
            submitted_on=session.held_on + datetime.timedelta(days=1 + index % 5),
        )
        answers = []
        for question in [*questions, *scales]:
            value = chooser.choices((2, 3, 4, 5), weights=(1, 3, 6, 4))[0]
            answers.append(
                Answer(response=response, question=question, option=str(value), number=value)
            )
        Answer.objects.bulk_create(answers)
    TrainingSession.objects.filter(pk=session.pk).update(evaluation_round=evaluation)
