"""What the school's and the intake's services of reports of concern share: the errors they
raise, the state machine's tables (which step may follow which status, the feedback that
follows from each decision) with the steps allowed now, the lock that checks the policy
before a report is changed, the audit event of a report's change (with the author's
notification), the statutory clocks that start when a report arrives, and the stored next
deadline the inbox sorts on.

The underscored helpers are private to the reports services (``reports.services_school``,
``reports.services_intake`` and ``reports.services_registration``); views use the errors,
``allowed_steps``, ``child_identified`` and ``FEEDBACK_FOR_DECISION``.
"""

import datetime
from typing import Any

from access.services import audit_event_record
from followup.rollups import mark_report
from organisations.models import User
from reports import deadlines
from reports.models import ConcernReport, Decision, Feedback, ReportStatus
from reports.notices import reporter_notify
from reports.policies import ReportAction, report_policy
from reports.rules import rules_for


class TransitionError(ValueError):
    """A step that is not allowed from the report's current status."""


class ConcurrentEditError(ValueError):
    """Someone else saved the draft since this form was opened."""


# Which step may follow which status (the statutory order; DESIGN.md §3.1).
_ALLOWED_FROM: dict[str, frozenset[str]] = {
    "receive": frozenset({ReportStatus.SUBMITTED}),
    "assess_protection": frozenset({ReportStatus.RECEIVED}),
    "start_preliminary": frozenset({ReportStatus.PROTECTION_ASSESSED}),
    "extend": frozenset(
        {
            ReportStatus.RECEIVED,
            ReportStatus.PROTECTION_ASSESSED,
            ReportStatus.PRELIMINARY_ASSESSMENT,
        }
    ),
    "decide": frozenset({ReportStatus.PROTECTION_ASSESSED, ReportStatus.PRELIMINARY_ASSESSMENT}),
    # A reporter who did not ask for feedback in the report may ask later, until it is given.
    "record_feedback_request": frozenset(
        {
            ReportStatus.RECEIVED,
            ReportStatus.PROTECTION_ASSESSED,
            ReportStatus.PRELIMINARY_ASSESSMENT,
            ReportStatus.DECIDED,
        }
    ),
    "give_feedback": frozenset({ReportStatus.DECIDED}),
    "close": frozenset({ReportStatus.DECIDED, ReportStatus.FEEDBACK_GIVEN}),
    # A phone report's written confirmation may come whenever, even after closing.
    "confirm_in_writing": frozenset(set(ReportStatus) - {ReportStatus.DRAFT}),
}

# The feedback that follows from each decision (a forwarded report gets its feedback from the
# municipality that decides).
FEEDBACK_FOR_DECISION: dict[str, str] = {
    Decision.OPENED: Feedback.OPENED,
    Decision.NOT_OPENED: Feedback.NOT_OPENED,
    Decision.ADDED_TO_ONGOING: Feedback.ALREADY_ONGOING,
}


def allowed_steps(report: ConcernReport) -> set[str]:
    steps = {step for step, states in _ALLOWED_FROM.items() if report.status in states}
    if report.decision == Decision.FORWARDED or report.feedback:
        steps.discard("give_feedback")
    if report.wants_feedback or report.decision == Decision.FORWARDED:
        steps.discard("record_feedback_request")
    if not report.from_professional:
        # Feedback is owed to a reporter with the duty to report (SoL 19 kap. 6 §); anyone
        # else, the public above all, is told nothing of a child's case (OSL 26 kap. 1 §).
        steps -= {"record_feedback_request", "give_feedback"}
    if not report.awaits_written_confirmation:
        steps.discard("confirm_in_writing")
    if report.status == ReportStatus.DECIDED and _feedback_pending(report):
        steps.discard("close")  # the reporter asked for feedback: give it before closing
    return steps


def child_identified(
    identity_number: str, name: str, approximate_age: int | None, child_class: str
) -> bool:
    """Whether a report says which child it is about: the identity number, or when it is not
    known the name with an approximate age or a class (a partial identity, LAW.md)."""
    return bool(identity_number or (name and (approximate_age is not None or child_class)))


def _feedback_pending(report: ConcernReport) -> bool:
    return (
        report.wants_feedback
        and report.decision in FEEDBACK_FOR_DECISION
        and not report.feedback_given_at
    )


def _lock(report: ConcernReport, actor: User, action: ReportAction) -> ConcernReport:
    """The report, locked for this transaction, once the policy allows ``actor`` to take
    ``action`` on it (``NotPermitted`` otherwise). The author's services check authorship
    (OWN), not the draft state, so that a second submit meets the state machine's answer."""
    report_policy.require(actor, action, report)
    return ConcernReport.objects.select_for_update().get(pk=report.pk)


def _audit(actor: User, report: ConcernReport, event_type: str, **new: Any) -> None:
    # Every change of a report's state passes here: its follow-up numbers are recomputed, and
    # the author hears of what concerns them (feedback given, report forwarded).
    mark_report(report)
    reporter_notify(report=report, event_type=event_type)
    audit_event_record(
        actor=actor,
        municipality=report.municipality,
        event_type=event_type,
        obj=report,
        new={"status": report.status, **new},
    )


def _start_clocks(report: ConcernReport, arrived_at: datetime.datetime) -> None:
    """The report arrived at ``arrived_at``: every statutory clock starts then (LAW.md), by
    the rules of the municipality that handles it."""
    rules = rules_for(report.municipality)
    report.submitted_at = arrived_at
    report.protection_due_at = deadlines.protection_due(arrived_at, rules)
    report.decision_due_at = deadlines.decision_due(arrived_at, rules)
    report.decision_due_original_at = report.decision_due_at
    _update_next_due(report)


def _update_next_due(report: ConcernReport) -> None:
    """The earliest deadline of a step not yet done; the inbox sorts on it, and its overdue
    filter, its count, the watchdog and the start page's attention count compare it with now.

    An extension recorded after the decision deadline had passed does not move the decision's
    pending deadline: the missed one stays, so the report counts as overdue until decided.
    """
    pending = deadlines.pending_steps(report)
    report.next_due_at = pending[0][1] if pending else None
