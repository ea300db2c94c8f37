"""Demo annual wheels, as the two audits describe them (texts written for this demo).

- **Leksand** (follow-up audit 2023): the yearly joint meeting on how a report of concern is
  made, collaboration meetings, student health teams (EHT) at the schools, consultation meetings
  with the health region four times per term, the youth-health network (Ungdomshälsan) twice per
  term, the situational-picture analysis (BRA) once a year and the yearly revision of the
  collaboration and SIP routine, linked to the routine in ``governance.demo``.
- **Eksjö** (auditors' letter 2022): the recommendations turned into activities: intake–principal
  meetings with each school every term, a monthly resource council whose decisions name the
  resource, the receiving unit and the follow-up, parent-meeting visits by the intake at the
  schools once a year (the upper secondary school has none: the coverage table shows the gap;
  one school's meeting in a past term was cancelled: another gap) and cross-sector training with
  fictional case descriptions, linked to the action plan in ``governance.demo``.

Each series covers the past year and the coming months. Past occurrences are recorded through
the services by the municipality's demo coordinator: most held, with attendance per unit and
minutes, some cancelled with a reason, some held without minutes. Minutes never identify a
child. The choices are seeded, so every load gives the same wheel for the same day.

Loading is idempotent: a series that exists (same municipality and title) is left as it is.
The previous school year's terms come from the organisations demo (the wheel's history needs them).
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction

from governance.models import GovernanceDocument
from organisations.demo import MUNICIPALITIES
from organisations.models import Municipality, SchoolTerm, Sector, Unit, User
from wheel import recurrence, services
from wheel.models import (
    ActionStatus,
    ActivitySeries,
    ActivityType,
    Occurrence,
    OccurrenceStatus,
    ScheduleKind,
)
from wheel.services import (
    ActionData,
    DecisionData,
    OccurrenceRecord,
    SeriesData,
    attendance_units,
)

T = ActivityType
S = Sector

LEKSAND_ROUTINE = "Samverkansrutin skola – socialtjänst"
EKSJO_ACTION_PLAN = "Handlingsplan för samverkan"


@dataclass(frozen=True)
class SeriesSpec:
    """One demo series; units are the keys of ``organisations.demo``."""

    title: str
    activity_type: str
    organiser: str
    schedule_kind: str
    description: str = ""
    invited: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    times_per_term: int | None = None
    months: tuple[int, ...] = ()
    day_of_month: int = recurrence.DEFAULT_DAY_OF_MONTH
    start: tuple[int, int] = (13, 0)
    minutes: int = 90
    place: str = ""
    school: str = ""
    document: str = ""
    contact: str = ""  # a demo user name (the part before the dot)
    # Occurrences of a parent-meeting visit start in the previous school year's autumn.
    from_previous_school_year: bool = False
    # Cancel the first past occurrence of this term kind ("autumn"/"spring"), for a gap.
    cancel_first_in: str = ""
    # Move the next coming occurrence by a week.
    move_next: bool = False
    minutes_texts: tuple[str, ...] = ()
    decisions: tuple[tuple[str, str, str], ...] = ()  # (text, resource, receiving unit key)
    actions: tuple[tuple[str, str], ...] = ()  # (what, owner)


CANCEL_REASONS = (
    "Krockade med kommunens krisledningsövning; frågorna tas upp på nästa möte.",
    "För få deltagare kunde komma på grund av sjukdom.",
    "Studiedag på skolorna samma dag.",
    "Sammankallande var sjuk och ingen ersättare fanns.",
)

# --- Leksand ---------------------------------------------------------------------------------

LEKSAND = (
    SeriesSpec(
        title="Gemensamt möte om hur en orosanmälan görs",
        activity_type=T.COLLABORATION_MEETING,
        organiser="youth_unit",
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=(9,),
        day_of_month=15,
        start=(13, 0),
        minutes=150,
        description=(
            "Årlig genomgång för förskola, grundskola och gymnasieskola av hur en anmälan till "
            "socialtjänsten görs i kommunen, med hänvisning till lagrum och rutinen. Från "
            "socialtjänsten deltar enhetschef för barn och unga och socialsekreterare; från "
            "skolan avdelningschefer och elevhälsan."
        ),
        invited=(
            "education",
            "preschool",
            "school_f6",
            "school_79",
            "upper",
            "student_health",
            "intake",
        ),
        sectors=(S.SCHOOL, S.SOCIAL_SERVICES),
        place="Kommunhuset, Tingshuset sal 1",
        document=LEKSAND_ROUTINE,
        minutes_texts=(
            "Genomgång av anmälningsplikten enligt socialtjänstlagen och av kommunens rutin "
            "för orosanmälan. Mottagningen visade hur en anmälan tas emot och "
            "vad skyddsbedömningen samma dag innebär.\n\n"
            "Frågor från förskolan om när en oro är tillräcklig för en anmälan diskuterades "
            "utifrån tre påhittade exempel. Gymnasiet efterfrågade tydligare återkoppling; "
            "mottagningen påminde om att anmälaren får veta om utredning inleds, inte inleds "
            "eller redan pågår.",
        ),
        decisions=(
            (
                "Rutinens avsnitt om återkoppling till anmälaren förtydligas inför revisionen.",
                "",
                "",
            ),
        ),
        actions=(
            (
                "Skicka ut presentationen och rutinen till alla rektorer.",
                "Enhetschef barn och unga",
            ),
        ),
    ),
    SeriesSpec(
        title="Samverkansträff skola – socialtjänst",
        activity_type=T.COLLABORATION_MEETING,
        organiser="education",
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=(2, 4, 9, 11),
        day_of_month=24,
        start=(14, 0),
        description="Diskussion om frågor och utmaningar i samverkan mellan skola och "
        "socialtjänst.",
        invited=("intake", "youth_unit", "student_health", "school_79", "upper"),
        sectors=(S.SCHOOL, S.SOCIAL_SERVICES),
        place="Barn- och utbildningsförvaltningen, rum Siljan",
        document=LEKSAND_ROUTINE,
        contact="manager",
        minutes_texts=(
            "Läget i verksamheterna: skolorna beskriver fler elever med hög frånvaro efter "
            "jullovet. Socialtjänsten ser samma mönster i inkomna anmälningar.\n\n"
            "Överenskommet att ta fram en gemensam checklista för när frånvaro ska leda till "
            "kontakt med socialtjänsten.",
            "Uppföljning av checklistan för frånvaro. Den används på två av tre skolor. Samtal "
            "om hur informationsöverföringen fungerar vid byte av skola; sekretessen mellan "
            "verksamheterna gäller och samtycke behövs för mer än det anmälan kräver.",
            "Genomgång av antal anmälningar per månad (aggregerat) och av hur många som fått "
            "återkoppling. Inga enskilda ärenden diskuterades.",
        ),
        actions=(
            (
                "Checklista för frånvaro tas fram och skickas till rektorerna.",
                "Avdelningschef grundskola",
            ),
        ),
    ),
    SeriesSpec(
        title="Elevhälsoteam Västanviks skola",
        activity_type=T.STUDENT_HEALTH_TEAM,
        organiser="school_f6",
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=(1, 2, 3, 4, 5, 9, 10, 11, 12),
        day_of_month=5,
        start=(8, 30),
        minutes=60,
        invited=("student_health", "medical"),
        place="Västanviks skola, konferensrummet",
        minutes_texts=(
            "Elevhälsoteamets arbete på gruppnivå: trivselenkätens resultat för årskurs 4–6 och "
            "rastvärdsschemat. Enskilda elevärenden dokumenteras i elevhälsans journal, inte här.",
            "Planering av hälsosamtal i förskoleklass och årskurs 4. Kuratorn informerade om "
            "socialtjänstens föräldrastödsgrupp i vår.",
        ),
    ),
    SeriesSpec(
        title="Elevhälsoteam Åkerö skola",
        activity_type=T.STUDENT_HEALTH_TEAM,
        organiser="school_79",
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=(1, 2, 3, 4, 5, 9, 10, 11, 12),
        day_of_month=12,
        start=(8, 30),
        minutes=60,
        invited=("student_health", "medical"),
        place="Åkerö skola, rum 104",
        minutes_texts=(
            "Frånvarokartläggning på gruppnivå för årskurs 7–9. Skolan ser en ökning av "
            "ströfrånvaro i årskurs 8; mentorerna får stöd i tidiga samtal med vårdnadshavare.",
            "Uppföljning av insatser mot kränkande behandling. Skolsköterskan informerade om "
            "Ungdomshälsans öppettider. Enskilda ärenden tas i elevhälsans journal.",
        ),
    ),
    SeriesSpec(
        title="Elevhälsoteam Leksands gymnasium",
        activity_type=T.STUDENT_HEALTH_TEAM,
        organiser="upper",
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=(1, 2, 3, 4, 5, 9, 10, 11, 12),
        day_of_month=19,
        start=(9, 0),
        minutes=60,
        invited=("student_health", "medical"),
        place="Leksands gymnasium, elevhälsans rum",
        minutes_texts=(
            "Studiero och närvaro i introduktionsprogrammen. Överenskommet att kuratorn bjuder "
            "in fältassistenterna till ett klassbesök.",
        ),
    ),
    SeriesSpec(
        title="Konsultationsmöte med Region Dalarna",
        activity_type=T.REGION_CONSULTATION,
        organiser="student_health",
        schedule_kind=ScheduleKind.PER_TERM,
        times_per_term=4,
        start=(13, 30),
        minutes=90,
        description="Professionella konsultationsmöten mellan kommun och region om elevers "
        "hälsa, fyra gånger per termin.",
        invited=("medical", "youth_health", "cap"),
        sectors=(S.HEALTH_REGION, S.MEDICAL_STUDENT_HEALTH, S.SCHOOL),
        place="Digitalt möte (Teams)",
        move_next=True,
        minutes_texts=(
            "Konsultation utan personuppgifter kring hur skolan kan bemöta elever med "
            "oro och nedstämdhet. BUP beskrev remissvägar och väntetider.",
            "Regionen informerade om ändrade öppettider på Ungdomshälsan. Diskussion om när "
            "skolsköterskan kallar till SIP och hur regionen deltar.",
            "Genomgång av samverkan kring elever med lång frånvaro på grund av psykisk ohälsa. "
            "Avidentifierade exempel användes.",
        ),
    ),
    SeriesSpec(
        title="Ungdomshälsans nätverksträff",
        activity_type=T.YOUTH_HEALTH_NETWORK,
        organiser="youth_health",
        schedule_kind=ScheduleKind.PER_TERM,
        times_per_term=2,
        start=(15, 0),
        minutes=90,
        description="Nätverket delger varandra styrkor och utmaningar och beslutar om "
        "eventuella gemensamma insatser.",
        invited=("student_health", "medical", "youth_unit", "leisure"),
        sectors=(S.HEALTH_REGION, S.SCHOOL, S.SOCIAL_SERVICES, S.LEISURE),
        place="Ungdomshälsan, Leksand",
        minutes_texts=(
            "Varje verksamhet gav sin bild av läget bland unga i kommunen. Fritidsgården ser "
            "fler besökare sena fredagar. Beslut om gemensam informationskväll för föräldrar.",
            "Uppföljning av informationskvällen: ett fyrtiotal föräldrar kom. Nästa gemensamma "
            "insats: material om sömn och skärmtid till årskurs 7.",
        ),
        decisions=(("Gemensam informationskväll för föräldrar i årskurs 7–9 genomförs.", "", ""),),
    ),
    SeriesSpec(
        title="BRA – analys av lägesbilden",
        activity_type=T.SITUATION_ANALYSIS,
        organiser="office",
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=(3,),
        day_of_month=20,
        start=(9, 0),
        minutes=180,
        description="Ett fyrtiotal personer fyller i en enkät om droger, mående och händelser "
        "i kommunen. En grupp från skola, socialtjänst, polis och kommunledning analyserar "
        "lägesbilden och prioriterar resurser.",
        invited=("education", "social", "police", "leisure", "youth_health"),
        sectors=(S.SCHOOL, S.SOCIAL_SERVICES, S.POLICE, S.MANAGEMENT),
        place="Kommunhuset, sal Dalälven",
        contact="coordinator",
        minutes_texts=(
            "Enkäten besvarades av 41 personer. Lägesbilden visar oro för tillgång till "
            "narkotika bland unga vuxna och för otrygghet vid resecentrum kvällstid.\n\n"
            "Gruppen prioriterade: fältarbete fredagar och lördagar under våren, polisens "
            "närvaro vid resecentrum, och information till föräldrar via skolorna.",
        ),
        decisions=(
            (
                "Fältassistenter och polis samordnar närvaro fredagar och lördagar under våren.",
                "Fältassistenter två kvällar i veckan",
                "leisure",
            ),
        ),
        actions=(("Redovisa lägesbilden för kommunstyrelsen.", "Samordnare"),),
    ),
    SeriesSpec(
        title="Resurssamråd",
        activity_type=T.RESOURCE_COUNCIL,
        organiser="office",
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=(2, 4, 5, 9, 11, 12),
        day_of_month=8,
        start=(13, 0),
        minutes=90,
        description="Förvaltningscheferna för skola och socialtjänst beslutar om gemensamma "
        "resurser på gruppnivå, bland annat om de resurser som BRA-gruppen prioriterar "
        "utifrån lägesbilden. Varje beslut anger resursen, den mottagande enheten och när "
        "beslutet följs upp.",
        invited=("education", "social", "leisure"),
        sectors=(S.MANAGEMENT, S.SCHOOL, S.SOCIAL_SERVICES),
        place="Kommunhuset, sal Dalälven",
        contact="coordinator",
        minutes_texts=(
            "Genomgång av BRA-gruppens prioriteringar. Inga enskilda barn eller elever "
            "diskuterades.",
        ),
        decisions=(
            (
                "Fältassistenterna arbetar även söndagskvällar under sommarlovet.",
                "Fältassistenter 50 %",
                "leisure",
            ),
        ),
    ),
    SeriesSpec(
        title="Återrapportering till kommunstyrelsen",
        activity_type=T.BOARD_REPORT,
        organiser="office",
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=(3,),
        day_of_month=12,
        start=(13, 0),
        minutes=60,
        description="Samordnaren redovisar för kommunstyrelsen hur samverkan mellan skola och "
        "socialtjänst utvecklades förra året: mål, rutiner, årshjulet och indikatorerna.",
        invited=("education", "social"),
        sectors=(S.MANAGEMENT, S.SCHOOL, S.SOCIAL_SERVICES),
        place="Kommunhuset, sessionssalen",
        contact="coordinator",
        minutes_texts=(
            "Samordnaren redovisade återrapporteringen för förra året. Kommunstyrelsen "
            "noterade att återkopplingen till skolan ska följas särskilt och lade "
            "redovisningen till handlingarna.",
        ),
    ),
    SeriesSpec(
        title="Revision av samverkansrutinen och SIP-rutinen",
        activity_type=T.ROUTINE_REVISION,
        organiser="office",
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=(5,),
        day_of_month=25,
        start=(13, 0),
        minutes=120,
        description="Årlig revision av samverkansrutinen, där rutinen för orosanmälan och "
        "SIP ingår. Rutinen uppdateras varje år.",
        invited=("education", "social", "medical", "student_health"),
        sectors=(S.SCHOOL, S.SOCIAL_SERVICES, S.MEDICAL_STUDENT_HEALTH),
        place="Kommunhuset, sal 2",
        document=LEKSAND_ROUTINE,
        contact="coordinator",
        minutes_texts=(
            "Genomgång av rutinen avsnitt för avsnitt. Förslag: skolsköterskan är fortsatt "
            "sammankallande till SIP från skolan; lägg till kontaktvägar till regionen och "
            "förtydliga återkopplingen till anmälaren.",
        ),
        decisions=(("Reviderad rutin lämnas till centrala ledningsgruppen för beslut.", "", ""),),
        actions=(("Skicka den reviderade rutinen på remiss till rektorerna.", "Samordnare"),),
    ),
)

# --- Eksjö -----------------------------------------------------------------------------------


def _intake_principal(
    school: str, name: str, months: tuple[int, int], cancel: str = ""
) -> SeriesSpec:
    """Once a term with each school: one autumn month and one spring month, a different pair
    for each school so that the intake's meetings are spread over the term."""
    return SeriesSpec(
        title=f"Mottagningen möter rektor – {name}",
        activity_type=T.INTAKE_PRINCIPAL,
        organiser="intake",
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=months,
        day_of_month=6,
        start=(10, 0),
        minutes=60,
        description="Strukturerade, regelbundna möten mellan IFO:s mottagning och rektor "
        "(revisionens rekommendation 2022).",
        invited=(school,),
        sectors=(S.SCHOOL, S.SOCIAL_SERVICES),
        place=f"{name}, rektors expedition",
        school=school,
        document=EKSJO_ACTION_PLAN,
        contact="intake",
        cancel_first_in=cancel,
        minutes_texts=(
            "Genomgång av hur skolan gör orosanmälningar och hur mottagningen återkopplar. "
            "Rektor upplever att återkopplingen kommer men sent. Mottagningen förklarade vad "
            "återkopplingen får innehålla.",
            "Uppföljning sedan förra terminen. Skolan har utsett en kontaktperson i "
            "elevhälsan. Samtal om hur skolan kan stötta vårdnadshavare vid en anmälan.",
        ),
        actions=(
            (
                "Skicka mottagningens kontaktuppgifter till skolans personal.",
                "Socialsekreterare, mottagningen",
            ),
        ),
    )


