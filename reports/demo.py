"""Demo reports of concern: about thirty per demo municipality over the last year, filed from its
schools by the demo reporters (``teacher``, ``counsellor``, ``nurse`` and ``principal`` of the
municipality) and worked by its intake (``intake.<municipality>``) through the services, with
``now=`` set in the past so that arrival times, steps and deadlines read as they would.

There is a report in every state (draft, submitted, received, protection assessed, preliminary
assessment, decided with each decision, feedback given, closed), some overdue, some urgent, some
with feedback, supplements, an extension, reports to be forwarded to a municipality outside the
installation, a report about a child living in the other demo municipality, and a sibling pair.

Everything is invented: the children, their families and the texts (written for this demo). The
guardians' phone numbers are from the range 070-174 06 05 – 070-174 06 99 that the Swedish Post
and Telecom Authority keeps for fiction.

Identity numbers are made by ``core.personnummer.make_test_identity_number(birth_date, serial)``
with birth numbers (serials) 980–999 only, the range of Skatteverket's published test numbers.
The birth date is counted back from the day the demo is loaded (the child's age in the case
below), so every demo child is a child, and every number is valid by checksum, whenever the
demo is loaded. One child's number is unknown (a newly arrived pupil): name, age and class only.

Loading is idempotent: a municipality whose demo reporters have already written reports is left
as it is.
"""

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.notifications import without_emails
from core.personnummer import make_test_identity_number
from organisations.models import Membership, Municipality, Role, Unit, User
from organisations.selectors import memberships_of
from reports import services_intake, services_school
from reports.deadlines import STOCKHOLM, is_working_day, next_working_day
from reports.demo_notices import date_reporter_notifications
from reports.models import (
    NEVER_TELL_GUARDIANS,
    ConcernCategory,
    ConcernReport,
    Decision,
    ExtensionReason,
    GuardiansInformed,
    ReportStatus,
)
from reports.services_common import FEEDBACK_FOR_DECISION

AUTHORS = ("teacher", "counsellor", "nurse", "principal")
# The demo municipalities, as in organisations.demo: key -> (name, code, the other one, the
# municipality outside the installation the forwarded reports go to).
PLACES = {
    "leksand": ("2029", "eksjo", "Rättvik"),
    "eksjo": ("0686", "leksand", "Nässjö"),
}
# The schools' names in organisations.demo, by key.
SCHOOLS = {
    "leksand": {
        "preschool": "Solgläntans förskola",
        "school_f6": "Västanviks skola F–6",
        "school_79": "Åkerö skola 7–9",
        "upper": "Leksands gymnasium",
    },
    "eksjo": {
        "preschool": "Linnéans förskola",
        "school_f6": "Norrtulls skola F–6",
        "school_79": "Furulidsskolan 7–9",
        "upper": "Eksjö gymnasium",
    },
}

C = ConcernCategory


@dataclass(frozen=True)
class Case:
    """One demo report: who wrote it, when, about what, and how far the intake has come."""

    key: str
    author: str
    school: str
    days_ago: int
    at: tuple[int, int]  # local time of arrival
    age: int
    categories: tuple[str, ...]
    what_happened: str
    child_words: str = ""
    state: str = ReportStatus.CLOSED
    decision: str = Decision.OPENED
    decide_after: int = 10  # days from arrival to the decision
    feedback_after: int = 3  # days from the decision to the feedback
    acute: bool = False
    immediate_protection: bool = False
    wants_feedback: bool = True
    guardians_told: bool = True  # for concerns the family may hear of
    not_told_reason: str = ""
    supplement: str = ""
    extension: bool = False
    forward: bool = False  # the child lives in a municipality outside the installation
    other_home: bool = False  # the child lives in the other demo municipality
    sibling_of: str = ""
    identity_known: bool = True
    interpreter: str = ""
    class_name: str = ""


