"""Demo audits, from the two audits the project started from (texts written anew in plain
Swedish; the facts are the audits').

- **Leksand**: the 2015 audit "Kvalitet i samverkan mellan socialtjänstens individ- och
  familjeomsorg och skolan" with its three audit questions and two proposed measures (the 2015
  report gave proposals, not recommendations), the council's statement KF 2015-09-21 § 120,
  and the follow-up of 2023 with the current state and assessments: the first two questions
  are now met, the third is not — the municipal board does not follow up how the collaboration
  develops. The follow-up's own recommendation (the board should ask for follow-up and
  reporting) is a follow-up audit of its own, still open.
- **Eksjö**: the 2022 audit letter on collaboration between school, social services and
  parents with its seven recommendations and an answer due 2022-03-24. The board answered two
  of them (KS 2022-03-10 § 45); the other five are overdue. Measures: some done, some overdue,
  one due later.

Auditors record what is theirs and coordinators what is theirs, through the services (with
audit events). Loading is idempotent: an audit that exists (same municipality and title) is
left as it is.
"""

import datetime
from collections.abc import Callable

from django.db import transaction

from audits import services
from audits.models import (
    Assessment,
    Audit,
    AuditKind,
    AuditQuestion,
    EvidenceKind,
    Implementation,
    MeasureStatus,
    Recommendation,
)
from governance.models import DocumentVersion
from organisations.models import Municipality, User

CODES = {"leksand": "2029", "eksjo": "0686"}

LEKSAND_TITLE = "Kvalitet i samverkan mellan socialtjänstens individ- och familjeomsorg och skolan"
LEKSAND_FOLLOW_UP_TITLE = "Uppföljning av tidigare granskningar 2022"
EKSJO_TITLE = "Granskning av samverkan mellan skola, socialtjänst och föräldrar"
EKSJO_DUE = datetime.date(2022, 3, 24)

LEKSAND_QUESTIONS = (
    (
        "Styr kommunstyrelsen och socialtjänsten på ett sätt som främjar samverkan kring barn "
        "som far illa eller riskerar att fara illa?",
        Assessment.PARTLY,
        "Det var svårt att uttala sig om kommunstyrelsens ansvarstagande som nämnd, eftersom "
        "styrelsen inte hade hanterat fullmäktiges mål och utifrån dem styrt verksamheten.",
    ),
    (
        "Finns det dokumenterade rutiner som bland annat klargör ansvar och roller för att "
        "upptäcka, utreda, ge stöd och följa upp insatser kring barn som far illa eller "
        "riskerar att fara illa?",
        Assessment.NOT_FULFILLED,
        "Det saknades gemensamma rutiner för hur anmälningar och kommunikation ska fungera "
        "mellan skola och socialtjänst, och rutiner för samverkan i enskilda ärenden.",
    ),
    (
        "Sker återkoppling till kommunstyrelsen avseende resultaten av samordningen av skolans "
        "och socialtjänstens insatser?",
        Assessment.NOT_FULFILLED,
        "Det hade inte skett någon uppföljning i kommunstyrelsen av parametrar som visar hur "
        "samverkan mellan skola och socialtjänst utvecklas. Inga förslag på åtgärder lämnades.",
    ),
)

LEKSAND_PROPOSALS = (
    (
        1,
        "Det bör övervägas om verksamheten kan utveckla samverkan kring gemensamma "
        "målformuleringar och gemensamma ambitioner för barn som far illa eller riskerar att "
        "fara illa.",
        "Kommunfullmäktiges yttrande: sektor Lärande och stöd har diskuterat hur inkomna "
        "individärenden från skolan till IFO ska hanteras, och rutiner för individärenden "
        "mellan IFO och skolan har tagits fram.",
    ),
    (
        2,
        "Det bör säkerställas att rutiner för ansvarsfördelning och samverkan mellan "
        "socialtjänsten och skolan tas fram. Rutinerna och samverkansöverenskommelserna kan med "
        "fördel utgå från en gemensamt uttalad målsättning.",
        "Kommunfullmäktiges yttrande: rutiner för individärenden mellan IFO och skolan har "
        "upprättats och fastställts i den centrala ledningsgruppen inom Lärande och stöd "
        "2015-04-20.",
    ),
)

