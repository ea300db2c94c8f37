"""Services that change governance documents. Each runs in a transaction, checks that every
unit and person it is given belongs to the document's municipality, and writes its audit event.

Bad input raises ``ValidationError`` naming the field it concerns (``error_dict``), so a form
can show the message beside the field and keep what was typed.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AuditEventType
from access.policies import NotPermitted
from access.services import audit_event_record, model_update_audited
from core.sanitize import user_text_to_html
from core.uploads import files_all_or_nothing, note_stored, validate_upload
from followup.catalogue import CATALOGUE
from followup.rollups import mark_read_confirmations
from governance.models import (
    DocumentKind,
    DocumentVersion,
    Goal,
    GoalDirection,
    GovernanceDocument,
    Measure,
    MeasureStatus,
    ReadConfirmation,
    Responsibility,
)
from governance.policies import MANAGE, READ, document_policy
from governance.rules import (
    DEFAULT_REVISION_INTERVAL_MONTHS,
    MAX_REVISION_INTERVAL_MONTHS,
)
from governance.selectors import current_version
from organisations.models import Membership, Municipality, Unit, User, active_on

_DOCUMENT_FIELDS = ("kind", "title", "owner_unit_id", "owner_person_id", "is_sip_routine")
_VERSION_FIELDS = (
    "number",
    "approving_body",
    "approval_reference",
    "approved_on",
    "valid_from",
    "valid_to",
    "revision_interval_months",
    "file_name",
)
_GOAL_FIELDS = ("text", "indicator_key", "target_value", "direction", "target_description")
_RESPONSIBILITY_FIELDS = ("role_name", "unit_id", "responsibility")
_MEASURE_FIELDS = ("what", "owner", "owner_unit_id", "due_on", "status", "follow_up")


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _changed(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [key for key in new if old.get(key) != new[key]]
    return {key: old.get(key) for key in keys}, {key: new[key] for key in keys}


def _record(
    *,
    actor: User | None,
    document: GovernanceDocument,
    event_type: str,
    obj: Any,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> None:
    audit_event_record(
        actor=actor,
        municipality=document.municipality,
        event_type=event_type,
        obj=obj,
        old=old,
        new=new,
    )


# --- checks -----------------------------------------------------------------------------------


def _require_manage_in(actor: User, municipality: Municipality) -> None:
    """Every service here first asks the document policy; creating one asks where."""
    if municipality.pk not in document_policy.municipality_ids(actor, MANAGE):
        raise NotPermitted


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message}, code="required")
    return value


def _check_unit(unit: Unit | None, municipality: Municipality, field: str) -> None:
    if unit is not None and unit.municipality_id != municipality.pk:
        raise ValidationError(
            {
                field: _("%(unit)s is not a unit of %(municipality)s.")
                % {"unit": unit.name, "municipality": municipality.name}
            },
            code="other_municipality",
        )


def _check_person(person: User | None, municipality: Municipality) -> None:
    if person is None:
        return
    member = Membership.objects.filter(
        active_on(timezone.localdate()), user=person, unit__municipality=municipality
    ).exists()
    if not member or not person.is_active:
        raise ValidationError(
            {
                "owner_person": _(
                    "%(person)s has no role in %(municipality)s today and can not be responsible "
                    "for its document."
                )
                % {"person": person.display_name, "municipality": municipality.name}
            },
            code="other_municipality",
        )


def _check_kind(kind: str) -> None:
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Choose the kind of document.")}, code="invalid_kind")


def _document_fields(
    *,
    municipality: Municipality,
    kind: str,
    title: str,
    owner_unit: Unit,
    owner_person: User | None,
    parties: list[Unit],
    is_sip_routine: bool = False,
    document: GovernanceDocument | None = None,
) -> str:
    _check_kind(kind)
    _check_sip_routine(municipality, kind, is_sip_routine, document)
    title = _required(title, "title", _("Write the document's title."))
    _check_unit(owner_unit, municipality, "owner_unit")
    for party in parties:
        _check_unit(party, municipality, "parties")
    _check_person(owner_person, municipality)
    return title


def _check_sip_routine(
    municipality: Municipality,
    kind: str,
    is_sip_routine: bool,
    document: GovernanceDocument | None,
) -> None:
    """Only a routine can be the SIP routine, and a municipality has at most one."""
    if not is_sip_routine:
        return
    if kind != DocumentKind.ROUTINE:
        raise ValidationError(
            {"is_sip_routine": _("Only a collaboration routine can be the SIP routine.")}
        )
    other = GovernanceDocument.objects.filter(municipality=municipality, is_sip_routine=True)
    if document is not None:
        other = other.exclude(pk=document.pk)
    marked = other.first()
    if marked is not None:
        raise ValidationError(
            {
                "is_sip_routine": _(
                    "“%(title)s” is already marked as the SIP routine. Remove the mark there first."
                )
                % {"title": marked.title}
            }
        )


# --- documents --------------------------------------------------------------------------------


def document_create(
    *,
    actor: User,
    municipality: Municipality,
    kind: str,
    title: str,
    owner_unit: Unit,
    owner_person: User | None = None,
    parties: Iterable[Unit] = (),
    is_sip_routine: bool = False,
) -> GovernanceDocument:
    """Create a document of ``municipality``; its content comes with its first version."""
    _require_manage_in(actor, municipality)
    party_list = list(parties)
    title = _document_fields(
        municipality=municipality,
        kind=kind,
        title=title,
        owner_unit=owner_unit,
        owner_person=owner_person,
        parties=party_list,
        is_sip_routine=is_sip_routine,
    )
    with transaction.atomic():
        document = GovernanceDocument.objects.create(
            municipality=municipality,
            kind=kind,
            title=title,
            owner_unit=owner_unit,
            owner_person=owner_person,
            is_sip_routine=is_sip_routine,
            created_by=actor,
        )
        document.parties.set(party_list)
        new = _snapshot(document, _DOCUMENT_FIELDS)
        new["parties"] = sorted(unit.pk for unit in party_list)
        _record(
            actor=actor,
            document=document,
            event_type=AuditEventType.DOCUMENT_CREATED,
            obj=document,
            new=new,
        )
    return document


def document_update(
    *,
    actor: User,
    document: GovernanceDocument,
    kind: str,
    title: str,
    owner_unit: Unit,
    owner_person: User | None = None,
    parties: Iterable[Unit] = (),
    is_sip_routine: bool | None = None,
) -> GovernanceDocument:
    """Change what the document is and who owns it (its text changes by a new version).
    ``is_sip_routine`` None keeps the mark as it is."""
    document_policy.require(actor, MANAGE, document)
    party_list = list(parties)
    if is_sip_routine is None:
        is_sip_routine = document.is_sip_routine
    title = _document_fields(
        municipality=document.municipality,
        kind=kind,
        title=title,
        owner_unit=owner_unit,
        owner_person=owner_person,
        parties=party_list,
        is_sip_routine=is_sip_routine,
        document=document,
    )
    with transaction.atomic():
        locked = GovernanceDocument.objects.select_for_update().get(pk=document.pk)
        old = _snapshot(locked, _DOCUMENT_FIELDS)
        old["parties"] = sorted(locked.parties.values_list("pk", flat=True))
        locked.kind, locked.title = kind, title
        locked.owner_unit, locked.owner_person = owner_unit, owner_person
        locked.is_sip_routine = is_sip_routine
        locked.save(update_fields=["kind", "title", "owner_unit", "owner_person", "is_sip_routine"])
        locked.parties.set(party_list)
        new = _snapshot(locked, _DOCUMENT_FIELDS)
        new["parties"] = sorted(unit.pk for unit in party_list)
        old, new = _changed(old, new)
        if new:
            _record(
                actor=actor,
                document=locked,
                event_type=AuditEventType.DOCUMENT_UPDATED,
                obj=locked,
                old=old,
                new=new,
            )
    return locked


# --- versions ---------------------------------------------------------------------------------


def version_add(
    *,
    actor: User,
    document: GovernanceDocument,
    text: str = "",
    upload: UploadedFile | None = None,
    approving_body: str = "",
    approval_reference: str = "",
    approved_on: datetime.date | None = None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    revision_interval_months: int = DEFAULT_REVISION_INTERVAL_MONTHS,
) -> DocumentVersion:
    """Add the next version (number = the highest so far + 1, under a lock of the document).

    The text is sanitised before it is stored (plain text becomes paragraphs); a file must be
    a PDF, office document or image. A version needs text, a file, or both. A version with an
    approval date is *approved*: the newest approved version is the document's current one.
    Versions are never changed or deleted; a mistake is corrected by adding another.
    """
    document_policy.require(actor, MANAGE, document)
    html = user_text_to_html(text)
    errors: dict[str, list[str]] = {}
    if not html and upload is None:
        errors["text"] = [_("Write the text of the version or attach the document as a file.")]
    if upload is not None:
        try:
            validate_upload(upload, max_bytes=settings.GOVERNANCE_FILE_MAX_BYTES)
        except ValidationError as error:
            errors["file"] = list(error.messages)
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = [_("The last day of validity can not be before the first day.")]
    if not 1 <= revision_interval_months <= MAX_REVISION_INTERVAL_MONTHS:
        errors["revision_interval_months"] = [
            _("The revision interval is between 1 and %(max)s months.")
            % {"max": MAX_REVISION_INTERVAL_MONTHS}
        ]
    if errors:
        raise ValidationError(errors)
    with (
        files_all_or_nothing("governance document version", field="file"),
        transaction.atomic(),
    ):
        locked = GovernanceDocument.objects.select_for_update().get(pk=document.pk)
        highest = locked.versions.aggregate(highest=Max("number"))["highest"] or 0
        version = DocumentVersion(
            document=locked,
            number=highest + 1,
            text=html,
            approving_body=approving_body.strip(),
            approval_reference=approval_reference.strip(),
            approved_on=approved_on,
            valid_from=valid_from,
            valid_to=valid_to,
            revision_interval_months=revision_interval_months,
            created_by=actor,
        )
        if upload is not None:
            version.file = upload
            version.file_name = (upload.name or "")[:255]
        version.save()
        note_stored(version.file)
        new = _snapshot(version, _VERSION_FIELDS)
        new["text_length"] = len(html)
        mark_read_confirmations(locked.municipality_id)
        _record(
            actor=actor,
            document=locked,
            event_type=AuditEventType.DOCUMENT_VERSION_ADDED,
            obj=version,
            new=new,
        )
    return version


def _update_part[P: Goal | Responsibility | Measure](
    *, actor: User, part: P, fields: tuple[str, ...], values: dict[str, Any], event_type: str
) -> P:
    """Change a goal, responsibility or measure of a document under a row lock, and record
    what changed (nothing changed: no event)."""
    # The audit keys are the ``fields`` names (``owner_unit_id``, as in the "added" events);
    # the values come by the relation's name (``owner_unit``).
    changes = {name: values[name.removesuffix("_id")] for name in fields}
    locked, _was_changed = model_update_audited(
        obj=part,
        actor=actor,
        fields=changes,
        event_type=event_type,
        municipality=part.document.municipality,
    )
    return locked


def _delete_part(
    *, actor: User, part: Goal | Responsibility, fields: tuple[str, ...], event_type: str
) -> None:
    """Delete a part of a document for good; the audit event keeps what it said."""
    with transaction.atomic():
        locked = type(part)._default_manager.select_for_update().get(pk=part.pk)
        _record(
            actor=actor,
            document=part.document,
            event_type=event_type,
            obj=locked,
            old=_snapshot(locked, fields),
        )
        locked.delete()


# --- goals ------------------------------------------------------------------------------------


def _goal_values(
    text: str,
    indicator_key: str,
    target_value: Decimal | None,
    direction: str,
    target_description: str,
) -> dict[str, Any]:
    text = _required(text, "text", _("Write the goal."))
    key = (indicator_key or "").strip()
    if key and key not in CATALOGUE:
        raise ValidationError(
            {"indicator_key": _("Choose an indicator from the list, or none.")},
            code="invalid_indicator_key",
        )
    if direction not in GoalDirection.values:
        raise ValidationError(
            {"direction": _("Choose whether the target is a minimum or a maximum.")}
        )
    return {
        "text": text,
        "indicator_key": key,
        "target_value": target_value,
        "direction": direction,
        "target_description": (target_description or "").strip(),
    }


def goal_add(
    *,
    actor: User,
    document: GovernanceDocument,
    text: str,
    indicator_key: str = "",
    target_value: Decimal | None = None,
    direction: str = GoalDirection.AT_LEAST,
    target_description: str = "",
) -> Goal:
    """Add a goal; ``indicator_key`` links it to an indicator of the follow-up catalogue
    (``followup.catalogue.CATALOGUE``), which measures it against the goal's target."""
    document_policy.require(actor, MANAGE, document)
    values = _goal_values(text, indicator_key, target_value, direction, target_description)
    with transaction.atomic():
        goal = Goal.objects.create(document=document, **values)
        _record(
            actor=actor,
            document=document,
            event_type=AuditEventType.DOCUMENT_GOAL_ADDED,
            obj=goal,
            new=_snapshot(goal, _GOAL_FIELDS),
        )
    return goal