CASES: tuple[Case, ...] = (
    Case(
        "draft_teacher",
        "teacher",
        "school_79",
        1,
        (15, 20),
        14,
        (C.NEGLECT,),
        "{namn} har flera gånger de senaste veckorna kommit till skolan hungrig och utan "
        "ytterkläder för vädret. I dag frös {namn} så mycket under utelektionen att",
        state=ReportStatus.DRAFT,
    ),
    Case(
        "draft_nurse",
        "nurse",
        "school_f6",
        2,
        (13, 5),
        9,
        (C.OTHER,),
        "{namn} har kommit till mottagningen med ont i magen fyra gånger den här månaden och "
        "berättar att hen sover dåligt.",
        state=ReportStatus.DRAFT,
    ),
    Case(
        "new_absence",
        "teacher",
        "school_79",
        1,
        (14, 10),
        13,
        (C.SCHOOL_ABSENCE, C.NEGLECT),
        "{namn} har haft 40 procent frånvaro den här terminen, mest måndagar och fredagar. När "
        "{namn} är i skolan är hen mycket trött och har sällan med sig det hen behöver. Vi har "
        "sökt vårdnadshavarna per telefon och brev i tre veckor utan svar.",
        "Det är ingen som väcker mig på morgonen.",
        state=ReportStatus.SUBMITTED,
        guardians_told=False,
        not_told_reason="Vi har inte lyckats nå vårdnadshavarna trots flera försök.",
    ),
    Case(
        "new_urgent",
        "counsellor",
        "upper",
        2,
        (10, 5),
        16,
        (C.PHYSICAL_VIOLENCE,),
        "{namn} kom till mitt rum och sa att hen inte vågar gå hem efter skolan. {namn} hade ett "
        "blåmärke på underarmen och berättade att en vuxen i hemmet tog hårt tag i hen under ett "
        "bråk i går kväll. Jag har ringt socialjouren och {namn} väntar hos mig.",
        "Jag vill inte gå hem i dag. Han blir så arg när han har druckit.",
        state=ReportStatus.SUBMITTED,
        acute=True,
    ),
    Case(
        "new_forward",
        "nurse",
        "school_79",
        1,
        (16, 40),
        14,
        (C.NEGLECT,),
        "{namn} bor sedan i höstas hos sin pappa i {ort} men går kvar i skolan här. {namn} har "
        "berättat på mottagningen att det ofta saknas mat hemma och att hen klarar sig själv "
        "flera dagar i veckan.",
        "Pappa jobbar borta, så jag köper nudlar på macken.",
        state=ReportStatus.SUBMITTED,
        forward=True,
    ),
    Case(
        "received_overdue",
        "teacher",
        "school_79",
        20,
        (9, 40),
        15,
        (C.SUBSTANCE_USE,),
        "På en rast hittade personal {namn} och två kamrater bakom idrottshallen där det "
        "luktade cannabis. {namn} verkade påverkad resten av eftermiddagen. Det är tredje gången "
        "i år som vi får signaler om droger kring {namn}.",
        "Det var bara den här gången, jag lovar.",
        state=ReportStatus.RECEIVED,
        supplement="{namn} kom inte till skolan i dag, och ingen har anmält frånvaro.",
    ),
    Case(
        "received_new",
        "principal",
        "school_79",
        1,
        (11, 30),
        13,
        (C.CRIMINALITY,),
        "Flera elever säger att {namn} säljer e-cigaretter på skolan. {namn} har setts med "
        "betydligt äldre ungdomar vid centrum sent på kvällarna och har de senaste veckorna haft "
        "nya dyra kläder och en ny telefon som familjen enligt {namn} inte har köpt.",
        state=ReportStatus.RECEIVED,
    ),
    Case(
        "assessed_words",
        "teacher",
        "school_79",
        3,
        (13, 15),
        14,
        (C.PSYCHOLOGICAL_VIOLENCE,),
        "{namn} har varit nedstämd länge. I ett samtal berättade {namn} att mamman ofta kallar "
        "hen dum och värdelös och att hen inte får träffa kompisar efter skolan.",
        "Hon säger att allt hade varit bättre utan mig.",
        state=ReportStatus.PROTECTION_ASSESSED,
    ),
    Case(
        "assessed_honour",
        "counsellor",
        "upper",
        4,
        (8, 50),
        17,
        (C.HONOUR_RELATED,),
        "{namn} berättade att familjen planerar en resa till släktingar i sommar och att hen ska "
        "giftas bort där. {namn} får inte delta i idrotten och hämtas varje dag av en äldre "
        "bror. {namn} är rädd och vill inte att familjen får veta att hen har pratat med skolan.",
        "Om de får veta att jag har sagt något vet jag inte vad som händer.",
        state=ReportStatus.PROTECTION_ASSESSED,
        acute=True,
        immediate_protection=True,
    ),
    Case(
        "siblings_elder",
        "teacher",
        "school_79",
        6,
        (10, 20),
        13,
        (C.WITNESSING_VIOLENCE,),
        "{namn} berättade att föräldrarna bråkade högljutt i helgen och att pappan slog sönder "
        "saker i köket. {namn} och lillebror gömde sig i sovrummet. Enligt {namn} händer det "
        "ofta när pappan har varit ute på kvällen.",
        "Jag satte lurarna på lillebror och spelade musik så att han inte skulle höra.",
        state=ReportStatus.PRELIMINARY_ASSESSMENT,
    ),
    Case(
        "siblings_younger",
        "teacher",
        "preschool",
        6,
        (10, 35),
        4,
        (C.WITNESSING_VIOLENCE,),
        "Anmälan gäller lillebror till {syskon}, som jag har anmält för sig. Enligt {syskon} var "
        "{namn} hemma när föräldrarna bråkade i helgen. Förskolan säger att {namn} på senare tid "
        "har varit ledsen vid lämningen och har svårt att somna på vilan.",
        state=ReportStatus.PRELIMINARY_ASSESSMENT,
        sibling_of="siblings_elder",
    ),
    Case(
        "preliminary_teeth",
        "nurse",
        "school_f6",
        9,
        (9, 0),
        8,
        (C.NEGLECT,),
        "Vid hälsobesöket hade {namn} tydliga hål i flera tänder och ont när hen åt. "
        "Vårdnadshavarna har fått tre kallelser till tandvården men inte kommit. {namn} har "
        "också saknat glasögon sedan i våras trots att hen behöver dem för att se tavlan.",
        "Det gör ont när jag tuggar.",
        state=ReportStatus.PRELIMINARY_ASSESSMENT,
    ),
    Case(
        "preliminary_extended",
        "counsellor",
        "school_79",
        # Arrived recently enough that the extension (recorded when the demo loads) comes
        # before the decision deadline: an extension in time, not a late one.
        11,
        (14, 45),
        15,
        (C.SEXUAL_ABUSE,),
        "{namn} har berättat att en vuxen man hen har lärt känna i ett onlinespel skickar "
        "meddelanden med sexuellt innehåll och vill träffas. {namn} har skickat bilder till "
        "honom. {namn} har visat mig meddelandena och vill ha hjälp att få det att sluta.",
        "Han sa först att han var sexton.",
        state=ReportStatus.PRELIMINARY_ASSESSMENT,
        extension=True,
    ),
    Case(
        "preliminary_overdue",
        "teacher",
        "school_79",
        21,
        (12, 10),
        14,
        (C.SELF_HARM,),
        "En klasskamrat såg sår på {namn}s underarm i omklädningsrummet. {namn} säger att hen mår "
        "dåligt och att ingen vuxen lyssnar. Vårdnadshavarna vet om anmälan och säger att de ska "
        "söka hjälp hos barn- och ungdomspsykiatrin.",
        "Det känns lättare en stund, sen blir det värre.",
        state=ReportStatus.PRELIMINARY_ASSESSMENT,
        supplement="{namn} har varit borta hela förra veckan. Mamma säger att de ännu inte har "
        "fått någon tid hos barn- och ungdomspsykiatrin.",
    ),
    Case(
        "decided_opened",
        "principal",
        "school_79",
        12,
        (8, 35),
        15,
        (C.NEGLECT, C.SCHOOL_ABSENCE),
        "{namn} har varit borta 23 av de senaste 30 skoldagarna. Vid ett hembesök med kuratorn "
        "öppnade ingen. {namn} har berättat att mamma ofta ligger i sängen hela dagarna och att "
        "{namn} sköter hushållet och tar hand om två yngre syskon.",
        "Någon måste ju laga mat till de små.",
        state=ReportStatus.DECIDED,
        decision=Decision.OPENED,
        decide_after=10,
        supplement="Vi har fått veta att ett av de yngre syskonen inte har kommit till "
        "förskolan på två veckor.",
    ),
    Case(
        "decided_feedback_late",
        "teacher",
        "school_79",
        35,
        (10, 0),
        13,
        (C.OTHER,),
        "{namn} berättar att hen ofta är ensam hemma på kvällar och nätter eftersom mamma "
        "arbetar natt. {namn} verkade orolig och trött. Vi vill att socialtjänsten bedömer om "
        "familjen behöver stöd.",
        state=ReportStatus.DECIDED,
        decision=Decision.NOT_OPENED,
        decide_after=13,
    ),
    Case(
        "decided_ongoing",
        "counsellor",
        "school_f6",
        9,
        (13, 40),
        11,
        (C.PHYSICAL_VIOLENCE,),
        "{namn} hade ett märke på kinden och sa först att hen hade ramlat. Senare berättade "
        "{namn} för mentorn att storebror slog hen under ett bråk om datorn. Vi vet att familjen "
        "redan har kontakt med socialtjänsten.",
        "Han gör så när ingen vuxen ser.",
        state=ReportStatus.DECIDED,
        decision=Decision.ADDED_TO_ONGOING,
        decide_after=4,
        wants_feedback=False,
    ),
    Case(
        "decided_forwarded",
        "teacher",
        "school_79",
        8,
        (9, 25),
        14,
        (C.NEGLECT,),
        "{namn} är folkbokförd hos sin mamma i {ort} men bor varannan vecka hos pappan här. "
        "{namn} berättar att det hos mamman ofta saknas mat och att elen har stängts av, och att "
        "hen då sover hos en kompis.",
        state=ReportStatus.DECIDED,
        decision=Decision.FORWARDED,
        decide_after=3,
        forward=True,
    ),
    Case(
        "feedback_alcohol",
        "nurse",
        "school_79",
        20,
        (10, 50),
        15,
        (C.SUBSTANCE_USE,),
        "{namn} sökte upp mig och berättade att hen har druckit alkohol flera helger i rad "
        "tillsammans med äldre kompisar. Förra helgen blev hen så berusad att kompisarna fick "
        "ringa efter hjälp.",
        "Jag minns inte hur jag kom hem.",
        state=ReportStatus.FEEDBACK_GIVEN,
        decision=Decision.OPENED,
        decide_after=12,
    ),
    Case(
        "feedback_separation",
        "teacher",
        "school_79",
        40,
        (15, 5),
        13,
        (C.PSYCHOLOGICAL_VIOLENCE, C.OTHER),
        "{namn} hamnar mitt i föräldrarnas konflikt efter separationen. Pappan frågar ut {namn} "
        "om mammans nya partner och blir arg när {namn} inte svarar. {namn} gråter ofta på "
        "morgonen och vill inte gå hem till pappan.",
        "Jag vill inte välja.",
        state=ReportStatus.FEEDBACK_GIVEN,
        decision=Decision.NOT_OPENED,
        decide_after=11,
        feedback_after=4,
    ),
    Case(
        "feedback_debt",
        "counsellor",
        "upper",
        60,
        (11, 15),
        16,
        (C.CRIMINALITY,),
        "{namn} har berättat att äldre ungdomar hotar hen för en skuld och att hen förvarar saker "
        "åt dem. {namn} har varit borta från skolan flera dagar och har setts med personer som "
        "polisen tidigare har varnat skolan för.",
        "Jag kan inte säga nej till dem.",
        state=ReportStatus.FEEDBACK_GIVEN,
        decision=Decision.ADDED_TO_ONGOING,
        decide_after=13,
        feedback_after=2,
        supplement="{namn} har berättat för mentorn att de äldre har gett hen en ny telefon.",
    ),
    Case(
        "closed_laundry",
        "teacher",
        "school_79",
        50,
        (9, 10),
        14,
        (C.NEGLECT,),
        "{namn} har hela terminen haft smutsiga kläder, och klasskamrater har börjat reta {namn} "
        "för att hen luktar. {namn} säger att tvättmaskinen hemma har varit trasig länge och att "
        "pappa inte orkar.",
        "Jag skäms.",
    ),
    Case(
        "closed_growth",
        "nurse",
        "school_f6",
        80,
        (10, 30),
        7,
        (C.OTHER,),
        "Vid hälsobesöket var {namn} mycket liten för sin ålder och har inte ökat i vikt sedan "
        "förra mätningen. Vårdnadshavarna säger att {namn} äter dåligt. Vi vill att "
        "socialtjänsten bedömer om familjen behöver stöd.",
        decision=Decision.NOT_OPENED,
    ),
    Case(
        "closed_shoplifting",
        "principal",
        "school_79",
        110,
        (13, 0),
        15,
        (C.CRIMINALITY,),
        "{namn} berättade för sin mentor att hen och två äldre ungdomar togs för snatteri i "
        "helgen och att polis kom till butiken. Det är andra gången i höst som vi hör om "
        "liknande händelser.",
        wants_feedback=False,
    ),
    Case(
        "closed_police_visit",
        "counsellor",
        "school_79",
        140,
        (8, 45),
        14,
        (C.WITNESSING_VIOLENCE,),
        "{namn} berättade att polisen var hemma hos familjen i helgen efter ett bråk mellan "
        "mamman och hennes sambo. {namn} är orolig för mamman och vill inte lämna henne ensam.",
        "Jag sov inte alls den natten.",
        decision=Decision.ADDED_TO_ONGOING,
        decide_after=5,
    ),
    Case(
        "closed_urgent",
        "teacher",
        "school_79",
        170,
        (8, 15),
        13,
        (C.PHYSICAL_VIOLENCE,),
        "{namn} berättade i morse att pappan slog hen i går kväll och att hen inte vill gå hem. "
        "{namn} var svullen vid ena ögat. Jag har ringt socialjouren, och kuratorn sitter med "
        "{namn} tills de kommer.",
        "Säg inget till pappa, snälla.",
        acute=True,
        immediate_protection=True,
        decide_after=6,
    ),
    Case(
        "closed_eating",
        "nurse",
        "upper",
        200,
        (14, 0),
        17,
        (C.SELF_HARM,),
        "{namn} har berättat att hen nästan har slutat äta och tränar flera timmar varje dag. "
        "{namn} har gått ned mycket i vikt sedan i våras. Vårdnadshavarna vet om anmälan och har "
        "kontakt med vårdcentralen.",
        decision=Decision.NOT_OPENED,
        wants_feedback=False,
    ),
    Case(
        "closed_absence_late",
        "teacher",
        "school_79",
        240,
        (11, 20),
        14,
        (C.SCHOOL_ABSENCE,),
        "{namn} har inte varit i skolan på sex veckor. Vårdnadshavarna säger att {namn} har ont "
        "i magen men vill inte att skolan kontaktar elevhälsan. {namn} svarar inte på mentorns "
        "meddelanden.",
        decide_after=16,  # decided after the deadline
    ),
    Case(
        "closed_control",
        "counsellor",
        "upper",
        290,
        (9, 55),
        16,
        (C.HONOUR_RELATED,),
        "{namn} berättade att hen inte får träffa klasskamrater utanför skolan och att familjen "
        "läser hens meddelanden. {namn} har fått höra att hen inte får fortsätta studera efter "
        "sommaren.",
        "Jag vill bara få leva som mina kompisar.",
    ),
    Case(
        "closed_newcomer",
        "teacher",
        "school_79",
        340,
        (13, 30),
        13,
        (C.OTHER,),
        "{namn} började i klassen förra veckan. Familjen har nyligen kommit till Sverige och bor "
        "tillfälligt hos släktingar i en liten lägenhet. {namn} säger att hen ofta är hungrig "
        "och inte har någonstans att göra läxor. Vi har ännu inte fått {namn}s personnummer.",
        decision=Decision.NOT_OPENED,
        identity_known=False,
        interpreter="dari",
        class_name="7B",
    ),
    Case(
        "other_home",
        "teacher",
        "school_79",
        5,
        (12, 40),
        14,
        (C.NEGLECT,),
        "{namn} har flyttat till sin pappa i {annan} men går kvar i skolan här terminen ut. "
        "{namn} berättar att hen ofta är ensam hemma flera dagar i sträck när pappan arbetar på "
        "annan ort.",
        state=ReportStatus.PROTECTION_ASSESSED,
        other_home=True,
    ),
)

