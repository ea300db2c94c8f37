"""Reads for the school side: the schools a report may come from, the author's drafts and
submitted reports, the principal's list of their schools' reports, the sibling search, the
author's and the principal's view of one report, and whether two-factor applies to a
reporter. The school side never gets the intake's fields: its pages are built from the
dataclasses here, which copy only what the school wrote, the status and the feedback. Every
list starts from ``report_policy.visible``; every single report is loaded by the views
through ``access.loaders.get_or_404``.

Used by ``reports.views_school`` and ``reports.forms_school``; the intake's reads are in
``reports.selectors_intake``.
"""

import datetime
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from access.models import AccessAction
from access.policies import read_page
from core.keyset import rows_after
from organisations.models import Unit, UnitKind, User
from reports.models import (
    Attachment,
    ConcernReport,
    ReportStatus,
    SubmissionKey,
    Supplement,
)
from reports.policies import (
    EDIT,
    FOLLOW,
    OWN,
    VIEW_OWN,
    filed_in_medical_domain,
    report_policy,
    reporting_memberships,
)
from reports.progress import FEEDBACK_LABELS, Progress, feedback_text, report_progress
from reports.selectors_common import (
    CATEGORY_LABELS,
    _micros,
    _moment,
    identity_number_formatted,
    identity_number_masked,
)

# =================================================================================================
# The school side: filing, the author's and the principal's lists, the status page. The school
# side never gets the intake's fields: its pages are built from the dataclasses below, which
# copy only what the school wrote, the status and the feedback.
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
    """One report in the author's or the principal's list: no text of the report.
    ``feedback_label`` is the answer given; ``feedback_text`` says what a list shows in its
    place when there is none (not requested, comes from another municipality, not yet)."""

    report: ConcernReport
    child_label: str
    status_key: str
    status_label: str | Promise
    feedback_label: str | Promise
    feedback_text: str | Promise


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
        feedback_text=feedback_text(report),
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
            rows_after((moment_field, "id"), (before.moment, before.pk), descending=True)
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
    progress: Progress
    # Filed by the school nurse or doctor: closed to the principal and student health.
    medical: bool
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
    progress: Progress


def principal_view(report: ConcernReport) -> PrincipalView:
    key, label = school_status(report)
    return PrincipalView(
        public_id=str(report.public_id),
        reference=report.reference,
        submitted_at=report.submitted_at,
        school_name=report.origin_label,
        child_label=child_label_masked(report),
        child_class=report.child_class,
        status_key=key,
        status_label=label,
        feedback_label=FEEDBACK_LABELS.get(report.feedback, "") if report.feedback else "",
        progress=report_progress(report, author=False),
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
        school_name=report.origin_label,
        status_key=key,
        status_label=label,
        feedback_label=FEEDBACK_LABELS.get(report.feedback, "") if report.feedback else "",
        wants_feedback=report.wants_feedback,
        progress=report_progress(report),
        medical=filed_in_medical_domain(report),
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