def _parent_visits(school: str, name: str) -> SeriesSpec:
    return SeriesSpec(
        title=f"Mottagningen på föräldramöte – {name}",
        activity_type=T.PARENT_MEETING_VISIT,
        organiser="intake",
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=(9,),
        day_of_month=8,
        start=(18, 0),
        minutes=60,
        description="Mottagningen deltar i föräldramöten och informerar om socialtjänstens "
        "verksamhet (revisionens rekommendation 2022).",
        invited=(school,),
        sectors=(S.SCHOOL, S.SOCIAL_SERVICES),
        place=f"{name}, aulan",
        school=school,
        document=EKSJO_ACTION_PLAN,
        contact="intake",
        from_previous_school_year=True,
        minutes_texts=(
            "Mottagningen presenterade socialtjänstens uppdrag, hur en orosanmälan går till och "
            "vilket stöd familjer kan söka själva. Frågor från föräldrar om sekretess besvarades.",
        ),
    )


EKSJO = (
    _intake_principal("school_f6", "Norrtulls skola F–6", (9, 2)),
    _intake_principal("school_79", "Furulidsskolan 7–9", (10, 3), cancel="spring"),
    _intake_principal("upper", "Eksjö gymnasium", (11, 4)),
    SeriesSpec(
        title="Resurssamråd",
        activity_type=T.RESOURCE_COUNCIL,
        organiser="office",
        schedule_kind=ScheduleKind.FIXED_MONTHS,
        months=(1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12),
        day_of_month=14,
        start=(9, 0),
        minutes=90,
        description="Skola och socialtjänst fördelar gemensamma resurser på gruppnivå "
        "(revisionens rekommendation 2022). Varje beslut anger resursen, den mottagande "
        "enheten och när beslutet följs upp.",
        invited=("education", "social", "student_health", "youth_unit"),
        sectors=(S.SCHOOL, S.SOCIAL_SERVICES),
        place="Stadshuset, sammanträdesrum Höglandet",
        document=EKSJO_ACTION_PLAN,
        contact="coordinator",
        minutes_texts=(
            "Genomgång av behov som skolorna anmält på gruppnivå. Resurssamrådet prioriterade "
            "insatser i årskurs 7–9 där frånvaron ökat. Inga enskilda elever pekades ut.",
            "Uppföljning av tidigare beslut: familjebehandlarens närvaro på skolan har gett "
            "fler tidiga kontakter med vårdnadshavare. Nya behov från gymnasiet.",
            "Ekonomisk lägesbild för gemensamma insatser. Beslut om fortsatt resurs till "
            "Norrtulls skola till terminens slut.",
        ),
        decisions=(
            (
                "Familjebehandlare finns på skolan en dag i veckan under terminen.",
                "Familjebehandlare 20 %",
                "school_79",
            ),
            (
                "Socialpedagog förstärker lunchrasterna under resten av läsåret.",
                "Socialpedagog 50 %",
                "school_f6",
            ),
            (
                "Studiehandledning på modersmål för nyanlända elever i introduktionsprogrammet.",
                "Studiehandledare 25 %",
                "upper",
            ),
        ),
        actions=(("Följ upp familjebehandlarens insats med rektor.", "Samordnare"),),
    ),
    _parent_visits("school_f6", "Norrtulls skola F–6"),
    _parent_visits("school_79", "Furulidsskolan 7–9"),
    SeriesSpec(
        title="Tvärsektoriell utbildning med fiktiva fall",
        activity_type=T.TRAINING,
        organiser="office",
        schedule_kind=ScheduleKind.PER_TERM,
        times_per_term=1,
        start=(13, 0),
        minutes=180,
        description="Medarbetare i skola och socialtjänst informerar varandra om sitt arbete och "
        "diskuterar i blandade grupper gränsdragningar utifrån fiktiva fallbeskrivningar "
        "(revisionens rekommendation 2022).",
        invited=(
            "education",
            "intake",
            "youth_unit",
            "student_health",
            "school_f6",
            "school_79",
            "upper",
        ),
        sectors=(S.SCHOOL, S.SOCIAL_SERVICES),
        place="Stadshuset, stora salen",
        document=EKSJO_ACTION_PLAN,
        contact="coordinator",
        minutes_texts=(
            "Skolan och socialtjänsten presenterade sina uppdrag. I blandade grupper "
            "diskuterades tre fiktiva fall: en elev i årskurs 8 med växande frånvaro, ett "
            "syskonpar där en förälder berättar om våld i hemmet, och en elev som berättar om "
            "en kompis som skadar sig själv. Fallen är påhittade.\n\n"
            "Grupperna redovisade vem som gör vad, vad som får delas utan samtycke och när en "
            "orosanmälan ska göras.",
            "Fortsättning med två nya fiktiva fall om informationsöverföring vid skolbyte och "
            "om SIP. Deltagarna efterfrågade en kortare version av rutinen.",
        ),
        actions=(("Ta fram en kortversion av rutinen för orosanmälan.", "Samordnare"),),
    ),
)

