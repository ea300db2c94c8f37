"""The built-in templates, as data: the situational picture (Lägesbild), the mapping of the
collaboration (Kartläggning av samverkan) and the evaluation of a training session.

They are written in Swedish on purpose: they are content, like a municipality's own
templates, not interface text. ``surveys.services.builtin_copy`` copies one into a
municipality as an ordinary :class:`~surveys.models.Template` (once per municipality), which
the coordinator may then change in a new version like any other.

The ``indicator`` and ``positive_options`` of the questions are the contract with the
follow-up catalogue (``surveys.indicators``): ``mapping_knows_routine``,
``mapping_knows_whom_to_call`` and ``mapping_got_feedback`` on the mapping, ``situation_measure``
on the measures of the situational picture, ``evaluation_score`` (a mean of 1–5) on the
training evaluation. Question keys never change: the trend over rounds joins on them.
"""

from dataclasses import dataclass, field

from surveys.models import QuestionKind, SurveyKind

SITUATION_MEASURE = "situation_measure"
MAPPING_KNOWS_ROUTINE = "mapping_knows_routine"
MAPPING_KNOWS_WHOM_TO_CALL = "mapping_knows_whom_to_call"
MAPPING_GOT_FEEDBACK = "mapping_got_feedback"
EVALUATION_SCORE = "evaluation_score"

CONCERN = ("Ingen oro", "Liten oro", "Viss oro", "Stor oro", "Mycket stor oro")
AGREEMENT = (
    "Stämmer inte alls",
    "Stämmer ganska dåligt",
    "Stämmer delvis",
    "Stämmer ganska bra",
    "Stämmer helt",
)
# On a scale of concern, "stor" and "mycket stor oro" count for the indicator.
HIGH = ["4", "5"]

NO_NAMES = "Skriv inte namn eller något annat som pekar ut en person – svaren är anonyma."


@dataclass(frozen=True)
class BuiltinQuestion:
    key: str
    kind: str
    text: str
    help_text: str = ""
    required: bool = False
    # (key, label) pairs of a choice question; a scale gets its five labels as "1"–"5".
    options: tuple[tuple[str, str], ...] = ()
    labels: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    indicator: str = ""
    positive_options: list[str] = field(default_factory=list)

    def option_rows(self) -> list[dict[str, str]]:
        if self.kind == QuestionKind.LIKERT:
            return [{"key": str(n), "label": label} for n, label in enumerate(self.labels, 1)]
        return [{"key": key, "label": label} for key, label in self.options]


@dataclass(frozen=True)
class BuiltinSection:
    title: str
    questions: tuple[BuiltinQuestion, ...]
    help_text: str = ""


@dataclass(frozen=True)
class BuiltinTemplate:
    key: str
    kind: str
    title: str
    description: str
    sections: tuple[BuiltinSection, ...]


def _concern(key: str, text: str, help_text: str = "") -> BuiltinQuestion:
    return BuiltinQuestion(
        key=key,
        kind=QuestionKind.LIKERT,
        text=text,
        help_text=help_text,
        required=True,
        labels=CONCERN,
        indicator=SITUATION_MEASURE,
        positive_options=HIGH,
    )


def _agree(key: str, text: str, indicator: str = "") -> BuiltinQuestion:
    return BuiltinQuestion(
        key=key,
        kind=QuestionKind.LIKERT,
        text=text,
        required=True,
        labels=AGREEMENT,
        indicator=indicator,
        positive_options=HIGH if indicator else [],
    )


