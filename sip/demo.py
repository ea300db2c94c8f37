"""Demo coordinated individual plans (SIP): seven per demo municipality, one in every state.

Built through ``sip.services`` by the demo users of ``organisations.demo`` (the school nurse
``nurse.<place>``, the intake ``intake.<place>``, the clinic's psychologist ``bup.<place>`` and
the counsellor ``counsellor.<place>``), then dated back relative to the day the demo is loaded,
so that the demo stays fresh: the services stamp "now", and the plans need a history of weeks.

1. a proposal from the counsellor, waiting for the school nurses;
2. a draft, convened by the school nurse three days ago (no consent yet);
3. an active plan whose follow-up date is today (follow-up due);
4. an active plan started by the intake from a demo report of concern, with overdue actions;
5. an active plan convened by BUP, followed up on time at a network meeting;
6. a plan closed because its goals were met;
7. a plan closed after the guardians withdrew their consent: BUP, its party through that
   consent, can no longer open it (only the day its access ended).

Everything is invented: the children (birth dates only, counted back from today, no identity
numbers, except the plan from a report, which takes the report's child), the guardians and
the texts. Loading is idempotent: a municipality that has plans is left as it is.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from access.policies import Permit
from followup.rollups import mark_plan
from organisations.models import Municipality, Unit, UnitKind, User
from reports.models import ConcernReport, Decision
from reports.policies import ReportAction, report_policy
from sip import services
from sip.models import (
    ActionStatus,
    CloseReason,
    Consent,
    ConsentMethod,
    NetworkMeeting,
    ParticipantKind,
    Plan,
)
from sip.policies import SipAction, plan_policy

PLACES = {"leksand": "2029", "eksjo": "0686"}
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Child:
    name: str
    age: int  # on the day the demo is loaded
    guardians: tuple[str, ...]


# Clearly invented names ("Exempel", "Påhitt", "Låtsas"...), different in each municipality.
CHILDREN = {
    "leksand": {
        "proposal": Child("Ella Exempelsson", 12, ("Karin Exempelsson",)),
        "draft": Child("Oskar Påhittsson", 10, ("Lena Påhittsson", "Mats Påhittsson")),
        "due": Child("Alva Låtsasdotter", 15, ("Sara Låtsasdotter",)),
        "report": Child("", 13, ("Eva Demoberg",)),  # the report's child
        "bup": Child("Noah Fiktivsson", 14, ("Anna Fiktivsson", "Per Fiktivsson")),
        "goals_met": Child("Saga Övningsdotter", 11, ("Helena Övningsdotter",)),
        "withdrawn": Child("Liam Testberg", 16, ("Maria Testberg",)),
    },
    "eksjo": {
        "proposal": Child("Wilma Exempelberg", 11, ("Jenny Exempelberg",)),
        "draft": Child("Hugo Påhittberg", 9, ("Sofia Påhittberg",)),
        "due": Child("Elsa Låtsasberg", 15, ("Johanna Låtsasberg", "Erik Låtsasberg")),
        "report": Child("", 12, ("Linda Demosson",)),
        "bup": Child("Leo Fiktivberg", 13, ("Camilla Fiktivberg",)),
        "goals_met": Child("Ebba Övningsberg", 10, ("Malin Övningsberg",)),
        "withdrawn": Child("Melvin Testsson", 16, ("Therese Testsson", "Jonas Testsson")),
    },
}

NEEDS = (
    "Eleven har hög frånvaro och oro hemma. Behöver samordnat stöd från skolan, socialtjänsten "
    "och barn- och ungdomspsykiatrin, och en vuxen i skolan att vända sig till."
)
GOALS = "Eleven går i skolan varje dag och vet vem hen kan prata med."
OTHERS_DO = "Fritidsgården har en kontaktperson som eleven träffar en gång i veckan."


@dataclass
class DemoPlace:
    key: str
    municipality: Municipality
    today: datetime.date
    now: datetime.datetime
    users: dict[str, User]
    units: dict[str, Unit]


def load(*, today: datetime.date) -> int:
    """Create the demo plans of each demo municipality that has none; how many were made."""
    made = 0
    now = timezone.now()
    for key, code in PLACES.items():
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None or Plan.objects.filter(municipality=municipality).exists():
            continue
        place = _place(key, municipality, today, now)
        if place is None:
            continue  # a demo user is missing: leave the plans out rather than half-load
        with transaction.atomic():
            made += _load_place(place)
    return made


def _place(
    key: str, municipality: Municipality, today: datetime.date, now: datetime.datetime
) -> DemoPlace | None:
    names = ("nurse", "intake", "bup", "counsellor")
    users = {name: User.objects.filter(username=f"{name}.{key}").first() for name in names}
    kinds = {
        "medical": UnitKind.MEDICAL_STUDENT_HEALTH,
        "intake": UnitKind.INTAKE,
        "bup": UnitKind.HEALTH_REGION_CLINIC,
        "student_health": UnitKind.STUDENT_HEALTH,
    }
    units: dict[str, Unit] = {}
    for name, kind in kinds.items():
        unit = _unit(municipality, kind, "barn- och ungdomspsykiatri" if name == "bup" else "")
        if unit is not None:
            units[name] = unit
    if any(user is None for user in users.values()) or len(units) != len(kinds):
        return None
    return DemoPlace(key, municipality, today, now, {k: v for k, v in users.items() if v}, units)


def _unit(municipality: Municipality, kind: str, name_contains: str) -> Unit | None:
    units = Unit.objects.filter(municipality=municipality, kind=kind).order_by("name")
    if name_contains:
        units = units.filter(name__icontains=name_contains)
    return units.first()


def _load_place(place: DemoPlace) -> int:
    children = CHILDREN[place.key]
    _proposal(place, children["proposal"])
    _draft(place, children["draft"])
    _follow_up_due(place, children["due"])
    _from_report(place, children["report"])
    _convened_by_bup(place, children["bup"])
    _closed_goals_met(place, children["goals_met"])
    _closed_consent_withdrawn(place, children["withdrawn"])
    return 7


# --- the plans ----------------------------------------------------------------------------------


def _child(place: DemoPlace, child: Child) -> services.ChildData:
    # A birth date that makes the child ``age`` today, whenever the demo is loaded.
    born = place.today.replace(year=place.today.year - child.age) - 40 * DAY
    return services.ChildData(name=child.name, birth_date=born)


def _permit(place: DemoPlace, user: str, plan: Plan, action: SipAction) -> Permit[Plan]:
    permit = plan_policy.find(place.users[user], action, pk=plan.pk)
    assert permit is not None, (user, action)
    return permit


def _proposal(place: DemoPlace, child: Child) -> Plan:
    plan = services.plan_propose(
        actor=place.users["counsellor"],
        from_unit=place.units["student_health"],
        to_unit=place.units["medical"],
        child=_child(place, child),
        reason=(
            "Eleven har träffat kuratorn flera gånger och har kontakt med både BUP och "
            "socialtjänsten. Familjen vill att insatserna samordnas."
        ),
    )
    Plan.objects.filter(pk=plan.pk).update(proposed_at=place.now - 2 * DAY)
    return plan


def _draft(place: DemoPlace, child: Child) -> Plan:
    plan = _start(place, "nurse", "medical", child, days_ago=3)
    _add_family(place, plan, child, convener="nurse")
    return plan


def _follow_up_due(place: DemoPlace, child: Child) -> Plan:
    """Active since seven weeks; its follow-up date is today."""
    plan = _start(place, "nurse", "medical", child, days_ago=60)
    _add_family(place, plan, child, convener="nurse")
    _add_professional(place, plan, "nurse", "bup", "bup")
    _add_professional(place, plan, "nurse", "intake", "intake")
    _consent(place, plan, child, "nurse", ["medical", "bup", "intake"], days_ago=55)
    _actions(
        place,
        plan,
        "nurse",
        [
            ("Samtal med skolsköterskan varannan vecka", "medical", ActionStatus.ONGOING, 30),
            ("Utredning av koncentrationssvårigheter", "bup", ActionStatus.DONE, -10),
            ("Föräldrastöd i grupp", "intake", ActionStatus.ONGOING, 20),
        ],
    )
    _activate(place, plan, "nurse", follow_up_on=place.today, days_ago=49)
    return plan


def _from_report(place: DemoPlace, child: Child) -> Plan | None:
    """Started by the intake from a demo report of concern (an investigation opened); two of
    its actions are overdue."""
    report = (
        ConcernReport.objects.filter(municipality=place.municipality, decision=Decision.OPENED)
        .order_by("submitted_at", "pk")
        .first()
    )
    permit = None
    if report is not None:
        permit = report_policy.find(place.users["intake"], ReportAction.HANDLE, pk=report.pk)
    if report is None or permit is None:
        return None  # the reports' demo is not loaded
    identity = report.child_identity_number
    plan = services.plan_start(
        actor=place.users["intake"],
        unit=place.units["intake"],
        child=services.ChildData(
            name=report.child_name or "Okänt namn",
            identity_number=identity,
            birth_date=None if identity else _child(place, child).birth_date,
        ),
        report_permit=permit,
    )
    _backdate_start(plan, place, days_ago=40)
    _add_family(place, plan, Child(report.child_name, child.age, child.guardians), "intake")
    _add_professional(place, plan, "intake", "bup", "bup")
    _add_professional(place, plan, "intake", "nurse", "medical")
    _consent(place, plan, child, "intake", ["intake", "bup", "medical"], days_ago=38)
    _actions(
        place,
        plan,
        "intake",
        [
            ("Bedömning hos BUP", "bup", ActionStatus.PLANNED, -10),
            ("Hembesök och samtal med vårdnadshavaren", "intake", ActionStatus.ONGOING, -3),
            ("Kontakt med skolsköterskan om sömn och mat", "medical", ActionStatus.DONE, -20),
            ("Anpassningar i klassrummet", "", ActionStatus.PLANNED, 14),
        ],
    )
    _activate(place, plan, "intake", follow_up_on=place.today + 21 * DAY, days_ago=35)
    return plan


def _convened_by_bup(place: DemoPlace, child: Child) -> Plan:
    """Convened by the clinic; its first follow-up was held on time, the next is in two
    months."""
    plan = _start(place, "bup", "bup", child, days_ago=120)
    _add_family(place, plan, child, convener="bup")
    _add_professional(place, plan, "bup", "nurse", "medical")
    _consent(place, plan, child, "bup", ["bup", "medical"], days_ago=115)
    _actions(
        place,
        plan,
        "bup",
        [
            ("Samtalsbehandling på BUP", "bup", ActionStatus.ONGOING, 45),
            ("Anpassad studiegång i matematik", "", ActionStatus.DONE, -30),
        ],
    )
    _activate(place, plan, "bup", follow_up_on=place.today + 60 * DAY, days_ago=110)
    record_network_meetings(
        place,
        plan,
        [
            (110, False, None, "Planen gjordes gemensamt med familjen."),
            (20, True, 18, "Planen följdes upp. Matematiken går bättre; behandlingen fortsätter."),
        ],
    )
    return plan


def _closed_goals_met(place: DemoPlace, child: Child) -> Plan:
    plan = _start(place, "nurse", "medical", child, days_ago=200)
    _add_family(place, plan, child, convener="nurse")
    _add_professional(place, plan, "nurse", "intake", "intake")
    _consent(place, plan, child, "nurse", ["medical", "intake"], days_ago=195)
    _actions(
        place,
        plan,
        "nurse",
        [
            ("Samtal med skolsköterskan", "medical", ActionStatus.DONE, -100),
            ("Stödsamtal för familjen", "intake", ActionStatus.DONE, -60),
        ],
    )
    _activate(place, plan, "nurse", follow_up_on=place.today + 30 * DAY, days_ago=190)
    record_network_meetings(
        place,
        plan,
        [
            (190, False, None, "Planen gjordes gemensamt med familjen."),
            (95, True, 95, "Uppföljning: det går bättre i skolan och hemma."),
            (25, True, 30, "Målen är nådda. Familjen och skolan är överens om att avsluta."),
        ],
    )
    _close(place, plan, "nurse", CloseReason.GOALS_MET, days_ago=21)
    return plan


def _closed_consent_withdrawn(place: DemoPlace, child: Child) -> Plan:
    """The guardian withdrew the consent two weeks ago: the plan was closed, and BUP (a party
    through that consent) can no longer open it."""
    plan = _start(place, "nurse", "medical", child, days_ago=90)
    _add_family(place, plan, child, convener="nurse")
    _add_professional(place, plan, "nurse", "bup", "bup")
    consent = _consent(place, plan, child, "nurse", ["medical", "bup"], days_ago=85)
    _actions(
        place,
        plan,
        "nurse",
        [
            ("Bedömning hos BUP", "bup", ActionStatus.CANCELLED, -40),
            ("Samtal med skolsköterskan", "medical", ActionStatus.DONE, -50),
        ],
    )
    _activate(place, plan, "nurse", follow_up_on=place.today + 14 * DAY, days_ago=80)
    services.consent_withdraw(
        permit=_permit(place, "nurse", plan, SipAction.VIEW),
        actor=place.users["nurse"],
        consent_id=consent.pk,
        withdrawn_by=child.guardians[0],
        at=place.now - 14 * DAY,
    )
    _close(place, plan, "nurse", CloseReason.CONSENT_WITHDRAWN, days_ago=12)
    return plan


# --- the steps ------------------------------------------------------------------------------


def _start(place: DemoPlace, user: str, unit: str, child: Child, *, days_ago: int) -> Plan:
    plan = services.plan_start(
        actor=place.users[user], unit=place.units[unit], child=_child(place, child)
    )
    _backdate_start(plan, place, days_ago=days_ago)
    return plan


def _backdate_start(plan: Plan, place: DemoPlace, *, days_ago: int) -> None:
    Plan.objects.filter(pk=plan.pk).update(started_at=place.now - days_ago * DAY)


def _add_family(place: DemoPlace, plan: Plan, child: Child, convener: str) -> None:
    permit = _permit(place, convener, plan, SipAction.MANAGE)
    for guardian in child.guardians:
        services.participant_add(
            permit=permit,
            actor=place.users[convener],
            data=services.ParticipantData(
                kind=ParticipantKind.GUARDIAN, name=guardian, title="Vårdnadshavare"
            ),
        )
    if child.name:
        services.participant_add(
            permit=permit,
            actor=place.users[convener],
            data=services.ParticipantData(kind=ParticipantKind.CHILD, name=child.name),
        )


def _add_professional(place: DemoPlace, plan: Plan, convener: str, user: str, unit: str) -> None:
    person = place.users[user]
    services.participant_add(
        permit=_permit(place, convener, plan, SipAction.MANAGE),
        actor=place.users[convener],
        data=services.ParticipantData(
            kind=ParticipantKind.PROFESSIONAL,
            name=person.get_full_name(),
            unit=place.units[unit],
            user=person,
            title=getattr(person, "title", ""),
            email=person.email,
        ),
    )


def _consent(
    place: DemoPlace, plan: Plan, child: Child, convener: str, units: list[str], *, days_ago: int
) -> Consent:
    plan.refresh_from_db()
    age = services.child_age(plan, place.today - days_ago * DAY)
    return services.consent_record(
        permit=_permit(place, convener, plan, SipAction.MANAGE),
        actor=place.users[convener],
        data=services.ConsentData(
            guardians=list(child.guardians),
            method=ConsentMethod.WRITTEN,
            parties=[place.units[name] for name in units],
            valid_from=place.today - days_ago * DAY,
            valid_until=place.today + 365 * DAY,
            child_gave=age is not None and age >= services.child_consent_age(),
            scope_note="Uppgifter som behövs för planen: skolgång, hälsa och stöd hemma.",
        ),
    )


def _actions(
    place: DemoPlace,
    plan: Plan,
    user: str,
    actions: list[tuple[str, str, str, int]],
) -> None:
    """Each action: what, the party's unit ("" for the family's own), status, due in days."""
    for what, unit, status, due_in in actions:
        services.action_add(
            permit=_permit(place, user, plan, SipAction.EDIT),
            actor=place.users[user],
            data=services.ActionData(
                what=what,
                party=place.units[unit] if unit else None,
                party_name="" if unit else "Vårdnadshavarna och skolan",
                by_whom="" if unit else "Mentorn",
                due_on=place.today + due_in * DAY,
                status=status,
            ),
        )


def _activate(
    place: DemoPlace, plan: Plan, user: str, *, follow_up_on: datetime.date, days_ago: int
) -> None:
    plan.refresh_from_db()
    responsible = plan.participants.get(user=place.users[user])
    services.plan_update(
        permit=_permit(place, user, plan, SipAction.EDIT),
        actor=place.users[user],
        expected_version=plan.version,
        text=services.PlanText(
            needs=NEEDS,
            goals=GOALS,
            others_do=OTHERS_DO,
            follow_up_on=follow_up_on,
            responsible_id=responsible.pk,
        ),
    )
    services.plan_activate(
        permit=_permit(place, user, plan, SipAction.MANAGE), actor=place.users[user]
    )
    Plan.objects.filter(pk=plan.pk).update(activated_at=place.now - days_ago * DAY)


def _close(place: DemoPlace, plan: Plan, user: str, reason: str, *, days_ago: int) -> None:
    services.plan_close(
        permit=_permit(place, user, plan, SipAction.MANAGE), actor=place.users[user], reason=reason
    )
    Plan.objects.filter(pk=plan.pk).update(closed_at=place.now - days_ago * DAY)
    mark_plan(plan)  # its closing date moved: count it again in the follow-up


def record_network_meetings(
    place: DemoPlace, plan: Plan, meetings: list[tuple[int, bool, int | None, str]]
) -> None:
    """The plan's network meetings (held days ago, a follow-up?, the follow-up date it met in
    days ago, the decisions), present: every participant.

    Written as rows, not through ``sip.services_meetings.meeting_record``: the service records
    a meeting against the plan as it is today (its current follow-up date is the one a
    follow-up answers), while the demo writes a history that lies weeks back."""
    present = list(plan.participants.all())
    for held_ago, follow_up, due_ago, decisions in meetings:
        meeting = NetworkMeeting.objects.create(
            plan=plan,
            held_on=place.today - held_ago * DAY,
            minutes="Alla presenterade sig. Familjen berättade hur det går hemma och i skolan.",
            decisions=decisions,
            is_follow_up=follow_up,
            follow_up_due_on=place.today - due_ago * DAY if due_ago is not None else None,
            recorded_by=plan.created_by or place.users["nurse"],
        )
        meeting.present.set(present)
    mark_plan(plan)
