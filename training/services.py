"""Writing the case library and the training sessions.

Every service runs in one transaction, checks its policy (a coordinator for a new case or
session; the permit of the object for a change), writes an audit event and refuses:
identity numbers in any text (the cases are fictional, the sessions hold no child data),
objects of another municipality, and a change based on a version someone else has replaced
since (:class:`ConcurrentEditError`). The same ``submission_key`` twice (a double click)
gives the record made the first time.
"""

import datetime
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models import AuditEventType
from access.policies import NotPermitted, Permit
from access.services import audit_event_record
from governance.models import DocumentVersion, GovernanceDocument
from organisations.models import Membership, Municipality, Role, Sector, Unit, User, active_on
from organisations.selectors import memberships_with_role
from surveys.models import Round, SurveyKind
from training.models import Participation, SessionGroup, TrainingSession, Vignette
from training.policies import MANAGE, RECORD
from wheel.models import ActivityType, Occurrence
from wheel.services import contains_identity_number

IDENTITY_NUMBER_MESSAGE = _(
    "The text seems to contain a personal identity number (YYMMDD-XXXX). Cases and sessions "
    "never hold real persons' data: remove it."
)


class ConcurrentEditError(ValueError):
    """Someone else saved the record since the form was opened; ``current`` is what they
    saved."""

    def __init__(self, current: Any) -> None:
        super().__init__("stale version")
        self.current = current


def _identity_errors(**texts: str) -> dict[str, Any]:
    return {
        name: IDENTITY_NUMBER_MESSAGE
        for name, text in texts.items()
        if contains_identity_number(text)
    }


def _require_coordinator(actor: User, municipality: Municipality) -> None:
    if not any(
        m.unit.municipality_id == municipality.pk
        for m in memberships_with_role(actor, [Role.COORDINATOR])
    ):
        raise NotPermitted


# --- the case library --------------------------------------------------------------------------


@dataclass(frozen=True)
class VignetteData:
    title: str
    case_text: str
    discussion_questions: str = ""
    boundary_questions: str = ""
    governance_document: GovernanceDocument | None = None


def _check_vignette(municipality_id: int | None, data: VignetteData) -> None:
    errors: dict[str, Any] = {}
    if not data.title.strip():
        errors["title"] = _("Give the case a title.")
    if not data.case_text.strip():
        errors["case_text"] = _("Write the case.")
    document = data.governance_document
    if document is not None and document.municipality_id != municipality_id:
        errors["governance_document"] = _("Choose a governance document of the municipality.")
    errors.update(
        _identity_errors(
            title=data.title,
            case_text=data.case_text,
            discussion_questions=data.discussion_questions,
            boundary_questions=data.boundary_questions,
        )
    )
    if errors:
        raise ValidationError(errors)


def _vignette_values(vignette: Vignette) -> dict[str, Any]:
    return {
        "title": vignette.title,
        "governance_document": vignette.governance_document_id,
        "case_text_length": len(vignette.case_text),
        "discussion_questions": len(vignette.discussion_list),
        "boundary_questions": len(vignette.boundary_list),
    }


def _apply_vignette(vignette: Vignette, data: VignetteData) -> None:
    vignette.title = data.title.strip()
    vignette.case_text = data.case_text.strip()
    vignette.discussion_questions = data.discussion_questions.strip()
    vignette.boundary_questions = data.boundary_questions.strip()
    vignette.governance_document = data.governance_document


def vignette_create(
    *,
    actor: User,
    municipality: Municipality,
    data: VignetteData,
    submission_key: uuid.UUID | None = None,
) -> Vignette:
    """Add a case to the municipality's library (coordinators). The same ``submission_key``
    again returns the case made the first time."""
    _require_coordinator(actor, municipality)
    if submission_key is not None:
        earlier = Vignette.objects.filter(submission_key=submission_key).first()
        if earlier is not None and earlier.municipality_id == municipality.pk:
            return earlier
    _check_vignette(municipality.pk, data)
    try:
        with transaction.atomic():
            vignette = Vignette(
                municipality=municipality, created_by=actor, submission_key=submission_key
            )
            _apply_vignette(vignette, data)
            vignette.save()
            audit_event_record(
                actor=actor,
                municipality=municipality,
                event_type=AuditEventType.VIGNETTE_CREATED,
                obj=vignette,
                new=_vignette_values(vignette),
            )
    except IntegrityError:
        # The same key committed by a parallel request a moment ago.
        return Vignette.objects.get(submission_key=submission_key, municipality=municipality)
    return vignette


