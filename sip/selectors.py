"""Reads for the plan pages. Every list of plans starts from ``sip.policies.plan_policy`` (so
its rows write their access-log rows); what a page shows of one plan is loaded here after the
view holds its permit, in a fixed number of queries whatever the number of rows."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AuditEvent, AuditEventType
from access.policies import read_page
from core.keyset import rows_after
from organisations.models import ROLES_THAT_SEE_CHILDREN, Membership, Unit, UnitKind, User
from organisations.models import active_on as membership_active_on
from sip.models import (
    CloseReason,
    Consent,
    ConsentGiver,
    ConsentPurpose,
    GiverRelation,
    Participant,
    ParticipantKind,
    Plan,
    PlanAction,
    PlanStatus,
)
from sip.policies import SipAction, party_memberships, plan_policy

PAGE_SIZE = 25
PROPOSALS_SHOWN = 20


# --- the list -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    plan: Plan
    state: str
    state_label: str
    follow_up_overdue: bool


@dataclass(frozen=True)
class PlanListPage:
    rows: list[PlanRow]
    next_cursor: str = ""
    waiting: list[Plan] = field(default_factory=list)
    mine: list[Plan] = field(default_factory=list)


def _cursor_of(plan: Plan) -> str:
    assert plan.started_at is not None
    return f"{plan.started_at.timestamp():.6f}_{plan.pk}"


def _after(cursor: str) -> Q | None:
    moment_text, _sep, pk_text = cursor.partition("_")
    try:
        moment = datetime.datetime.fromtimestamp(float(moment_text), tz=datetime.UTC)
        pk = int(pk_text)
    except (ValueError, OverflowError, OSError):
        return None
    return rows_after(("started_at", "id"), (moment, pk), descending=True)


def plan_list_page(user: User, cursor: str = "") -> PlanListPage:
    """The user's plans (newest first, keyset pages), the proposals waiting for the user's
    units and the user's own proposals. Three queries plus the access log's insert."""
    today = timezone.localdate()
    rows: QuerySet[Plan] = (
        plan_policy.visible(user, SipAction.VIEW)
        .select_related("convening_unit")
        .order_by("-started_at", "-pk")
    )
    if cursor:
        after = _after(cursor)
        if after is not None:
            rows = rows.filter(after)
    plans, more = read_page(rows, PAGE_SIZE)
    shown = [
        PlanRow(
            plan=plan,
            state=plan.state(today),
            state_label=plan.state_label(),
            follow_up_overdue=(
                plan.status == PlanStatus.ACTIVE
                and plan.follow_up_on is not None
                and plan.follow_up_on < today
            ),
        )
        for plan in plans
    ]
    waiting = list(
        plan_policy.visible(user, SipAction.ACCEPT)
        .select_related("proposed_from_unit", "proposed_to_unit")
        .order_by("proposed_at", "pk")[:PROPOSALS_SHOWN]
    )
    mine = list(
        plan_policy.visible(user, SipAction.PROPOSAL)
        .filter(proposed_by=user)
        .select_related("proposed_to_unit")
        .order_by("-proposed_at", "-pk")[:PROPOSALS_SHOWN]
    )
    return PlanListPage(
        rows=shown,
        next_cursor=_cursor_of(plans[-1]) if more and plans else "",
        waiting=waiting,
        mine=mine,
    )


def proposal_state(plan: Plan) -> str:
    """A proposal's status in words, as its proposer reads it."""
    if plan.status == PlanStatus.PROPOSED:
        return _("Waiting for an answer")
    if plan.close_reason == CloseReason.PROPOSAL_DECLINED:
        return _("Not taken up")
    return _("Taken up")


# --- one plan -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    guardians: list[ConsentGiver]
    child: ConsentGiver | None
    parties: list[Unit]
    state: str  # "in_force", "not_yet", "withdrawn", "expired"
    state_text: str
    ended_on: datetime.date | None


@dataclass(frozen=True)
class PlanPage:
    plan: Plan
    participants: list[Participant]
    actions: list[PlanAction]
    consents: list[ConsentRow]
    overdue_actions: int