LEKSAND_CURRENT = (
    (
        "Enligt uppgift per 2023-01-27 fungerar samverkan mellan socialtjänsten och skolan. En "
        "samverkansrutin för Leksands grundskolor och socialtjänsten togs fram 2021 och "
        "uppdateras varje år, senast i juni 2022. Den gäller förskola, grundskola och "
        "gymnasieskola och innehåller gemensamma målformuleringar, bland annat att elever och "
        "vårdnadshavare möter en organisation med individens bästa i fokus. Socialtjänsten och "
        "skolan har gemensamma möten varje år om hur en anmälan ska gå till.",
        Assessment.FULFILLED,
    ),
    (
        "Rutinen för inkomna anmälningar från skolan ingår nu i den övergripande "
        "samverkansrutinen, där ansvaret för varje insats framgår: samverkansträffar, "
        "elevhälsoteam, konsultationsmöten med regionen, Ungdomshälsans nätverk, BRÅ-gruppens "
        "lägesbild, SIP och nätverksmöten. Rutinerna följs upp på tjänstepersonsnivå enligt ett "
        "årshjul; det finns inga kontrollmoment för hur rutinerna följs.",
        Assessment.FULFILLED,
    ),
    (
        "Yttrandet gav inget särskilt svar om uppföljning och återrapportering till "
        "kommunstyrelsen. Enligt kommunstyrelsens reglemente § 3 ansvarar styrelsen för "
        "samordningen mellan nämnderna. Enligt uppgift per 2023-01-27 görs ingen uppföljning "
        "till kommunstyrelsen inom området.",
        Assessment.NOT_FULFILLED,
    ),
)

LEKSAND_BOARD_RECOMMENDATION = (
    "Kommunstyrelsen bör efterfråga uppföljning och återrapportering av parametrar som visar "
    "hur samverkan mellan skola och socialtjänst utvecklas, för att säkerställa att samordningen "
    "mellan nämnderna sker i linje med en effektiv och ändamålsenlig organisation."
)

LEKSAND_SUMMARY = (
    "Vi konstaterar att åtgärder har vidtagits för att förbättra samverkan mellan socialtjänst "
    "och skola sedan granskningen 2015. Verksamheten har utvecklat samverkan kring gemensamma "
    "målformuleringar och ambitioner, och det finns gemensamma rutiner för anmälningar, "
    "kommunikation och ansvarsfördelning, med ett tillhörande årshjul.\n\n"
    "Vi bedömer att det inte sker någon uppföljning i kommunstyrelsen av parametrar som visar "
    "hur samverkan utvecklas. Vi rekommenderar därför att kommunstyrelsen efterfrågar "
    "uppföljning och återrapportering inom området."
)

EKSJO_RECOMMENDATIONS = (
    "Ge den nya samordnarfunktionen i uppdrag att kartlägga hur samarbetet fungerar och vad som "
    "brister, för att ta fram en ny överenskommelse med handlingsplan som också anger hur ofta "
    "och i vilken form samverkan ska följas upp.",
    "Förtydliga ansvars- och rollfördelningen i överenskommelsen och målen i både "
    "överenskommelse och handlingsplan, så att effekten av åtgärderna lättare kan följas upp. "
    "Samordnarfunktionens mandat och ansvar måste framgå tydligt av överenskommelsen.",
    "Genomför utbildningstillfällen där medarbetarna i respektive sektor berättar om sitt arbete "
    "för varandra och sedan i blandade grupper diskuterar gränsdragningar och arbetar med "
    "fiktiva fall där både skola och socialtjänst är inblandade.",
    "Återuppta eller starta strukturerade, regelbundna samverkansmöten mellan "
    "mottagningsfunktionen inom IFO och rektorerna.",
    "Ta fram en tydligare lokal rutin för samverkan vid SIP.",
    "Inrätta ett resurssamråd.",
    "Låt mottagningsfunktionen åter delta i föräldramöten på skolorna och informera om "
    "socialtjänstens verksamhet.",
)

EKSJO_ASSESSMENT = (
    "Samverkan mellan sektorerna kring barn som far illa eller riskerar att fara illa har "
    "utvecklingspotential och är inte helt ändamålsenlig. Processen för samverkan och dess "
    "rutiner är inte tillräckligt tydlig och känd. Samverkansöverenskommelsen löper ut 2021 "
    "och handlingsplanen har inte reviderats sedan 2018. Det saknas systematisk uppföljning, "
    "ansvars- och rollfördelningen behöver förtydligas och informationsöverföringen mellan "
    "verksamheterna brister."
)