SITUATIONAL_PICTURE = BuiltinTemplate(
    key="situational_picture",
    kind=SurveyKind.SITUATIONAL_PICTURE,
    title="Lägesbild – barn och unga",
    description=(
        "En gång om året frågar vi er som möter barn och unga i arbetet – skola, socialtjänst, "
        "polis, fritid och andra – hur ni ser på läget. Svaren är anonyma och sammanställs för "
        "hela kommunen. Det tar ungefär tio minuter."
    ),
    sections=(
        BuiltinSection(
            title="Vilka unga du möter",
            questions=(
                BuiltinQuestion(
                    key="ages_met",
                    kind=QuestionKind.MULTIPLE,
                    text="Vilka åldrar möter du mest i ditt arbete?",
                    help_text="Välj alla som stämmer.",
                    options=(
                        ("f_3", "Förskoleklass till årskurs 3"),
                        ("grade_4_6", "Årskurs 4–6"),
                        ("grade_7_9", "Årskurs 7–9"),
                        ("upper_secondary", "Gymnasiet"),
                        ("young_adults", "Unga vuxna, 19–21 år"),
                    ),
                ),
            ),
        ),
        BuiltinSection(
            title="Alkohol, narkotika och tobak",
            help_text="Svara utifrån det du själv har sett och hört det senaste året.",
            questions=(
                _concern("alcohol", "Hur stor är din oro för att unga dricker alkohol?"),
                _concern("drugs", "Hur stor är din oro för att unga använder narkotika?"),
                _concern(
                    "tobacco",
                    "Hur stor är din oro för att unga röker, snusar eller använder e-cigaretter "
                    "(vape)?",
                ),
                BuiltinQuestion(
                    key="drugs_offered",
                    kind=QuestionKind.SINGLE,
                    text=(
                        "Har du det senaste året sett eller hört att unga har blivit erbjudna "
                        "narkotika?"
                    ),
                    required=True,
                    options=(
                        ("often", "Ja, flera gånger"),
                        ("sometimes", "Ja, någon gång"),
                        ("no", "Nej"),
                        ("unknown", "Vet inte"),
                    ),
                    indicator=SITUATION_MEASURE,
                    positive_options=["often", "sometimes"],
                ),
            ),
        ),
        BuiltinSection(
            title="Mående och psykisk hälsa",
            questions=(
                _concern(
                    "mental_health",
                    "Hur stor är din oro för ungas psykiska hälsa, till exempel nedstämdhet, "
                    "ångest eller stress?",
                ),
                _concern("self_harm", "Hur stor är din oro för att unga skadar sig själva?"),
                BuiltinQuestion(
                    key="talks_about_wellbeing",
                    kind=QuestionKind.NUMBER,
                    text=(
                        "Ungefär hur många unga har du pratat med om hur de mår under den senaste "
                        "månaden?"
                    ),
                    help_text="En uppskattning räcker. Skriv 0 om du inte har gjort det.",
                    min_value=0,
                    max_value=500,
                ),
            ),
        ),
        BuiltinSection(
            title="Händelser och platser",
            questions=(
                BuiltinQuestion(
                    key="places_of_concern",
                    kind=QuestionKind.MULTIPLE,
                    text="Finns det platser där unga samlas som du känner oro för?",
                    help_text="Välj alla som stämmer. Hoppa över frågan om du inte vet.",
                    options=(
                        ("centre", "Centrum och torget"),
                        ("schoolyard", "Skolgårdar efter skoltid"),
                        ("bus_station", "Busshållplatser och resecentrum"),
                        ("beaches", "Badplatser och stränder"),
                        ("parties", "Privata fester"),
                        ("sports", "Idrottsplatser och hallar"),
                        ("other", "Någon annan plats"),
                    ),
                ),
                _concern(
                    "online",
                    "Hur stor är din oro för det som händer unga på nätet och i sociala medier?",
                    "Till exempel hot, kränkningar, utpressning eller vuxna som söker kontakt.",
                ),
                _concern(
                    "crime",
                    "Hur stor är din oro för att unga dras in i kriminalitet eller blir "
                    "rekryterade av kriminella?",
                ),
            ),
        ),
        BuiltinSection(
            title="Det som förändras",
            questions=(
                BuiltinQuestion(
                    key="trend",
                    kind=QuestionKind.SINGLE,
                    text="Jämfört med för ett år sedan – hur är läget för de unga du möter?",
                    required=True,
                    options=(
                        ("better", "Bättre"),
                        ("same", "Ungefär som förut"),
                        ("worse", "Sämre"),
                        ("unknown", "Vet inte"),
                    ),
                    indicator=SITUATION_MEASURE,
                    positive_options=["worse"],
                ),
                BuiltinQuestion(
                    key="changes_seen",
                    kind=QuestionKind.TEXT,
                    text="Vad ser du förändras?",
                    help_text=NO_NAMES,
                    max_length=1000,
                ),
            ),
        ),
        BuiltinSection(
            title="Till sist",
            questions=(
                BuiltinQuestion(
                    key="anything_else",
                    kind=QuestionKind.TEXT,
                    text="Något mer vi borde veta?",
                    help_text=NO_NAMES,
                    max_length=1500,
                ),
            ),
        ),
    ),
)