def consent_row(consent: Consent, today: datetime.date) -> ConsentRow:
    givers = list(consent.givers.all())
    ended = consent.ended_on()
    if consent.withdrawn_at is not None:
        state = "withdrawn"
        text = _("Withdrawn %(date)s") % {"date": _date(timezone.localdate(consent.withdrawn_at))}
    elif consent.valid_until is not None and consent.valid_until < today:
        state = "expired"
        text = _("Ended %(date)s") % {"date": _date(consent.valid_until)}
    elif consent.valid_from > today:
        state = "not_yet"
        text = _("In force from %(date)s") % {"date": _date(consent.valid_from)}
    else:
        state = "in_force"
        text = _("In force")
    return ConsentRow(
        consent=consent,
        guardians=[giver for giver in givers if giver.relation == GiverRelation.GUARDIAN],
        child=next((giver for giver in givers if giver.relation == GiverRelation.CHILD), None),
        parties=sorted(consent.parties.all(), key=lambda unit: unit.name),
        state=state,
        state_text=text,
        ended_on=ended,
    )


def _date(day: datetime.date) -> str:
    from django.utils.formats import date_format

    return date_format(day, "DATE_FORMAT")


def _consents(plan: Plan) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(plan=plan, purpose=ConsentPurpose.SIP)
        .select_related("withdrawal_recorded_by", "recorded_by")
        .prefetch_related("givers", "parties")
        .order_by("-valid_from", "-pk")
    )


def plan_page(plan: Plan) -> PlanPage:
    """What the plan page shows: participants, actions and consents (a fixed number of
    queries)."""
    today = timezone.localdate()
    participants = list(plan.participants.select_related("unit", "user"))
    actions = list(plan.actions.select_related("party"))
    consents = [consent_row(consent, today) for consent in _consents(plan)]
    return PlanPage(
        plan=plan,
        participants=participants,
        actions=actions,
        consents=consents,
        overdue_actions=sum(1 for action in actions if action.is_overdue(today)),
    )


def plan_with_units(plan: Plan) -> Plan:
    return Plan.objects.select_related("convening_unit", "responsible", "report").get(pk=plan.pk)


def participating_units(plan: Plan) -> list[Unit]:
    """The units of the plan's professional participants (the parties a consent can cover)."""
    ids = plan.participants.filter(kind=ParticipantKind.PROFESSIONAL).values("unit_id")
    return list(Unit.objects.filter(pk__in=ids).order_by("name"))


def professionals(plan: Plan) -> list[Participant]:
    return list(plan.participants.filter(kind=ParticipantKind.PROFESSIONAL).select_related("unit"))


def municipality_units(municipality_id: int) -> list[Unit]:
    return list(
        Unit.objects.filter(municipality_id=municipality_id, is_active=True).order_by("name")
    )


def municipality_staff(municipality_id: int) -> list[tuple[User, str]]:
    """The accounts that may take part for a unit of the municipality (roles that see a
    child's data), each with its unit's name, for the participant form."""
    memberships = (
        Membership.objects.filter(
            membership_active_on(timezone.localdate()),
            unit__municipality_id=municipality_id,
            unit__is_active=True,
            role__in=ROLES_THAT_SEE_CHILDREN,
            user__is_active=True,
        )
        .select_related("user", "unit")
        .order_by("user__first_name", "user__last_name", "unit__name")
    )
    seen: dict[int, tuple[User, str]] = {}
    for membership in memberships:
        seen.setdefault(membership.user_id, (membership.user, membership.unit.name))
    return list(seen.values())


def convener_units(municipality_id: int) -> list[Unit]:
    """The units a proposal can ask to convene: medical student health and the intake."""
    return list(
        Unit.objects.filter(
            municipality_id=municipality_id,
            is_active=True,
            kind__in=[UnitKind.MEDICAL_STUDENT_HEALTH, UnitKind.INTAKE],
        ).order_by("name")
    )