CHILDREN = {
    "leksand": [
        ("Alva", "Dalqvist"),
        ("Elias", "Hedberg"),
        ("Ebba", "Lindmark"),
        ("Melvin", "Sjöholm"),
        ("Saga", "Ekvall"),
        ("Noah", "Bergfors"),
        ("Wilma", "Nordin"),
        ("Hugo", "Strand"),
        ("Freja", "Öberg"),
        ("Liam", "Forsman"),
        ("Nils", "Forsman"),  # the younger brother of the child before
        ("Ludvig", "Hallgren"),
        ("Ella", "Wester"),
        ("Vincent", "Lundell"),
        ("Alicia", "Åkerlund"),
        ("Theo", "Granqvist"),
        ("Selma", "Holmér"),
        ("Viggo", "Backlund"),
        ("Tyra", "Mossberg"),
        ("Albin", "Sandell"),
        ("Juni", "Ferm"),
        ("Olle", "Rydén"),
        ("Leia", "Kvarnström"),
        ("Edvin", "Tallberg"),
        ("Malte", "Gillberg"),
        ("Signe", "Ålund"),
        ("Sixten", "Bolin"),
        ("Lykke", "Norell"),
        ("Ines", "Hagström"),
        ("Omid", "Rahimi"),
        ("Elton", "Vikner"),
    ],
    "eksjo": [
        ("Astrid", "Ljungqvist"),
        ("Oskar", "Fredén"),
        ("Hedda", "Bergquist"),
        ("Arvid", "Stenlund"),
        ("Elsa", "Kullberg"),
        ("Wilmer", "Ahlgren"),
        ("Meja", "Törnqvist"),
        ("Sigge", "Håkansson"),
        ("Ester", "Wallin"),
        ("Loke", "Sundell"),
        ("Elis", "Sundell"),  # the younger brother of the child before
        ("Charlie", "Ekdahl"),
        ("Agnes", "Lövgren"),
        ("Milo", "Persén"),
        ("Svea", "Nyblom"),
        ("Frans", "Hultgren"),
        ("Idun", "Carlén"),
        ("Melker", "Rosén"),
        ("Vera", "Alm"),
        ("Ivar", "Blom"),
        ("Majken", "Fält"),
        ("Ture", "Engdahl"),
        ("Ronja", "Sköld"),
        ("Colin", "Hjort"),
        ("Nellie", "Lindé"),
        ("Dante", "Ros"),
        ("Siri", "Bäck"),
        ("Harry", "Ståhl"),
        ("Ylva", "Krantz"),
        ("Yasmin", "Haidari"),
        ("Folke", "Rask"),
    ],
}
PARENTS = (
    ("Anna", "Mikael"),
    ("Sara", "Johan"),
    ("Linda", "Daniel"),
    ("Jenny", "Andreas"),
    ("Emma", "Fredrik"),
    ("Maria", "Marcus"),
    ("Karin", "Jonas"),
    ("Sofia", "Niklas"),
)

