"""Reads for the intake's worklist (issue 9): the search by identity number, name or
reference, the other reports about the same child (and linked siblings), the case owners and
their history, and the "today" list of what is due.

Every list of reports starts from ``report_policy.visible(user, HANDLE)``: a logged list, so
what a page shows is written to the access log (a search's results as a search).
"""

import datetime
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from access.models import AccessAction
from access.policies import access_log_submit
from access.services import AccessLogEntry
from core.keyset import rows_up_to
from core.links import RowLink
from core.personnummer import IdentityNumberError, parse_identity_number
from organisations.models import Membership, Role, UnitKind, User, active_on
from reports import deadlines
from reports.identity import child_ref_for
from reports.models import CaseAssignment, ConcernReport, ReportStatus
from reports.policies import HANDLE, report_policy
from reports.references import is_legacy_reference, is_reference, normalise_reference
from reports.selectors_common import OWNER_COLUMNS, REPORT_ROW_COLUMNS, identity_number_masked

SEARCH_LIMIT = 50
TODAY_LIMIT = 60
_OPEN = ~Q(status__in=[ReportStatus.DRAFT, ReportStatus.CLOSED])
# Something typed as an identity number: digits with an optional dash or plus.
_LOOKS_LIKE_NUMBER = re.compile(r"[\d\s+-]{6,}")

STEP_LABELS: dict[str, str | Promise] = {
    deadlines.PROTECTION: _("Protection assessment"),
    deadlines.DECISION: _("Decision on an investigation"),
    deadlines.FEEDBACK: _("Feedback to the reporter"),
}


# --- case owners ---------------------------------------------------------------------------------


# Who may make the decision on an investigation under the delegation rules: the intake's
# social workers and its managers (the head of the intake unit). A municipality whose
# delegation order says otherwise gives the role at the intake unit accordingly.
DECISION_MAKER_ROLES = frozenset({Role.INTAKE, Role.MANAGER})


_BY_NAME = ("first_name", "last_name", "pk")


def _intake_memberships(municipality_id: int, roles: frozenset[str]) -> QuerySet[Membership]:
    """The memberships in force today that give one of ``roles`` at an active intake unit of
    the municipality."""
    return Membership.objects.filter(
        active_on(timezone.localdate()),
        role__in=sorted(roles),
        unit__kind=UnitKind.INTAKE,
        unit__municipality_id=municipality_id,
        unit__is_active=True,
    )


def _intake_people(municipality_id: int, roles: frozenset[str]) -> QuerySet[User]:
    """Active people holding one of ``roles`` at an active intake unit of the municipality,
    in force today, by name."""
    memberships = _intake_memberships(municipality_id, roles)
    return User.objects.filter(pk__in=memberships.values("user_id"), is_active=True).order_by(
        *_BY_NAME
    )


def intake_case_workers(municipality_id: int) -> QuerySet[User]:
    """The people who may own a case of the municipality: the intake role at one of its intake
    units, in force today."""
    return _intake_people(municipality_id, frozenset({Role.INTAKE}))


def intake_decision_makers(municipality_id: int) -> QuerySet[User]:
    """The people who may decide on an investigation for the municipality
    (``DECISION_MAKER_ROLES`` at one of its intake units, in force today)."""
    return _intake_people(municipality_id, DECISION_MAKER_ROLES)


@dataclass(frozen=True)
class IntakePeople:
    """Both lists of people of the report page, by name: the same as
    :func:`intake_case_workers` and :func:`intake_decision_makers` would give."""

    case_workers: list[User]
    decision_makers: list[User]


def intake_people(municipality_id: int) -> IntakePeople:
    """The report page's case owners and decision makers in one query (the case workers are
    decision makers too): their memberships with the people, in the people's order."""
    memberships = (
        _intake_memberships(municipality_id, DECISION_MAKER_ROLES)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by(*(f"user__{name}" for name in _BY_NAME))
    )
    makers: dict[int, User] = {}
    workers: dict[int, User] = {}
    for membership in memberships:  # a person with several roles comes once in each list
        person = makers.setdefault(membership.user_id, membership.user)
        if membership.role == Role.INTAKE:
            workers.setdefault(membership.user_id, person)
    return IntakePeople(case_workers=list(workers.values()), decision_makers=list(makers.values()))


def assignment_history(report: ConcernReport) -> list[CaseAssignment]:
    """Who assigned whom and when, oldest first (one query)."""
    return list(report.assignments.select_related("assigned_to", "previous_owner", "assigned_by"))