def units_losing_access(plan: Plan, consent: Consent) -> list[Unit]:
    """The parties that lose access at once when ``consent`` is withdrawn: those it covers
    that no other consent in force for the plan covers."""
    today = timezone.localdate()
    from sip.models import consent_in_force

    others = Consent.objects.filter(consent_in_force(today), plan=plan).exclude(pk=consent.pk)
    kept = set(others.values_list("parties", flat=True))
    return [unit for unit in consent.parties.order_by("name") if unit.pk not in kept]


# --- the former party -----------------------------------------------------------------------


@dataclass(frozen=True)
class Ended:
    on: datetime.date | None
    withdrawn: bool


def access_ended(user: User, plan: Plan) -> Ended:
    """When and why the user's access to the plan ended: the latest end among the consents
    for the plan that covered the user's units (no content of the plan is read)."""
    unit_ids = [membership.unit_id for membership in party_memberships(user)]
    consents = Consent.objects.filter(
        plan=plan, purpose=ConsentPurpose.SIP, parties__in=unit_ids
    ).distinct()
    ends = [
        (consent.ended_on(), consent.withdrawn_at is not None)
        for consent in consents
        if consent.ended_on() is not None
    ]
    if not ends:
        return Ended(on=None, withdrawn=False)
    on, withdrawn = max(ends, key=lambda end: end[0] or datetime.date.min)
    return Ended(on=on, withdrawn=withdrawn)


# --- history ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    at: datetime.datetime
    who: str
    what: str
    details: list[str]


FIELD_WORDS = {
    "needs": Plan._meta.get_field("needs").verbose_name,
    "goals": Plan._meta.get_field("goals").verbose_name,
    "others_do": Plan._meta.get_field("others_do").verbose_name,
    "follow_up_on": Plan._meta.get_field("follow_up_on").verbose_name,
    "responsible": Plan._meta.get_field("responsible").verbose_name,
}


def plan_history(plan: Plan, limit: int | None = None) -> list[HistoryRow]:
    """Who changed what and when, newest first, in words (from the plan's audit events);
    the latest ``limit`` only, when given."""
    events = (
        AuditEvent.objects.filter(object_type=Plan._meta.label_lower, object_id=str(plan.pk))
        .select_related("actor")
        .order_by("-occurred_at", "-pk")
    )
    if limit is not None:
        events = events[:limit]
    names = {
        participant.pk: participant.name
        for participant in Participant.history.filter(plan_id=plan.pk).only("id", "name")
    }
    actions = {
        action.pk: str(action) for action in PlanAction.objects.filter(plan=plan).only("id", "what")
    }
    return [
        HistoryRow(
            at=event.occurred_at,
            who=(event.actor.get_full_name() or event.actor.get_username())
            if event.actor
            else _("The system"),
            what=event.event_type_label,
            details=_details(event, names, actions),
        )
        for event in events
    ]


def _details(event: AuditEvent, names: dict[int, str], actions: dict[int, str]) -> list[str]:
    new: dict[str, Any] = event.new_values or {}
    match event.event_type:
        case AuditEventType.SIP_UPDATED:
            return [
                str(FIELD_WORDS.get(name, ""))
                for name in new.get("fields", [])
                if name in FIELD_WORDS
            ]
        case AuditEventType.SIP_PARTICIPANT_ADDED | AuditEventType.SIP_PARTICIPANT_REMOVED:
            name = names.get(new.get("participant", 0), "")
            return [name] if name else []
        case AuditEventType.SIP_ACTION_ADDED | AuditEventType.SIP_ACTION_UPDATED:
            what = actions.get(new.get("action", 0), "")
            return [what] if what else []
        case AuditEventType.CONSENT_RECORDED | AuditEventType.CONSENT_WITHDRAWN:
            reference = new.get("consent", "")
            return [_("Consent %(reference)s") % {"reference": reference}] if reference else []
        case AuditEventType.SIP_CLOSED:
            reason = new.get("reason", "")
            return [str(CloseReason(reason).label)] if reason in CloseReason.values else []
    return []
