"""Writing retention: the rules, the deletion decision and carrying it out.

Carrying out a decision is ordered so that nothing can be lost (LAW.md): the decision with its
frozen list is recorded first; then the e-archive package of exactly those records is written
and its checksum stored on the decision (a failed export stops here, nothing erased); then, in
one transaction, the records are erased and their items become tombstones; the stored files go
only after that transaction has committed. Every step writes an audit event.
"""

import datetime
import logging
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AccessAction, AuditEventType
from access.services import (
    AccessLogEntry,
    access_log_record_many,
    audit_event_record,
    model_update_audited,
)
from organisations.models import User
from retention.archive import BuiltPackage, PackageMetadata, build_package
from retention.kinds import KINDS
from retention.models import DecisionState, DeletionDecision, DeletionItem, RetentionRule
from retention.policies import DECIDE, decision_policy
from retention.rules import due_on, local_date, validate_rule
from retention.selectors import due_records

logger = logging.getLogger(__name__)

# The most records one decision names: a proposal page.
MAX_ITEMS = 200


def retention_rule_update(
    *,
    actor: User,
    rule: RetentionRule,
    years: int,
    clock_start: str,
    research_exception: bool,
    plan_reference: str,
) -> RetentionRule:
    """Change a rule (audited); refuses a time below the record type's legal minimum."""
    if decision_policy.grant_for_municipality(actor, DECIDE, rule.municipality_id) is None:
        raise ValidationError(_("You can not change this municipality's retention rules."))
    validate_rule(record_type=rule.record_type, years=years)
    updated, _changed = model_update_audited(
        obj=rule,
        actor=actor,
        fields={
            "years": years,
            "clock_start": clock_start,
            "research_exception": research_exception,
            "plan_reference": plan_reference,
            "updated_by": actor,
        },
        event_type=AuditEventType.RETENTION_RULE_CHANGED,
        municipality=rule.municipality,
    )
    return updated


def deletion_decide(
    *,
    actor: User,
    rule: RetentionRule,
    object_ids: list[int],
    decision_reference: str,
    submission_key: uuid.UUID,
    today: datetime.date | None = None,
) -> DeletionDecision:
    """Record a deletion decision naming ``object_ids``, all due under ``rule`` today and none
    kept for research; the same ``submission_key`` again returns the decision already made."""
    existing = DeletionDecision.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    grant = decision_policy.grant_for_municipality(actor, DECIDE, rule.municipality_id)
    if grant is None:
        raise ValidationError(_("You can not decide on this municipality's records."))
    reference = decision_reference.strip()
    if not reference:
        raise ValidationError({"decision_reference": _("Enter the decision's reference.")})
    wanted = sorted(set(object_ids))
    if not wanted:
        raise ValidationError(_("There is nothing to erase."))
    if len(wanted) > MAX_ITEMS:
        raise ValidationError(
            _("One decision can name at most %(count)d records.") % {"count": MAX_ITEMS}
        )
    try:
        with transaction.atomic():
            return _record_decision(actor, rule, wanted, reference, submission_key, today)
    except IntegrityError:
        # A second press of the same button that lost the race: the first one's decision.
        existing = DeletionDecision.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise ValidationError(
                _("Some of the records were just named by another decision. Review again.")
            ) from None
        return existing


def _record_decision(
    actor: User,
    rule: RetentionRule,
    wanted: list[int],
    reference: str,
    submission_key: uuid.UUID,
    today: datetime.date | None,
) -> DeletionDecision:
    rule = RetentionRule.objects.select_for_update().select_related("municipality").get(pk=rule.pk)
    kind = KINDS[rule.record_type]
    today = today or timezone.localdate()
    found = list(kind.listed(due_records(rule, today=today).filter(pk__in=wanted)).order_by("pk"))
    erasable = [record for record in found if not record._retention_research]
    if len(erasable) != len(wanted):
        raise ValidationError(
            _(
                "%(count)d of the records are no longer due for erasure (or are kept for "
                "research). Review the proposal again."
            )
            % {"count": len(wanted) - len(erasable)}
        )
    decision = DeletionDecision.objects.create(
        municipality=rule.municipality,
        rule=rule,
        record_type=rule.record_type,
        years=rule.years,
        decision_reference=reference,
        decided_by=actor,
        decided_at=timezone.now(),
        submission_key=submission_key,
        state=DecisionState.DECIDED,
        item_count=len(erasable),
    )
    DeletionItem.objects.bulk_create(
        [
            DeletionItem(
                decision=decision,
                record_type=rule.record_type,
                object_id=record.pk,
                reference=record.reference,
                unit=kind.unit_of(record),
                closed_on=local_date(record.closed_at),
                due_on=due_on(record._retention_clock, rule.years),
            )
            for record in erasable
        ]
    )
    audit_event_record(
        actor=actor,
        municipality=rule.municipality,
        event_type=AuditEventType.DELETION_DECIDED,
        obj=decision,
        new={
            "decision_reference": reference,
            "record_type": rule.record_type,
            "years": rule.years,
            "items": len(erasable),
        },
    )
    return decision


