"""Services for the intake (social services): the statutory steps on a submitted report
(receive, assess protection, start the preliminary assessment, extend the decision's
deadline, decide, give feedback, close) and the municipality's own deadline rules. Each
runs in a transaction, checks the policy and the state machine, timestamps who did what,
writes an audit event, and keeps the stored deadlines right.

Used by ``reports.views_intake`` and the demo data; the school's services are in
``reports.services_school``, what both share in ``reports.services_common``.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models import AuditEventType
from access.services import audit_event_record
from organisations.models import Municipality, User
from organisations.policies import CONFIGURE, municipality_policy
from reports import deadlines
from reports.models import (
    CaseAssignment,
    ConcernReport,
    DeadlineSettings,
    Decision,
    ExtensionReason,
    ReportStatus,
)
from reports.policies import HANDLE
from reports.rules import OVERRIDE_LIMITS, rules_for
from reports.selectors_worklist import intake_case_workers, intake_decision_makers
from reports.services_common import (
    FEEDBACK_FOR_DECISION,
    ConcurrentEditError,
    TransitionError,
    _audit,
    _lock,
    _update_next_due,
    allowed_steps,
)

# --- the intake's steps --------------------------------------------------------------------------


def _check_step(report: ConcernReport, step: str) -> None:
    if step not in allowed_steps(report):
        raise TransitionError(
            f"The step {step!r} is not allowed when the status is {report.status!r}."
        )


def _step(report: ConcernReport, step: str, actor: User) -> ConcernReport:
    locked = _lock(report, actor, HANDLE)
    _check_step(locked, step)
    return locked


def report_receive(
    *, report: ConcernReport, actor: User, now: datetime.datetime | None = None
) -> ConcernReport:
    with transaction.atomic():
        locked = _step(report, "receive", actor)
        locked.status = ReportStatus.RECEIVED
        locked.received_at = now or timezone.now()
        locked.received_by = actor
        locked.save()
        _audit(actor, locked, AuditEventType.REPORT_RECEIVED)
    return locked


def report_assess_protection(
    *,
    report: ConcernReport,
    actor: User,
    immediate_protection_needed: bool,
    justification: str,
    now: datetime.datetime | None = None,
) -> ConcernReport:
    """The documented protection assessment (old SoL 11 kap. 1 a §)."""
    if not justification.strip():
        raise ValidationError({"justification": [_("Give a short justification.")]})
    with transaction.atomic():
        locked = _step(report, "assess_protection", actor)
        locked.status = ReportStatus.PROTECTION_ASSESSED
        locked.protection_assessed_at = now or timezone.now()
        locked.protection_assessed_by = actor
        locked.immediate_protection_needed = immediate_protection_needed
        locked.protection_justification = justification
        _update_next_due(locked)
        locked.save()
        _audit(
            actor,
            locked,
            AuditEventType.REPORT_PROTECTION_ASSESSED,
            immediate_protection_needed=immediate_protection_needed,
            on_time=bool(
                locked.protection_due_at
                and locked.protection_assessed_at <= locked.protection_due_at
            ),
        )
    return locked


def report_start_preliminary(
    *, report: ConcernReport, actor: User, notes: str = "", now: datetime.datetime | None = None
) -> ConcernReport:
    with transaction.atomic():
        locked = _step(report, "start_preliminary", actor)
        locked.status = ReportStatus.PRELIMINARY_ASSESSMENT
        locked.preliminary_started_at = now or timezone.now()
        locked.preliminary_started_by = actor
        locked.preliminary_notes = notes
        locked.save()
        _audit(actor, locked, AuditEventType.REPORT_PRELIMINARY_STARTED)
    return locked


def report_extend_decision(
    *,
    report: ConcernReport,
    actor: User,
    until: datetime.date,
    reason: str,
    description: str,
    decided_by: str,
) -> ConcernReport:
    """Record a later decision date for exceptional reasons (new SoL 20 kap. 2 §).

    The extension is dated (``extension_recorded_at``). One recorded after the deadline in
    force had passed is still recorded, but it does not make the report timely: the missed
    deadline is kept in ``decision_missed_due_at`` (never cleared by a later extension), the
    report stays overdue until decided, and ``deadlines.decision_was_late`` says so. The
    statutory deadline (``decision_due_original_at``) never moves.
    """
    errors: dict[str, list[str]] = {}
    if reason not in ExtensionReason.values:
        errors["reason"] = [str(_("Choose the exceptional reason."))]
    elif reason == ExtensionReason.OTHER_EXCEPTIONAL and not description.strip():
        errors["description"] = [str(_("Describe the exceptional reason."))]
    if not decided_by.strip():
        errors["decided_by"] = [str(_("Say who decided on the extension."))]
    if report.decision_due_at and until <= timezone.localdate(report.decision_due_at):
        errors["until"] = [str(_("The new date must be later than the current deadline."))]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _step(report, "extend", actor)
        old_due = locked.decision_due_at
        # Checked again on the locked row: a form opened before another extension was saved
        # must not move the deadline back.
        if old_due and until <= timezone.localdate(old_due):
            raise ValidationError(
                {"until": [str(_("The new date must be later than the current deadline."))]}
            )
        rules = rules_for(locked.municipality)
        assert locked.submitted_at is not None
        now = timezone.now()
        recorded_late = bool(old_due and now > old_due)
        if recorded_late and locked.decision_missed_due_at is None:
            locked.decision_missed_due_at = old_due
        if locked.decision_due_original_at is None:
            locked.decision_due_original_at = old_due  # a report from before it was kept
        locked.extension_recorded_at = now
        locked.extended_until = until
        locked.extension_reason = reason
        locked.extension_description = description
        locked.extension_decided_by = decided_by
        locked.decision_due_at = deadlines.decision_due(
            locked.submitted_at, rules, extended_until=until
        )
        _update_next_due(locked)
        locked.save()
        _audit(
            actor,
            locked,
            AuditEventType.REPORT_DECISION_EXTENDED,
            old_due=old_due.isoformat() if old_due else None,
            new_due=locked.decision_due_at.isoformat() if locked.decision_due_at else None,
            reason=reason,
            decided_by=decided_by,
            recorded_late=recorded_late,
        )
    return locked


# The longest texts a decision keeps (the form says the same).
REASONS_MAX = 10_000
DELEGATION_POINT_MAX = 100
CASE_NUMBER_MAX = 40


def _decision_problems(
    decision: str, reasons: str, delegation_point: str, case_number: str, forwarded_to: str
) -> dict[str, list[str]]:
    """What is wrong with a decision as typed, by field (empty: nothing)."""
    problems: dict[str, list[str]] = {}
    if decision not in Decision.values:
        problems["decision"] = [str(_("Choose a decision."))]
    if decision == Decision.FORWARDED and not forwarded_to.strip():
        problems["forwarded_to"] = [str(_("Say which municipality the report went to."))]
    if decision == Decision.NOT_OPENED and not reasons.strip():
        problems["reasons"] = [str(_("Give the reasons why no investigation is opened."))]
    elif len(reasons) > REASONS_MAX:
        problems["reasons"] = [
            str(_("Keep the reasons to at most %(limit)d characters.")) % {"limit": REASONS_MAX}
        ]
    if not delegation_point.strip():
        problems["delegation_point"] = [
            str(_("Give the point of the delegation order the decision was made under."))
        ]
    elif len(delegation_point) > DELEGATION_POINT_MAX:
        problems["delegation_point"] = [
            str(_("Keep the delegation point to at most %(limit)d characters."))
            % {"limit": DELEGATION_POINT_MAX}
        ]
    if len(case_number) > CASE_NUMBER_MAX:
        problems["case_number"] = [
            str(_("Keep the case number to at most %(limit)d characters."))
            % {"limit": CASE_NUMBER_MAX}
        ]
    return problems


def report_decide(
    *,
    report: ConcernReport,
    actor: User,
    decision: str,
    delegation_point: str,
    reasons: str = "",
    decision_maker: User | None = None,
    case_number: str = "",
    forwarded_to: str = "",
    now: datetime.datetime | None = None,
) -> ConcernReport:
    """Decide whether to open an investigation (or add to an ongoing one, or forward).

    The decision records its ``reasons`` (required when no investigation is opened; social
    services' own, never part of the feedback), the ``decision_maker`` (default the actor),
    who must hold a role that may decide at the municipality's intake
    (``selectors_worklist.DECISION_MAKER_ROLES``), the point of the delegation order it was
    made under, and optionally the case number in the record system. Problems are a
    ``ValidationError`` by field; nothing is saved then.
    """
    reasons, delegation_point = reasons.strip(), delegation_point.strip()
    case_number = case_number.strip()
    problems = _decision_problems(decision, reasons, delegation_point, case_number, forwarded_to)
    if problems:
        raise ValidationError(problems)
    maker = decision_maker or actor
    with transaction.atomic():
        locked = _step(report, "decide", actor)
        if not intake_decision_makers(locked.municipality_id).filter(pk=maker.pk).exists():
            raise ValidationError(
                {
                    "decision_maker": [
                        str(_("Choose a person of the intake who may make this decision."))
                    ]
                }
            )
        now = now or timezone.now()
        locked.status = ReportStatus.DECIDED
        locked.decided_at = now
        locked.decided_by = actor
        locked.decision = decision
        locked.decision_reasons = reasons
        locked.decision_maker = maker
        locked.delegation_point = delegation_point
        locked.case_number = case_number
        locked.forwarded_to = forwarded_to if decision == Decision.FORWARDED else ""
        if locked.wants_feedback and decision in FEEDBACK_FOR_DECISION:
            locked.feedback_due_at = _feedback_due(locked)
        _update_next_due(locked)
        locked.save()
        _audit(
            actor,
            locked,
            AuditEventType.REPORT_DECIDED,
            decision=decision,
            # A decision after an extension that came too late is not on time either.
            on_time=not deadlines.decision_was_late(locked, now=now),
            decision_maker=maker.pk,
            delegation_point=delegation_point,
            # Whether they were given, not what: the reasons are about the family, and the
            # case number leads to the child's file in the record system.
            reasons_given=bool(reasons),
            case_number_given=bool(case_number),
        )
    return locked


def _feedback_due(report: ConcernReport) -> datetime.datetime:
    """The feedback deadline of a decided report whose reporter asked (SoL 19 kap. 6 §)."""
    assert report.decided_at is not None
    return deadlines.feedback_due(
        report.decided_at,
        rules_for(report.municipality),
        already_ongoing=report.decision == Decision.ADDED_TO_ONGOING,
        requested_at=report.feedback_requested_at,
    )


def report_record_feedback_request(
    *, report: ConcernReport, actor: User, now: datetime.datetime | None = None
) -> ConcernReport:
    """Record that a reporter who did not ask for feedback in the report has asked since (by
    phone, letter or e-mail). Once the report is decided, the feedback is then due within the
    week of the decision, or at once when the week has passed (``deadlines.feedback_due``);
    before the decision, the decision sets it. A second record changes nothing
    (``TransitionError``: the reporter has asked already)."""
    with transaction.atomic():
        locked = _step(report, "record_feedback_request", actor)
        locked.wants_feedback = True
        locked.feedback_requested_at = now or timezone.now()
        locked.feedback_request_recorded_by = actor
        if locked.decided_at is not None and locked.decision in FEEDBACK_FOR_DECISION:
            locked.feedback_due_at = _feedback_due(locked)
        _update_next_due(locked)
        locked.save()
        _audit(
            actor,
            locked,
            AuditEventType.REPORT_FEEDBACK_REQUESTED,
            feedback_due=locked.feedback_due_at.isoformat() if locked.feedback_due_at else None,
        )
    return locked


def report_give_feedback(
    *, report: ConcernReport, actor: User, feedback: str, now: datetime.datetime | None = None
) -> ConcernReport:
    """Give the reporter one of the three fixed answers; it must match the decision."""
    with transaction.atomic():
        locked = _step(report, "give_feedback", actor)
        expected = FEEDBACK_FOR_DECISION.get(locked.decision)
        if feedback != expected:
            raise ValidationError(
                {"feedback": [_("The feedback must match the decision that was made.")]}
            )
        locked.status = ReportStatus.FEEDBACK_GIVEN
        locked.feedback = feedback
        locked.feedback_given_at = now or timezone.now()
        locked.feedback_given_by = actor
        _update_next_due(locked)
        locked.save()
        _audit(actor, locked, AuditEventType.REPORT_FEEDBACK_GIVEN, feedback=feedback)
    return locked


def report_close(
    *, report: ConcernReport, actor: User, now: datetime.datetime | None = None
) -> ConcernReport:
    with transaction.atomic():
        locked = _step(report, "close", actor)
        locked.status = ReportStatus.CLOSED
        locked.closed_at = now or timezone.now()
        locked.closed_by = actor
        locked.next_due_at = None
        locked.save()
        _audit(actor, locked, AuditEventType.REPORT_CLOSED)
    return locked


# --- case ownership ------------------------------------------------------------------------------


def report_assign(
    *,
    report: ConcernReport,
    actor: User,
    assignee: User | None,
    expected_owner_id: int | None,
) -> CaseAssignment | None:
    """Make ``assignee`` the report's case owner (None: not assigned), with history and audit.

    Only the intake of the report's municipality may (``NotPermitted``), and only to a person
    holding the intake role at an intake unit of that municipality (``ValidationError``).
    ``expected_owner_id`` is the owner the form showed: when someone else changed the owner
    since, ``ConcurrentEditError`` is raised and nothing changes, so a reassignment never
    silently overwrites another. Asking for the owner the report already has changes nothing
    and returns None: a double submit records one assignment.
    """
    with transaction.atomic():
        locked = _lock(report, actor, HANDLE)
        assignee_id = assignee.pk if assignee is not None else None
        if locked.owner_id == assignee_id:
            return None
        if locked.owner_id != expected_owner_id:
            raise ConcurrentEditError("The case owner was changed by someone else.")
        if assignee is not None and not (
            intake_case_workers(locked.municipality_id).filter(pk=assignee.pk).exists()
        ):
            raise ValidationError(
                {"owner": [_("Choose a social worker of this municipality's intake.")]}
            )
        assignment = CaseAssignment.objects.create(
            report=locked,
            assigned_to=assignee,
            previous_owner_id=locked.owner_id,
            assigned_by=actor,
        )
        old_owner_id = locked.owner_id
        locked.owner = assignee
        locked.save(update_fields=["owner", "updated_at"])
        audit_event_record(
            actor=actor,
            municipality=locked.municipality,
            event_type=AuditEventType.REPORT_ASSIGNED,
            obj=locked,
            old={"owner": old_owner_id},
            new={"owner": assignee_id},
        )
    return assignment


# --- the municipality's deadline rules -----------------------------------------------------------


def deadline_settings_update(
    *,
    actor: User,
    municipality: Municipality,
    protection_late_hour: int | None,
    decision_days: int | None,
    feedback_days: int | None,
    delegation_point: str = "",
) -> DeadlineSettings:
    """Set the municipality's own deadline rules (``None`` keeps the installation default)
    and its usual delegation point for decisions ("" for none).

    The new rules apply to reports that arrive (or are decided) afterwards: deadlines already
    stored on reports are kept. A change writes an audit event with the old and new values.
    Only the municipality's admin may (``NotPermitted``).
    """
    municipality_policy.require(actor, CONFIGURE, municipality)
    days = {
        "protection_late_hour": protection_late_hour,
        "decision_days": decision_days,
        "feedback_days": feedback_days,
    }
    errors = _settings_problems(days, delegation_point.strip())
    if errors:
        raise ValidationError(errors)
    values: dict[str, int | str | None] = {**days, "delegation_point": delegation_point.strip()}
    with transaction.atomic():
        own, _created = DeadlineSettings.objects.select_for_update().get_or_create(
            municipality=municipality
        )
        old = {name: getattr(own, name) for name in values}
        if old == values:
            return own
        for name, value in values.items():
            setattr(own, name, value)
        own.save()
        audit_event_record(
            actor=actor,
            municipality=municipality,
            event_type=AuditEventType.DEADLINE_SETTINGS_CHANGED,
            obj=own,
            old=old,
            new=values,
        )
    return own


def _settings_problems(days: dict[str, int | None], delegation_point: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, value in days.items():
        low, high = OVERRIDE_LIMITS[name]
        if value is not None and not low <= value <= high:
            errors[name] = [
                str(_("Choose a whole number from %(low)d to %(high)d, or leave it blank."))
                % {"low": low, "high": high}
            ]
    if len(delegation_point) > DELEGATION_POINT_MAX:
        errors["delegation_point"] = [
            str(_("Keep the delegation point to at most %(limit)d characters."))
            % {"limit": DELEGATION_POINT_MAX}
        ]
    return errors