_JUSTIFICATIONS = (
    "Ingen akut fara bedöms föreligga. Barnet bor kvar hemma medan förhandsbedömningen görs.",
    "Barnet har en trygg vuxen i hemmet enligt anmälan. Inget omedelbart skydd behövs.",
    "Inga uppgifter om akut fara. Kontakt tas med vårdnadshavare för samtal.",
)
_PROTECTION_NEEDED = (
    "Barnet uppger att hen inte vågar gå hem. Omedelbart skydd behövs; barnet placeras "
    "tillfälligt i jourhem i samråd med socialjouren."
)
_PRELIMINARY_NOTES = (
    "Samtal med barnet och vårdnadshavarna bokat. Skolan kontaktas för mer information.",
    "Vårdnadshavarna kallade till möte. Tidigare kontakter med familjen har gåtts igenom.",
    "Barnet har hörts i skolan tillsammans med kurator. Uppgifter begärs från vården.",
)


# Why no investigation was opened, as the intake wrote it (social services' own: never in the
# feedback). By case; the history's reports take one of the general ones.
NOT_OPENED_REASONS = {
    "decided_feedback_late": "Mamman har vid samtal berättat att mormor bor i samma trappuppgång "
    "och finns tillgänglig de nätter hon arbetar. Barnet bekräftar detta. Familjen har tackat ja "
    "till råd om barnomsorg på obekväm arbetstid. Ingen ytterligare oro har framkommit.",
    "feedback_separation": "Föräldrarna går redan i samarbetssamtal via familjerätten och har "
    "kommit överens om hur barnet ska slippa konflikten. Barnet har stöd av skolkuratorn. Det "
    "finns inte skäl att inleda utredning.",
    "closed_growth": "Barnhälsovården följer barnets tillväxt och har remitterat till "
    "barnläkare. Vårdnadshavarna samarbetar med vården. Ingen oro för omsorgen har framkommit.",
    "closed_eating": "Barnet har behandling på barn- och ungdomspsykiatrin och vårdnadshavarna "
    "medverkar aktivt. Behovet av stöd tillgodoses inom vården.",
    "anonymous_neighbour": "Hembesök och samtal med barnet och vårdnadshavaren visar att barnet "
    "har tillsyn och mat hemma; vårdnadshavaren arbetar kvällar och barnet har fått en plats på "
    "fritidsgården. Ingen ytterligare oro har framkommit.",
    "closed_newcomer": "Familjen har fått hjälp av flyktingmottagningen med bostad och "
    "försörjning och har kontakt med skolans elevhälsa. Barnets behov tillgodoses genom de "
    "insatser som redan pågår.",
}
GENERAL_NOT_OPENED_REASONS = (
    "Vårdnadshavarna har vid samtal tagit till sig oron och tackat ja till stöd från "
    "öppenvården. Ingen ytterligare oro har framkommit.",
    "Uppgifterna i anmälan har inte bekräftats vid samtal med barnet och vårdnadshavarna. "
    "Barnet har stöd av elevhälsan.",
    "Behovet tillgodoses genom de insatser som skolan och vården redan ger.",
)
# The point of each demo municipality's delegation order that decisions on investigations
# are made under (invented, in the form municipalities use).
DELEGATION_POINTS = {
    "leksand": "Delegationsordning IFO punkt 3.1",
    "eksjo": "Delegationsordning socialnämnden punkt 4.2",
}


