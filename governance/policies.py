"""Who may read and who may manage governance documents.

- READ: anyone with a membership in force in the document's municipality — every member of
  staff reads the routine; board members and auditors read the documents too.
- MANAGE (create documents, add versions, goals, responsibilities and measures, see the read
  shares): the municipality's coordinators and managers.
- Everyone else, and every other municipality: the same 404.

Governance documents hold no child data, so reads are not written to the access log.
"""

from enum import StrEnum

from django.db.models import Q, QuerySet

from access.policies import Grant, Policy
from governance.models import GovernanceDocument
from organisations.models import Membership, Role, User
from organisations.selectors import memberships_of


class DocumentAction(StrEnum):
    READ = "read"
    MANAGE = "manage"


READ = DocumentAction.READ
MANAGE = DocumentAction.MANAGE

MANAGER_ROLES = frozenset({Role.COORDINATOR, Role.MANAGER})


def _by_municipality(memberships: list[Membership]) -> dict[int, Membership]:
    """One membership per municipality (the first), the one named in the grant."""
    found: dict[int, Membership] = {}
    for membership in memberships:
        found.setdefault(membership.unit.municipality_id, membership)
    return found


class GovernanceDocumentPolicy(Policy[GovernanceDocument, DocumentAction]):
    model = GovernanceDocument
    actions = DocumentAction
    logs_reads = False

    def base_queryset(self) -> QuerySet[GovernanceDocument]:
        return GovernanceDocument.objects.select_related("municipality", "owner_unit")

    def grants(self, user: User, action: DocumentAction) -> list[Grant]:
        if action == READ:
            return [
                Grant("document.read.member_of_municipality", Q(municipality_id=mid), membership)
                for mid, membership in _by_municipality(memberships_of(user)).items()
            ]
        if action == MANAGE:
            managing = [m for m in memberships_of(user) if m.role in MANAGER_ROLES]
            return [
                Grant(f"document.manage.{membership.role}", Q(municipality_id=mid), membership)
                for mid, membership in _by_municipality(managing).items()
            ]
        return []


document_policy = GovernanceDocumentPolicy()
