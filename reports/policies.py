"""Who may see and do what with a report of concern (DESIGN.md §2, LAW.md confidentiality).

- The author edits their own drafts (EDIT), and afterwards sees what they wrote, the status
  and the feedback (VIEW_OWN) and may add supplements (SUPPLEMENT) — while they hold a
  reporting role in the report's school's municipality. When that role ends they see nothing
  of the content any more (the report stays with the intake).
- A principal follows the status and feedback of reports filed from their school (FOLLOW),
  except those filed by medical student health: its own confidentiality domain (OSL 25 kap.
  1 §), keyed on the role the author filed in *and* on the unit's sector, so that a nurse
  given that role at a school unit is still inside the boundary.
- The intake of the handling municipality sees everything and works the steps (HANDLE). A
  report the intake registered itself (from the police, health care, the public...) has no
  school, so no author or principal grant ever matches it: it is the intake's alone.
- Nobody else sees anything: the same 404 for every other user.
"""

from enum import StrEnum

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from access.policies import Grant, Policy
from organisations.models import Membership, Role, Sector, UnitKind, User
from organisations.selectors import memberships_with_role
from reports.models import ConcernReport, ReportStatus
from retention.models import RecordType, erased


class ReportAction(StrEnum):
    EDIT = "edit"  # the author's own draft
    OWN = "own"  # everything the author wrote: drafts and submitted reports (lists, siblings)
    VIEW_OWN = "view_own"  # the author's submitted report: what they wrote, status, feedback
    SUPPLEMENT = "supplement"
    FOLLOW = "follow"  # a principal: status and feedback of the school's reports
    HANDLE = "handle"  # the intake of the handling municipality


EDIT = ReportAction.EDIT
OWN = ReportAction.OWN
VIEW_OWN = ReportAction.VIEW_OWN
SUPPLEMENT = ReportAction.SUPPLEMENT
FOLLOW = ReportAction.FOLLOW
HANDLE = ReportAction.HANDLE

AUTHOR_RULE = "author"
PRINCIPAL_RULE = "principal_of_school"
INTAKE_RULE = "intake_of_municipality"

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
# Filed inside medical student health's confidentiality domain.
_MEDICAL = Q(author_role=Role.MEDICAL_STUDENT_HEALTH) | Q(
    author_sector=Sector.MEDICAL_STUDENT_HEALTH
)


# Cited beside the rule that the principal and the rest of student health do not see what
# the school nurse or doctor reports. A legal reference is data (LAW.md): a setting may change it.
MEDICAL_CONFIDENTIALITY_REFERENCE = "25 kap. 1 § offentlighets- och sekretesslagen (2009:400)"


def medical_confidentiality_reference() -> str:
    return str(
        getattr(settings, "MEDICAL_CONFIDENTIALITY_REFERENCE", MEDICAL_CONFIDENTIALITY_REFERENCE)
    )


def filed_in_medical_domain(report: ConcernReport) -> bool:
    """Whether the report was filed inside medical student health's confidentiality domain
    (the same rule as the principal's grant leaves out)."""
    return (
        report.author_role == Role.MEDICAL_STUDENT_HEALTH
        or report.author_sector == Sector.MEDICAL_STUDENT_HEALTH
    )


def reporting_memberships(user: User) -> list[Membership]:
    """The memberships the user may file a report in (no query: memberships are cached)."""
    return [
        membership
        for membership in memberships_with_role(user, REPORTER_ROLES)
        if membership.unit.kind in REPORTING_UNIT_KINDS
    ]


class ConcernReportPolicy(Policy[ConcernReport, ReportAction]):
    model = ConcernReport
    actions = ReportAction
    logs_reads = True
    # The handling municipality, and the municipality of the school it was filed from (a
    # report routed to the child's home municipality stays its author's).
    tenant_fields = ("municipality_id", "school_unit__municipality_id")
    rule_labels = {
        AUTHOR_RULE: _("The reporter, who wrote the report"),
        PRINCIPAL_RULE: _("Principal of the school the report came from"),
        INTAKE_RULE: _("Intake of the municipality that handles the report"),
    }

    def base_queryset(self) -> QuerySet[ConcernReport]:
        # A report erased by a deletion decision is gone for everyone's work: its skeleton
        # row stays only for the follow-up's numbers (docs/retention.md).
        return super().base_queryset().exclude(erased(RecordType.REPORT))

    def grants(self, user: User, action: ReportAction) -> list[Grant]:
        match action:
            case ReportAction.EDIT:
                return self._author_grants(user, Q(status=ReportStatus.DRAFT))
            case ReportAction.OWN:
                return self._author_grants(user, Q())
            case ReportAction.VIEW_OWN:
                return self._author_grants(user, _SUBMITTED)
            case ReportAction.SUPPLEMENT:
                return self._author_grants(user, _SUBMITTED & ~Q(status=ReportStatus.CLOSED))
            case ReportAction.FOLLOW:
                return self._principal_grants(user)
            case ReportAction.HANDLE:
                return [
                    Grant(INTAKE_RULE, Q(municipality_id=m.unit.municipality_id) & _SUBMITTED, m)
                    for m in memberships_with_role(user, [Role.INTAKE])
                ]
        return []

    def _author_grants(self, user: User, condition: Q) -> list[Grant]:
        """One grant per municipality where the user holds a reporting role today: their own
        reports filed from that municipality's schools. The membership names the role and unit
        in the access log."""
        by_municipality: dict[int, Membership] = {}
        for membership in reporting_memberships(user):
            by_municipality.setdefault(membership.unit.municipality_id, membership)
        return [
            Grant(
                AUTHOR_RULE,
                Q(author=user, school_unit__municipality_id=municipality_id) & condition,
                membership,
            )
            for municipality_id, membership in by_municipality.items()
        ]

    def _principal_grants(self, user: User) -> list[Grant]:
        grants = []
        for membership in memberships_with_role(user, [Role.PRINCIPAL]):
            unit = membership.unit
            school = (
                Q(school_unit__path__startswith=unit.path)
                if membership.includes_subtree
                else Q(school_unit=unit)
            )
            grants.append(Grant(PRINCIPAL_RULE, school & _SUBMITTED & ~_MEDICAL, membership))
        return grants


report_policy = ConcernReportPolicy()


def can_file_reports(user: User) -> bool:
    return bool(reporting_memberships(user))