def load(*, today: datetime.date) -> int:
    """Create the demo reports of each demo municipality that has none yet; returns how many
    were created (0 on a second run)."""
    created = 0
    now = timezone.now()
    for key, (code, _other_key, _forward_to) in PLACES.items():
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            continue  # the organisations' demo is not loaded
        authors = {name: f"{name}.{key}" for name in AUTHORS}
        if ConcernReport.objects.filter(author__username__in=authors.values()).exists():
            continue
        # Months of history at once: the reporters' notifications in the app only, dated.
        with without_emails(), transaction.atomic():
            created += _load_municipality(key, today, now)
    # The intake's own: the reports it registered from other sources, its delegation point.
    from reports import demo_intake  # it builds on this module

    return created + demo_intake.load(today=today)


@dataclass
class DemoPlace:
    key: str
    users: dict[str, User]
    intakes: dict[str, User]
    schools: dict[str, Unit]
    municipalities: dict[str, Municipality]
    forward_to: str
    other_key: str
    today: datetime.date
    now: datetime.datetime


def _load_municipality(key: str, today: datetime.date, now: datetime.datetime) -> int:
    place = place_for(key, today, now)
    if place is None:
        return 0  # some demo users are missing: leave the reports out rather than half-load
    made: dict[str, ConcernReport] = {}
    for index, case in enumerate(CASES):
        made[case.key] = load_case(place, case, index, made)
    date_reporter_notifications(list(made.values()))
    return len(made)