def goal_update(
    *,
    actor: User,
    goal: Goal,
    text: str,
    indicator_key: str = "",
    target_value: Decimal | None = None,
    direction: str = GoalDirection.AT_LEAST,
    target_description: str = "",
) -> Goal:
    document_policy.require(actor, MANAGE, goal.document)
    values = _goal_values(text, indicator_key, target_value, direction, target_description)
    return _update_part(
        actor=actor,
        part=goal,
        fields=_GOAL_FIELDS,
        values=values,
        event_type=AuditEventType.DOCUMENT_GOAL_UPDATED,
    )


def goal_delete(*, actor: User, goal: Goal) -> None:
    """Delete a goal for good (the audit event keeps what it said)."""
    document_policy.require(actor, MANAGE, goal.document)
    _delete_part(
        actor=actor,
        part=goal,
        fields=_GOAL_FIELDS,
        event_type=AuditEventType.DOCUMENT_GOAL_DELETED,
    )


# --- responsibilities -------------------------------------------------------------------------


def _responsibility_values(
    document: GovernanceDocument, role_name: str, responsibility: str, unit: Unit | None
) -> dict[str, Any]:
    role_name = _required(role_name, "role_name", _("Write the role or function."))
    text = _required(responsibility, "responsibility", _("Write what the role is responsible for."))
    _check_unit(unit, document.municipality, "unit")
    return {"role_name": role_name, "responsibility": text, "unit": unit}