def deletion_carry_out(*, actor: User, decision: DeletionDecision) -> DeletionDecision:
    """Export the decision's records to the e-archive, then erase them. A failed export
    records the failure and erases nothing (``OSError`` is raised again); running it again
    after a success changes nothing. Only someone who may decide for the decision's
    municipality carries it out (its policy is asked again, whoever loaded the decision)."""
    permit = decision_policy.require(actor, DECIDE, decision)
    decision = permit.obj
    if decision.state == DecisionState.COMPLETED:
        return decision
    kind = KINDS[decision.record_type]
    ids = list(decision.items.values_list("object_id", flat=True))
    records = list(kind.model._default_manager.filter(pk__in=ids).order_by("pk"))
    try:
        built = build_package(_metadata(decision), kind.export(records))
    except OSError as error:
        _export_failed(actor, decision, error)
        raise
    # The package holds the children's data: each record's export is a read in the access
    # log, under the child's reference as it was before the erasure replaces it.
    access_log_record_many(
        user=actor,
        action=AccessAction.EXPORT,
        entries=[
            AccessLogEntry(
                obj=record,
                municipality_id=decision.municipality_id,
                child_ref=record.child_ref,  # type: ignore[attr-defined]
                rule=permit.logged_rule,
            )
            for record in records
        ],
    )
    _exported(actor, decision, built)
    files = _erase(actor, decision, ids)
    transaction.on_commit(lambda: _remove_files(files))
    return decision


def _metadata(decision: DeletionDecision) -> PackageMetadata:
    return PackageMetadata(
        package_id=f"samverkan-{decision.municipality.code}-{decision.public_id}",
        municipality_name=decision.municipality.name,
        municipality_code=decision.municipality.code,
        record_type=decision.record_type,
        decision_reference=decision.decision_reference,
        created_at=timezone.now(),
    )


def _export_failed(actor: User | None, decision: DeletionDecision, error: OSError) -> None:
    with transaction.atomic():
        DeletionDecision.objects.filter(pk=decision.pk).update(state=DecisionState.EXPORT_FAILED)
        decision.state = DecisionState.EXPORT_FAILED
        audit_event_record(
            actor=actor,
            municipality=decision.municipality,
            event_type=AuditEventType.DELETION_EXPORT_FAILED,
            obj=decision,
            new={"error": type(error).__name__},
        )
    logger.error("retention.export_failed decision=%s error=%s", decision.pk, type(error).__name__)


def _exported(actor: User | None, decision: DeletionDecision, built: BuiltPackage) -> None:
    with transaction.atomic():
        decision.state = DecisionState.EXPORTED
        decision.archive_name = built.path.name
        decision.archive_sha256 = built.sha256
        decision.archive_size = built.size
        decision.exported_at = timezone.now()
        decision.save(
            update_fields=[
                "state",
                "archive_name",
                "archive_sha256",
                "archive_size",
                "exported_at",
            ]
        )
        audit_event_record(
            actor=actor,
            municipality=decision.municipality,
            event_type=AuditEventType.DELETION_EXPORTED,
            obj=decision,
            new={"archive": built.path.name, "sha256": built.sha256, "size": built.size},
        )


def _erase(actor: User | None, decision: DeletionDecision, ids: list[int]) -> list[FieldFile]:
    kind = KINDS[decision.record_type]
    with transaction.atomic():
        locked = DeletionDecision.objects.select_for_update().get(pk=decision.pk)
        if locked.state != DecisionState.EXPORTED:
            return []
        files = kind.erase(ids)
        now = timezone.now()
        locked.items.update(erased_at=now)
        locked.state = DecisionState.COMPLETED
        locked.completed_at = now
        locked.save(update_fields=["state", "completed_at"])
        decision.state, decision.completed_at = locked.state, now
        audit_event_record(
            actor=actor,
            municipality=decision.municipality,
            event_type=AuditEventType.DELETION_CARRIED_OUT,
            obj=decision,
            new={"erased": len(ids), "files": len(files)},
        )
    return files


def _remove_files(files: list[FieldFile]) -> None:
    for stored in files:
        if stored.name:
            stored.storage.delete(stored.name)
