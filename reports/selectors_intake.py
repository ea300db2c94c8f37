"""Reads for the intake (social services): the inbox with its filters and keyset pages, the
overdue count, and the report page's panels (what the school sent, the siblings, the
deadlines with their legal references, the history of the steps taken). Every list starts
from ``report_policy.visible(user, HANDLE)``; every single report is loaded by the views
through ``access.loaders.get_or_404``.

Used by ``reports.views_intake`` and ``reports.forms_intake``; the school side's reads are in
``reports.selectors_school``.
"""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from access.policies import read_page
from core.keyset import rows_after
from core.links import RowLink
from organisations.models import Unit, UnitKind, User
from reports import deadlines
from reports.deadlines import DeadlineRules
from reports.models import (
    NO_PENDING_DEADLINE,
    Attachment,
    ConcernReport,
    ConcernReportCategory,
    ReportStatus,
    Supplement,
)
from reports.policies import HANDLE, report_policy
from reports.selectors_common import (
    _EPOCH,
    CATEGORY_LABELS,
    OWNER_COLUMNS,
    REPORT_ROW_COLUMNS,
    _micros,
    _moment,
    identity_number_formatted,
    identity_number_masked,
)

# =================================================================================================
# The intake side: the inbox, the report page's panels
# =================================================================================================

INBOX_PAGE_SIZE = 25
CLOSED = "closed"  # the status filter's value for the list of closed reports
MINE = "mine"  # the owner filter: the user's own cases
UNASSIGNED = "unassigned"  # the owner filter: cases nobody owns yet
_OPEN = ~Q(status__in=[ReportStatus.DRAFT, ReportStatus.CLOSED])  # the inbox index's condition
_OPEN_CURSOR = re.compile(r"o([01])_(n|-?\d{1,20})_(\d{1,20})")
_CLOSED_CURSOR = re.compile(r"c(-?\d{1,20})_(\d{1,20})")
# The inbox's orders, each matched by an index (reports.models): open reports urgent first, by
# the nearest deadline, those without a pending one last; closed reports newest closed first.
OPEN_ORDER = ("inbox_urgency", "inbox_due", "id")
CLOSED_ORDER = ("closed_at", "id")
STATUS_LABELS: dict[str, str | Promise] = {
    str(value): label for value, label in ReportStatus.choices
}


@dataclass(frozen=True)
class InboxCursor:
    """Where the next page starts: after this row in the inbox's order.

    Open reports are ordered (urgent first, nearest deadline, reports without a pending
    deadline last, id); closed reports newest closed first. ``due`` is the next deadline of an
    open report or the closing time of a closed one.
    """

    closed: bool
    acute_danger: bool
    due: datetime.datetime | None
    pk: int

    def encode(self) -> str:
        if self.closed:
            assert self.due is not None
            return f"c{_micros(self.due)}_{self.pk}"
        due = "n" if self.due is None else str(_micros(self.due))
        return f"o{int(self.acute_danger)}_{due}_{self.pk}"

    @classmethod
    def decode(cls, text: str) -> "InboxCursor | None":
        if match := _OPEN_CURSOR.fullmatch(text):
            due = None if match[2] == "n" else _moment(match[2])
            if due is None and match[2] != "n":
                return None
            return cls(closed=False, acute_danger=match[1] == "1", due=due, pk=int(match[3]))
        if match := _CLOSED_CURSOR.fullmatch(text):
            closed_at = _moment(match[1])
            if closed_at is None:
                return None
            return cls(closed=True, acute_danger=False, due=closed_at, pk=int(match[2]))
        return None

    @classmethod
    def after(cls, report: ConcernReport, *, closed: bool) -> "InboxCursor":
        if closed:
            return cls(closed=True, acute_danger=False, due=report.closed_at, pk=report.pk)
        return cls(
            closed=False,
            acute_danger=bool(report.acute_danger),  # answered on every submitted report
            due=report.next_due_at,
            pk=report.pk,
        )

    def condition(self) -> Q:
        """The rows strictly after the cursor, in the order of its list: one range of the
        list's index (``core.keyset``)."""
        if self.closed:
            return rows_after(CLOSED_ORDER, (self.due, self.pk), descending=True)
        urgency = 0 if self.acute_danger else 1
        due = NO_PENDING_DEADLINE if self.due is None else self.due
        return rows_after(OPEN_ORDER, (urgency, due, self.pk), descending=False)