MAPPING = BuiltinTemplate(
    key="mapping",
    kind=SurveyKind.MAPPING,
    title="Kartläggning av samverkan skola – socialtjänst",
    description=(
        "Hur fungerar samverkan kring barn som far illa eller riskerar att göra det? Dina svar "
        "hjälper oss att se vad som behöver bli bättre. Svaren är anonyma. Det tar ungefär fem "
        "minuter."
    ),
    sections=(
        BuiltinSection(
            title="Rutinen för orosanmälan",
            questions=(
                BuiltinQuestion(
                    key="knows_routine",
                    kind=QuestionKind.SINGLE,
                    text="Känner du till kommunens rutin för orosanmälan?",
                    required=True,
                    options=(("yes", "Ja, väl"), ("partly", "Ja, delvis"), ("no", "Nej")),
                    indicator=MAPPING_KNOWS_ROUTINE,
                    positive_options=["yes"],
                ),
                BuiltinQuestion(
                    key="knows_whom_to_call",
                    kind=QuestionKind.SINGLE,
                    text=(
                        "Vet du vem du ska ringa på socialtjänstens mottagning när du vill "
                        "rådgöra eller göra en anmälan?"
                    ),
                    required=True,
                    options=(("yes", "Ja"), ("unsure", "Osäker"), ("no", "Nej")),
                    indicator=MAPPING_KNOWS_WHOM_TO_CALL,
                    positive_options=["yes"],
                ),
                BuiltinQuestion(
                    key="got_feedback",
                    kind=QuestionKind.SINGLE,
                    text="Fick du återkoppling från socialtjänsten på din senaste orosanmälan?",
                    help_text="Hoppa över frågan om du inte har gjort någon orosanmälan.",
                    options=(("yes", "Ja"), ("no", "Nej")),
                    indicator=MAPPING_GOT_FEEDBACK,
                    positive_options=["yes"],
                ),
            ),
        ),
        BuiltinSection(
            title="Samverkansmötena",
            questions=(
                BuiltinQuestion(
                    key="meeting_forms",
                    kind=QuestionKind.MULTIPLE,
                    text="Vilka mötesformer deltar du i?",
                    help_text="Välj alla som stämmer.",
                    options=(
                        ("collaboration", "Samverkansmöten mellan skola och socialtjänst"),
                        ("student_health", "Elevhälsomöten"),
                        ("sip", "SIP-möten"),
                        ("consultation", "Konsultationstid hos socialtjänsten"),
                        ("none", "Inga av dessa"),
                    ),
                ),
                BuiltinQuestion(
                    key="meetings_attended",
                    kind=QuestionKind.NUMBER,
                    text="Hur många samverkansmöten har du deltagit i det senaste året?",
                    min_value=0,
                    max_value=100,
                ),
                _agree("meetings_work", "Samverkansmötena fungerar bra."),
                _agree(
                    "knows_confidentiality",
                    "Jag vet vilka uppgifter jag får lämna på mötena och vilka som omfattas av "
                    "sekretess.",
                ),
            ),
        ),
        BuiltinSection(
            title="Det som kan bli bättre",
            questions=(
                BuiltinQuestion(
                    key="improvements",
                    kind=QuestionKind.TEXT,
                    text="Vad skulle göra samverkan bättre?",
                    help_text=NO_NAMES,
                    max_length=1500,
                ),
            ),
        ),
    ),
)

TRAINING_EVALUATION = BuiltinTemplate(
    key="training_evaluation",
    kind=SurveyKind.TRAINING_EVALUATION,
    title="Utvärdering av utbildning",
    description="Några korta frågor om utbildningen du just gick. Svaren är anonyma.",
    sections=(
        BuiltinSection(
            title="Vad tyckte du?",
            questions=(
                _agree("useful", "Utbildningen var användbar i mitt arbete.", EVALUATION_SCORE),
                _agree(
                    "routine_clearer",
                    "Jag vet nu bättre hur rutinen för orosanmälan fungerar.",
                    EVALUATION_SCORE,
                ),
                _agree(
                    "cases_realistic",
                    "Fallen vi diskuterade kändes verklighetsnära.",
                    EVALUATION_SCORE,
                ),
                _agree(
                    "met_other_sectors",
                    "Det var värdefullt att möta kollegor från andra verksamheter.",
                    EVALUATION_SCORE,
                ),
                BuiltinQuestion(
                    key="comments",
                    kind=QuestionKind.TEXT,
                    text="Vill du lägga till något?",
                    help_text=NO_NAMES,
                    max_length=1000,
                ),
            ),
        ),
    ),
)

BUILTINS: dict[str, BuiltinTemplate] = {
    template.key: template for template in (SITUATIONAL_PICTURE, MAPPING, TRAINING_EVALUATION)
}
