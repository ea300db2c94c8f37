"""Short invented texts for generated reports: what happened per concern category, the
intake's justifications and reasons, and who reports from outside school. Fixed lists, so the
content stays deterministic; ``{name}`` is the child's first name."""

from reports.models import ConcernCategory as C
from reports.models import ReportSource

WHAT_HAPPENED = {
    C.PHYSICAL_VIOLENCE: "{name} har blåmärken på armarna och säger att pappa blev arg i går.",
    C.PSYCHOLOGICAL_VIOLENCE: "{name} berättar att mamma skriker och hotar att lämna bort hen.",
    C.SEXUAL_ABUSE: "{name} har berättat för kuratorn om en vuxen som rört hen olämpligt.",
    C.NEGLECT: "{name} kommer ofta hungrig till skolan och saknar kläder efter väder.",
    C.WITNESSING_VIOLENCE: "{name} berättar att det var bråk hemma och att polisen kom.",
    C.HONOUR_RELATED: "{name} säger att familjen bestämmer vem hen får träffa.",
    C.SUBSTANCE_USE: "{name} var påverkad under skoldagen och luktade alkohol.",
    C.CRIMINALITY: "{name} har setts med äldre ungdomar som säljer narkotika vid centrum.",
    C.SELF_HARM: "{name} har skärsår på underarmen och säger att hen inte orkar längre.",
    C.SCHOOL_ABSENCE: "{name} har varit borta från skolan mer än hälften av tiden denna termin.",
    C.OTHER: "{name} verkar mycket ledsen och orolig och vill inte gå hem efter skolan.",
}
CHILD_WORDS = (
    "",
    "",
    "Jag vill inte gå hem i dag.",
    "Det är inget, jag ramlade bara.",
    "Mamma sover hela dagarna.",
)
JUSTIFICATIONS = (
    "Inga uppgifter om akut fara; barnet är i skolan och har kontakt med kurator.",
    "Barnet bor hos den andra vårdnadshavaren tills vidare; inget omedelbart skyddsbehov.",
    "Anmälan gäller förhållanden över tid; ingen akut risk framkommer.",
)
PROTECTION_NEEDED = "Barnet kan inte återvända hem i kväll; placering enligt 6 § LVU övervägs."
REASONS = {
    "opened": "Uppgifterna ger anledning att utreda barnets behov av stöd och skydd.",
    "not_opened": "Familjen har redan stöd via elevhälsan; uppgifterna ger inte skäl att utreda.",
    "added_to_ongoing": "Uppgifterna läggs till den pågående utredningen om barnet.",
    "forwarded": "Barnet är folkbokfört i en annan kommun; anmälan har skickats dit.",
}
DELEGATION_POINT = "Delegationsordning IFO punkt 3.1"
FORWARD_TO = ("Rättvik", "Mora", "Nässjö", "Falun", "Borlänge")
REPORTERS = {
    ReportSource.POLICE: ("Polisen, lokalpolisområde", "114 14"),
    ReportSource.HEALTH_CARE: ("Regionen, barn- och ungdomsmedicin", "070-174 06 40"),
    ReportSource.OTHER_AGENCY: ("Försäkringskassan", "070-174 06 41"),
    ReportSource.CHILD_OR_GUARDIAN: ("", "070-174 06 42"),
}
# Concern categories by the kind of reporter, with weights.
CATEGORY_WEIGHTS = {
    "school": {
        C.SCHOOL_ABSENCE: 20, C.NEGLECT: 20, C.PHYSICAL_VIOLENCE: 14,
        C.PSYCHOLOGICAL_VIOLENCE: 10, C.WITNESSING_VIOLENCE: 8, C.SELF_HARM: 7, C.OTHER: 10,
        C.SEXUAL_ABUSE: 3, C.HONOUR_RELATED: 2, C.SUBSTANCE_USE: 3, C.CRIMINALITY: 3,
    },
    "other": {
        C.WITNESSING_VIOLENCE: 22, C.CRIMINALITY: 15, C.PHYSICAL_VIOLENCE: 14, C.NEGLECT: 14,
        C.SUBSTANCE_USE: 10, C.PSYCHOLOGICAL_VIOLENCE: 8, C.SELF_HARM: 6, C.OTHER: 6,
        C.SEXUAL_ABUSE: 3, C.HONOUR_RELATED: 2,
    },
}  # fmt: skip