@dataclass(frozen=True)
class InboxFilters:
    status: str = ""  # an open status, CLOSED for the closed reports, "" for every open one
    school_id: int | None = None
    category: str = ""
    owner: str = ""  # MINE, UNASSIGNED or "" for every report
    overdue_only: bool = False
    to_forward: bool = False

    @property
    def closed(self) -> bool:
        return self.status == CLOSED


@dataclass
class InboxRow:
    report: ConcernReport
    url: str  # the report's page
    child_label: str
    identity_masked: str
    categories: list[str | Promise]
    status_label: str | Promise
    overdue: bool


@dataclass
class InboxPage:
    rows: list[InboxRow] = field(default_factory=list)
    next_cursor: InboxCursor | None = None


def is_intake(user: User) -> bool:
    """Whether the user works an intake somewhere (no query: memberships are cached)."""
    return report_policy.allows_any(user, HANDLE)


def intake_schools(user: User) -> QuerySet[Unit]:
    """The schools and preschools of the user's intake municipalities (closed ones too: their
    reports stay), for the inbox's school filter."""
    return Unit.objects.filter(
        municipality_id__in=sorted(report_policy.municipality_ids(user, HANDLE)),
        kind__in=[UnitKind.SCHOOL, UnitKind.PRESCHOOL],
    ).order_by("name", "id")


def inbox_reports(
    user: User, filters: InboxFilters, *, now: datetime.datetime
) -> QuerySet[ConcernReport]:
    """The reports of the user's intakes that match the filters, in the inbox's order."""
    reports = report_policy.visible(user, HANDLE)
    if filters.closed:
        reports = reports.filter(status=ReportStatus.CLOSED)
    else:
        reports = reports.filter(_OPEN)
        if filters.status:
            reports = reports.filter(status=filters.status)
    if filters.school_id is not None:
        reports = reports.filter(school_unit_id=filters.school_id)
    if filters.category:
        # A subquery, not a join: a report with several categories appears once.
        with_category = ConcernReportCategory.objects.filter(category=filters.category)
        reports = reports.filter(pk__in=with_category.values("report_id"))
    if filters.owner == MINE:
        reports = reports.filter(owner=user)
    elif filters.owner == UNASSIGNED:
        reports = reports.filter(owner__isnull=True)
    if filters.overdue_only:
        reports = reports.filter(next_due_at__lt=now)
    if filters.to_forward:
        reports = reports.exclude(forward_to_name="")
    if filters.closed:
        return reports.order_by(*(f"-{name}" for name in CLOSED_ORDER))
    return reports.order_by(*OPEN_ORDER)


# The columns an inbox row shows and its keyset cursor reads, besides those every list row reads
# (``selectors_common.REPORT_ROW_COLUMNS``).
INBOX_ROW_COLUMNS = (
    *REPORT_ROW_COLUMNS,
    *OWNER_COLUMNS,
    "submitted_at",
    "closed_at",
    "source",
    "forward_to_name",
    "school_unit",
    "school_unit__name",
)


def inbox_page(
    user: User,
    filters: InboxFilters,
    *,
    now: datetime.datetime,
    after: InboxCursor | None = None,
    page_size: int = INBOX_PAGE_SIZE,
) -> InboxPage:
    """One keyset page of the inbox (no OFFSET, no COUNT): two queries whatever its size."""
    reports = inbox_reports(user, filters, now=now)
    if after is not None and after.closed == filters.closed:
        reports = reports.filter(after.condition())
    shown, more = read_page(
        reports.select_related("school_unit", "owner")
        .only(*INBOX_ROW_COLUMNS)
        .prefetch_related("categories"),
        page_size,
    )
    link = RowLink("reports:intake_detail")
    page = InboxPage(rows=[_inbox_row(report, now, link) for report in shown])
    if more:
        page.next_cursor = InboxCursor.after(shown[-1], closed=filters.closed)
    return page