def place_for(key: str, today: datetime.date, now: datetime.datetime) -> "DemoPlace | None":
    """The demo municipality ``key`` with its authors, intakes and schools, or None when a
    demo user is missing."""
    _code, other_key, forward_to = PLACES[key]
    names = [f"{name}.{key}" for name in AUTHORS] + [f"intake.{key}", f"intake.{other_key}"]
    users = {user.username: user for user in User.objects.filter(username__in=names)}
    if len(users) < len(names):
        return None
    schools = {
        unit_key: Unit.objects.get(municipality__code=PLACES[key][0], name=name)
        for unit_key, name in SCHOOLS[key].items()
    }
    return DemoPlace(
        key=key,
        users={name: users[f"{name}.{key}"] for name in AUTHORS},
        intakes={k: users[f"intake.{k}"] for k in (key, other_key)},
        schools=schools,
        municipalities={k: Municipality.objects.get(code=PLACES[k][0]) for k in (key, other_key)},
        forward_to=forward_to,
        other_key=other_key,
        today=today,
        now=now,
    )


def _local(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=STOCKHOLM)


def _school_day_on_or_before(day: datetime.date) -> datetime.date:
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def _birth_date(today: datetime.date, age: int, index: int) -> datetime.date:
    # ``age`` completed years today: born between a year and a day ago and ``age`` years ago.
    anniversary = datetime.date(today.year - age, today.month, min(today.day, 28))
    return anniversary - datetime.timedelta(days=20 + (index * 47) % 300)


