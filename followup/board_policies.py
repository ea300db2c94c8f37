"""Who may read and who may work on board reports.

- VIEW: the municipality's coordinators read every report, drafts too; board members,
  auditors and managers read **published** reports only (a draft is not yet the
  administration's word to the board).
- MANAGE (regenerate, comment) and PUBLISH: the municipality's coordinators, on drafts only:
  a published report is never changed.
- REMAKE_PDF: the municipality's coordinators, on drafts and published reports alike: when
  the PDF could not be made (the task failed or its worker stopped), the PDF alone is made
  again from the frozen content, which stays as it is.
- Everyone else, and every other municipality: the same 404.

Board reports hold only protected aggregates, no child data: reads are not access-logged.
"""

from enum import StrEnum

from django.db.models import Q, QuerySet

from access.policies import Grant, Policy
from followup.models import BoardReport, BoardReportState
from organisations.models import Membership, Role, User
from organisations.selectors import memberships_of


class BoardReportAction(StrEnum):
    VIEW = "view"
    MANAGE = "manage"
    PUBLISH = "publish"
    REMAKE_PDF = "remake_pdf"


VIEW = BoardReportAction.VIEW
MANAGE = BoardReportAction.MANAGE
PUBLISH = BoardReportAction.PUBLISH
REMAKE_PDF = BoardReportAction.REMAKE_PDF

# Roles that read what was published to the board.
READER_ROLES = frozenset({Role.BOARD_MEMBER, Role.AUDITOR, Role.MANAGER})


def _first_per_municipality(memberships: list[Membership]) -> dict[int, Membership]:
    found: dict[int, Membership] = {}
    for membership in memberships:
        found.setdefault(membership.unit.municipality_id, membership)
    return found


class BoardReportPolicy(Policy[BoardReport, BoardReportAction]):
    model = BoardReport
    actions = BoardReportAction
    logs_reads = False

    def base_queryset(self) -> QuerySet[BoardReport]:
        return BoardReport.objects.select_related("municipality")

    def grants(self, user: User, action: BoardReportAction) -> list[Grant]:
        memberships = memberships_of(user)
        coordinating = _first_per_municipality(
            [m for m in memberships if m.role == Role.COORDINATOR]
        )
        if action == VIEW:
            reading = _first_per_municipality([m for m in memberships if m.role in READER_ROLES])
            grants = [
                Grant("board_report.view.coordinator", Q(municipality_id=mid), membership)
                for mid, membership in coordinating.items()
            ]
            grants += [
                Grant(
                    f"board_report.view.published.{membership.role}",
                    Q(municipality_id=mid, state=BoardReportState.PUBLISHED),
                    membership,
                )
                for mid, membership in reading.items()
            ]
            return grants
        if action == REMAKE_PDF:
            # Making the PDF again changes no content, so it is allowed on published reports.
            return [
                Grant("board_report.remake_pdf.coordinator", Q(municipality_id=mid), membership)
                for mid, membership in coordinating.items()
            ]
        # MANAGE and PUBLISH: drafts of the coordinator's municipality.
        return [
            Grant(
                f"board_report.{action.value}.coordinator",
                Q(municipality_id=mid, state=BoardReportState.DRAFT),
                membership,
            )
            for mid, membership in coordinating.items()
        ]


board_report_policy = BoardReportPolicy()
