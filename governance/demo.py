"""Demo governance documents, as the two audits describe them (texts written for this demo).

- **Eksjö**: the collaboration agreement between social services and school, approved in 2017
  and valid to 2021-12-31 (expired: red), and the action plan last approved in May 2018 with a
  yearly revision (revision overdue: red) and measures of which several are overdue; roles and
  mandates, among them the new coordinator function whose mandate has not been decided.
- **Leksand**: the collaboration routine for school and social services in two versions (2021
  and one approved by the municipal board within the last year), with goals linked to
  indicators, roles and mandates, and read confirmations by some demo users: the teacher has
  confirmed only the first version and the principal none, so the principal is asked to
  confirm and the read shares change when they do.

Everything goes through the services (with audit events), by the municipality's demo
coordinator. Loading is idempotent: a document that exists (same municipality and title) is
left as it is.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from governance import services
from governance.models import DocumentKind, GoalDirection, GovernanceDocument, MeasureStatus
from organisations.models import Municipality, Unit, User

# Unit names of organisations.demo, by key.
UNIT_NAMES = {
    "office": {"leksand": "Leksand kommunledningskontor", "eksjo": "Eksjö kommunledningskontor"},
    "education": "Barn- och utbildningsförvaltningen",
    "social": "Socialförvaltningen, individ- och familjeomsorg",
    "intake": "IFO mottagning barn och unga",
    "student_health": "Elevhälsan",
    "medical": "Medicinska elevhälsan",
    "youth_health": {
        "leksand": "Region Dalarna, Ungdomshälsan",
        "eksjo": "Region Jönköpings län, Ungdomshälsan",
    },
    "police": {
        "leksand": "Polisen, lokalpolisområde Leksand",
        "eksjo": "Polisen, lokalpolisområde Eksjö",
    },
}
CODES = {"leksand": "2029", "eksjo": "0686"}


@dataclass(frozen=True)
class VersionSpec:
    text: str
    approving_body: str
    reference: str
    approved_on: datetime.date
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    interval: int = 12
    # Demo users (the part of the username before the dot) who confirm this version.
    readers: tuple[str, ...] = ()


@dataclass(frozen=True)
class GoalSpec:
    text: str
    indicator_key: str = ""
    target: int | None = None
    how: str = ""


@dataclass(frozen=True)
class RoleSpec:
    role_name: str
    unit: str
    responsibility: str


@dataclass(frozen=True)
class MeasureSpec:
    what: str
    owner: str
    unit: str
    due_on: datetime.date
    status: str
    follow_up: str


@dataclass(frozen=True)
class DocumentSpec:
    place: str
    kind: str
    title: str
    owner_unit: str
    owner_person: str
    parties: tuple[str, ...]
    versions: tuple[VersionSpec, ...]
    goals: tuple[GoalSpec, ...] = ()
    roles: tuple[RoleSpec, ...] = ()
    measures: tuple[MeasureSpec, ...] = field(default=())
    # The municipality's routine for coordinated individual plans, linked from the SIP pages.
    sip_routine: bool = False


# --- Eksjö ------------------------------------------------------------------------------------

EKSJO_AGREEMENT_TEXT = """
<h2>1. Syfte</h2>
<p>Överenskommelsen ska ge barn och unga som far illa eller riskerar att fara illa ett tidigt
och samordnat stöd. Den beskriver hur socialtjänsten och skolan i Eksjö kommun samverkar, vem
som ansvarar för vad och hur samverkan följs upp.</p>
<h2>2. Parter</h2>
<p>Barn- och utbildningsförvaltningen med förskola, grundskola, gymnasieskola och elevhälsa,
samt socialförvaltningen genom individ- och familjeomsorgen. Region Jönköpings län och
Polisen deltar i de delar som rör dem.</p>
<h2>3. Gemensamma utgångspunkter</h2>
<ul>
<li>Barnets bästa ska alltid komma i första hand.</li>
<li>Den som i sitt arbete får kännedom om att ett barn kan behöva skydd anmäler det till
socialtjänsten utan dröjsmål. Anmälningsplikten är personlig.</li>
<li>Samverkan sker inom ramen för sekretesslagstiftningen. Uppgifter om enskilda barn lämnas
bara med samtycke eller stöd i lag.</li>
</ul>
<h2>4. Ansvarsfördelning</h2>
<p>Rektor ansvarar för att personalen känner till anmälningsplikten och rutinen för
orosanmälan. Socialtjänstens mottagning tar emot anmälningar, gör skyddsbedömning samma dag
och återkopplar till anmälaren. Elevhälsan bidrar med kunskap om elevens skolsituation och
hälsa.</p>
<h2>5. Samverkansformer</h2>
<p>Ledningsgrupp med förvaltningscheferna två gånger per år. Samverkansträffar mellan
mottagningen och rektorerna en gång per termin. Samordnad individuell plan (SIP) när ett barn
har insatser från flera huvudmän.</p>
<h2>6. Uppföljning</h2>
<p>Överenskommelsen följs upp årligen av ledningsgruppen. En handlingsplan med åtgärder tas
fram och revideras varje år.</p>
<h2>7. Giltighet</h2>
<p>Överenskommelsen gäller från och med 2018-01-01 till och med 2021-12-31.</p>
"""

EKSJO_ACTION_PLAN_TEXT = """
<h2>Bakgrund</h2>
<p>Handlingsplanen hör till samverkansöverenskommelsen mellan socialtjänst och skola. Den
anger vilka åtgärder som ska genomföras för att samverkan ska fungera i praktiken.</p>
<h2>Fokusområden</h2>
<ol>
<li>Känd och använd rutin för orosanmälan i alla verksamheter.</li>
<li>Regelbundna möten mellan mottagningen och skolans ledning.</li>
<li>Tydlig information till vårdnadshavare om socialtjänstens uppdrag.</li>
<li>Fungerande samordning kring SIP.</li>
</ol>
<h2>Uppföljning</h2>
<p>Åtgärderna följs upp av ledningsgruppen i maj varje år, och handlingsplanen revideras
därefter.</p>
"""

EKSJO = (
    DocumentSpec(
        place="eksjo",
        kind=DocumentKind.AGREEMENT,
        title="Samverkansöverenskommelse mellan socialtjänst och skola",
        owner_unit="social",
        owner_person="manager",
        parties=("education", "social", "intake", "student_health", "youth_health", "police"),
        versions=(
            VersionSpec(
                text=EKSJO_AGREEMENT_TEXT,
                approving_body="Kommunstyrelsen",
                reference="KS 2017-11-14 § 198",
                approved_on=datetime.date(2017, 11, 14),
                valid_from=datetime.date(2018, 1, 1),
                valid_to=datetime.date(2021, 12, 31),
            ),
        ),
        goals=(
            GoalSpec(
                "Barn och unga i behov av stöd uppmärksammas tidigt och får ett samordnat stöd.",
                how="Inget mått är bestämt.",
            ),
        ),
        roles=(
            RoleSpec(
                "Rektor",
                "education",
                "Ser till att personalen känner till anmälningsplikten och rutinen för "
                "orosanmälan, och att anmälan görs utan dröjsmål.",
            ),
            RoleSpec(
                "IFO mottagning",
                "intake",
                "Tar emot orosanmälningar, gör skyddsbedömning samma dag och återkopplar till "
                "anmälaren om utredning inleds, inte inleds eller redan pågår.",
            ),
            RoleSpec(
                "Elevhälsan",
                "student_health",
                "Bidrar med kunskap om elevens skolsituation och hälsa; skolsköterskan kallar "
                "till SIP från skolans sida.",
            ),
            RoleSpec(
                "Samordnarfunktionen",
                "office",
                "Samordnar samverkan mellan sektorerna. Mandatet är inte beslutat: det framgår "
                "inte vem funktionen rapporterar till, vilka beslut den får fatta eller hur den "
                "får prioritera resurser. Revisionen (2022) rekommenderar att mandat och ansvar "
                "förtydligas i den nya överenskommelsen.",
            ),
        ),
    ),
    DocumentSpec(
        place="eksjo",
        kind=DocumentKind.ACTION_PLAN,
        title="Handlingsplan för samverkan",
        owner_unit="education",
        owner_person="manager",
        parties=("education", "social", "intake", "student_health"),
        versions=(
            VersionSpec(
                text=EKSJO_ACTION_PLAN_TEXT,
                approving_body="Gemensam ledningsgrupp för barn och utbildning samt socialtjänst",
                reference="LG 2018-05-22 § 7",
                approved_on=datetime.date(2018, 5, 22),
                valid_from=datetime.date(2018, 6, 1),
            ),
        ),
        measures=(
            MeasureSpec(
                "Utbildningsdag för skola och socialtjänst om anmälningsplikt och samverkan.",
                "Förvaltningscheferna",
                "education",
                datetime.date(2018, 10, 15),
                MeasureStatus.DONE,
                "Utvärderas av ledningsgruppen efter genomförandet.",
            ),
            MeasureSpec(
                "Gemensam introduktion om orosanmälan för all nyanställd personal i skolan.",
                "Rektorerna",
                "education",
                datetime.date(2018, 12, 31),
                MeasureStatus.IN_PROGRESS,
                "Rapporteras till ledningsgruppen varje termin.",
            ),
            MeasureSpec(
                "Strukturerade möten mellan IFO:s mottagning och rektorerna, fyra per läsår.",
                "Enhetschef IFO mottagning",
                "intake",
                datetime.date(2019, 6, 30),
                MeasureStatus.PLANNED,
                "Antal genomförda möten redovisas i maj varje år.",
            ),
            MeasureSpec(
                "Mottagningen informerar om socialtjänstens arbete på föräldramöten i årskurs 7.",
                "IFO mottagning",
                "intake",
                datetime.date(2019, 10, 31),
                MeasureStatus.CANCELLED,
                "Avbruten hösten 2019 på grund av personalbrist.",
            ),
            MeasureSpec(
                "Ta fram en lokal rutin för samverkan vid SIP tillsammans med regionen.",
                "Medicinska elevhälsan",
                "medical",
                datetime.date(2020, 3, 31),
                MeasureStatus.PLANNED,
                "Följs upp av ledningsgruppen två gånger per år.",
            ),
        ),
    ),
)

# --- Leksand ----------------------------------------------------------------------------------

LEKSAND_ROUTINE_V1 = """
<h2>Syfte</h2>
<p>Rutinen ska säkerställa att parallella processer inom socialtjänst och skola inte uppstår.
Socialtjänsten och skolan har ett gemensamt ansvar för att fånga upp barn och unga i behov av
stöd, och behöver därför en gemensam riktning och gemensamma insatser.</p>
<h2>Omfattning</h2>
<p>Rutinen gäller för förskola, grundskola och gymnasieskola i Leksands kommun och för
socialtjänstens individ- och familjeomsorg.</p>
<h2>Gemensamma mål</h2>
<ul>
<li>Våra elever och vårdnadshavare möter en organisation som har samarbete med individens
bästa i fokus.</li>
<li>Vi har väl utvecklade samarbetsmodeller och arbetssätt.</li>
<li>Vi nyttjar våra gemensamma resurser för att göra rätt saker, i rätt tid, på rätt sätt.</li>
</ul>
<h2>Orosanmälan</h2>
<p>Den som misstänker att ett barn far illa gör en orosanmälan till IFO:s mottagning.
Anmälningsplikten är personlig. Informera rektor om att en anmälan har gjorts.</p>
<p>Mottagningen gör en skyddsbedömning samma dag som anmälan kommer in.</p>
<h2>Insatser i samverkan</h2>
<ul>
<li>Samverkansträffar, för att diskutera frågor och utmaningar.</li>
<li>Elevhälsoteam, för att fånga upp elever i behov av stöd.</li>
<li>Samordnad individuell plan (SIP). Skolsköterskan är sammankallande från skolans sida.</li>
<li>Nätverksmöten utifrån det som framgår av barnets SIP.</li>
</ul>
<h2>Uppföljning</h2>
<p>Rutinen följs upp på tjänstemannanivå enligt årshjulet och revideras varje år.</p>
"""

LEKSAND_ROUTINE_V2 = """
<h2>Syfte</h2>
<p>Rutinen ska säkerställa att parallella processer inom socialtjänst och skola inte uppstår.
Socialtjänsten och skolan har ett gemensamt ansvar för att fånga upp barn och unga i behov av
stöd, och behöver därför en gemensam riktning och gemensamma insatser.</p>
<h2>Omfattning</h2>
<p>Rutinen gäller för förskola, grundskola och gymnasieskola i Leksands kommun och för
socialtjänstens individ- och familjeomsorg.</p>
<h2>Gemensamma mål</h2>
<ul>
<li>Våra elever och vårdnadshavare möter en organisation som har samarbete med individens
bästa i fokus.</li>
<li>Vi har väl utvecklade samarbetsmodeller och arbetssätt.</li>
<li>Vi nyttjar våra gemensamma resurser för att göra rätt saker, i rätt tid, på rätt sätt.</li>
<li>Alla orosanmälningar från skolan får återkoppling från socialtjänsten.</li>
</ul>
<h2>Orosanmälan</h2>
<p>Den som misstänker att ett barn far illa gör en orosanmälan till IFO:s mottagning genom
Samverkan. Anmälningsplikten är personlig. Informera rektor om att en anmälan har gjorts.</p>
<p>Mottagningen gör en skyddsbedömning samma dag som anmälan kommer in.</p>
<p>Anmälaren får återkoppling om utredning inleds, inte inleds eller redan pågår.</p>
<h2>Insatser i samverkan</h2>
<ul>
<li>Samverkansträffar, för att diskutera frågor och utmaningar.</li>
<li>Ett gemensamt möte varje år om hur en anmälan görs, med enhetschef och socialsekreterare
från socialtjänsten och avdelningschefer och elevhälsa från skolan.</li>
<li>Elevhälsoteam, för att fånga upp elever i behov av stöd.</li>
<li>Konsultationsmöten mellan kommunen och regionen, fyra gånger per termin.</li>
<li>Ungdomshälsan, ett nätverk som träffas två gånger per termin.</li>
<li>Lägesbild: ett 40-tal personer besvarar en enkät om droger, mående och händelser; en grupp
från skola, socialtjänst, polis och kommunledning analyserar den och prioriterar resurser.</li>
<li>Samordnad individuell plan (SIP). Skolsköterskan är sammankallande från skolans sida.</li>
<li>Nätverksmöten utifrån det som framgår av barnets SIP.</li>
</ul>
<h2>Uppföljning</h2>
<p>Rutinen följs upp på tjänstemannanivå enligt årshjulet och revideras varje år. Andelen
anmälningar med återkoppling och andelen personal som har läst rutinen redovisas för
kommunstyrelsen varje år.</p>
"""


def _leksand(today: datetime.date) -> tuple[DocumentSpec, ...]:
    approved = today - datetime.timedelta(days=150)
    return (
        DocumentSpec(
            place="leksand",
            kind=DocumentKind.ROUTINE,
            title="Samverkansrutin skola – socialtjänst",
            # Leksand's joint routine also holds its SIP routine (the school nurse convenes).
            sip_routine=True,
            owner_unit="education",
            owner_person="coordinator",
            parties=(
                "education",
                "social",
                "intake",
                "student_health",
                "medical",
                "youth_health",
            ),
            versions=(
                VersionSpec(
                    text=LEKSAND_ROUTINE_V1,
                    approving_body="Centrala ledningsgruppen för lärande och stöd",
                    reference="CLG 2021-06-15 § 4",
                    approved_on=datetime.date(2021, 6, 15),
                    valid_from=datetime.date(2021, 8, 1),
                    readers=("teacher",),
                ),
                VersionSpec(
                    text=LEKSAND_ROUTINE_V2,
                    approving_body="Kommunstyrelsen",
                    reference=f"KS {approved.isoformat()} § 87",
                    approved_on=approved,
                    valid_from=approved + datetime.timedelta(days=14),
                    readers=("coordinator", "manager", "intake", "counsellor", "nurse"),
                ),
            ),
            goals=(
                GoalSpec(
                    "Alla orosanmälningar får återkoppling.",
                    "feedback_on_time",
                    85,
                    "Andel anmälningar från skolan där anmälaren fått återkoppling.",
                ),
                GoalSpec(
                    "Samtliga rektorer känner till rutinen.",
                    "routine_confirmed",
                    90,
                    "Andel rektorer som bekräftat att de läst gällande version av rutinen.",
                ),
                GoalSpec(
                    "Våra elever och vårdnadshavare möter en organisation som har samarbete "
                    "med individens bästa i fokus.",
                    how="Följs upp i lägesbildsenkäten.",
                ),
            ),
            roles=(
                RoleSpec(
                    "Rektor",
                    "education",
                    "Ansvarar för att personalen känner till rutinen och anmälningsplikten, tar "
                    "del av återkopplingen och deltar i samverkansträffarna.",
                ),
                RoleSpec(
                    "Mottagningen (IFO)",
                    "intake",
                    "Tar emot anmälningar, gör skyddsbedömning samma dag, beslutar om utredning "
                    "och återkopplar till anmälaren.",
                ),
                RoleSpec(
                    "Samordnaren",
                    "office",
                    "Håller ihop årshjulet och revisionen av rutinen, följer upp målen och "
                    "rapporterar till kommunstyrelsen en gång per år. Har mandat att kalla "
                    "till samverkansträffar och att föreslå prioriteringar för ledningsgruppen.",
                ),
                RoleSpec(
                    "Skolsköterskan",
                    "medical",
                    "Är sammankallande till SIP från skolans sida.",
                ),
            ),
        ),
    )


def specs(today: datetime.date) -> tuple[DocumentSpec, ...]:
    return (*EKSJO, *_leksand(today))


def load(*, today: datetime.date) -> int:
    """Create the demo documents that do not exist yet; returns how many were created."""
    created = 0
    for spec in specs(today):
        municipality = Municipality.objects.filter(code=CODES[spec.place]).first()
        if municipality is None:
            continue  # the organisations' demo data is not loaded
        if GovernanceDocument.objects.filter(municipality=municipality, title=spec.title).exists():
            continue
        with transaction.atomic():
            _load_document(spec, municipality)
        created += 1
    return created


def _unit(municipality: Municipality, place: str, key: str) -> Unit:
    name = UNIT_NAMES[key]
    return Unit.objects.get(
        municipality=municipality, name=name[place] if isinstance(name, dict) else name
    )


def _user(place: str, name: str) -> User:
    return User.objects.get(username=f"{name}.{place}")


def _load_document(spec: DocumentSpec, municipality: Municipality) -> None:
    place = spec.place
    actor = _user(place, "coordinator")
    document = services.document_create(
        actor=actor,
        municipality=municipality,
        kind=spec.kind,
        title=spec.title,
        owner_unit=_unit(municipality, place, spec.owner_unit),
        owner_person=_user(place, spec.owner_person),
        parties=[_unit(municipality, place, key) for key in spec.parties],
        is_sip_routine=spec.sip_routine,
    )
    for version_spec in spec.versions:
        version = services.version_add(
            actor=actor,
            document=document,
            text=version_spec.text.strip(),
            approving_body=version_spec.approving_body,
            approval_reference=version_spec.reference,
            approved_on=version_spec.approved_on,
            valid_from=version_spec.valid_from,
            valid_to=version_spec.valid_to,
            revision_interval_months=version_spec.interval,
        )
        for reader in version_spec.readers:
            services.read_confirm(user=_user(place, reader), version=version)
    for goal in spec.goals:
        services.goal_add(
            actor=actor,
            document=document,
            text=goal.text,
            indicator_key=goal.indicator_key,
            target_value=Decimal(goal.target) if goal.target is not None else None,
            direction=GoalDirection.AT_LEAST,
            target_description=goal.how,
        )
    for role in spec.roles:
        services.responsibility_add(
            actor=actor,
            document=document,
            role_name=role.role_name,
            responsibility=role.responsibility,
            unit=_unit(municipality, place, role.unit),
        )
    for measure in spec.measures:
        services.measure_add(
            actor=actor,
            document=document,
            what=measure.what,
            owner=measure.owner,
            owner_unit=_unit(municipality, place, measure.unit),
            due_on=measure.due_on,
            status=measure.status,
            follow_up=measure.follow_up,
        )
