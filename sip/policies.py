"""Who may see and do what with a coordinated individual plan (DESIGN.md §2, LAW.md "Consent
and SIP").

- The **convening unit** holds the plan: its school nurses or doctors (medical student health),
  intake social workers, and SIP participants of a social-services or health-region unit see
  it and manage it (participants, consents, activation, closing). It is their own record.
- A **party** sees the plan only while a consent in force covers it: a person named as a
  participant, with an account, at a unit that a consent in force for this plan covers. The
  grant is checked on every request (the consent's dates and withdrawal are in the query), so a
  withdrawal or an expiry takes effect on the next one, and the access log names the consent.
- When a party's consent has ended, the plan leaves their lists; opening it shows only the day
  their access ended (``ENDED``, which reads no content and so logs nothing).
- A **proposal** (by a counsellor or principal) is seen by its proposer (its status) and by
  the conveners of the unit asked to convene, who accept or decline it.
- Nobody else sees anything of a plan: the principal only as a named participant of a party
  unit; the coordinator, managers and the board see counts in the follow-up.
"""

import datetime
from enum import StrEnum

from django.db.models import F, Func, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.policies import Grant, Policy
from organisations.models import (
    ROLES_THAT_SEE_CHILDREN,
    Membership,
    Role,
    Sector,
    User,
)
from organisations.selectors import memberships_of, memberships_with_role
from retention.models import RecordType, erased
from sip.models import Consent, ConsentPurpose, Participant, Plan, PlanStatus, consent_in_force


class SipAction(StrEnum):
    VIEW = "view"  # the plan's content: the convening unit, or a party with a consent in force
    EDIT = "edit"  # the plan's text, actions and meetings, while it is a draft or active
    MANAGE = "manage"  # participants, consents, activation and closing: the convening unit
    ENDED = "ended"  # a former party whose consent has ended: the date only, no content
    PROPOSAL = "proposal"  # a proposal: its proposer and the unit asked to convene
    ACCEPT = "accept"  # the unit asked to convene accepts or declines a proposal


CONVENER_RULE = "sip_convener"
PARTY_RULE = "sip_party_consent"
FORMER_PARTY_RULE = "sip_former_party"
PROPOSER_RULE = "sip_proposer"
ASKED_RULE = "sip_asked_to_convene"

_OPEN = Q(status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE])
_STARTED = ~Q(status=PlanStatus.PROPOSED)

# Who may convene a plan (LAW.md: social services or health care start it; Leksand's routine
# lets the school nurse convene for the school).
CONVENER_SECTORS = frozenset({Sector.SOCIAL_SERVICES, Sector.HEALTH_REGION})
# Who may propose one: the rest of student health and the principal.
PROPOSER_ROLES = frozenset({Role.STUDENT_HEALTH, Role.PRINCIPAL})


def convening_memberships(user: User) -> list[Membership]:
    """The memberships in which the user may convene a plan (no query)."""
    return [
        membership
        for membership in memberships_of(user)
        if membership.role in (Role.MEDICAL_STUDENT_HEALTH, Role.INTAKE)
        or (membership.role == Role.SIP_PARTICIPANT and membership.unit.sector in CONVENER_SECTORS)
    ]


def proposing_memberships(user: User) -> list[Membership]:
    return memberships_with_role(user, PROPOSER_ROLES)


def party_memberships(user: User) -> list[Membership]:
    """The memberships through which a named participant may see a plan (roles that may see a
    child's data at all; one per unit)."""
    by_unit: dict[int, Membership] = {}
    for membership in memberships_with_role(user, ROLES_THAT_SEE_CHILDREN):
        by_unit.setdefault(membership.unit_id, membership)
    return list(by_unit.values())


def covering_consents(unit_id: int, day: datetime.date) -> QuerySet[Consent]:
    """The SIP consents in force on ``day`` that cover the unit (any plan)."""
    return Consent.objects.filter(
        consent_in_force(day), purpose=ConsentPurpose.SIP, parties=unit_id
    )


