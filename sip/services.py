"""Changing plans and consents. Every service takes a permit from ``sip.policies`` (or checks
the actor's convening membership), runs in one transaction and writes its audit event.

A plan is about one child; what the child's identity number gives (the keyed reference, the
date of birth) is derived here, never typed twice. Consent is recorded, never edited: a change
is a new consent, and ending one is its withdrawal, which takes effect on the next request.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AuditEventType
from access.policies import NotPermitted, Permit
from access.services import audit_event_record
from core.personnummer import IdentityNumberError, completed_years, parse_identity_number
from followup.rollups import mark_plan
from organisations.models import Membership, Unit, User
from reports.identity import child_ref_for
from reports.models import ConcernReport
from reports.references import MAX_ATTEMPTS, ReferenceExhaustedError, new_reference_code
from sip.models import (
    ActionStatus,
    CloseReason,
    Consent,
    ConsentGiver,
    ConsentMethod,
    ConsentPurpose,
    GiverRelation,
    Participant,
    ParticipantKind,
    Plan,
    PlanAction,
    PlanStatus,
    consent_in_force,
)
from sip.policies import CONVENER_RULE, SipAction, convening_memberships, proposing_memberships


class ConcurrentEditError(ValueError):
    """Someone else saved the plan since this form was opened; nothing was saved."""


@dataclass(frozen=True)
class ChildData:
    """The child a plan is about: the identity number when known, else the date of birth."""

    name: str
    identity_number: str = ""
    birth_date: datetime.date | None = None


@dataclass(frozen=True)
class PlanText:
    needs: str = ""
    goals: str = ""
    others_do: str = ""
    follow_up_on: datetime.date | None = None
    responsible_id: int | None = None


@dataclass(frozen=True)
class ConsentData:
    """A consent as recorded: who gave it (guardians by name; the child when old enough),
    how, which units it covers, what for and for how long."""

    guardians: Sequence[str]
    method: str
    parties: Sequence[Unit]
    valid_from: datetime.date
    valid_until: datetime.date | None = None
    child_gave: bool = False
    other_parties: str = ""
    scope_note: str = ""


@dataclass(frozen=True)
class ActionData:
    what: str
    party: Unit | None = None
    party_name: str = ""
    by_whom: str = ""
    due_on: datetime.date | None = None
    status: str = ActionStatus.PLANNED


@dataclass(frozen=True)
class ParticipantData:
    kind: str
    name: str
    unit: Unit | None = None
    user: User | None = None
    title: str = ""
    phone: str = ""
    email: str = ""


# --- helpers ------------------------------------------------------------------------------------


def _child_fields(child: ChildData) -> dict[str, Any]:
    """The stored child fields, or a ValidationError on the field to fix."""
    errors: dict[str, list[ValidationError]] = {}
    name = child.name.strip()
    if not name:
        errors["child_name"] = [ValidationError(_("Write the child's name."), code="required")]
    digits, birth_date = "", child.birth_date
    if child.identity_number.strip():
        try:
            parsed = parse_identity_number(child.identity_number.strip())
        except IdentityNumberError as error:
            errors["child_identity_number"] = [ValidationError(str(error), code="invalid")]
        else:
            digits, birth_date = parsed.digits, parsed.birth_date
    elif birth_date is None:
        errors["child_birth_date"] = [
            ValidationError(
                _("Give the child's identity number, or the date of birth when it is not known."),
                code="required",
            )
        ]
    if birth_date is not None and birth_date > timezone.localdate():
        errors["child_birth_date"] = [
            ValidationError(_("The date of birth can not be in the future."), code="future")
        ]
    if errors:
        raise ValidationError(errors)
    return {
        "child_name": name,
        "child_identity_number": digits,
        "child_birth_date": birth_date,
        "child_ref": child_ref_for(digits),
    }


def _save_with_reference(obj: Plan | Consent) -> None:
    """Insert with a reference unique in the municipality, drawing again on a clash."""
    for _attempt in range(MAX_ATTEMPTS):
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            taken = (
                type(obj)
                ._default_manager.filter(
                    municipality_id=obj.municipality_id, reference_code=obj.reference_code
                )
                .exists()
            )
            if not taken:
                raise
            obj.reference_code = new_reference_code()
        else:
            return
    raise ReferenceExhaustedError("No free reference found.")


def _convening_membership(actor: User, unit: Unit) -> Membership:
    for membership in convening_memberships(actor):
        if membership.unit_id == unit.pk:
            return membership
    raise NotPermitted


def _audit(actor: User, plan: Plan, event: str, **new: Any) -> None:
    audit_event_record(
        actor=actor, municipality=plan.municipality, event_type=event, obj=plan, new=new
    )
    # Every change is audited here, so the follow-up's counts of the plan are recomputed too.
    mark_plan(plan)


def _add_self(plan: Plan, actor: User, unit: Unit) -> Participant:
    return Participant.objects.create(
        plan=plan,
        kind=ParticipantKind.PROFESSIONAL,
        unit=unit,
        user=actor,
        name=actor.get_full_name() or actor.get_username(),
        email=actor.email,
    )


# --- starting -----------------------------------------------------------------------------------


def plan_start(
    *,
    actor: User,
    unit: Unit,
    child: ChildData,
    report_permit: Permit[ConcernReport] | None = None,
) -> Plan:
    """A draft plan convened by ``unit`` (where the actor may convene), optionally started from
    a report the actor handles or wrote (linked). The convener is its first participant."""
    membership = _convening_membership(actor, unit)
    report = report_permit.obj if report_permit is not None else None
    with transaction.atomic():
        plan = Plan(
            municipality_id=unit.municipality_id,
            status=PlanStatus.DRAFT,
            report=report,
            convening_unit=unit,
            convening_sector=unit.sector,
            created_by=actor,
            started_at=timezone.now(),
            **_child_fields(child),
        )
        _save_with_reference(plan)
        _add_self(plan, actor, unit)
        _audit(
            actor,
            plan,
            AuditEventType.SIP_STARTED,
            unit=unit.pk,
            role=membership.role,
            from_report=report is not None,
        )
    return plan


def plan_propose(
    *,
    actor: User,
    from_unit: Unit,
    to_unit: Unit,
    child: ChildData,
    reason: str,
) -> Plan:
    """A proposal from a counsellor or principal to a unit that may convene (the school
    nurses, the intake...). Nothing of it is shared until that unit accepts it and a consent
    is recorded."""
    if not any(m.unit_id == from_unit.pk for m in proposing_memberships(actor)):
        raise NotPermitted
    if to_unit.municipality_id != from_unit.municipality_id or not to_unit.is_active:
        raise ValidationError({"to_unit": _("Choose a unit in your municipality.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why a coordinated plan is needed.")})
    with transaction.atomic():
        plan = Plan(
            municipality_id=from_unit.municipality_id,
            status=PlanStatus.PROPOSED,
            proposed_by=actor,
            proposed_from_unit=from_unit,
            proposed_to_unit=to_unit,
            proposal_reason=reason.strip(),
            proposed_at=timezone.now(),
            **_child_fields(child),
        )
        _save_with_reference(plan)
        _audit(actor, plan, AuditEventType.SIP_PROPOSED, to_unit=to_unit.pk)
    return plan


def proposal_accept(*, permit: Permit[Plan], actor: User) -> Plan:
    """The unit asked to convene takes the proposal up: a draft plan it holds, with the actor
    as its first participant."""
    proposal = permit.require(SipAction.ACCEPT)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=proposal.pk)
        if plan.status != PlanStatus.PROPOSED:
            raise ValidationError(_("The proposal has already been answered."))
        unit = plan.proposed_to_unit
        assert unit is not None
        _convening_membership(actor, unit)
        plan.status = PlanStatus.DRAFT
        plan.convening_unit = unit
        plan.convening_sector = unit.sector
        plan.created_by = actor
        plan.started_at = timezone.now()
        plan.version += 1
        plan.save()
        _add_self(plan, actor, unit)
        _audit(actor, plan, AuditEventType.SIP_PROPOSAL_ACCEPTED, unit=unit.pk)
    return plan


def proposal_decline(*, permit: Permit[Plan], actor: User, note: str) -> Plan:
    """The unit asked to convene does not take the proposal up; the proposer sees why."""
    proposal = permit.require(SipAction.ACCEPT)
    if not note.strip():
        raise ValidationError({"note": _("Say why the proposal is not taken up.")})
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=proposal.pk)
        if plan.status != PlanStatus.PROPOSED:
            raise ValidationError(_("The proposal has already been answered."))
        plan.status = PlanStatus.CLOSED
        plan.close_reason = CloseReason.PROPOSAL_DECLINED
        plan.close_note = note.strip()
        plan.closed_at = timezone.now()
        plan.version += 1
        plan.save()
        _audit(actor, plan, AuditEventType.SIP_PROPOSAL_DECLINED)
    return plan


# --- the plan's content -------------------------------------------------------------------------


def _locked(permit: Permit[Plan], expected_version: int | None, *actions: SipAction) -> Plan:
    """The plan under a row lock, after the permit and (when given) the version check."""
    plan = permit.require(*actions)
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError
    return locked


def plan_update(
    *, permit: Permit[Plan], actor: User, expected_version: int, text: PlanText
) -> Plan:
    """Save the needs, goals, what others do, the overall responsibility and the follow-up
    date. Refused with :class:`ConcurrentEditError` (nothing saved) when someone else saved
    since ``expected_version`` was read."""
    with transaction.atomic():
        plan = _locked(permit, expected_version, SipAction.EDIT, SipAction.MANAGE)
        responsible = None
        if text.responsible_id is not None:
            responsible = plan.participants.filter(
                pk=text.responsible_id, kind=ParticipantKind.PROFESSIONAL
            ).first()
            if responsible is None:
                raise ValidationError(
                    {"responsible": _("Choose a professional taking part in the plan.")}
                )
        moved_into_past = (
            text.follow_up_on is not None
            and text.follow_up_on != plan.follow_up_on
            and text.follow_up_on < timezone.localdate()
        )
        if moved_into_past:
            raise ValidationError(
                {"follow_up_on": _("A new follow-up date can not be in the past.")}
            )
        changed = []
        for name, value in (
            ("needs", text.needs.strip()),
            ("goals", text.goals.strip()),
            ("others_do", text.others_do.strip()),
            ("follow_up_on", text.follow_up_on),
            ("responsible", responsible),
        ):
            if getattr(plan, name) != value:
                setattr(plan, name, value)
                changed.append(name)
        if changed:
            plan.version += 1
            plan.save()
            _audit(actor, plan, AuditEventType.SIP_UPDATED, fields=changed)
    return plan


def plan_activate(*, permit: Permit[Plan], actor: User) -> Plan:
    """Make the draft the agreed plan. LAW.md: a SIP needs a consent, and must say the efforts,
    who does what, who has the overall responsibility and when it is followed up."""
    with transaction.atomic():
        plan = _locked(permit, None, SipAction.MANAGE)
        if plan.status != PlanStatus.DRAFT:
            raise ValidationError(_("Only a draft can be made active."))
        missing = activation_gaps(plan)
        if missing:
            raise ValidationError(missing)
        plan.status = PlanStatus.ACTIVE
        plan.activated_at = timezone.now()
        plan.version += 1
        plan.save()
        _audit(actor, plan, AuditEventType.SIP_ACTIVATED)
    return plan


def activation_gaps(plan: Plan) -> list[str]:
    """What the plan lacks before it can be made active, in words (empty when nothing)."""
    today = timezone.localdate()
    gaps = []
    if not plan.consents.filter(consent_in_force(today), purpose=ConsentPurpose.SIP).exists():
        gaps.append(_("Record the consent of the guardians (and of the child, when old enough)."))
    if not plan.needs.strip():
        gaps.append(_("Describe the child's needs."))
    if not plan.actions.exists():
        gaps.append(_("Add at least one action: what is done, by which party."))
    if plan.responsible_id is None:
        gaps.append(_("Name who has the overall responsibility."))
    if plan.follow_up_on is None:
        gaps.append(_("Set the follow-up date."))
    elif plan.follow_up_on < today:
        gaps.append(_("The follow-up date has passed: set a new one."))
    return gaps


def plan_close(*, permit: Permit[Plan], actor: User, reason: str, note: str = "") -> Plan:
    """Close the plan with a reason; its content stays with the convening unit."""
    if reason not in CloseReason.values or reason == CloseReason.PROPOSAL_DECLINED:
        raise ValidationError({"reason": _("Choose why the plan is closed.")})
    if reason == CloseReason.OTHER and not note.strip():
        raise ValidationError({"note": _("Say why the plan is closed.")})
    with transaction.atomic():
        plan = _locked(permit, None, SipAction.MANAGE)
        plan.status = PlanStatus.CLOSED
        plan.close_reason = reason
        plan.close_note = note.strip()
        plan.closed_at = timezone.now()
        plan.version += 1
        plan.save()
        _audit(actor, plan, AuditEventType.SIP_CLOSED, reason=reason)
    return plan


# --- participants and actions ---------------------------------------------------------------


def participant_add(*, permit: Permit[Plan], actor: User, data: ParticipantData) -> Participant:
    """Add a participant. A professional belongs to a unit of the plan's municipality; an
    account, when named, must hold a membership at that unit (so the access it may get through
    a consent is tied to the unit the consent names)."""
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = _("Write the participant's name.")
    if data.kind not in ParticipantKind.values:
        errors["kind"] = _("Choose who the participant is.")
    with transaction.atomic():
        plan = _locked(permit, None, SipAction.MANAGE)
        if data.kind == ParticipantKind.PROFESSIONAL:
            if data.unit is None or data.unit.municipality_id != plan.municipality_id:
                errors["unit"] = _("Choose the participant's unit.")
            elif (
                data.user is not None and not data.user.memberships.filter(unit=data.unit).exists()
            ):
                errors["user"] = _("The account chosen does not work at that unit.")
        elif data.unit is not None or data.user is not None:
            errors["kind"] = _("Only a professional takes part for a unit.")
        if data.user is not None and plan.participants.filter(user=data.user).exists():
            errors["user"] = _("That person already takes part in the plan.")
        if errors:
            raise ValidationError(errors)
        participant = Participant.objects.create(
            plan=plan,
            kind=data.kind,
            unit=data.unit,
            user=data.user,
            name=data.name.strip(),
            title=data.title.strip(),
            phone=data.phone.strip(),
            email=data.email.strip(),
        )
        _audit(actor, plan, AuditEventType.SIP_PARTICIPANT_ADDED, participant=participant.pk)
    return participant


def participant_remove(*, permit: Permit[Plan], actor: User, participant_id: int) -> None:
    with transaction.atomic():
        plan = _locked(permit, None, SipAction.MANAGE)
        participant = plan.participants.filter(pk=participant_id).first()
        if participant is None:
            raise ValidationError(_("That participant is no longer in the plan."))
        if plan.responsible_id == participant.pk:
            raise ValidationError(
                _("Name someone else with the overall responsibility before removing them.")
            )
        participant.delete()
        plan.version += 1
        plan.save(update_fields=["version", "updated_at"])
        _audit(actor, plan, AuditEventType.SIP_PARTICIPANT_REMOVED, participant=participant_id)


def _check_action(plan: Plan, data: ActionData) -> None:
    errors: dict[str, str] = {}
    if not data.what.strip():
        errors["what"] = _("Say what is to be done.")
    if data.party is None and not data.party_name.strip():
        errors["party"] = _("Choose the party that does it, or name one outside Samverkan.")
    if data.party is not None and data.party.municipality_id != plan.municipality_id:
        errors["party"] = _("Choose a unit in the plan's municipality.")
    if data.status not in ActionStatus.values:
        errors["status"] = _("Choose a status.")
    if errors:
        raise ValidationError(errors)


def action_add(*, permit: Permit[Plan], actor: User, data: ActionData) -> PlanAction:
    with transaction.atomic():
        plan = _locked(permit, None, SipAction.EDIT, SipAction.MANAGE)
        _check_action(plan, data)
        action = PlanAction.objects.create(
            plan=plan,
            what=data.what.strip(),
            party=data.party,
            party_name=data.party_name.strip(),
            by_whom=data.by_whom.strip(),
            due_on=data.due_on,
            status=data.status,
            position=plan.actions.count(),
        )
        plan.version += 1
        plan.save(update_fields=["version", "updated_at"])
        _audit(actor, plan, AuditEventType.SIP_ACTION_ADDED, action=action.pk)
    return action


def action_update(
    *, permit: Permit[Plan], actor: User, action_id: int, expected_version: int, data: ActionData
) -> PlanAction:
    """Change an action; refused like the plan's text when the plan changed meanwhile."""
    with transaction.atomic():
        plan = _locked(permit, expected_version, SipAction.EDIT, SipAction.MANAGE)
        action = plan.actions.filter(pk=action_id).first()
        if action is None:
            raise ValidationError(_("That action is no longer in the plan."))
        _check_action(plan, data)
        action.what = data.what.strip()
        action.party = data.party
        action.party_name = data.party_name.strip()
        action.by_whom = data.by_whom.strip()
        action.due_on = data.due_on
        action.status = data.status
        action.save()
        plan.version += 1
        plan.save(update_fields=["version", "updated_at"])
        _audit(actor, plan, AuditEventType.SIP_ACTION_UPDATED, action=action.pk)
    return action


