"""Reads of reports of concern. Every list starts from ``report_policy.visible``; every single
report is loaded by the views through ``access.loaders.get_or_404``."""

import datetime
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from access.models import AccessAction
from access.policies import read_page
from core.personnummer import IdentityNumberError, parse_identity_number
from organisations.models import Unit, UnitKind, User
from organisations.selectors import memberships_with_role
from reports import deadlines
from reports.deadlines import DeadlineRules
from reports.models import (
    Attachment,
    ConcernCategory,
    ConcernReport,
    ConcernReportCategory,
    Feedback,
    ReportStatus,
    SubmissionKey,
    Supplement,
)
from reports.policies import (
    EDIT,
    FOLLOW,
    HANDLE,
    OWN,
    REPORTER_ROLES,
    VIEW_OWN,
    report_policy,
    reporting_memberships,
)

# --- identity numbers for display ----------------------------------------------------------------


def identity_number_masked(digits: str) -> str:
    """``YYYYMMDD-****`` for lists; "" when the number is not known."""
    if not digits:
        return ""
    try:
        return parse_identity_number(digits).masked()
    except IdentityNumberError:
        return f"{digits[:8]}-****"


def identity_number_formatted(digits: str) -> str:
    """``YYYYMMDD-NNNN``, only for pages whose viewer needs the whole number."""
    if not digits:
        return ""
    try:
        return parse_identity_number(digits).formatted()
    except IdentityNumberError:
        return f"{digits[:8]}-{digits[8:]}" if len(digits) == 12 else digits


# =================================================================================================
# The intake side: the inbox, the report page's panels (intake helper's section)
# =================================================================================================

INBOX_PAGE_SIZE = 25
CLOSED = "closed"  # the status filter's value for the list of closed reports
_OPEN = ~Q(status__in=[ReportStatus.DRAFT, ReportStatus.CLOSED])  # the inbox index's condition
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_OPEN_CURSOR = re.compile(r"o([01])_(n|-?\d{1,20})_(\d{1,20})")
_CLOSED_CURSOR = re.compile(r"c(-?\d{1,20})_(\d{1,20})")
CATEGORY_LABELS: dict[str, str | Promise] = {
    str(value): label for value, label in ConcernCategory.choices
}
STATUS_LABELS: dict[str, str | Promise] = {
    str(value): label for value, label in ReportStatus.choices
}


def _micros(moment: datetime.datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _moment(micros: str) -> datetime.datetime | None:
    try:
        return _EPOCH + datetime.timedelta(microseconds=int(micros))
    except OverflowError:
        return None


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
        """The rows strictly after the cursor, in the order of its list."""
        if self.closed:
            return Q(closed_at__lt=self.due) | Q(closed_at=self.due, id__lt=self.pk)
        if self.due is None:
            same_urgency = Q(next_due_at__isnull=True, id__gt=self.pk)
        else:
            same_urgency = (
                Q(next_due_at__gt=self.due)
                | Q(next_due_at=self.due, id__gt=self.pk)
                | Q(next_due_at__isnull=True)
            )
        later = Q(acute_danger=self.acute_danger) & same_urgency
        if self.acute_danger:
            later |= Q(acute_danger=False)
        return later


@dataclass(frozen=True)
class InboxFilters:
    status: str = ""  # an open status, CLOSED for the closed reports, "" for every open one
    school_id: int | None = None
    category: str = ""
    overdue_only: bool = False
    to_forward: bool = False

    @property
    def closed(self) -> bool:
        return self.status == CLOSED


@dataclass
class InboxRow:
    report: ConcernReport
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
    if filters.overdue_only:
        reports = reports.filter(next_due_at__lt=now)
    if filters.to_forward:
        reports = reports.exclude(forward_to_name="")
    if filters.closed:
        return reports.order_by("-closed_at", "-id")
    return reports.order_by("-acute_danger", F("next_due_at").asc(nulls_last=True), "id")


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
        reports.select_related("school_unit").prefetch_related("categories"), page_size
    )
    page = InboxPage(rows=[_inbox_row(report, now) for report in shown])
    if more:
        page.next_cursor = InboxCursor.after(shown[-1], closed=filters.closed)
    return page