# --- search --------------------------------------------------------------------------------------


class SearchError(ValueError):
    """What was typed can not be searched; the message says why, in the user's language."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class SearchQuery:
    """A parsed search: by identity number (12 digits), by reference, or by name."""

    kind: str  # "identity", "reference" or "name"
    value: str

    def condition(self) -> Q:
        if self.kind == "identity":
            return Q(child_identity_number=self.value)
        if self.kind == "reference":
            found = Q(reference_code=self.value)
            if is_legacy_reference(self.value):
                # An old reference was the start of the public id: a report whose old
                # reference clashed when references became unique is still found by it.
                found |= Q(public_id__istartswith=self.value.lower())
            return found
        return Q(child_name__icontains=self.value)

    def logged_ref(self) -> str:
        """What the access log records as searched: never the number or the name itself.
        A number gives the child's own reference (so a log review finds the search under the
        child); a name a keyed hash of it; a reference (no personal data) as typed."""
        if self.kind == "identity":
            return child_ref_for(self.value)
        if self.kind == "reference":
            return "r-" + self.value
        key = settings.CHILD_REF_KEY.encode()
        normalised = " ".join(self.value.casefold().split())
        return "n-" + hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()[:20]


def parse_search(text: str) -> SearchQuery:
    """What the user typed, as a search; ``SearchError`` with a Swedish message otherwise.

    Any common way of writing a personnummer or samordningsnummer is accepted (with or
    without century, dash or plus); a report's reference in any case, with or without its
    dash or spaces (an older one of eight hex digits too); anything else of two or more
    characters searches the child's name."""
    text = text.strip()
    if not text:
        raise SearchError(_("Type a personal identity number, a name or a reference."))
    reference = normalise_reference(text)
    # A new reference may be digits only, but never ten or twelve of them.
    if is_reference(reference) and not (is_legacy_reference(reference) and reference.isdigit()):
        return SearchQuery("reference", reference)
    if _LOOKS_LIKE_NUMBER.fullmatch(text):
        compact = "".join(text.split())
        try:
            return SearchQuery("identity", parse_identity_number(compact).digits)
        except IdentityNumberError as error:
            if is_legacy_reference(reference):
                return SearchQuery("reference", reference)  # an old reference of digits only
            raise SearchError(error.message) from None
    if len(text) < 2:
        raise SearchError(_("Type at least two letters of the name."))
    return SearchQuery("name", text)


@dataclass
class SearchResult:
    report: ConcernReport
    child_label: str
    identity_masked: str
    status_label: str | Promise
    decision_label: str | Promise


@dataclass
class SearchOutcome:
    results: list[SearchResult] = field(default_factory=list)
    more: bool = False


def search_reports(user: User, query: SearchQuery) -> SearchOutcome:
    """The reports of the user's intakes that match, newest first (at most ``SEARCH_LIMIT``).

    The search itself is logged once per intake municipality (with what was searched, see
    :meth:`SearchQuery.logged_ref`), found or not, and every report shown as a search result.
    """
    _log_search(user, query)
    rows = list(
        report_policy.visible(user, HANDLE, log_action=AccessAction.SEARCH)
        .filter(query.condition())
        .select_related("school_unit", "owner")
        .order_by("-submitted_at", "-id")[: SEARCH_LIMIT + 1]
    )
    shown = rows[:SEARCH_LIMIT]
    return SearchOutcome(
        results=[
            SearchResult(
                report=report,
                child_label=report.child_name,
                identity_masked=identity_number_masked(report.child_identity_number),
                status_label=report.get_status_display(),
                decision_label=report.get_decision_display() if report.decision else "",
            )
            for report in shown
        ],
        more=len(rows) > SEARCH_LIMIT,
    )


def _log_search(user: User, query: SearchQuery) -> None:
    """One access-log row per intake municipality searched. The row's object is the
    municipality (no report may have been found); its child reference is what was searched."""
    entries = []
    for municipality in report_policy.municipalities(user, HANDLE):
        grant = report_policy.grant_for_municipality(user, HANDLE, municipality.pk)
        if grant is None:
            continue
        entries.append(
            AccessLogEntry(
                obj=municipality,
                municipality_id=municipality.pk,
                child_ref=query.logged_ref(),
                rule=grant.rule,
                membership=grant.membership,
            )
        )
    access_log_submit(user, AccessAction.SEARCH, entries)


# --- other reports about the child ---------------------------------------------------------------