# --- consent ------------------------------------------------------------------------------------


def child_consent_age() -> int:
    """From which age the form asks for the child's own consent (SSPF practice: 15)."""
    from django.conf import settings

    return int(getattr(settings, "SIP_CHILD_CONSENT_AGE", 15))


def child_age(plan: Plan, day: datetime.date | None = None) -> int | None:
    if plan.child_birth_date is None:
        return None
    return completed_years(plan.child_birth_date, day or timezone.localdate())


def _check_consent(
    data: ConsentData, municipality_id: int, child_old_enough: bool
) -> dict[str, str]:
    errors: dict[str, str] = {}
    guardians = [name.strip() for name in data.guardians if name.strip()]
    if not guardians:
        errors["guardians"] = _("Write the name of each guardian who gave consent.")
    if child_old_enough and not data.child_gave:
        errors["child_gave"] = _(
            "The child is old enough to be asked: record the child's own consent too."
        )
    if data.method not in ConsentMethod.values:
        errors["method"] = _("Choose how the consent was given.")
    if not data.parties:
        errors["parties"] = _("Choose the parties the consent covers.")
    elif any(unit.municipality_id != municipality_id for unit in data.parties):
        errors["parties"] = _("Choose units in the plan's municipality.")
    if data.valid_until is not None and data.valid_until < data.valid_from:
        errors["valid_until"] = _("The consent can not end before it starts.")
    if data.valid_until is not None and data.valid_until < timezone.localdate():
        errors["valid_until"] = _("A consent that has already ended opens nothing.")
    return errors