def load(*, today: datetime.date) -> int:
    """Create the demo audits that do not exist yet; returns how many were created."""
    created = 0
    loaders: tuple[tuple[str, str, Callable[..., None]], ...] = (
        ("leksand", LEKSAND_TITLE, _load_leksand),
        ("eksjo", EKSJO_TITLE, _load_eksjo),
    )
    for place, title, loader in loaders:
        municipality = Municipality.objects.filter(code=CODES[place]).first()
        if municipality is None:
            continue  # the organisations' demo data is not loaded
        if Audit.objects.filter(municipality=municipality, title=title).exists():
            continue
        with transaction.atomic():
            loader(municipality, today)
        created += 1
    return created


def _user(place: str, name: str) -> User:
    return User.objects.get(username=f"{name}.{place}")


def _load_leksand(municipality: Municipality, today: datetime.date) -> None:  # noqa: ARG001
    auditor, coordinator = _user("leksand", "auditor"), _user("leksand", "coordinator")
    audit = services.audit_create(
        actor=auditor,
        municipality=municipality,
        title=LEKSAND_TITLE,
        year=2015,
        kind=AuditKind.REPORT,
        auditors="Leksands kommuns förtroendevalda revisorer med sakkunnigt biträde",
        committees="Kommunstyrelsen",
        scope=(
            "Att bedöma om det finns en ändamålsenlig samordning av skolans och socialtjänstens "
            "resurser för att säkerställa samverkan kring barn som far illa eller riskerar att "
            "fara illa."
        ),
    )
    questions = [
        services.question_add(
            actor=auditor,
            audit=audit,
            number=number,
            text=text,
            assessment=assessment,
            assessment_text=words,
        )
        for number, (text, assessment, words) in enumerate(LEKSAND_QUESTIONS, start=1)
    ]
    proposals = []
    for number, text, answer in LEKSAND_PROPOSALS:
        proposal = services.recommendation_add(
            actor=auditor, audit=audit, number=number, text=text, question=questions[number - 1]
        )
        services.response_record(
            actor=coordinator,
            audit=audit,
            recommendation=proposal,
            text=answer,
            decision_body="Kommunfullmäktige",
            decision_reference="KF 2015-09-21 § 120",
            decided_on=datetime.date(2015, 9, 21),
        )
        proposals.append(proposal)
    _leksand_measures(coordinator, proposals)
    _leksand_follow_up(auditor, audit, questions, proposals)


def _leksand_measures(coordinator: User, proposals: list[Recommendation]) -> None:
    routine = services.measure_add(
        actor=coordinator,
        recommendation=proposals[1],
        what="Rutin för individärenden mellan IFO och skolan fastställs.",
        owner="Centrala ledningsgruppen, Lärande och stöd",
        due_on=datetime.date(2015, 4, 20),
        status=MeasureStatus.DONE,
    )
    services.evidence_add(
        actor=coordinator,
        audit=proposals[1].audit,
        measure=routine,
        kind=EvidenceKind.REFERENCE,
        description="Protokoll från centrala ledningsgruppen",
        reference="Centrala ledningsgruppen inom Lärande och stöd 2015-04-20",
    )
    shared = services.measure_add(
        actor=coordinator,
        recommendation=proposals[0],
        what="Gemensam samverkansrutin för skola och socialtjänst, med mål och årshjul, "
        "som uppdateras varje år.",
        owner="Sektor Lärande och stöd och socialtjänsten",
        due_on=datetime.date(2021, 12, 31),
        status=MeasureStatus.DONE,
    )
    version = (
        DocumentVersion.objects.filter(document__municipality=proposals[0].audit.municipality)
        .order_by("document__title", "number")
        .first()
    )
    services.evidence_add(
        actor=coordinator,
        audit=proposals[0].audit,
        measure=shared,
        kind=EvidenceKind.DOCUMENT if version else EvidenceKind.REFERENCE,
        document_version=version,
        description="Samverkansrutin Leksands grundskolor och socialtjänsten",
        reference="" if version else "Samverkansrutinen, uppdaterad juni 2022",
    )


