"""Who may read and who may change audits.

- READ: the municipality's auditors, coordinators, managers and board members.
- EDIT (audits, questions and their assessments, recommendations, follow-up rounds and their
  assessments, the follow-up report): the municipality's auditors.
- RESPOND (responses, measures and evidence): the municipality's coordinators and managers.
- Everyone else, and every other municipality: the same 404.

Every other row of the module is reached through its audit, so this one policy guards them
all. Audits hold no child data, so reads are not written to the access log.
"""

from enum import StrEnum

from django.db.models import Q, QuerySet

from access.policies import Grant, Policy
from audits.models import Audit
from organisations.models import Membership, Role, User
from organisations.selectors import memberships_of


class AuditAction(StrEnum):
    READ = "read"
    EDIT = "edit"
    RESPOND = "respond"


READ = AuditAction.READ
EDIT = AuditAction.EDIT
RESPOND = AuditAction.RESPOND

AUDITOR_ROLES = frozenset({Role.AUDITOR})
RESPONDER_ROLES = frozenset({Role.COORDINATOR, Role.MANAGER})
READER_ROLES = AUDITOR_ROLES | RESPONDER_ROLES | {Role.BOARD_MEMBER}

_ROLES: dict[AuditAction, frozenset[str]] = {
    READ: READER_ROLES,
    EDIT: AUDITOR_ROLES,
    RESPOND: RESPONDER_ROLES,
}


def _by_municipality(memberships: list[Membership]) -> dict[int, Membership]:
    """One membership per municipality (the first), the one named in the grant."""
    found: dict[int, Membership] = {}
    for membership in memberships:
        found.setdefault(membership.unit.municipality_id, membership)
    return found


class AuditPolicy(Policy[Audit, AuditAction]):
    model = Audit
    actions = AuditAction
    logs_reads = False

    def base_queryset(self) -> QuerySet[Audit]:
        return Audit.objects.select_related("municipality", "follows_up")

    def grants(self, user: User, action: AuditAction) -> list[Grant]:
        holding = [m for m in memberships_of(user) if m.role in _ROLES[action]]
        return [
            Grant(f"audit.{action}.{membership.role}", Q(municipality_id=mid), membership)
            for mid, membership in _by_municipality(holding).items()
        ]


audit_policy = AuditPolicy()