def child_values(
    place: DemoPlace, case: Case, index: int, made: dict[str, ConcernReport]
) -> dict[str, Any]:
    children = CHILDREN[place.key]
    first, last = children[index % len(children)]
    if case.sibling_of:
        last = made[case.sibling_of].child_name.split()[-1]
    values: dict[str, Any] = {"child_name": f"{first} {last}"}
    if case.identity_known:
        values["child_identity_number"] = make_test_identity_number(
            _birth_date(place.today, case.age, index), 980 + index % 20
        ).digits
    else:
        values["child_approximate_age"] = case.age
    values["child_class"] = case.class_name
    mother, father = PARENTS[index % len(PARENTS)]
    if case.sibling_of:
        values["guardians"] = made[case.sibling_of].guardians
    else:
        values["guardians"] = (
            f"Mamma {mother} {last}, tfn 070-174 06 {10 + index:02d}\n"
            f"Pappa {father} {last}, tfn 070-174 06 {50 + index:02d}"
        )
    return values


def case_text(
    text: str, place: DemoPlace, case: Case, first_name: str, made: dict[str, ConcernReport]
) -> str:
    sibling = made[case.sibling_of].child_name.split()[0] if case.sibling_of else ""
    other = place.municipalities[place.other_key].name
    return text.format(namn=first_name, syskon=sibling, ort=place.forward_to, annan=other)


def load_case(
    place: DemoPlace, case: Case, index: int, made: dict[str, ConcernReport]
) -> ConcernReport:
    author = place.users[case.author]
    membership = _reporter_membership(author)
    arrival_day = _school_day_on_or_before(place.today - datetime.timedelta(days=case.days_ago))
    arrival = min(_local(arrival_day, *case.at), place.now - datetime.timedelta(hours=3))
    report = services_school.report_draft_create(
        author=author,
        membership=membership,
        school_unit=place.schools[case.school],
        now=arrival - datetime.timedelta(minutes=35),
    )
    child = child_values(place, case, index, made)
    first_name = child["child_name"].split()[0]
    values: dict[str, Any] = {
        **child,
        "what_happened": case_text(case.what_happened, place, case, first_name, made),
        "child_words": case_text(case.child_words, place, case, first_name, made),
        "acute_danger": case.acute,
        "wants_feedback": case.wants_feedback,
        "interpreter_language": case.interpreter,
    }
    if case.forward:
        values["home_municipality"] = None
        values["forward_to_name"] = place.forward_to
    elif case.other_home:
        values["home_municipality"] = place.municipalities[place.other_key]
    if not set(case.categories) & NEVER_TELL_GUARDIANS:
        if case.guardians_told:
            values["guardians_informed"] = GuardiansInformed.YES
        else:
            values["guardians_informed"] = GuardiansInformed.NO
            values["guardians_not_informed_reason"] = case.not_told_reason
    if case.state == ReportStatus.DRAFT:
        # A draft is left half done, as people leave them.
        values = {name: value for name, value in values.items() if name != "child_words"}
    report = services_school.report_draft_update(
        report=report,
        actor=author,
        expected_version=report.version,
        values=values,
        categories=list(case.categories),
    )
    if case.state == ReportStatus.DRAFT:
        return report
    report = services_school.report_submit(
        report=report, actor=author, submission_key=uuid.uuid4(), now=arrival
    )
    if case.sibling_of:
        # The link goes both ways (a symmetrical relation): one call links the pair.
        services_school.sibling_link(report=report, sibling=made[case.sibling_of], actor=author)
    intake = place.intakes[place.other_key if case.other_home else place.key]
    return work_case(place, case, index, report, intake, arrival)


def _reporter_membership(author: User) -> Membership:
    for membership in memberships_of(author):
        if membership.role in {
            Role.REPORTER,
            Role.STUDENT_HEALTH,
            Role.MEDICAL_STUDENT_HEALTH,
            Role.PRINCIPAL,
        }:
            return membership
    raise ValueError(f"{author.username} has no reporter role.")


_ORDER = (
    ReportStatus.SUBMITTED,
    ReportStatus.RECEIVED,
    ReportStatus.PROTECTION_ASSESSED,
    ReportStatus.PRELIMINARY_ASSESSMENT,
    ReportStatus.DECIDED,
    ReportStatus.FEEDBACK_GIVEN,
    ReportStatus.CLOSED,
)


