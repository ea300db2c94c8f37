"""Who may see and do what with a report of concern (DESIGN.md §2, LAW.md confidentiality).

- The author edits their own drafts, and afterwards sees what they wrote, the status and the
  feedback ("view_status"), and may add supplements.
- A principal sees the status and feedback of reports filed from their school, except those
  filed by medical student health (its own confidentiality domain, OSL 25 kap. 1 §).
- The intake of the handling municipality sees everything and works the steps ("handle").
- Nobody else sees anything: the same 404 for every other user.
"""

from django.db.models import Q

from access.policies import Grant, Policy
from organisations.models import Role, Sector, UnitKind, User
from organisations.selectors import memberships_with_role
from reports.models import ConcernReport, ReportStatus

EDIT = "edit"
VIEW_STATUS = "view_status"
SUPPLEMENT = "supplement"
HANDLE = "handle"

# Roles that may file a report, and the kinds of unit they file from.
REPORTER_ROLES = frozenset(
    {Role.REPORTER, Role.STUDENT_HEALTH, Role.MEDICAL_STUDENT_HEALTH, Role.PRINCIPAL}
)
REPORTING_UNIT_KINDS = frozenset(
    {
        UnitKind.SCHOOL,
        UnitKind.PRESCHOOL,
        UnitKind.STUDENT_HEALTH,
        UnitKind.MEDICAL_STUDENT_HEALTH,
    }
)

_SUBMITTED = ~Q(status=ReportStatus.DRAFT)


class ConcernReportPolicy(Policy[ConcernReport]):
    model = ConcernReport
    logs_reads = True

    def grants(self, user: User, action: str) -> list[Grant]:
        if action == EDIT:
            return [Grant("author_of_draft", Q(author=user, status=ReportStatus.DRAFT))]
        if action == SUPPLEMENT:
            return [Grant("author", Q(author=user) & _SUBMITTED & ~Q(status=ReportStatus.CLOSED))]
        if action == VIEW_STATUS:
            return [Grant("author", Q(author=user) & _SUBMITTED), *self._principal_grants(user)]
        if action == HANDLE:
            return [
                Grant(
                    "intake_of_municipality",
                    Q(municipality_id=m.unit.municipality_id) & _SUBMITTED,
                    m,
                )
                for m in memberships_with_role(user, [Role.INTAKE])
            ]
        return []

    def _principal_grants(self, user: User) -> list[Grant]:
        grants = []
        for membership in memberships_with_role(user, [Role.PRINCIPAL]):
            unit = membership.unit
            school = (
                Q(school_unit__path__startswith=unit.path)
                if membership.includes_subtree
                else Q(school_unit=unit)
            )
            # Medical student health's reports stay within its own confidentiality domain.
            q = school & _SUBMITTED & ~Q(author_sector=Sector.MEDICAL_STUDENT_HEALTH)
            grants.append(Grant("principal_of_school", q, membership))
        return grants


report_policy = ConcernReportPolicy()


def can_file_reports(user: User) -> bool:
    return any(
        membership.unit.kind in REPORTING_UNIT_KINDS
        for membership in memberships_with_role(user, REPORTER_ROLES)
    )


def is_intake(user: User) -> bool:
    return bool(memberships_with_role(user, [Role.INTAKE]))