SPECS = {"leksand": LEKSAND, "eksjo": EKSJO}


# --- loading ---------------------------------------------------------------------------------


def load(*, today: datetime.date) -> int:
    """Create the demo series (and record their past occurrences); returns how many series
    were created. Series that exist are left as they are."""
    created = 0
    for key, (_name, code, unit_specs) in MUNICIPALITIES.items():
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            continue
        coordinator = User.objects.filter(username=f"coordinator.{key}").first()
        if coordinator is None:
            continue
        units = {
            spec.key: unit
            for spec in unit_specs
            if (unit := Unit.objects.filter(municipality=municipality, name=spec.name).first())
        }
        for spec in SPECS[key]:
            if ActivitySeries.objects.filter(municipality=municipality, title=spec.title).exists():
                continue
            with transaction.atomic():
                _load_series(municipality, key, spec, units, coordinator, today)
            created += 1
    return created


def _period(
    municipality: Municipality, spec: SeriesSpec, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """A year back and the coming months, to the end of the first spring term that ends at
    least four months from now; per-term series start on a term's first day."""
    terms = list(SchoolTerm.objects.filter(municipality=municipality).order_by("starts_on"))
    horizon = today + datetime.timedelta(days=120)
    ends_on = next(
        (t.ends_on for t in terms if t.kind == "spring" and t.ends_on >= horizon),
        today + datetime.timedelta(days=240),
    )
    starts_on = today - datetime.timedelta(days=365)
    if spec.from_previous_school_year:
        year = starts_on.year if starts_on.month >= 8 else starts_on.year - 1
        starts_on = datetime.date(year, 8, 1)
    if spec.schedule_kind == ScheduleKind.PER_TERM:
        containing = [t for t in terms if t.starts_on <= starts_on <= t.ends_on]
        following = [t for t in terms if t.starts_on > starts_on]
        if containing:
            starts_on = containing[0].starts_on
        elif following:
            starts_on = following[0].starts_on
    return starts_on, ends_on


def _document(municipality: Municipality, title: str) -> GovernanceDocument | None:
    if not title:
        return None
    return GovernanceDocument.objects.filter(municipality=municipality, title=title).first()


def _load_series(
    municipality: Municipality,
    key: str,
    spec: SeriesSpec,
    units: dict[str, Unit],
    coordinator: User,
    today: datetime.date,
) -> ActivitySeries:
    starts_on, ends_on = _period(municipality, spec, today)
    contact = (
        User.objects.filter(username=f"{spec.contact}.{key}").first() if spec.contact else None
    )
    series = services.series_create(
        actor=coordinator,
        municipality=municipality,
        data=SeriesData(
            activity_type=spec.activity_type,
            title=spec.title,
            description=spec.description,
            organiser_unit=units[spec.organiser],
            organiser_person=contact,
            invited_units=tuple(units[name] for name in spec.invited if name in units),
            invited_sectors=tuple(str(sector) for sector in spec.sectors),
            governance_document=_document(municipality, spec.document),
            schedule_kind=spec.schedule_kind,
            times_per_term=spec.times_per_term,
            months=spec.months,
            day_of_month=spec.day_of_month,
            starts_on=starts_on,
            ends_on=ends_on,
            start_time=datetime.time(*spec.start),
            duration_minutes=spec.minutes,
            place=spec.place,
            school=units.get(spec.school) if spec.school else None,
        ),
    )
    _record_past(series, key, spec, units, coordinator, today)
    return series


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=recurrence.LOCAL)


