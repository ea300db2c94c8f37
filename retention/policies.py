"""Who decides on retention: the municipal admin of the municipality, nobody else.

The proposal lists no personal data, but it does list which records exist and when they were
closed, and the decision erases them: both stay within the municipality's own admins (a
coordinator sees the follow-up's numbers, which a deletion does not change). Everybody else,
and every admin of another municipality, gets the same 404 as for a missing decision.
"""

from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from access.policies import Grant, Policy
from organisations.models import Municipality, Role, User
from organisations.selectors import memberships_with_role
from retention.models import DeletionDecision


class RetentionAction(StrEnum):
    DECIDE = "decide"  # edit the rules, see the proposal, make and see deletion decisions


DECIDE = RetentionAction.DECIDE


class DecisionPolicy(Policy[DeletionDecision, RetentionAction]):
    """Deletion decisions of the municipalities where the user is municipal admin."""

    model = DeletionDecision
    actions = RetentionAction
    rule_labels = {"retention.decide.municipal_admin": _("municipal admin of the municipality")}

    def base_queryset(self) -> QuerySet[DeletionDecision]:
        return DeletionDecision.objects.select_related("municipality", "decided_by")

    def grants(self, user: User, action: RetentionAction) -> list[Grant]:  # noqa: ARG002 - one action
        found: dict[int, Grant] = {}
        for membership in memberships_with_role(user, [Role.MUNICIPAL_ADMIN]):
            municipality_id = membership.unit.municipality_id
            found.setdefault(
                municipality_id,
                Grant(
                    "retention.decide.municipal_admin",
                    Q(municipality_id=municipality_id),
                    membership,
                ),
            )
        return list(found.values())


decision_policy = DecisionPolicy()


def decided_municipalities(user: User) -> list[Municipality]:
    """The municipalities whose retention the user decides, by name (no query)."""
    return decision_policy.municipalities(user, DECIDE)
