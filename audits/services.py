"""Services that change audits. Each asks ``audit_policy`` first (EDIT for the auditors'
parts, RESPOND for the responses, measures and evidence), runs in a transaction, and writes
its audit event in it.

Bad input raises ``ValidationError`` naming the field it concerns, so a form shows the message
beside the field and keeps what was typed. A service that creates a row takes the form's
``submission_key``: the same key again (a double click, a resent form) returns the row made
the first time and records nothing more.
"""

import datetime
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AuditEventType
from access.policies import NotPermitted
from access.services import audit_event_record, model_update_audited
from audits.models import (
    Assessment,
    Audit,
    AuditKind,
    AuditMeasure,
    AuditQuestion,
    Evidence,
    EvidenceKind,
    FollowUpRound,
    Implementation,
    MeasureStatus,
    PdfState,
    QuestionFollowUp,
    Recommendation,
    RecommendationAssessment,
    Response,
)
from audits.policies import EDIT, RESPOND, AuditAction, audit_policy
from core.uploads import files_all_or_nothing, note_stored, validate_upload
from followup.catalogue import CATALOGUE
from followup.selectors import indicator_snapshot
from organisations.models import Municipality, Unit, User

_AUDIT_FIELDS = (
    "title",
    "year",
    "kind",
    "auditors",
    "scope",
    "committees",
    "report_date",
    "follows_up",
)
_QUESTION_FIELDS = ("number", "text", "assessment", "assessment_text")
_RECOMMENDATION_FIELDS = ("number", "text", "question", "response_due")
_RESPONSE_FIELDS = ("recommendation_id", "decision_body", "decision_reference", "decided_on")
_MEASURE_FIELDS = ("what", "owner", "owner_unit", "due_on", "status")
_ROUND_FIELDS = ("held_on", "title", "summary")
MIN_YEAR, MAX_YEAR = 1990, 2100


# --- shared pieces --------------------------------------------------------------------------


def _require(actor: User | None, action: AuditAction, audit: Audit) -> Audit:
    """The audit as the policy loads it, or ``NotPermitted``."""
    return audit_policy.require(actor, action, audit).obj


def _record(
    actor: User | None, audit: Audit, event_type: str, obj: models.Model, new: dict[str, Any]
) -> None:
    audit_event_record(
        actor=actor,
        municipality=audit.municipality,
        event_type=event_type,
        obj=obj,
        new=new,
    )