def _create_consent(
    *,
    actor: User,
    municipality_id: int,
    child_ref: str,
    child_name: str,
    data: ConsentData,
    plan: Plan | None = None,
    report: ConcernReport | None = None,
) -> Consent:
    consent = Consent(
        municipality_id=municipality_id,
        child_ref=child_ref,
        purpose=ConsentPurpose.SIP if plan is not None else ConsentPurpose.REPORT_FEEDBACK,
        plan=plan,
        report=report,
        method=data.method,
        other_parties=data.other_parties.strip(),
        scope_note=data.scope_note.strip(),
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        recorded_by=actor,
    )
    _save_with_reference(consent)
    consent.parties.set(data.parties)
    givers = [
        ConsentGiver(consent=consent, name=name.strip(), relation=GiverRelation.GUARDIAN)
        for name in data.guardians
        if name.strip()
    ]
    if data.child_gave:
        givers.append(ConsentGiver(consent=consent, name=child_name, relation=GiverRelation.CHILD))
    ConsentGiver.objects.bulk_create(givers)
    return consent


def consent_record(*, permit: Permit[Plan], actor: User, data: ConsentData) -> Consent:
    """Record the consent to a plan. The parties it covers can see the plan from
    ``valid_from`` (their named participants) until it expires or is withdrawn."""
    with transaction.atomic():
        plan = _locked(permit, None, SipAction.MANAGE)
        age = child_age(plan, data.valid_from)
        errors = _check_consent(
            data, plan.municipality_id, age is not None and age >= child_consent_age()
        )
        if errors:
            raise ValidationError(errors)
        consent = _create_consent(
            actor=actor,
            municipality_id=plan.municipality_id,
            child_ref=plan.child_ref,
            child_name=plan.child_name,
            data=data,
            plan=plan,
        )
        plan.version += 1
        plan.save(update_fields=["version", "updated_at"])
        _audit(
            actor,
            plan,
            AuditEventType.CONSENT_RECORDED,
            consent=consent.reference,
            parties=sorted(unit.pk for unit in data.parties),
        )
    return consent


