"""What the board report puts on the start page.

- Board members and auditors: "a new report to the board is published", for the latest
  report published in their municipalities in the last ``NEW_DAYS`` days; and, always, a
  panel with the latest published report to read or download.
- Coordinators: a draft waiting to be published; or, when there is none and no report for
  last year at all, that last year's report is still to be made.

One query per item kind; each provider shows its items once per user (in the first of its
role sections the user holds).
"""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.attention import AttentionItem, StartPanel
from followup.models import BoardReport, BoardReportState
from organisations.models import Membership, Role, User
from organisations.selectors import memberships_of

NEW_DAYS = 60
READER_ORDER = (Role.BOARD_MEMBER, Role.AUDITOR)


def _first_section(user: User, memberships: list[Membership], order: tuple[str, ...]) -> bool:
    held = {membership.role for membership in memberships_of(user)}
    first = next((role for role in order if role in held), None)
    return bool(memberships) and memberships[0].role == first


def _municipality_ids(user: User, roles: tuple[str, ...]) -> set[int]:
    return {m.unit.municipality_id for m in memberships_of(user) if m.role in roles}


def published_report_attention(
    user: User, memberships: list[Membership], *, now: datetime.datetime | None = None
) -> list[AttentionItem]:
    """The latest report published to the board in the last weeks."""
    if not _first_section(user, memberships, READER_ORDER):
        return []
    since = (now or timezone.now()) - datetime.timedelta(days=NEW_DAYS)
    report = (
        BoardReport.objects.filter(
            municipality_id__in=_municipality_ids(user, READER_ORDER),
            state=BoardReportState.PUBLISHED,
            published_at__gte=since,
        )
        .order_by("-published_at")
        .first()
    )
    if report is None:
        return []
    return [
        AttentionItem(
            _("New report to the board published: %(title)s") % {"title": report.title},
            reverse("followup_board:detail", args=[report.pk]),
        )
    ]


def coordinator_report_attention(
    user: User,
    memberships: list[Membership],  # noqa: ARG001 - the providers' signature
    *,
    today: datetime.date | None = None,
) -> list[AttentionItem]:
    """A draft waiting to be published, or last year's report still to be made."""
    municipality_ids = _municipality_ids(user, (Role.COORDINATOR,))
    if not municipality_ids:
        return []
    draft = (
        BoardReport.objects.filter(
            municipality_id__in=municipality_ids, state=BoardReportState.DRAFT
        )
        .order_by("period_start")
        .first()
    )
    if draft is not None:
        return [
            AttentionItem(
                _("A report to the board is waiting to be published: %(title)s")
                % {"title": draft.title},
                reverse("followup_board:detail", args=[draft.pk]),
                "warning",
            )
        ]
    last_year = (today or timezone.localdate()).year - 1
    if BoardReport.objects.filter(
        municipality_id__in=municipality_ids, period_start__year=last_year
    ).exists():
        return []
    return [
        AttentionItem(
            _("There is no report to the board for %(year)s yet.") % {"year": last_year},
            reverse("followup_board:list"),
            "warning",
        )
    ]


def latest_report_panels(user: User, memberships: list[Membership]) -> list[StartPanel]:
    """The latest published report to the board of each of the user's municipalities, to
    read or download, whenever it was published (one query)."""
    if not _first_section(user, memberships, READER_ORDER):
        return []
    latest: dict[int, BoardReport] = {}
    for report in (
        BoardReport.objects.filter(
            municipality_id__in=_municipality_ids(user, READER_ORDER),
            state=BoardReportState.PUBLISHED,
        )
        .select_related("municipality")
        .order_by("-period_end", "-published_at")
    ):
        latest.setdefault(report.municipality_id, report)
    return [
        StartPanel("followup/board/start_latest.html", {"report": report})
        for report in sorted(latest.values(), key=lambda report: report.municipality.name)
    ]
