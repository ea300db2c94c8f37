"""Who reads a survey round's results, and who works with its answers (DESIGN.md §3.5).

- READ (aggregated, suppressed results; the analysis and the priorities as written): the
  municipality's coordinators, managers, board members and auditors, and the members of the
  round's analysis group.
- ANALYSE (the free-text answers, removing personal data from them, writing the analysis and
  the prioritised resources): the round's analysis group only. A coordinator who is not a
  member does not read the free texts: someone may have typed personal data into them.
- Only rounds that have been sent: a draft has no results. Everyone else, and every other
  municipality: the same 404.

Survey data holds no child data, so reads are not access-logged; the free texts may hold
personal data someone typed, so they never go into e-mails, logs, URLs or exports.
"""

from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from access.policies import Grant, Policy
from organisations.models import Membership, Role, User
from organisations.selectors import memberships_of, memberships_with_role
from surveys.models import AnalysisMember, Round


class ResultsAction(StrEnum):
    READ = "read"
    ANALYSE = "analyse"


READ = ResultsAction.READ
ANALYSE = ResultsAction.ANALYSE

# The roles that read every sent round's results in their municipality.
READER_ROLES = (Role.COORDINATOR, Role.MANAGER, Role.BOARD_MEMBER, Role.AUDITOR)


def _by_municipality(memberships: list[Membership]) -> dict[int, Membership]:
    found: dict[int, Membership] = {}
    for membership in memberships:
        found.setdefault(membership.unit.municipality_id, membership)
    return found


class RoundResultsPolicy(Policy[Round, ResultsAction]):
    model = Round
    actions = ResultsAction
    rule_labels = {
        "surveys.results.reader": _("Reads the municipality's survey results"),
        "surveys.results.analysis_group": _("Member of the round's analysis group"),
    }

    def base_queryset(self) -> QuerySet[Round]:
        return Round.objects.filter(sent_at__isnull=False).select_related(
            "municipality", "template_version", "template_version__template", "occurrence"
        )

    def grants(self, user: User, action: ResultsAction) -> list[Grant]:
        grants: list[Grant] = []
        if action == READ:
            grants += [
                Grant("surveys.results.reader", Q(municipality_id=municipality_id), membership)
                for municipality_id, membership in _by_municipality(
                    memberships_with_role(user, READER_ROLES)
                ).items()
            ]
        # A member reads and analyses the rounds whose group names them (the tenant backstop
        # still keeps them to municipalities where they hold a role).
        memberships = memberships_of(user)
        grants.append(
            Grant(
                "surveys.results.analysis_group",
                Q(pk__in=AnalysisMember.objects.filter(user=user).values("round_id")),
                memberships[0] if memberships else None,
            )
        )
        return grants


results_policy = RoundResultsPolicy()