def _leksand_follow_up(
    auditor: User,
    audit: Audit,
    questions: list[AuditQuestion],
    proposals: list[Recommendation],
) -> None:
    round_ = services.round_create(
        actor=auditor,
        audit=audit,
        title=LEKSAND_FOLLOW_UP_TITLE,
        held_on=datetime.date(2023, 1, 27),
        summary=LEKSAND_SUMMARY,
    )
    for question, (state, assessment) in zip(questions, LEKSAND_CURRENT, strict=True):
        services.round_question_assess(
            actor=auditor,
            round_=round_,
            question=question,
            current_state=state,
            assessment=assessment,
        )
    for proposal in proposals:
        services.round_assess(
            actor=auditor,
            round_=round_,
            recommendation=proposal,
            implementation=Implementation.IMPLEMENTED,
        )
    services.round_finish(actor=auditor, round_=round_)
    follow_up = services.audit_create(
        actor=auditor,
        municipality=audit.municipality,
        title="Uppföljning av granskningen av samverkan mellan IFO och skolan",
        year=2023,
        kind=AuditKind.FOLLOW_UP,
        auditors="Leksands kommuns förtroendevalda revisorer med sakkunnigt biträde",
        committees="Kommunstyrelsen",
        follows_up=audit,
    )
    services.recommendation_add(
        actor=auditor,
        audit=follow_up,
        number=1,
        text=LEKSAND_BOARD_RECOMMENDATION,
    )


def _load_eksjo(municipality: Municipality, today: datetime.date) -> None:
    auditor, coordinator = _user("eksjo", "auditor"), _user("eksjo", "coordinator")
    audit = services.audit_create(
        actor=auditor,
        municipality=municipality,
        title=EKSJO_TITLE,
        year=2022,
        kind=AuditKind.LETTER,
        auditors="KomRedo på uppdrag av kommunens revisorer (Stig Andersson, ordförande; "
        "Karin Elardt, vice ordförande)",
        committees="Kommunstyrelsen (skrivelsen ställd till kommunfullmäktige)",
        scope=(
            "En fördjupad granskning av om kommunstyrelsen har säkerställt en ändamålsenlig "
            "styrning och uppföljning av samverkan mellan avdelningen för socialtjänst och barn "
            "och utbildning kring barn och unga som far illa eller riskerar att fara illa."
        ),
    )
    question = services.question_add(
        actor=auditor,
        audit=audit,
        number=1,
        text="Har kommunstyrelsen säkerställt en ändamålsenlig styrning och uppföljning av "
        "samverkan mellan socialtjänsten och barn och utbildning kring barn och unga som far "
        "illa eller riskerar att fara illa?",
        assessment=Assessment.PARTLY,
        assessment_text=EKSJO_ASSESSMENT,
    )
    recommendations = [
        services.recommendation_add(
            actor=auditor,
            audit=audit,
            number=number,
            text=text,
            question=question,
            response_due=EKSJO_DUE,
        )
        for number, text in enumerate(EKSJO_RECOMMENDATIONS, start=1)
    ]
    for recommendation, answer in zip(
        recommendations[:2],
        (
            "Samordnaren får i uppdrag att kartlägga samarbetet och ta fram en ny "
            "överenskommelse med handlingsplan under 2022.",
            "Ansvar, roller och samordnarens mandat skrivs in i den nya överenskommelsen, med "
            "mätbara mål i handlingsplanen.",
        ),
        strict=True,
    ):
        services.response_record(
            actor=coordinator,
            audit=audit,
            recommendation=recommendation,
            text=answer,
            decision_body="Kommunstyrelsen",
            decision_reference="KS 2022-03-10 § 45",
            decided_on=datetime.date(2022, 3, 10),
        )
    _eksjo_measures(coordinator, recommendations, today)


def _eksjo_measures(
    coordinator: User, recommendations: list[Recommendation], today: datetime.date
) -> None:
    specs = (
        (0, "Kartläggning av hur samarbetet fungerar", datetime.date(2022, 9, 30), "done"),
        (
            0,
            "Ny samverkansöverenskommelse med handlingsplan",
            datetime.date(2022, 12, 31),
            "ongoing",
        ),
        (2, "Gemensam utbildningsdag med fiktiva fall", datetime.date(2023, 6, 30), "planned"),
        (
            3,
            "Samverkansmöte mottagningen–rektorer varje termin",
            datetime.date(2022, 8, 31),
            "done",
        ),
        (5, "Resurssamråd startas", today + datetime.timedelta(days=60), "planned"),
    )
    for index, what, due_on, status in specs:
        measure = services.measure_add(
            actor=coordinator,
            recommendation=recommendations[index],
            what=what,
            owner="Samordnaren",
            due_on=due_on,
            status=status,
        )
        if status == MeasureStatus.DONE:
            services.evidence_add(
                actor=coordinator,
                audit=recommendations[index].audit,
                measure=measure,
                kind=EvidenceKind.REFERENCE,
                description="Minnesanteckningar",
                reference="Diariefört hos kommunledningskontoret",
            )