def _inbox_row(report: ConcernReport, now: datetime.datetime) -> InboxRow:
    categories = sorted(
        (CATEGORY_LABELS.get(row.category, row.category) for row in report.categories.all()),
        key=str,
    )
    return InboxRow(
        report=report,
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


# A report for the intake's page, with everyone who took a step and the municipality's rules.
_INTAKE_RELATED = (
    "author",
    "school_unit",
    "municipality__deadline_settings",
    "home_municipality",
    "received_by",
    "protection_assessed_by",
    "preliminary_started_by",
    "decided_by",
    "feedback_given_by",
    "closed_by",
)


def intake_report_load(pk: int) -> ConcernReport:
    """The report (already allowed by the policy) with its people, in one query."""
    return ConcernReport.objects.select_related(*_INTAKE_RELATED).get(pk=pk)


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
    others by reference only (two queries)."""
    linked = full.siblings.exclude(status=ReportStatus.DRAFT)
    handled = {
        sibling.pk: sibling
        for sibling in report_policy.visible(user, HANDLE).filter(pk__in=linked.values("pk"))
    }
    rows = []
    for sibling in linked.only("id", "public_id", "submitted_at").order_by("submitted_at", "id"):
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


def report_history(report: ConcernReport) -> list[HistoryRow]:
    """The steps taken on a report, oldest first (an extension may come before the preliminary
    assessment), from its own timestamps and signatures.

    ``report`` should come from :func:`intake_report_content` (its people are loaded)."""

    def name(user: User | None) -> str:
        return user.display_name if user is not None else ""

    rows: list[HistoryRow] = []
    if report.submitted_at:
        rows.append(HistoryRow("submitted", _("Arrived"), report.submitted_at, name(report.author)))
    if report.received_at:
        rows.append(
            HistoryRow("received", _("Received"), report.received_at, name(report.received_by))
        )
    if report.protection_assessed_at:
        needed = (
            _("Yes, the child needs immediate protection")
            if report.immediate_protection_needed
            else _("No, no immediate protection is needed")
        )
        rows.append(
            HistoryRow(
                "protection",
                _("Protection assessed"),
                report.protection_assessed_at,
                name(report.protection_assessed_by),
                [
                    (_("Immediate protection needed"), needed),
                    (_("Justification"), report.protection_justification),
                ],
            )
        )
    if report.preliminary_started_at:
        details = [(_("Notes"), report.preliminary_notes)] if report.preliminary_notes else []
        rows.append(
            HistoryRow(
                "preliminary",
                _("Preliminary assessment started"),
                report.preliminary_started_at,
                name(report.preliminary_started_by),
                details,
            )
        )
    if report.extended_until:
        extension_details: list[tuple[str | Promise, str | Promise]] = [
            (_("New date"), date_format(report.extended_until, "DATE_FORMAT")),
            (_("Reason"), report.get_extension_reason_display()),
        ]
        if report.extension_description:
            extension_details.append((_("Description"), report.extension_description))
        if report.decision_missed_due_at:
            missed = report.decision_missed_due_at.astimezone(deadlines.STOCKHOLM).date()
            extension_details.append(
                (_("Recorded after the deadline of"), date_format(missed, "DATE_FORMAT"))
            )
        rows.append(
            HistoryRow(
                "extension",
                _("Decision deadline extended"),
                report.extension_recorded_at,
                report.extension_decided_by,
                extension_details,
            )
        )
    if report.decided_at:
        details = [(_("Decision"), report.get_decision_display())]
        if report.forwarded_to:
            details.append((_("Forwarded to"), report.forwarded_to))
        rows.append(
            HistoryRow(
                "decision", _("Decided"), report.decided_at, name(report.decided_by), details
            )
        )
    if report.feedback_given_at:
        rows.append(
            HistoryRow(
                "feedback",
                _("Feedback given"),
                report.feedback_given_at,
                name(report.feedback_given_by),
                [(_("The reporter was told"), report.get_feedback_display())],
            )
        )
    if report.closed_at:
        rows.append(HistoryRow("closed", _("Closed"), report.closed_at, name(report.closed_by)))
    # Stable: steps at the same moment keep the statutory order; an undated row goes last.
    rows.sort(key=lambda row: (row.at is None, row.at or _EPOCH))
    return rows


# =================================================================================================
# The school side: filing, the author's and the principal's lists, the status page (school
# helper's section). The school side never gets the intake's fields: its pages are built from
# the dataclasses below, which copy only what the school wrote, the status and the feedback.
# =================================================================================================

SCHOOL_PAGE_SIZE = 25
SCHOOL_UNIT_KINDS = frozenset({UnitKind.SCHOOL, UnitKind.PRESCHOOL})
_SCHOOL_CURSOR = re.compile(r"(-?\d{1,20})_(\d{1,20})")

# The status as the school side sees it: no step of the intake's work beyond these words.
_SCHOOL_STATUS: dict[str, tuple[str, str | Promise]] = {
    ReportStatus.DRAFT: ("draft", _("Draft")),
    ReportStatus.SUBMITTED: ("submitted", _("Submitted")),
    ReportStatus.RECEIVED: ("received", _("Received by social services")),
    ReportStatus.PROTECTION_ASSESSED: ("assessing", _("Being assessed")),
    ReportStatus.PRELIMINARY_ASSESSMENT: ("assessing", _("Being assessed")),
    ReportStatus.DECIDED: ("decided", _("Decided")),
    ReportStatus.FEEDBACK_GIVEN: ("decided", _("Decided")),
    ReportStatus.CLOSED: ("closed", _("Closed")),
}
FEEDBACK_LABELS: dict[str, str | Promise] = {str(value): label for value, label in Feedback.choices}


def school_status(report: ConcernReport) -> tuple[str, str | Promise]:
    """The simplified status shown to the author and the principal: (key, label)."""
    return _SCHOOL_STATUS.get(report.status, ("submitted", _("Submitted")))


def child_label_masked(report: ConcernReport) -> str:
    """The child as a list shows it: the name, else the masked identity number."""
    return report.child_name or identity_number_masked(report.child_identity_number)


def reporting_schools(user: User) -> QuerySet[Unit]:
    """The schools and preschools a report may come from: the active ones of every
    municipality where the user may file reports."""
    municipality_ids = {m.unit.municipality_id for m in reporting_memberships(user)}
    return (
        Unit.objects.filter(
            municipality_id__in=municipality_ids, kind__in=SCHOOL_UNIT_KINDS, is_active=True
        )
        .select_related("municipality")
        .order_by("municipality__name", "name", "id")
    )


def own_reports(user: User) -> QuerySet[ConcernReport]:
    """Everything the user wrote and may still see: their drafts and submitted reports."""
    return report_policy.visible(user, OWN)


def has_own_reports(user: User) -> bool:
    return own_reports(user).exists()


def submitted_with_key(user: User, public_id: uuid.UUID, key: uuid.UUID | None) -> bool:
    """Whether the user's report ``public_id`` was submitted with this form's key: a second
    press of the submit button then shows the receipt of the first."""
    if key is None:
        return False
    return SubmissionKey.objects.filter(
        key=key, report__public_id=public_id, report__author=user
    ).exists()


SIBLING_SEARCH_LIMIT = 10


def sibling_candidates(
    user: User, report: ConcernReport, *, query: str = "", chosen: Sequence[int] = ()
) -> list[ConcernReport]:
    """The reports a draft may be linked to as siblings: those linked or just ticked (``chosen``,
    when they are the author's own), and — only when the author searches — up to ten of their
    other reports whose child matches ``query`` (a name, or six or more digits of the identity
    number). Never a list of every child the author has reported; what is shown is logged
    (the search results as a search)."""
    shown = list(
        own_reports(user)
        .filter(Q(pk__in=report.siblings.values("pk")) | Q(pk__in=list(chosen)))
        .exclude(pk=report.pk)
        .select_related("school_unit")
        .order_by("-updated_at", "-id")
    )
    condition = _sibling_query(query)
    if condition is None:
        return shown
    found = list(
        report_policy.visible(user, OWN, log_action=AccessAction.SEARCH)
        .filter(condition)
        .exclude(pk__in=[report.pk, *(sibling.pk for sibling in shown)])
        .select_related("school_unit")
        .order_by("-updated_at", "-id")[:SIBLING_SEARCH_LIMIT]
    )
    return [*shown, *found]


def _sibling_query(query: str) -> Q | None:
    """The search for a sibling's report: six or more digits search the identity number,
    anything else of two or more letters the child's name; ``None`` for no search."""
    query = query.strip()
    compact = re.sub(r"[\s+-]", "", query)
    if compact.isdigit() and len(compact) >= 6:
        # YYMMDD-NNNN, YYYYMMDDNNNN or a birth date: stored with the century, so any of
        # them is a part of the stored twelve digits.
        return Q(child_identity_number__contains=compact)
    if len(query) >= 2:
        return Q(child_name__icontains=query)
    return None


@dataclass(frozen=True)
class SchoolCursor:
    """Where the next (older) page of a school-side list starts: before (moment, id)."""

    moment: datetime.datetime
    pk: int

    def encode(self) -> str:
        return f"{_micros(self.moment)}_{self.pk}"

    @classmethod
    def decode(cls, text: str) -> "SchoolCursor | None":
        match = _SCHOOL_CURSOR.fullmatch(text)
        if match is None:
            return None
        moment = _moment(match[1])
        return None if moment is None else cls(moment=moment, pk=int(match[2]))


@dataclass
class SchoolRow:
    """One report in the author's or the principal's list: no text of the report."""

    report: ConcernReport
    child_label: str
    status_key: str
    status_label: str | Promise
    feedback_label: str | Promise


@dataclass
class SchoolPage:
    rows: list[SchoolRow] = field(default_factory=list)
    next_cursor: SchoolCursor | None = None


def _school_row(report: ConcernReport) -> SchoolRow:
    key, label = school_status(report)
    return SchoolRow(
        report=report,
        child_label=child_label_masked(report),
        status_key=key,
        status_label=label,
        feedback_label=FEEDBACK_LABELS.get(report.feedback, "") if report.feedback else "",
    )


def _keyset_page(
    reports: QuerySet[ConcernReport],
    moment_field: str,
    before: SchoolCursor | None,
    page_size: int,
) -> tuple[list[ConcernReport], SchoolCursor | None]:
    """Newest first on (moment_field, id); strictly before the cursor; one query (and the
    access-log insert for the rows shown)."""
    if before is not None:
        reports = reports.filter(
            Q(**{f"{moment_field}__lt": before.moment})
            | Q(**{moment_field: before.moment, "id__lt": before.pk})
        )
    rows, more = read_page(
        reports.select_related("school_unit").order_by(f"-{moment_field}", "-id"), page_size
    )
    cursor = None
    if more:
        last = rows[-1]
        cursor = SchoolCursor(moment=getattr(last, moment_field), pk=last.pk)
    return rows, cursor


def my_drafts_page(
    user: User, *, before: SchoolCursor | None = None, page_size: int = SCHOOL_PAGE_SIZE
) -> SchoolPage:
    """The author's drafts, most recently changed first."""
    drafts, cursor = _keyset_page(
        report_policy.visible(user, EDIT), "updated_at", before, page_size
    )
    return SchoolPage(rows=[_school_row(d) for d in drafts], next_cursor=cursor)


def my_reports_page(
    user: User, *, before: SchoolCursor | None = None, page_size: int = SCHOOL_PAGE_SIZE
) -> SchoolPage:
    """The author's submitted reports, newest first."""
    reports = report_policy.visible(user, VIEW_OWN)
    rows, cursor = _keyset_page(reports, "submitted_at", before, page_size)
    return SchoolPage(rows=[_school_row(r) for r in rows], next_cursor=cursor)


def is_principal(user: User) -> bool:
    """Whether the user follows a school's reports (no query: memberships are cached)."""
    return report_policy.allows_any(user, FOLLOW)


def school_reports_page(
    user: User, *, before: SchoolCursor | None = None, page_size: int = SCHOOL_PAGE_SIZE
) -> SchoolPage:
    """The reports filed from the principal's schools, newest first (their access-log rows
    name the grant of each). Medical student health's reports are not among them (the
    policy's rule)."""
    rows, cursor = _keyset_page(
        report_policy.visible(user, FOLLOW), "submitted_at", before, page_size
    )
    return SchoolPage(rows=[_school_row(r) for r in rows], next_cursor=cursor)


@dataclass
class SchoolSibling:
    public_id: str
    reference: str
    child_label: str
    is_draft: bool


@dataclass
class AuthorView:
    """What the author sees of a report: everything they wrote, the status and the feedback.
    Built field by field so that nothing the intake records can reach the school's page."""

    public_id: str
    reference: str
    is_draft: bool
    submitted_at: datetime.datetime | None
    school_name: str
    status_key: str
    status_label: str | Promise
    feedback_label: str | Promise
    wants_feedback: bool
    identity_number: str
    child_name: str
    child_approximate_age: int | None
    child_class: str
    guardians: str
    interpreter_language: str
    categories: list[str | Promise]
    what_happened: str
    child_words: str
    acute_danger: bool
    guardians_informed_label: str | Promise
    guardians_not_informed_reason: str
    reporter_phone: str
    reporter_email: str
    home_municipality: str
    forward_to_name: str
    attachments: list[Attachment]
    supplements: list[Supplement]
    siblings: list[SchoolSibling]


@dataclass
class PrincipalView:
    """What a principal sees of a report from their school: who, when, status, feedback."""

    public_id: str
    reference: str
    submitted_at: datetime.datetime | None
    school_name: str
    child_label: str
    child_class: str
    status_key: str
    status_label: str | Promise
    feedback_label: str | Promise


def principal_view(report: ConcernReport) -> PrincipalView:
    key, label = school_status(report)
    return PrincipalView(
        public_id=str(report.public_id),
        reference=report.reference,
        submitted_at=report.submitted_at,
        school_name=report.school_unit.name,
        child_label=child_label_masked(report),
        child_class=report.child_class,
        status_key=key,
        status_label=label,
        feedback_label=FEEDBACK_LABELS.get(report.feedback, "") if report.feedback else "",
    )


def author_attachments(report: ConcernReport) -> QuerySet[Attachment]:
    """The files the author may download: those they attached themselves."""
    return report.attachments.filter(uploaded_by_id=report.author_id)


def author_view(user: User, report: ConcernReport) -> AuthorView:
    """The author's view of their report (five queries: school, categories, files,
    supplements, siblings; the siblings shown are logged)."""
    key, label = school_status(report)
    categories = sorted(
        (
            CATEGORY_LABELS.get(category, category)
            for category in report.categories.values_list("category", flat=True)
        ),
        key=str,
    )
    attachments = list(author_attachments(report).order_by("uploaded_at", "id"))
    supplements = list(report.supplements.filter(author_id=report.author_id))
    for supplement in supplements:
        supplement.attached = [  # type: ignore[attr-defined]
            a for a in attachments if a.supplement_id == supplement.pk
        ]
    siblings = [
        SchoolSibling(
            public_id=str(sibling.public_id),
            reference=sibling.reference,
            child_label=child_label_masked(sibling),
            is_draft=sibling.is_draft,
        )
        for sibling in own_reports(user)
        .filter(pk__in=report.siblings.values("pk"))
        .order_by("created_at", "id")
    ]
    guardians_label: str | Promise = ""
    if report.guardians_informed:
        guardians_label = report.get_guardians_informed_display()
    return AuthorView(
        public_id=str(report.public_id),
        reference=report.reference,
        is_draft=report.is_draft,
        submitted_at=report.submitted_at,
        school_name=report.school_unit.name,
        status_key=key,
        status_label=label,
        feedback_label=FEEDBACK_LABELS.get(report.feedback, "") if report.feedback else "",
        wants_feedback=report.wants_feedback,
        identity_number=identity_number_formatted(report.child_identity_number),
        child_name=report.child_name,
        child_approximate_age=report.child_approximate_age,
        child_class=report.child_class,
        guardians=report.guardians,
        interpreter_language=report.interpreter_language,
        categories=categories,
        what_happened=report.what_happened,
        child_words=report.child_words,
        acute_danger=bool(report.acute_danger),  # answered on every submitted report
        guardians_informed_label=guardians_label,
        guardians_not_informed_reason=report.guardians_not_informed_reason,
        reporter_phone=report.reporter_phone,
        reporter_email=report.reporter_email,
        home_municipality=report.home_municipality.name if report.home_municipality else "",
        forward_to_name=report.forward_to_name,
        attachments=[a for a in attachments if a.supplement_id is None],
        supplements=supplements,
        siblings=siblings,
    )


# --- two-factor ---------------------------------------------------------------------------------


def has_filed_reports(user: User) -> bool:
    """A reporter who has submitted a report can read it afterwards: two-factor applies."""
    if not memberships_with_role(user, REPORTER_ROLES):
        return False  # no query for everyone else
    return ConcernReport.objects.filter(author=user).exclude(status=ReportStatus.DRAFT).exists()
