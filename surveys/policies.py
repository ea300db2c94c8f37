"""Who may build survey templates and send rounds (DESIGN.md §3.5).

- MANAGE (templates, rounds, invitations, the analysis group): the municipality's coordinators.
- VIEW (the list of rounds and a round's page: status, period and counts, never who was
  invited): the coordinators, managers, board members and auditors of the municipality, and
  the members of the round's analysis group.
- Everyone else, and every other municipality: nothing, the same 404.

Results and free-text answers have their own policy (``surveys.policies_results``). Survey data
holds no child data, so reads are not access-logged.
"""

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from access.policies import Grant, Policy
from organisations.models import Membership, Role, User
from organisations.selectors import memberships_of, memberships_with_role
from surveys.models import AnalysisMember, Round, Template


class SurveyAction(StrEnum):
    VIEW = "view"
    MANAGE = "manage"


VIEW = SurveyAction.VIEW
MANAGE = SurveyAction.MANAGE

# Roles that read a municipality's rounds (and, through the results policy, their results).
READER_ROLES = frozenset({Role.COORDINATOR, Role.MANAGER, Role.BOARD_MEMBER, Role.AUDITOR})


def _by_municipality(memberships: list[Membership]) -> dict[int, Membership]:
    found: dict[int, Membership] = {}
    for membership in memberships:
        found.setdefault(membership.unit.municipality_id, membership)
    return found


def _coordinator_grants(user: User, field: str) -> list[Grant]:
    return [
        Grant("surveys.manage.coordinator", Q(**{field: municipality_id}), membership)
        for municipality_id, membership in _by_municipality(
            memberships_with_role(user, [Role.COORDINATOR])
        ).items()
    ]


class TemplatePolicy(Policy[Template, SurveyAction]):
    model = Template
    actions = SurveyAction
    rule_labels = {"surveys.manage.coordinator": _("Coordinator of the municipality")}

    def base_queryset(self) -> QuerySet[Template]:
        return Template.objects.select_related("municipality")

    def grants(self, user: User, action: SurveyAction) -> list[Grant]:  # noqa: ARG002
        # Templates are the coordinators' tools: reading one is managing it.
        return _coordinator_grants(user, "municipality_id")


class RoundPolicy(Policy[Round, SurveyAction]):
    model = Round
    actions = SurveyAction
    rule_labels = {
        "surveys.view.reader": _("Reads the municipality's surveys"),
        "surveys.view.analysis_group": _("Member of the round's analysis group"),
    }

    def base_queryset(self) -> QuerySet[Round]:
        return Round.objects.select_related(
            "municipality", "template_version", "template_version__template", "occurrence"
        )

    def grants(self, user: User, action: SurveyAction) -> list[Grant]:
        grants = _coordinator_grants(user, "municipality_id")
        if action != VIEW:
            return grants
        managed = {grant.municipality_id for grant in grants}
        readers = _by_municipality(memberships_with_role(user, READER_ROLES - {Role.COORDINATOR}))
        grants += [
            Grant("surveys.view.reader", Q(municipality_id=municipality_id), membership)
            for municipality_id, membership in readers.items()
            if municipality_id not in managed
        ]
        memberships = memberships_of(user)
        if memberships:
            grants.append(
                Grant(
                    "surveys.view.analysis_group",
                    Q(pk__in=AnalysisMember.objects.filter(user=user).values("round_id")),
                    memberships[0],
                )
            )
        return grants


def in_analysis_group(user: User, round_: Round) -> bool:
    """Whether ``user`` is a member of the round's analysis group (and active): the test for
    free-text answers and for recording the analysis. One query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if round_.municipality_id not in {m.unit.municipality_id for m in memberships_of(user)}:
        return False
    return AnalysisMember.objects.filter(round=round_, user=user).exists()


def analysis_group_round_ids(user: User) -> QuerySet[AnalysisMember, Any]:
    """The ids of the rounds whose analysis group ``user`` belongs to (a subquery)."""
    return AnalysisMember.objects.filter(user=user).values("round_id")


template_policy = TemplatePolicy()
round_policy = RoundPolicy()