def _values(obj: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    """The fields for an audit event, a related row by its primary key."""
    found = {}
    for name in fields:
        value = getattr(obj, name)
        found[name] = value.pk if isinstance(value, models.Model) else value
    return found


def _once[M: models.Model](
    model: type[M], submission_key: uuid.UUID | None, make: Callable[[], M]
) -> M:
    """The row made for ``submission_key`` before, or a new one made by ``make`` (inside a
    transaction). Two requests racing with the same key: the loser gets the winner's row."""
    if submission_key is not None:
        earlier = model._default_manager.filter(submission_key=submission_key).first()
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic():
            return make()
    except IntegrityError:
        if submission_key is None:
            raise
        return model._default_manager.get(submission_key=submission_key)


def _update[M: models.Model](
    *, actor: User, audit: Audit, obj: M, values: dict[str, Any], event_type: str
) -> M:
    locked, _changed = model_update_audited(
        obj=obj,
        actor=actor,
        fields=values,
        event_type=event_type,
        municipality=audit.municipality,
    )
    return locked


def _text(value: str, field: str, message: str, errors: dict[str, str]) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = message
    return value


def _choice(value: str, choices: type[models.TextChoices], field: str, errors: dict) -> None:
    if value and value not in choices.values:
        errors[field] = _("Choose one of the alternatives.")


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _check_open(round_: FollowUpRound) -> None:
    if round_.is_finished:
        raise ValidationError(
            _("The follow-up round is finished and can no longer be changed."), code="finished"
        )


# --- audits ---------------------------------------------------------------------------------


def _audit_values(values: dict[str, Any], municipality: Municipality) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values["title"] = _text(values["title"], "title", _("Write the audit's title."), errors)
    values["auditors"] = (values.get("auditors") or "").strip()
    values["committees"] = (values.get("committees") or "").strip()
    values["scope"] = (values.get("scope") or "").strip()
    if values["kind"] not in AuditKind.values:
        errors["kind"] = _("Choose the kind of audit.")
    if not MIN_YEAR <= (values["year"] or 0) <= MAX_YEAR:
        errors["year"] = _("Write the year of the audit, e.g. 2022.")
    earlier = values.get("follows_up")
    if earlier is not None and earlier.municipality_id != municipality.pk:
        errors["follows_up"] = _("Choose an audit of the same municipality.")
    _raise(errors)
    return values


def audit_create(
    *,
    actor: User,
    municipality: Municipality,
    title: str,
    year: int,
    kind: str,
    auditors: str = "",
    scope: str = "",
    committees: str = "",
    report_date: datetime.date | None = None,
    follows_up: Audit | None = None,
    submission_key: uuid.UUID | None = None,
) -> Audit:
    """Record an audit of ``municipality`` (an auditor of it only)."""
    if municipality.pk not in audit_policy.municipality_ids(actor, EDIT):
        raise NotPermitted
    values = _audit_values(
        {
            "title": title,
            "year": year,
            "kind": kind,
            "auditors": auditors,
            "scope": scope,
            "committees": committees,
            "report_date": report_date,
            "follows_up": follows_up,
        },
        municipality,
    )

    def make() -> Audit:
        audit = Audit.objects.create(
            municipality=municipality, created_by=actor, submission_key=submission_key, **values
        )
        _record(actor, audit, AuditEventType.AUDIT_CREATED, audit, _values(audit, _AUDIT_FIELDS))
        return audit

    return _once(Audit, submission_key, make)


def audit_update(*, actor: User, audit: Audit, **fields: Any) -> Audit:
    """Change what the audit is (the fields of ``audit_create``); an event when anything
    changed."""
    audit = _require(actor, EDIT, audit)
    values = _audit_values({name: fields.get(name) for name in _AUDIT_FIELDS}, audit.municipality)
    if values["follows_up"] is not None and values["follows_up"].pk == audit.pk:
        raise ValidationError({"follows_up": _("An audit can not follow up itself.")})
    return _update(
        actor=actor, audit=audit, obj=audit, values=values, event_type=AuditEventType.AUDIT_UPDATED
    )


# --- questions and recommendations ----------------------------------------------------------


def _question_values(text: str, assessment: str, assessment_text: str) -> dict[str, Any]:
    errors: dict[str, str] = {}
    text = _text(text, "text", _("Write the audit question."), errors)
    _choice(assessment, Assessment, "assessment", errors)
    _raise(errors)
    return {"text": text, "assessment": assessment, "assessment_text": assessment_text.strip()}


def question_add(
    *,
    actor: User,
    audit: Audit,
    number: int,
    text: str,
    assessment: str = "",
    assessment_text: str = "",
    submission_key: uuid.UUID | None = None,
) -> AuditQuestion:
    """Add an audit question with the auditors' assessment (an auditor only)."""
    audit = _require(actor, EDIT, audit)
    values = _question_values(text, assessment, assessment_text)

    def make() -> AuditQuestion:
        question = AuditQuestion.objects.create(
            audit=audit, number=number, submission_key=submission_key, **values
        )
        new = _values(question, _QUESTION_FIELDS)
        _record(actor, audit, AuditEventType.AUDIT_QUESTION_ADDED, question, new)
        return question

    return _once(AuditQuestion, submission_key, make)


def question_update(
    *,
    actor: User,
    question: AuditQuestion,
    number: int,
    text: str,
    assessment: str = "",
    assessment_text: str = "",
) -> AuditQuestion:
    """Change an audit question or its assessment (an auditor only)."""
    audit = _require(actor, EDIT, question.audit)
    values = {"number": number, **_question_values(text, assessment, assessment_text)}
    return _update(
        actor=actor,
        audit=audit,
        obj=question,
        values=values,
        event_type=AuditEventType.AUDIT_QUESTION_UPDATED,
    )


def _recommendation_values(
    audit: Audit, text: str, question: AuditQuestion | None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    text = _text(text, "text", _("Write the recommendation."), errors)
    if question is not None and question.audit_id != audit.pk:
        errors["question"] = _("Choose a question of this audit.")
    _raise(errors)
    return {"text": text, "question": question}


def recommendation_add(
    *,
    actor: User,
    audit: Audit,
    number: int,
    text: str,
    question: AuditQuestion | None = None,
    response_due: datetime.date | None = None,
    submission_key: uuid.UUID | None = None,
) -> Recommendation:
    """Add a recommendation (or proposed measure) with the date its answer is due."""
    audit = _require(actor, EDIT, audit)
    values = _recommendation_values(audit, text, question)

    def make() -> Recommendation:
        recommendation = Recommendation.objects.create(
            audit=audit,
            number=number,
            response_due=response_due,
            submission_key=submission_key,
            **values,
        )
        new = _values(recommendation, _RECOMMENDATION_FIELDS)
        _record(actor, audit, AuditEventType.AUDIT_RECOMMENDATION_ADDED, recommendation, new)
        return recommendation

    return _once(Recommendation, submission_key, make)


def recommendation_update(
    *,
    actor: User,
    recommendation: Recommendation,
    number: int,
    text: str,
    question: AuditQuestion | None = None,
    response_due: datetime.date | None = None,
) -> Recommendation:
    """Change a recommendation or its answer date (an auditor only)."""
    audit = _require(actor, EDIT, recommendation.audit)
    values = {
        "number": number,
        "response_due": response_due,
        **_recommendation_values(audit, text, question),
    }
    return _update(
        actor=actor,
        audit=audit,
        obj=recommendation,
        values=values,
        event_type=AuditEventType.AUDIT_RECOMMENDATION_UPDATED,
    )


# --- responses, measures and evidence -------------------------------------------------------


def response_record(
    *,
    actor: User,
    audit: Audit,
    text: str,
    decision_body: str,
    decision_reference: str,
    decided_on: datetime.date,
    recommendation: Recommendation | None = None,
    submission_key: uuid.UUID | None = None,
) -> Response:
    """Record the decided response to one recommendation, or to the audit as a whole (a
    coordinator or manager only). A recommendation with a response is answered."""
    audit = _require(actor, RESPOND, audit)
    errors: dict[str, str] = {}
    text = _text(text, "text", _("Write the response."), errors)
    decision_body = _text(
        decision_body, "decision_body", _("Write who decided, e.g. Kommunstyrelsen."), errors
    )
    decision_reference = _text(
        decision_reference,
        "decision_reference",
        _("Write the decision reference, e.g. KS 2022-03-10 § 45."),
        errors,
    )
    if recommendation is not None and recommendation.audit_id != audit.pk:
        errors["recommendation"] = _("Choose a recommendation of this audit.")
    _raise(errors)

    def make() -> Response:
        response = Response.objects.create(
            audit=audit,
            recommendation=recommendation,
            text=text,
            decision_body=decision_body,
            decision_reference=decision_reference,
            decided_on=decided_on,
            created_by=actor,
            submission_key=submission_key,
        )
        new = _values(response, _RESPONSE_FIELDS)
        _record(actor, audit, AuditEventType.AUDIT_RESPONSE_RECORDED, response, new)
        return response

    return _once(Response, submission_key, make)


def _measure_values(
    audit: Audit, what: str, owner: str, owner_unit: Unit | None, status: str
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    what = _text(what, "what", _("Write what is to be done."), errors)
    owner = _text(owner, "owner", _("Write who is responsible."), errors)
    if owner_unit is not None and owner_unit.municipality_id != audit.municipality_id:
        errors["owner_unit"] = _("Choose a unit of the municipality.")
    if status not in MeasureStatus.values:
        errors["status"] = _("Choose one of the alternatives.")
    _raise(errors)
    return {"what": what, "owner": owner, "owner_unit": owner_unit, "status": status}


def measure_add(
    *,
    actor: User,
    recommendation: Recommendation,
    what: str,
    owner: str,
    owner_unit: Unit | None = None,
    due_on: datetime.date | None = None,
    status: str = MeasureStatus.PLANNED,
    submission_key: uuid.UUID | None = None,
) -> AuditMeasure:
    """Add a measure for a recommendation (a coordinator or manager only)."""
    audit = _require(actor, RESPOND, recommendation.audit)
    values = _measure_values(audit, what, owner, owner_unit, status)

    def make() -> AuditMeasure:
        measure = AuditMeasure.objects.create(
            recommendation=recommendation, due_on=due_on, submission_key=submission_key, **values
        )
        new = _values(measure, _MEASURE_FIELDS)
        _record(actor, audit, AuditEventType.AUDIT_MEASURE_ADDED, measure, new)
        return measure

    return _once(AuditMeasure, submission_key, make)


def measure_update(
    *,
    actor: User,
    measure: AuditMeasure,
    what: str,
    owner: str,
    owner_unit: Unit | None = None,
    due_on: datetime.date | None = None,
    status: str = MeasureStatus.PLANNED,
) -> AuditMeasure:
    """Change a measure or its status (a coordinator or manager only)."""
    audit = _require(actor, RESPOND, measure.recommendation.audit)
    values = {"due_on": due_on, **_measure_values(audit, what, owner, owner_unit, status)}
    return _update(
        actor=actor,
        audit=audit,
        obj=measure,
        values=values,
        event_type=AuditEventType.AUDIT_MEASURE_UPDATED,
    )


def _evidence_errors(audit: Audit, kind: str, target: dict[str, Any]) -> dict[str, str]:
    """What is missing or foreign in one piece of evidence, by field."""
    needs = {
        EvidenceKind.DOCUMENT: ("document_version", _("Choose the document version.")),
        EvidenceKind.MEETING: ("occurrence", _("Choose the meeting.")),
        EvidenceKind.BOARD_REPORT: ("board_report", _("Choose the published report.")),
        EvidenceKind.INDICATOR: ("indicator_key", _("Choose the indicator.")),
        EvidenceKind.FILE: ("upload", _("Choose the file to upload.")),
        EvidenceKind.REFERENCE: ("reference", _("Write the reference.")),
    }
    if kind not in needs:
        return {"kind": _("Choose the kind of evidence.")}
    field, message = needs[EvidenceKind(kind)]
    errors = _foreign_errors(audit, target)
    if not target[field]:
        errors["file" if field == "upload" else field] = message
    return errors


def _foreign_errors(audit: Audit, target: dict[str, Any]) -> dict[str, str]:
    """Links to another municipality's rows, a draft report or an unknown indicator."""
    errors: dict[str, str] = {}
    version = target["document_version"]
    occurrence = target["occurrence"]
    report = target["board_report"]
    if version is not None and version.document.municipality_id != audit.municipality_id:
        errors["document_version"] = _("Choose a document of the municipality.")
    if occurrence is not None and occurrence.municipality_id != audit.municipality_id:
        errors["occurrence"] = _("Choose a meeting of the municipality.")
    if report is not None and (
        report.municipality_id != audit.municipality_id or not report.is_published
    ):
        errors["board_report"] = _("Choose a published report of the municipality.")
    if target["indicator_key"] and target["indicator_key"] not in CATALOGUE:
        errors["indicator_key"] = _("Choose an indicator from the list.")
    return errors


def evidence_add(
    *,
    actor: User,
    audit: Audit,
    kind: str,
    description: str,
    recommendation: Recommendation | None = None,
    measure: AuditMeasure | None = None,
    document_version: Any = None,
    occurrence: Any = None,
    board_report: Any = None,
    indicator_key: str = "",
    upload: UploadedFile | None = None,
    reference: str = "",
    submission_key: uuid.UUID | None = None,
) -> Evidence:
    """Add evidence for a measure or a recommendation of ``audit`` (a coordinator or manager
    only). Only the part that ``kind`` names is kept; an upload passes the upload checks. A
    board report must be published (it never changes); an indicator's value is computed now,
    for the last twelve months, and kept as it was shown."""
    audit = _require(actor, RESPOND, audit)
    reference = (reference or "").strip()
    errors = _evidence_errors(
        audit,
        kind,
        {
            "document_version": document_version,
            "occurrence": occurrence,
            "board_report": board_report,
            "indicator_key": indicator_key,
            "upload": upload,
            "reference": reference,
        },
    )
    description = _text(description, "description", _("Describe the evidence briefly."), errors)
    owner = measure.recommendation if measure is not None else recommendation
    if owner is None or owner.audit_id != audit.pk:
        errors["__all__"] = _("Choose a recommendation or measure of this audit.")
    if upload is not None and kind == EvidenceKind.FILE:
        try:
            validate_upload(upload, max_bytes=settings.GOVERNANCE_FILE_MAX_BYTES)
        except ValidationError as error:
            errors["file"] = " ".join(error.messages)
    _raise(errors)

    def make() -> Evidence:
        evidence = Evidence(
            audit=audit,
            recommendation=recommendation if measure is None else None,
            measure=measure,
            kind=kind,
            description=description,
            document_version=document_version if kind == EvidenceKind.DOCUMENT else None,
            occurrence=occurrence if kind == EvidenceKind.MEETING else None,
            board_report=board_report if kind == EvidenceKind.BOARD_REPORT else None,
            reference=reference if kind == EvidenceKind.REFERENCE else "",
            created_by=actor,
            submission_key=submission_key or uuid.uuid4(),
        )
        if kind == EvidenceKind.INDICATOR:
            _freeze_indicator(evidence, audit, indicator_key)
        if kind == EvidenceKind.FILE and upload is not None:
            evidence.file = upload
            evidence.file_name = (upload.name or "")[:255]
        evidence.save()
        note_stored(evidence.file)
        new = {
            "kind": kind,
            "description": description,
            "recommendation_id": evidence.recommendation_id,
            "measure_id": evidence.measure_id,
            "document_version_id": evidence.document_version_id,
            "occurrence_id": evidence.occurrence_id,
            "board_report_id": evidence.board_report_id,
            "indicator_key": evidence.indicator_key,
            "indicator_value": evidence.indicator_value,
            "file_name": evidence.file_name,
            "reference": evidence.reference,
        }
        _record(actor, audit, AuditEventType.AUDIT_EVIDENCE_ADDED, evidence, new)
        return evidence

    def make_with_file() -> Evidence:
        # A file the storage can not take (disk full) adds nothing (FileNotStoredError), and
        # the file of a request that loses the race for its key (IntegrityError) is removed.
        with files_all_or_nothing("audit evidence file", field="file"):
            return make()

    return _once(Evidence, submission_key, make_with_file)


def _freeze_indicator(evidence: Evidence, audit: Audit, key: str) -> None:
    today = timezone.localdate()
    value, period = indicator_snapshot(audit.municipality, key, today=today)
    evidence.indicator_key = key
    evidence.indicator_value = value
    evidence.indicator_period = period
    evidence.indicator_as_of = today


# --- follow-up rounds -----------------------------------------------------------------------


def _round_values(title: str, held_on: datetime.date | None, summary: str) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = _text(title, "title", _("Write the title of the follow-up."), errors)
    if held_on is None:
        errors["held_on"] = _("Write the date of the follow-up.")
    _raise(errors)
    return {"title": title, "held_on": held_on, "summary": (summary or "").strip()}


def round_create(
    *,
    actor: User,
    audit: Audit,
    title: str,
    held_on: datetime.date | None,
    summary: str = "",
    submission_key: uuid.UUID | None = None,
) -> FollowUpRound:
    """Start a follow-up round of ``audit`` (an auditor only)."""
    audit = _require(actor, EDIT, audit)
    values = _round_values(title, held_on, summary)

    def make() -> FollowUpRound:
        round_ = FollowUpRound.objects.create(audit=audit, submission_key=submission_key, **values)
        new = _values(round_, _ROUND_FIELDS)
        _record(actor, audit, AuditEventType.AUDIT_ROUND_CREATED, round_, new)
        return round_

    return _once(FollowUpRound, submission_key, make)


def round_update(
    *,
    actor: User,
    round_: FollowUpRound,
    title: str,
    held_on: datetime.date | None,
    summary: str = "",
) -> FollowUpRound:
    """Change a round that is not finished (an auditor only)."""
    audit = _require(actor, EDIT, round_.audit)
    _check_open(round_)
    return _update(
        actor=actor,
        audit=audit,
        obj=round_,
        values=_round_values(title, held_on, summary),
        event_type=AuditEventType.AUDIT_ROUND_UPDATED,
    )


def _locked_open_round(round_: FollowUpRound) -> FollowUpRound:
    """The round under a row lock, refused when it was finished meanwhile."""
    locked = FollowUpRound.objects.select_for_update().get(pk=round_.pk)
    _check_open(locked)
    return locked


def round_assess(
    *,
    actor: User,
    round_: FollowUpRound,
    recommendation: Recommendation,
    implementation: str,
    current_state: str = "",
) -> RecommendationAssessment:
    """Record (or change) how far ``recommendation`` has been carried out at an open round
    (an auditor only). One assessment per recommendation and round."""
    audit = _require(actor, EDIT, round_.audit)
    errors: dict[str, str] = {}
    if implementation not in Implementation.values:
        errors["implementation"] = _("Choose the assessment.")
    if recommendation.audit_id != audit.pk:
        errors["__all__"] = _("Choose a recommendation of this audit.")
    _raise(errors)
    with transaction.atomic():
        locked = _locked_open_round(round_)
        row, _created = RecommendationAssessment.objects.update_or_create(
            round=locked,
            recommendation=recommendation,
            defaults={"implementation": implementation, "current_state": current_state.strip()},
        )
        new = {
            "recommendation_id": recommendation.pk,
            "implementation": implementation,
            "current_state": row.current_state,
        }
        _record(actor, audit, AuditEventType.AUDIT_ROUND_ASSESSED, row, new)
    return row


def round_question_assess(
    *,
    actor: User,
    round_: FollowUpRound,
    question: AuditQuestion,
    current_state: str,
    assessment: str = "",
) -> QuestionFollowUp:
    """Record (or change) the current state of an audit question at an open round and,
    optionally, the assessment now (an auditor only)."""
    audit = _require(actor, EDIT, round_.audit)
    errors: dict[str, str] = {}
    current_state = _text(current_state, "current_state", _("Describe the current state."), errors)
    _choice(assessment, Assessment, "assessment", errors)
    if question.audit_id != audit.pk:
        errors["__all__"] = _("Choose a question of this audit.")
    _raise(errors)
    with transaction.atomic():
        locked = _locked_open_round(round_)
        row, _created = QuestionFollowUp.objects.update_or_create(
            round=locked,
            question=question,
            defaults={"current_state": current_state, "assessment": assessment},
        )
        new = {"question_id": question.pk, "assessment": assessment, "current_state": current_state}
        _record(actor, audit, AuditEventType.AUDIT_ROUND_QUESTION_ASSESSED, row, new)
    return row


def round_finish(*, actor: User, round_: FollowUpRound) -> FollowUpRound:
    """Finish a round for good (an auditor only): its assessments and report can no longer be
    changed. Finishing a finished round changes nothing and records nothing."""
    audit = _require(actor, EDIT, round_.audit)
    with transaction.atomic():
        locked = FollowUpRound.objects.select_for_update().get(pk=round_.pk)
        if locked.is_finished:
            return locked
        locked.finished_at = timezone.now()
        locked.save(update_fields=["finished_at"])
        new = {"finished_at": locked.finished_at, "assessments": locked.assessments.count()}
        _record(actor, audit, AuditEventType.AUDIT_ROUND_FINISHED, locked, new)
    return locked


def report_pdf_request(*, actor: User, round_: FollowUpRound) -> FollowUpRound:
    """Ask for the follow-up report as a PDF (an auditor only): made in the background by
    ``audits.tasks.render_followup_report``. Allowed again while the round is open; for a
    finished round only when no PDF has been made yet."""
    audit = _require(actor, EDIT, round_.audit)
    from audits.tasks import render_followup_report

    with transaction.atomic():
        locked = FollowUpRound.objects.select_for_update().get(pk=round_.pk)
        if locked.is_finished and locked.pdf_state == PdfState.READY:
            raise ValidationError(
                _("The round is finished; its report is kept as it was made."), code="finished"
            )
        locked.pdf_state, locked.pdf_state_at = PdfState.REQUESTED, timezone.now()
        locked.save(update_fields=["pdf_state", "pdf_state_at"])
        _record(actor, audit, AuditEventType.AUDIT_REPORT_REQUESTED, locked, {"round": locked.pk})
        transaction.on_commit(lambda: render_followup_report.enqueue(locked.pk))
    return locked