def consent_withdraw(
    *,
    permit: Permit[Plan],
    actor: User,
    consent_id: int,
    withdrawn_by: str,
    at: datetime.datetime | None = None,
) -> Consent:
    """Record that the consent was withdrawn (by whom). Every party it covered loses access on
    the next request: the plan leaves their lists and shows them only that their access ended."""
    if not withdrawn_by.strip():
        raise ValidationError({"withdrawn_by": _("Write who withdrew the consent.")})
    with transaction.atomic():
        # Recorded by the convening unit, also after the plan was closed (VIEW, not MANAGE).
        if permit.grant.rule != CONVENER_RULE:
            raise NotPermitted
        plan = _locked(permit, None, SipAction.VIEW, SipAction.MANAGE)
        consent = Consent.objects.select_for_update().filter(pk=consent_id, plan=plan).first()
        if consent is None:
            raise ValidationError(_("That consent does not belong to this plan."))
        if consent.withdrawn_at is not None:
            raise ValidationError(_("The consent has already been withdrawn."))
        consent.withdrawn_at = at or timezone.now()
        consent.withdrawn_by_name = withdrawn_by.strip()
        consent.withdrawal_recorded_by = actor
        consent.save()
        plan.version += 1
        plan.save(update_fields=["version", "updated_at"])
        _audit(actor, plan, AuditEventType.CONSENT_WITHDRAWN, consent=consent.reference)
    return consent


def convening_units(actor: User) -> list[Unit]:
    return sorted({m.unit for m in convening_memberships(actor)}, key=lambda unit: unit.name)