def vignette_update(
    *, permit: Permit[Vignette], actor: User, expected_version: int, data: VignetteData
) -> Vignette:
    """Change a case (the permit is for MANAGE). Raises :class:`ConcurrentEditError` and
    changes nothing when the case was saved by someone else since ``expected_version``."""
    vignette = permit.require(MANAGE)
    with transaction.atomic():
        locked = Vignette.objects.select_for_update().get(pk=vignette.pk)
        if locked.version != expected_version:
            raise ConcurrentEditError(locked)
        _check_vignette(locked.municipality_id, data)
        old = _vignette_values(locked)
        _apply_vignette(locked, data)
        locked.version += 1
        locked.save()
        audit_event_record(
            actor=actor,
            municipality=locked.municipality,
            event_type=AuditEventType.VIGNETTE_UPDATED,
            obj=locked,
            old=old,
            new=_vignette_values(locked),
        )
    return locked


# --- training sessions -------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupData:
    sectors: Sequence[str]
    participants: int | None = None


@dataclass(frozen=True)
class SessionData:
    """What the session form gives. ``participants`` maps unit ids to a number of
    participants (0 or missing: nobody came from the unit)."""

    title: str
    held_on: datetime.date
    description: str = ""
    routine_version: DocumentVersion | None = None
    vignettes: Sequence[Vignette] = ()
    occurrence: Occurrence | None = None
    evaluation_round: Round | None = None
    participants: Mapping[int, int] = field(default_factory=dict)
    groups: Sequence[GroupData] = ()
    named_participants: Sequence[User] = ()


def _check_session(
    municipality: Municipality, data: SessionData, today: datetime.date
) -> dict[int, Unit]:
    """The checks of a new or changed session; returns the units counted, by id."""
    errors: dict[str, Any] = {}
    if not data.title.strip():
        errors["title"] = _("Give the session a title.")
    if data.held_on > today:
        errors["held_on"] = _(
            "A session is recorded once it has been held: the date can not be in the future."
        )
    errors.update(_link_errors(municipality.pk, data))
    units = {
        unit.pk: unit
        for unit in Unit.objects.filter(municipality=municipality, pk__in=list(data.participants))
    }
    errors.update(_participant_errors(data, units))
    errors.update(_group_errors(data.groups))
    errors.update(_people_errors(municipality.pk, data, today))
    errors.update(_identity_errors(title=data.title, description=data.description))
    if errors:
        raise ValidationError(errors)
    return units


def _link_errors(mid: int, data: SessionData) -> dict[str, Any]:
    """The routine version, cases, wheel activity and evaluation round: the municipality's."""
    errors: dict[str, Any] = {}
    version = data.routine_version
    if version is not None and version.document.municipality_id != mid:
        errors["routine_version"] = _(
            "Choose a version of a governance document of the municipality."
        )
    if any(v.municipality_id not in (None, mid) for v in data.vignettes):
        errors["vignettes"] = _("Choose cases of the municipality's case library.")
    occurrence = data.occurrence
    if occurrence is not None and (
        occurrence.municipality_id != mid
        or occurrence.series.activity_type != ActivityType.TRAINING
    ):
        errors["occurrence"] = _("Choose a training activity of the municipality's annual wheel.")
    found_round = data.evaluation_round
    if found_round is not None and (
        found_round.municipality_id != mid
        or found_round.template_version.template.kind != SurveyKind.TRAINING_EVALUATION
    ):
        errors["evaluation_round"] = _("Choose an evaluation survey of the municipality.")
    return errors


def _participant_errors(data: SessionData, units: dict[int, Unit]) -> dict[str, Any]:
    if set(data.participants) - set(units):
        return {
            "participants": _("Participants can only be counted for units of the municipality.")
        }
    if any(count < 0 for count in data.participants.values()):
        return {"participants": _("The number of participants can not be negative.")}
    if not any(data.participants.values()):
        return {"participants": _("Give the number of participants from at least one unit.")}
    return {}


def _people_errors(mid: int, data: SessionData, today: datetime.date) -> dict[str, Any]:
    if not data.named_participants:
        return {}
    members = set(
        Membership.objects.filter(
            active_on(today),
            unit__municipality_id=mid,
            user__in=[user.pk for user in data.named_participants],
        ).values_list("user_id", flat=True)
    )
    if any(user.pk not in members for user in data.named_participants):
        return {"named_participants": _("Choose staff of the municipality.")}
    return {}