def _inbox_row(report: ConcernReport, now: datetime.datetime, link: RowLink) -> InboxRow:
    categories = sorted(
        (CATEGORY_LABELS.get(row.category, row.category) for row in report.categories.all()),
        key=str,
    )
    return InboxRow(
        report=report,
        url=link(report.public_id),
        child_label=report.child_name,
        identity_masked=identity_number_masked(report.child_identity_number),
        categories=categories,
        status_label=STATUS_LABELS.get(report.status, report.status),
        overdue=report.next_due_at is not None and report.next_due_at < now,
    )


def inbox_overdue_count(user: User, *, now: datetime.datetime) -> int:
    """Open reports of the user's intakes with a step past its deadline (one COUNT, bounded
    by the intakes' open reports, on the inbox index)."""
    return report_policy.visible(user, HANDLE).filter(_OPEN, next_due_at__lt=now).count()


# --- the report page -----------------------------------------------------------------------------


@dataclass
class SiblingRow:
    report: ConcernReport
    visible: bool
    child_label: str


@dataclass
class ReportContent:
    """What the school wrote and sent with the report, for the intake's page and print."""

    report: ConcernReport
    identity_number: str
    categories: list[str | Promise]
    attachments: list[Attachment]
    supplements: list[Supplement]
    siblings: list[SiblingRow]


# A report for the intake's page: its places and the municipality's rules joined in, and
# everyone who took a step read in a second query. One query joining all fourteen tables cost
# more to plan (~14 ms, past PostgreSQL's genetic-optimizer threshold) than both together to run.
# The page loads the places with the policy's check itself (``find(with_related=...)``).
INTAKE_PLACES = ("school_unit", "municipality__deadline_settings", "home_municipality")
_INTAKE_PEOPLE = (
    "author",
    "received_by",
    "protection_assessed_by",
    "preliminary_started_by",
    "decided_by",
    "decision_maker",
    "feedback_given_by",
    "feedback_request_recorded_by",
    "confirmation_recorded_by",
    "closed_by",
    "owner",
)


def intake_report_load(pk: int) -> ConcernReport:
    """The report (already allowed by the policy) with its places and its people, in two
    queries; ``report.received_by`` and the others then cost none."""
    return intake_report_people(ConcernReport.objects.select_related(*INTAKE_PLACES).get(pk=pk))


def intake_report_people(report: ConcernReport) -> ConcernReport:
    """Everyone who took a step on ``report`` (loaded with its ``INTAKE_PLACES``), in one
    query."""
    people_ids = {getattr(report, f"{name}_id") for name in _INTAKE_PEOPLE} - {None}
    people = User.objects.in_bulk(sorted(people_ids))
    for name in _INTAKE_PEOPLE:
        person_id = getattr(report, f"{name}_id")
        if person_id is not None:
            setattr(report, name, people[person_id])
    return report


def intake_report_content(user: User, full: ConcernReport) -> ReportContent:
    """What the school sent, for a report from :func:`intake_report_load` (four queries).

    Siblings are linked only when the user may handle them too; otherwise only their
    reference is shown.
    """
    categories = sorted(
        (
            CATEGORY_LABELS.get(category, category)
            for category in full.categories.values_list("category", flat=True)
        ),
        key=str,
    )
    attachments = list(full.attachments.order_by("uploaded_at", "id"))
    supplements = list(full.supplements.select_related("author").order_by("created_at", "id"))
    for supplement in supplements:
        supplement.attached = [  # type: ignore[attr-defined]
            attachment for attachment in attachments if attachment.supplement_id == supplement.pk
        ]
    siblings = _intake_siblings(user, full)
    return ReportContent(
        report=full,
        identity_number=identity_number_formatted(full.child_identity_number),
        categories=categories,
        attachments=[attachment for attachment in attachments if attachment.supplement_id is None],
        supplements=supplements,
        siblings=siblings,
    )


