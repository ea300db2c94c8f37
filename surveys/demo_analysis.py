"""The demo's analysis of Leksand's latest situational-picture round: the analysis group's text,
three prioritised resources, and the first of them on the resource council's next meeting when
the wheel plans one (Leksand's demo wheel has no resource council; Eksjö's has: then the page
says plainly that no meeting is planned and links to the wheel).

Written through the analysis services, as a member of the round's analysis group. Idempotent:
an analysis already written and priorities already recorded are left as they are. Called at
the end of ``surveys.demo.load``, once the rounds and answers exist; without a sent round with
an analysis group it does nothing."""

import datetime

from organisations.models import Municipality, Unit, UnitKind
from surveys.models import AnalysisMember, Priority, Round, SurveyKind
from surveys.policies_results import ANALYSE, results_policy
from surveys.services_analysis import (
    PriorityData,
    analysis_save,
    priority_add,
    priority_send_to_council,
)

ANALYSIS = """\
Svaren i år liknar förra årets på många punkter, men tre saker sticker ut.

Oron kring narkotika har ökat. Fler än förra året svarar att de har sett eller hört om \
narkotika bland unga, och flera nämner cannabis som köps via sociala medier. Skolans och \
fritidsgårdens personal ser samma mönster som polisen.

Platserna som oroar är desamma som förut – resecentrum och centrum kvällstid – men fler nämner \
nu också parkeringen vid idrottsplatsen på fredagskvällar. Det är platser där ingen vuxen finns \
på plats efter klockan 19.

Fler svarar att föräldrar behöver stöd i att prata med sina barn om droger och om vad som \
händer på kvällarna. Samtidigt svarar många att de inte vet vilket föräldrastöd kommunen \
erbjuder.

Tryggheten i skolan är i stort sett oförändrad. Gruppen drar slutsatsen att insatserna behöver \
riktas till kvällstid och till föräldrarna, och att skola, socialtjänst, fritid och polis \
behöver samordna sig bättre kring narkotikan."""

PRIORITIES = (
    (
        "Fältassistenter kvällstid vid resecentrum och i centrum",
        "Resecentrum och centrum kvällstid är de platser flest nämner, och där finns ingen vuxen "
        "på plats efter klockan 19. Fältassistenter fredag och lördag kväll, i samarbete med "
        "fritidsgården.",
        UnitKind.LEISURE,
    ),
    (
        "Föräldrastöd om droger för vårdnadshavare i årskurs 6–9",
        "Fler svarar att föräldrar behöver stöd, och många vet inte vilket stöd som finns. "
        "Föräldraträffar på skolorna under hösten och information om kommunens föräldrastöd.",
        UnitKind.SOCIAL_SERVICES_UNIT,
    ),
    (
        "Samordnad insats mot narkotika med skola, socialtjänst, fritid och polis",
        "Oron kring narkotika har ökat sedan förra året och samma mönster syns i skola, fritid "
        "och hos polisen. En gemensam handlingsplan och ett möte varannan månad.",
        UnitKind.MUNICIPAL_OFFICE,
    ),
)


def _unit(municipality: Municipality, kind: str) -> Unit | None:
    return Unit.objects.filter(municipality=municipality, kind=kind).order_by("path", "pk").first()


def load(*, today: datetime.date) -> None:
    """Called at the end of ``surveys.demo.load`` once the rounds and answers exist."""
    municipality = Municipality.objects.filter(name="Leksand").first()
    if municipality is None:
        return
    round_ = (
        Round.objects.filter(
            municipality=municipality,
            sent_at__isnull=False,
            opens_on__lte=today,
            template_version__template__kind=SurveyKind.SITUATIONAL_PICTURE,
        )
        .order_by("-opens_on", "-pk")
        .first()
    )
    if round_ is None:
        return
    member = AnalysisMember.objects.filter(round=round_).select_related("user").first()
    if member is None:
        return
    permit = results_policy.find(member.user, ANALYSE, pk=round_.pk)
    if permit is None:
        return
    if not round_.analysis:
        analysis_save(
            permit=permit,
            actor=member.user,
            text=ANALYSIS,
            expected_version=round_.lock_version,
        )
    if Priority.objects.filter(round=round_).exists():
        return
    added = []
    for what, why, kind in PRIORITIES:
        unit = _unit(municipality, kind)
        if unit is None:
            continue
        added.append(
            priority_add(
                permit=permit,
                actor=member.user,
                data=PriorityData(what=what, why=why, responsible_unit=unit),
            )
        )
    if added:
        # None when the wheel plans no resource council meeting: the page then says so.
        priority_send_to_council(permit=permit, actor=member.user, priority_id=added[0].pk)