OTHER_REPORTS_LIMIT = 30


@dataclass
class OtherReport:
    report: ConcernReport
    same_child: bool  # False: a linked sibling's report
    child_label: str
    decision_label: str | Promise


def other_reports_about_child(
    user: User, full: ConcernReport, *, sibling_refs: Sequence[str] | None = None
) -> list[OtherReport]:
    """The user's intakes' other reports about the same child, and about the siblings linked
    to this report (the only way the data knows siblings), newest first. A logged list: each
    shown report is a read of a child's data. ``sibling_refs`` are the linked siblings'
    references when the caller has read them (the report page has); else one query more.

    A child without an identity number has a reference of its own per report, so only the
    linked siblings' reports are found for it."""
    if sibling_refs is None:
        siblings = full.siblings.exclude(status=ReportStatus.DRAFT)
        sibling_refs = list(siblings.values_list("child_ref", flat=True))
    rows = (
        report_policy.visible(user, HANDLE)
        # A list of references, not "this child OR a subquery's": PostgreSQL can not look an
        # OR with a subquery up in the child_ref index, and walked every report of the
        # municipality newest first instead (7 ms at 10,000 reports, growing with them).
        .filter(child_ref__in=[full.child_ref, *sibling_refs])
        .exclude(pk=full.pk)
        .order_by("-submitted_at", "-id")[:OTHER_REPORTS_LIMIT]
    )
    return [
        OtherReport(
            report=report,
            same_child=report.child_ref == full.child_ref,
            child_label=report.child_name or identity_number_masked(report.child_identity_number),
            decision_label=report.get_decision_display() if report.decision else "",
        )
        for report in rows
    ]


# --- today ---------------------------------------------------------------------------------------


@dataclass
class TodayRow:
    report: ConcernReport
    url: str  # the report's page
    step: str
    step_label: str | Promise
    due_at: datetime.datetime | None
    child_label: str
    overdue: bool = False  # an urgent report can be overdue too: it must say so


@dataclass
class Today:
    urgent: list[TodayRow] = field(default_factory=list)
    due_today: list[TodayRow] = field(default_factory=list)
    overdue: list[TodayRow] = field(default_factory=list)
    more: bool = False

    @property
    def empty(self) -> bool:
        return not (self.urgent or self.due_today or self.overdue)


# A "today" row names its first pending step (``deadlines.pending_steps``).
TODAY_COLUMNS = (*REPORT_ROW_COLUMNS, *OWNER_COLUMNS, *deadlines.PENDING_STEP_FIELDS)


def today_list(user: User, *, now: datetime.datetime) -> Today:
    """What the intake must do today, in one query: urgent reports whose protection has not
    been assessed, then the steps due today, then the overdue ones — each with the step due
    (from ``deadlines.pending_steps``). A logged list."""
    end_of_today = deadlines.end_of_day(now.astimezone(deadlines.STOCKHOLM).date())
    urgent = Q(acute_danger=True, protection_assessed_at__isnull=True)
    rows = list(
        report_policy.visible(user, HANDLE)
        .filter(_OPEN)
        # What is urgent or due by tonight is the start of the inbox's order (every acute
        # report, then by deadline): bounding the rows by it makes the condition below a
        # filter on one range of the inbox's index, not on every open report.
        .filter(rows_up_to(("inbox_urgency", "inbox_due"), (1, end_of_today)))
        .filter(urgent | Q(next_due_at__lte=end_of_today))
        .select_related("owner")
        .only(*TODAY_COLUMNS)
        .order_by("next_due_at", "id")[: TODAY_LIMIT + 1]
    )
    today = Today(more=len(rows) > TODAY_LIMIT)
    link = RowLink("reports:intake_detail")
    for report in rows[:TODAY_LIMIT]:
        row = _today_row(report, link(report.public_id))
        row.overdue = row.due_at is not None and row.due_at < now
        if report.acute_danger and report.protection_assessed_at is None:
            today.urgent.append(row)
        elif row.overdue:
            today.overdue.append(row)
        else:
            today.due_today.append(row)
    return today


def _today_row(report: ConcernReport, url: str) -> TodayRow:
    pending = deadlines.pending_steps(report)
    step, due_at = pending[0] if pending else (deadlines.PROTECTION, None)
    return TodayRow(
        report=report,
        url=url,
        step=step,
        step_label=STEP_LABELS[step],
        due_at=due_at,
        child_label=report.child_name or identity_number_masked(report.child_identity_number),
    )