def _term_kind(day: datetime.date) -> str:
    return "autumn" if day.month >= 7 else "spring"


def _record_past(
    series: ActivitySeries,
    key: str,
    spec: SeriesSpec,
    units: dict[str, Unit],
    coordinator: User,
    today: datetime.date,
) -> None:
    """Held (mostly with minutes), cancelled or held without minutes: seeded choices."""
    now = _local_midnight(today)
    chooser = random.Random(f"{key}:{spec.title}")
    occurrences = list(series.occurrences.order_by("starts_at"))
    past = [o for o in occurrences if o.starts_at < now]
    coming = [o for o in occurrences if o.starts_at >= now]
    cancelled_once = False
    for index, occurrence in enumerate(past):
        day = occurrence.starts_at.astimezone(recurrence.LOCAL).date()
        forced = (
            spec.cancel_first_in and not cancelled_once and _term_kind(day) == spec.cancel_first_in
        )
        roll = chooser.random()
        if forced or roll < 0.08:
            cancelled_once = cancelled_once or bool(forced)
            _record(
                occurrence,
                coordinator,
                now,
                status=OccurrenceStatus.CANCELLED,
                reason=CANCEL_REASONS[chooser.randrange(len(CANCEL_REASONS))],
            )
            continue
        with_minutes = roll >= 0.2 or not spec.minutes_texts
        minutes = spec.minutes_texts[index % len(spec.minutes_texts)] if with_minutes else ""
        attendance = {unit.pk: chooser.randint(1, 4) for unit in attendance_units(occurrence)}
        recorded = _record(
            occurrence,
            coordinator,
            now,
            status=OccurrenceStatus.HELD,
            minutes=minutes,
            attendance=attendance,
        )
        _add_outcomes(recorded, spec, units, coordinator, today, index, chooser)
    if spec.move_next and coming:
        occurrence = coming[0]
        _record(
            occurrence,
            coordinator,
            now,
            status=OccurrenceStatus.MOVED,
            reason="Regionens deltagare är på utbildning; mötet flyttas en vecka.",
            starts_at=occurrence.starts_at + datetime.timedelta(days=7),
        )