def _intake_siblings(user: User, full: ConcernReport) -> list[SiblingRow]:
    """The report's siblings: those the user may handle with the child (a logged read), the
    others by reference only. One query when there are none (most reports), else two."""
    linked = full.siblings.exclude(status=ReportStatus.DRAFT)
    by_arrival = list(
        linked.only("id", "public_id", "submitted_at", "child_ref").order_by("submitted_at", "id")
    )
    if not by_arrival:
        return []
    handled = {
        sibling.pk: sibling
        for sibling in report_policy.visible(user, HANDLE).filter(
            pk__in=[sibling.pk for sibling in by_arrival]
        )
    }
    rows = []
    for sibling in by_arrival:
        shown = handled.get(sibling.pk)
        label = ""
        if shown is not None:
            label = shown.child_name or identity_number_masked(shown.child_identity_number)
        rows.append(
            SiblingRow(report=shown or sibling, visible=shown is not None, child_label=label)
        )
    return rows


@dataclass
class DeadlineRow:
    """One statutory deadline of a report, with the rule it comes from."""

    key: str  # "protection", "decision" or "feedback"
    due_at: datetime.datetime
    reference: str
    done_at: datetime.datetime | None
    overdue: bool  # still to do and past the deadline
    done_late: bool
    # The decision only: the deadline that had passed when the extension was recorded, and
    # when that was (None when every extension came in time). The step is late from then on.
    missed_due_at: datetime.datetime | None = None
    extension_recorded_at: datetime.datetime | None = None


def report_deadline_rows(
    report: ConcernReport, rules: DeadlineRules, *, now: datetime.datetime
) -> list[DeadlineRow]:
    """The report's deadlines with their legal references, in statutory order."""
    rows = []
    for key, due_at, done_at, reference in (
        ("protection", report.protection_due_at, report.protection_assessed_at,
         rules.protection_reference),
        ("decision", report.decision_due_at, report.decided_at, rules.decision_reference),
        ("feedback", report.feedback_due_at, report.feedback_given_at,
         rules.feedback_reference),
    ):  # fmt: skip
        if due_at is None:
            continue
        missed = report.decision_missed_due_at if key == "decision" else None
        # An extension recorded too late does not make the step timely: it is measured
        # against the deadline that was missed.
        late = deadlines.is_overdue(missed or due_at, done_at, now)
        rows.append(
            DeadlineRow(
                key=key,
                due_at=due_at,
                reference=reference,
                done_at=done_at,
                # A closed report has nothing left to do, whatever it missed.
                overdue=late and done_at is None and report.status != ReportStatus.CLOSED,
                done_late=late and done_at is not None,
                missed_due_at=missed,
                extension_recorded_at=report.extension_recorded_at if missed else None,
            )
        )
    return rows


@dataclass
class HistoryRow:
    """One step the intake has taken: what, when, who, and what was recorded."""

    key: str
    label: str | Promise
    # None only for an extension recorded before the report kept its date.
    at: datetime.datetime | None
    by: str
    details: Sequence[tuple[str | Promise, str | Promise]] = field(default_factory=list)
    day_only: bool = False  # only the day is known (shown without a time)


def report_history(report: ConcernReport) -> list[HistoryRow]:
    """The steps taken on a report, oldest first (an extension may come before the preliminary
    assessment), from its own timestamps and signatures.

    ``report`` should come from :func:`intake_report_content` (its people are loaded)."""
    rows = [
        row
        for build in (
            _arrival_row,
            _received_row,
            _protection_row,
            _preliminary_row,
            _extension_row,
            _decision_row,
            _feedback_request_row,
            _feedback_row,
            _confirmation_row,
            _closed_row,
        )
        if (row := build(report)) is not None
    ]
    # Stable: steps at the same moment keep the statutory order; an undated row goes last.
    rows.sort(key=lambda row: (row.at is None, row.at or _EPOCH))
    return rows


def _received_row(report: ConcernReport) -> HistoryRow | None:
    if not report.received_at:
        return None
    return HistoryRow("received", _("Received"), report.received_at, _name(report.received_by))


def _feedback_request_row(report: ConcernReport) -> HistoryRow | None:
    if not report.feedback_requested_at:
        return None
    return HistoryRow(
        "feedback_requested",
        _("The reporter asked for feedback"),
        report.feedback_requested_at,
        _name(report.feedback_request_recorded_by),
    )


def _feedback_row(report: ConcernReport) -> HistoryRow | None:
    if not report.feedback_given_at:
        return None
    return HistoryRow(
        "feedback",
        _("Feedback given"),
        report.feedback_given_at,
        _name(report.feedback_given_by),
        [(_("The reporter was told"), report.get_feedback_display())],
    )