def work_case(
    place: DemoPlace,
    case: Case,
    index: int,
    report: ConcernReport,
    intake: User,
    arrival: datetime.datetime,
) -> ConcernReport:
    """The intake's steps up to the case's state, each at a plausible past time (from the
    status the report has: a report the intake registered starts received)."""
    target = _ORDER.index(case.state)
    quick = datetime.timedelta(minutes=5 if case.acute else 25)
    received = arrival + quick
    assessed = received + (datetime.timedelta(minutes=15) if case.acute else 2 * quick)
    preliminary = _local(next_working_day(arrival.date() + datetime.timedelta(days=1)), 9, 30)
    decided = _local(
        next_working_day(arrival.date() + datetime.timedelta(days=case.decide_after)), 14, 0
    )
    feedback = _local(
        next_working_day(decided.date() + datetime.timedelta(days=case.feedback_after)), 10, 15
    )
    closing_day = (feedback if _gives_feedback(case) else decided).date()
    closed = _local(next_working_day(closing_day + datetime.timedelta(days=1)), 15, 30)
    supplement_at = _local(next_working_day(arrival.date() + datetime.timedelta(days=1)), 11, 5)

    steps: list[tuple[datetime.datetime, str]] = []
    for status, moment in (
        (ReportStatus.RECEIVED, received),
        (ReportStatus.PROTECTION_ASSESSED, assessed),
        (ReportStatus.PRELIMINARY_ASSESSMENT, preliminary),
        (ReportStatus.DECIDED, decided),
        (ReportStatus.FEEDBACK_GIVEN, feedback),
        (ReportStatus.CLOSED, closed),
    ):
        if _ORDER.index(status) > target:
            break
        if _ORDER.index(status) <= _ORDER.index(report.status):
            continue  # done already (a report the intake registered is received at once)
        if status == ReportStatus.FEEDBACK_GIVEN and not _gives_feedback(case):
            continue
        steps.append((moment, status))
    if case.supplement:
        steps.append((supplement_at, "supplement"))
    steps.sort(key=lambda step: step[0])

    latest = place.now - datetime.timedelta(minutes=30)
    previous = report.received_at or arrival
    for moment, step in steps:
        # Never in the future, and never before the step before it.
        moment = max(min(moment, latest), previous + datetime.timedelta(minutes=1))
        previous = moment
        report = _do(place, case, index, report, intake, step, moment)
    return report


def _gives_feedback(case: Case) -> bool:
    return case.wants_feedback and case.decision in FEEDBACK_FOR_DECISION


def _do(
    place: DemoPlace,
    case: Case,
    index: int,
    report: ConcernReport,
    intake: User,
    step: str,
    moment: datetime.datetime,
) -> ConcernReport:
    if step == "supplement":
        first_name = report.child_name.split()[0]
        text = case_text(case.supplement, place, case, first_name, {})
        services_school.report_supplement_add(
            report=report, actor=report.author, text=text, now=moment
        )
        return report
    if step == ReportStatus.RECEIVED:
        return services_intake.report_receive(report=report, actor=intake, now=moment)
    if step == ReportStatus.PROTECTION_ASSESSED:
        justification = (
            _PROTECTION_NEEDED
            if case.immediate_protection
            else _JUSTIFICATIONS[index % len(_JUSTIFICATIONS)]
        )
        return services_intake.report_assess_protection(
            report=report,
            actor=intake,
            immediate_protection_needed=case.immediate_protection,
            justification=justification,
            now=moment,
        )
    if step == ReportStatus.PRELIMINARY_ASSESSMENT:
        report = services_intake.report_start_preliminary(
            report=report,
            actor=intake,
            notes=_PRELIMINARY_NOTES[index % len(_PRELIMINARY_NOTES)],
            now=moment,
        )
        if case.extension:
            assert report.submitted_at is not None
            report = services_intake.report_extend_decision(
                report=report,
                actor=intake,
                until=report.submitted_at.astimezone(STOCKHOLM).date()
                + datetime.timedelta(days=28),
                reason=ExtensionReason.PARALLEL_POLICE_INQUIRY,
                description="Polisen har inlett en förundersökning och har bett oss vänta med "
                "samtal med barnet tills förhör har hållits.",
                decided_by="Enhetschefen för barn och unga",
            )
        return report
    if step == ReportStatus.DECIDED:
        record = _decision_record(place, case, index, moment)
        return services_intake.report_decide(
            report=report,
            actor=intake,
            decision=case.decision,
            forwarded_to=place.forward_to if case.decision == Decision.FORWARDED else "",
            reasons=record.reasons,
            delegation_point=record.delegation_point,
            case_number=record.case_number,
            now=moment,
        )
    if step == ReportStatus.FEEDBACK_GIVEN:
        return services_intake.report_give_feedback(
            report=report,
            actor=intake,
            feedback=FEEDBACK_FOR_DECISION[case.decision],
            now=moment,
        )
    return services_intake.report_close(report=report, actor=intake, now=moment)


@dataclass(frozen=True)
class _DecisionRecord:
    delegation_point: str
    reasons: str = ""
    case_number: str = ""


def _decision_record(
    place: DemoPlace, case: Case, index: int, moment: datetime.datetime
) -> _DecisionRecord:
    """The reasons (when no investigation is opened), the delegation point, and for an
    investigation its case number in the record system."""
    delegation_point = DELEGATION_POINTS[place.key]
    if case.decision == Decision.NOT_OPENED:
        general = GENERAL_NOT_OPENED_REASONS[index % len(GENERAL_NOT_OPENED_REASONS)]
        return _DecisionRecord(delegation_point, reasons=NOT_OPENED_REASONS.get(case.key, general))
    if case.decision in (Decision.OPENED, Decision.ADDED_TO_ONGOING):
        return _DecisionRecord(delegation_point, case_number=f"IFO {moment.year}/{index + 100:04d}")
    return _DecisionRecord(delegation_point)