def _record(
    occurrence: Occurrence,
    actor: User,
    now: datetime.datetime,
    *,
    status: str,
    reason: str = "",
    minutes: str = "",
    attendance: dict[int, int] | None = None,
    starts_at: datetime.datetime | None = None,
) -> Occurrence:
    return services.occurrence_record(
        occurrence=occurrence,
        actor=actor,
        expected_version=occurrence.version,
        record=OccurrenceRecord(
            status=status,
            starts_at=starts_at or occurrence.starts_at,
            status_reason=reason,
            place=occurrence.place,
            school=occurrence.school,
            minutes=minutes,
            attendance=attendance or {},
        ),
        now=now,
    )


def _add_outcomes(
    occurrence: Occurrence,
    spec: SeriesSpec,
    units: dict[str, Unit],
    actor: User,
    today: datetime.date,
    index: int,
    chooser: random.Random,
) -> None:
    """Decisions (every resource council; now and then elsewhere) and follow-up actions; an
    action due before today is mostly done, sometimes still open (overdue)."""
    day = occurrence.starts_at.astimezone(recurrence.LOCAL).date()
    if spec.decisions and (spec.activity_type == T.RESOURCE_COUNCIL or index % 3 == 0):
        text, resource, receiving = spec.decisions[index % len(spec.decisions)]
        services.decision_add(
            occurrence=occurrence,
            actor=actor,
            data=DecisionData(
                text=text,
                resource=resource,
                receiving_unit=units.get(receiving) if receiving else None,
                follow_up_on=day + datetime.timedelta(days=56) if resource else None,
            ),
        )
    if spec.actions and index % 2 == 0:
        what, owner = spec.actions[index % len(spec.actions)]
        due = day + datetime.timedelta(days=30)
        status = ActionStatus.OPEN
        if due < today and chooser.random() < 0.75:
            status = ActionStatus.DONE
        services.action_add(
            occurrence=occurrence,
            actor=actor,
            data=ActionData(what=what, owner=owner, due_on=due, status=status),
        )