def _closed_row(report: ConcernReport) -> HistoryRow | None:
    if not report.closed_at:
        return None
    return HistoryRow("closed", _("Closed"), report.closed_at, _name(report.closed_by))


def _name(user: User | None) -> str:
    return user.display_name if user is not None else ""


def _arrival_row(report: ConcernReport) -> HistoryRow | None:
    """A school's report arrives from its author; another is registered by the intake, which
    names the reporter (nobody, when anonymous) and how it came in."""
    arrived_at = report.submitted_at
    if arrived_at is None:
        return None
    if report.from_school:
        return HistoryRow("submitted", _("Arrived"), arrived_at, _name(report.author))
    reporter = report.get_source_display()
    if report.reporter_anonymous:
        reporter = _("%(source)s, anonymous") % {"source": reporter}
    elif report.reporter_name:
        reporter = f"{reporter}: {report.reporter_name}"
    return HistoryRow(
        "submitted",
        _("Arrived"),
        arrived_at,
        str(reporter),
        [(_("Came in by"), report.get_received_via_display())],
    )


def _confirmation_row(report: ConcernReport) -> HistoryRow | None:
    on = report.confirmed_in_writing_on
    if on is None:
        return None
    # Only the day of the letter is known: shown as a day, sorted after that day's steps.
    return HistoryRow(
        "confirmed_in_writing",
        _("Confirmed in writing"),
        deadlines.end_of_day(on),
        _name(report.confirmation_recorded_by),
        day_only=True,
    )


def _protection_row(report: ConcernReport) -> HistoryRow | None:
    if not report.protection_assessed_at:
        return None
    needed = (
        _("Yes, the child needs immediate protection")
        if report.immediate_protection_needed
        else _("No, no immediate protection is needed")
    )
    return HistoryRow(
        "protection",
        _("Protection assessed"),
        report.protection_assessed_at,
        _name(report.protection_assessed_by),
        [
            (_("Immediate protection needed"), needed),
            (_("Justification"), report.protection_justification),
        ],
    )


def _preliminary_row(report: ConcernReport) -> HistoryRow | None:
    if not report.preliminary_started_at:
        return None
    details = [(_("Notes"), report.preliminary_notes)] if report.preliminary_notes else []
    return HistoryRow(
        "preliminary",
        _("Preliminary assessment started"),
        report.preliminary_started_at,
        _name(report.preliminary_started_by),
        details,
    )


def _extension_row(report: ConcernReport) -> HistoryRow | None:
    until = report.extended_until
    if until is None:
        return None
    details: list[tuple[str | Promise, str | Promise]] = [
        (_("New date"), date_format(until, "DATE_FORMAT")),
        (_("Reason"), report.get_extension_reason_display()),
    ]
    if report.extension_description:
        details.append((_("Description"), report.extension_description))
    if report.decision_missed_due_at:
        missed = report.decision_missed_due_at.astimezone(deadlines.STOCKHOLM).date()
        details.append((_("Recorded after the deadline of"), date_format(missed, "DATE_FORMAT")))
    return HistoryRow(
        "extension",
        _("Decision deadline extended"),
        report.extension_recorded_at,
        report.extension_decided_by,
        details,
    )


def _decision_row(report: ConcernReport) -> HistoryRow | None:
    """The decision, with what social services recorded about it (never shown to the school:
    the reporter is told only which decision was made)."""
    if not report.decided_at:
        return None
    details: list[tuple[str | Promise, str | Promise]] = [
        (_("Decision"), report.get_decision_display())
    ]
    if report.forwarded_to:
        details.append((_("Forwarded to"), report.forwarded_to))
    if report.decision_reasons:
        details.append((_("Reasons"), report.decision_reasons))
    details.append((_("Delegation point"), report.delegation_point or _("Not recorded")))
    if report.case_number:
        details.append((_("Case number"), report.case_number))
    maker = report.decision_maker or report.decided_by
    if report.decided_by is not None and maker != report.decided_by:
        details.append((_("Recorded by"), _name(report.decided_by)))
    return HistoryRow("decision", _("Decided"), report.decided_at, _name(maker), details)