def _formatted_reference(field: str) -> Func:
    """A reference as people read it, "K7R-X4M", built in the query."""
    return Concat(Substr(F(field), 1, 3), Value("-"), Substr(F(field), 4, 3))


class PlanPolicy(Policy[Plan, SipAction]):
    model = Plan
    actions = SipAction
    logs_reads = True
    rule_labels = {
        CONVENER_RULE: _("The unit that convened the coordinated plan"),
        PARTY_RULE: _("A party to the coordinated plan, through consent %(detail)s"),
        FORMER_PARTY_RULE: _("A former party to the plan (only the day the access ended)"),
        PROPOSER_RULE: _("The person who proposed the coordinated plan"),
        ASKED_RULE: _("The unit asked to convene a proposed coordinated plan"),
    }

    def base_queryset(self) -> QuerySet[Plan]:
        # A plan erased by a deletion decision is gone for everyone's work: its skeleton row
        # stays only for the follow-up's numbers (docs/retention.md).
        return super().base_queryset().exclude(erased(RecordType.PLAN, RecordType.MEDICAL_PLAN))

    def grants(self, user: User, action: SipAction) -> list[Grant]:
        match action:
            case SipAction.VIEW:
                return self._convener(user, _STARTED) + self._parties(user, _STARTED)
            case SipAction.EDIT:
                return self._convener(user, _OPEN) + self._parties(user, _OPEN)
            case SipAction.MANAGE:
                return self._convener(user, _OPEN)
            case SipAction.ENDED:
                return self._former_parties(user)
            case SipAction.PROPOSAL:
                return self._asked(user) + [
                    Grant(PROPOSER_RULE, Q(proposed_by=user, proposed_from_unit=m.unit), m)
                    for m in proposing_memberships(user)
                ]
            case SipAction.ACCEPT:
                return self._asked(user)
        return []

    def _convener(self, user: User, condition: Q) -> list[Grant]:
        return [
            Grant(CONVENER_RULE, Q(convening_unit=m.unit) & condition, m)
            for m in convening_memberships(user)
        ]

    def _asked(self, user: User) -> list[Grant]:
        return [
            Grant(ASKED_RULE, Q(status=PlanStatus.PROPOSED, proposed_to_unit=m.unit), m)
            for m in convening_memberships(user)
        ]

    def _parties(self, user: User, condition: Q) -> list[Grant]:
        today = timezone.localdate()
        grants = []
        for membership in party_memberships(user):
            named = Participant.objects.filter(user=user, unit=membership.unit).values("plan_id")
            consents = covering_consents(membership.unit_id, today)
            first = consents.filter(plan=OuterRef("pk")).order_by("valid_from", "pk")
            grants.append(
                Grant(
                    PARTY_RULE,
                    Q(pk__in=named) & Q(pk__in=consents.values("plan_id")) & condition,
                    membership,
                    detail=Subquery(
                        first.annotate(shown=_formatted_reference("reference_code")).values(
                            "shown"
                        )[:1]
                    ),
                )
            )
        return grants

    def _former_parties(self, user: User) -> list[Grant]:
        """Named participants whose unit a consent for the plan covered, but none does today."""
        today = timezone.localdate()
        grants = []
        for membership in party_memberships(user):
            named = Participant.objects.filter(user=user, unit=membership.unit).values("plan_id")
            ever = Consent.objects.filter(
                purpose=ConsentPurpose.SIP, parties=membership.unit_id, valid_from__lte=today
            )
            now = covering_consents(membership.unit_id, today)
            grants.append(
                Grant(
                    FORMER_PARTY_RULE,
                    Q(pk__in=named)
                    & Q(pk__in=ever.values("plan_id"))
                    & ~Q(pk__in=now.values("plan_id"))
                    & _STARTED,
                    membership,
                )
            )
        return grants


plan_policy = PlanPolicy()


def can_convene(user: User) -> bool:
    return bool(convening_memberships(user))


def can_propose(user: User) -> bool:
    return bool(proposing_memberships(user))