def responsibility_add(
    *,
    actor: User,
    document: GovernanceDocument,
    role_name: str,
    responsibility: str,
    unit: Unit | None = None,
) -> Responsibility:
    """Add who is responsible for what (a role's mandate, e.g. the coordinator function's)."""
    document_policy.require(actor, MANAGE, document)
    values = _responsibility_values(document, role_name, responsibility, unit)
    with transaction.atomic():
        row = Responsibility.objects.create(document=document, **values)
        _record(
            actor=actor,
            document=document,
            event_type=AuditEventType.DOCUMENT_RESPONSIBILITY_ADDED,
            obj=row,
            new=_snapshot(row, _RESPONSIBILITY_FIELDS),
        )
    return row


def responsibility_update(
    *,
    actor: User,
    responsibility_row: Responsibility,
    role_name: str,
    responsibility: str,
    unit: Unit | None = None,
) -> Responsibility:
    document_policy.require(actor, MANAGE, responsibility_row.document)
    document = responsibility_row.document
    values = _responsibility_values(document, role_name, responsibility, unit)
    return _update_part(
        actor=actor,
        part=responsibility_row,
        fields=_RESPONSIBILITY_FIELDS,
        values=values,
        event_type=AuditEventType.DOCUMENT_RESPONSIBILITY_UPDATED,
    )