def _group_errors(groups: Sequence[GroupData]) -> dict[str, Any]:
    known = set(Sector.values)
    for group in groups:
        if not group.sectors or set(group.sectors) - known:
            return {"groups": _("Choose at least one sector for each group.")}
        if group.participants is not None and group.participants < 0:
            return {"groups": _("The number of participants can not be negative.")}
    return {}


def _session_values(session: TrainingSession) -> dict[str, Any]:
    return {
        "title": session.title,
        "held_on": session.held_on.isoformat(),
        "routine_version": session.routine_version_id,
        "occurrence": session.occurrence_id,
        "evaluation_round": session.evaluation_round_id,
    }


def _write_parts(
    session: TrainingSession, data: SessionData, units: dict[int, Unit]
) -> dict[str, Any]:
    """Replace the session's vignettes, counts, groups and named participants."""
    session.vignettes.set(data.vignettes)
    session.named_participants.set(data.named_participants)
    Participation.objects.filter(session=session).delete()
    Participation.objects.bulk_create(
        Participation(
            session=session, unit=units[unit_id], sector=units[unit_id].sector, participants=count
        )
        for unit_id, count in sorted(data.participants.items())
        if count
    )
    SessionGroup.objects.filter(session=session).delete()
    SessionGroup.objects.bulk_create(
        SessionGroup(
            session=session,
            position=position,
            sectors=sorted(set(group.sectors), key=Sector.values.index),
            participants=group.participants,
        )
        for position, group in enumerate(data.groups, start=1)
    )
    return {
        "participants": sum(count for count in data.participants.values() if count),
        "groups": len(data.groups),
        "vignettes": sorted(v.pk for v in data.vignettes),
        "named_participants": len(data.named_participants),
    }


def _apply_session(session: TrainingSession, data: SessionData) -> None:
    session.title = data.title.strip()
    session.held_on = data.held_on
    session.description = data.description.strip()
    session.routine_version = data.routine_version
    session.occurrence = data.occurrence
    session.evaluation_round = data.evaluation_round


def session_create(
    *,
    actor: User,
    municipality: Municipality,
    data: SessionData,
    submission_key: uuid.UUID | None = None,
    today: datetime.date | None = None,
) -> TrainingSession:
    """Record a held session (coordinators of the municipality). The same ``submission_key``
    again returns the session recorded the first time."""
    _require_coordinator(actor, municipality)
    if submission_key is not None:
        earlier = TrainingSession.objects.filter(submission_key=submission_key).first()
        if earlier is not None and earlier.municipality_id == municipality.pk:
            return earlier
    units = _check_session(municipality, data, today or timezone.localdate())
    try:
        with transaction.atomic():
            session = TrainingSession(
                municipality=municipality, created_by=actor, submission_key=submission_key
            )
            _apply_session(session, data)
            session.save()
            parts = _write_parts(session, data, units)
            audit_event_record(
                actor=actor,
                municipality=municipality,
                event_type=AuditEventType.TRAINING_SESSION_RECORDED,
                obj=session,
                new=_session_values(session) | parts,
            )
    except IntegrityError:
        return TrainingSession.objects.get(submission_key=submission_key, municipality=municipality)
    return session


def session_update(
    *,
    permit: Permit[TrainingSession],
    actor: User,
    expected_version: int,
    data: SessionData,
    today: datetime.date | None = None,
) -> TrainingSession:
    """Change a session (the permit is for RECORD). Raises :class:`ConcurrentEditError` and
    changes nothing when someone else saved it since ``expected_version``."""
    session = permit.require(RECORD)
    with transaction.atomic():
        locked = (
            TrainingSession.objects.select_for_update()
            .select_related("municipality")
            .get(pk=session.pk)
        )
        if locked.version != expected_version:
            raise ConcurrentEditError(locked)
        units = _check_session(locked.municipality, data, today or timezone.localdate())
        old = _session_values(locked)
        _apply_session(locked, data)
        locked.version += 1
        locked.save()
        parts = _write_parts(locked, data, units)
        audit_event_record(
            actor=actor,
            municipality=locked.municipality,
            event_type=AuditEventType.TRAINING_SESSION_UPDATED,
            obj=locked,
            old=old,
            new=_session_values(locked) | parts,
        )
    return locked