def responsibility_delete(*, actor: User, responsibility_row: Responsibility) -> None:
    document_policy.require(actor, MANAGE, responsibility_row.document)
    _delete_part(
        actor=actor,
        part=responsibility_row,
        fields=_RESPONSIBILITY_FIELDS,
        event_type=AuditEventType.DOCUMENT_RESPONSIBILITY_DELETED,
    )


# --- measures ---------------------------------------------------------------------------------


def _measure_values(
    document: GovernanceDocument,
    what: str,
    owner: str,
    owner_unit: Unit | None,
    due_on: datetime.date | None,
    status: str,
    follow_up: str,
) -> dict[str, Any]:
    what = _required(what, "what", _("Write what the measure is."))
    owner = _required(owner, "owner", _("Write who owns the measure."))
    _check_unit(owner_unit, document.municipality, "owner_unit")
    _check_status(status)
    return {
        "what": what,
        "owner": owner,
        "owner_unit": owner_unit,
        "due_on": due_on,
        "status": status,
        "follow_up": (follow_up or "").strip(),
    }


def _check_status(status: str) -> None:
    if status not in MeasureStatus.values:
        raise ValidationError({"status": _("Choose the status of the measure.")})


def measure_add(
    *,
    actor: User,
    document: GovernanceDocument,
    what: str,
    owner: str,
    owner_unit: Unit | None = None,
    due_on: datetime.date | None = None,
    status: str = MeasureStatus.PLANNED,
    follow_up: str = "",
) -> Measure:
    """Add a measure: what, who owns it, by when, and how and how often it is followed up."""
    document_policy.require(actor, MANAGE, document)
    values = _measure_values(document, what, owner, owner_unit, due_on, status, follow_up)
    with transaction.atomic():
        measure = Measure.objects.create(document=document, **values)
        _record(
            actor=actor,
            document=document,
            event_type=AuditEventType.DOCUMENT_MEASURE_ADDED,
            obj=measure,
            new=_snapshot(measure, _MEASURE_FIELDS),
        )
    return measure


def measure_update(
    *,
    actor: User,
    measure: Measure,
    what: str,
    owner: str,
    owner_unit: Unit | None = None,
    due_on: datetime.date | None = None,
    status: str = MeasureStatus.PLANNED,
    follow_up: str = "",
) -> Measure:
    document_policy.require(actor, MANAGE, measure.document)
    document = measure.document
    values = _measure_values(document, what, owner, owner_unit, due_on, status, follow_up)
    return _update_part(
        actor=actor,
        part=measure,
        fields=_MEASURE_FIELDS,
        values=values,
        event_type=AuditEventType.DOCUMENT_MEASURE_UPDATED,
    )


def measure_status_change(*, actor: User, measure: Measure, status: str) -> Measure:
    """Set the measure's status; the same status again changes nothing and records nothing."""
    document_policy.require(actor, MANAGE, measure.document)
    _check_status(status)
    locked, _was_changed = model_update_audited(
        obj=measure,
        actor=actor,
        fields={"status": status},
        event_type=AuditEventType.DOCUMENT_MEASURE_STATUS_CHANGED,
        municipality=measure.document.municipality,
    )
    return locked


# --- read confirmations -----------------------------------------------------------------------


def read_confirm(*, user: User, version: DocumentVersion) -> tuple[ReadConfirmation, bool]:
    """Record that ``user`` has read ``version``, which must be the document's current version.

    Idempotent: a second confirmation (a double click, two tabs) returns the first one and
    ``created=False``, and records nothing more. A new version asks again, since the
    confirmation belongs to the version.
    """
    document_policy.require(user, READ, version.document)
    document = version.document
    current = current_version(document)
    if current is None or current.pk != version.pk:
        raise ValidationError(
            _("Only the current version can be confirmed. Open the document again and read it."),
            code="not_current",
        )
    existing = ReadConfirmation.objects.filter(version=version, user=user).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            confirmation = ReadConfirmation.objects.create(version=version, user=user)
            mark_read_confirmations(document.municipality_id)
            _record(
                actor=user,
                document=document,
                event_type=AuditEventType.DOCUMENT_READ_CONFIRMED,
                obj=confirmation,
                new={"document_id": document.pk, "version": version.number},
            )
    except IntegrityError:
        # The same user's other request got there first.
        return ReadConfirmation.objects.get(version=version, user=user), False
    return confirmation, True
