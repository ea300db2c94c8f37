"""Feedback in own words on a report, with consent (LAW.md "Consent and SIP", "Feedback").

Without consent the reporter is told only which decision was made (the fixed feedback). With
the guardians' consent (purpose ``REPORT_FEEDBACK``, covering the reporter's school unit) the
intake may add a message in its own words. The reporter and the principal see it only while
that consent is in force: after a withdrawal or the end date they see the fixed feedback and a
line that the rest is no longer shown. The message is never put in a notification or an
e-mail.

Every service takes the report's permit (``HANDLE``: the intake of the handling municipality),
runs in one transaction and writes its audit event.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AuditEventType
from access.policies import Permit
from access.services import audit_event_record
from core.personnummer import IdentityNumberError, completed_years, parse_identity_number
from organisations.models import User
from reports.models import ConcernReport
from reports.policies import HANDLE
from sip.models import Consent, ConsentPurpose, FeedbackMessage, consent_in_force
from sip.services import ConsentData, _check_consent, _create_consent, child_consent_age

MAX_MESSAGE_LENGTH = 2000


def _audit(actor: User, report: ConcernReport, event: str, **new: object) -> None:
    audit_event_record(
        actor=actor, municipality=report.municipality, event_type=event, obj=report, new=new
    )


def _child_age(report: ConcernReport, day: datetime.date) -> int | None:
    if not report.child_identity_number:
        return None
    try:
        born = parse_identity_number(report.child_identity_number).birth_date
    except IdentityNumberError:
        return None
    return completed_years(born, day)


def feedback_consent_in_force(
    report: ConcernReport, day: datetime.date | None = None
) -> Consent | None:
    """The report's feedback consent in force on ``day`` (the latest), or None."""
    return (
        Consent.objects.filter(
            consent_in_force(day or timezone.localdate()),
            purpose=ConsentPurpose.REPORT_FEEDBACK,
            report=report,
        )
        .order_by("-valid_from", "-pk")
        .first()
    )


def consent_record_for_report(
    *, permit: Permit[ConcernReport], actor: User, data: ConsentData
) -> Consent:
    """Record the guardians' consent to feedback in own words on this report. It covers the
    reporter's school unit whatever ``data.parties`` says; a report that did not come from a
    school in Samverkan can not have one."""
    report = permit.require(HANDLE)
    with transaction.atomic():
        locked = ConcernReport.objects.select_for_update().get(pk=report.pk)
        school = locked.school_unit
        if school is None:
            raise ValidationError(
                _("Feedback in own words can be given only to a reporter at a school.")
            )
        data = ConsentData(
            guardians=data.guardians,
            method=data.method,
            parties=[school],
            valid_from=data.valid_from,
            valid_until=data.valid_until,
            child_gave=data.child_gave,
            scope_note=data.scope_note,
        )
        age = _child_age(locked, data.valid_from)
        errors = _check_consent(
            data, school.municipality_id, age is not None and age >= child_consent_age()
        )
        if errors:
            raise ValidationError(errors)
        consent = _create_consent(
            actor=actor,
            municipality_id=locked.municipality_id,
            child_ref=locked.child_ref,
            child_name=locked.child_name,
            data=data,
            report=locked,
        )
        _audit(
            actor,
            locked,
            AuditEventType.CONSENT_RECORDED,
            consent=consent.reference,
            parties=[school.pk],
        )
    return consent


def consent_withdraw_for_report(
    *,
    permit: Permit[ConcernReport],
    actor: User,
    consent_id: int,
    withdrawn_by: str,
    at: datetime.datetime | None = None,
) -> Consent:
    """Record that the feedback consent was withdrawn (by whom). From the next request the
    reporter and the principal see the fixed feedback only."""
    report = permit.require(HANDLE)
    if not withdrawn_by.strip():
        raise ValidationError({"withdrawn_by": _("Write who withdrew the consent.")})
    with transaction.atomic():
        consent = (
            Consent.objects.select_for_update()
            .filter(pk=consent_id, report=report, purpose=ConsentPurpose.REPORT_FEEDBACK)
            .first()
        )
        if consent is None:
            raise ValidationError(_("That consent does not belong to this report."))
        if consent.withdrawn_at is not None:
            raise ValidationError(_("The consent has already been withdrawn."))
        consent.withdrawn_at = at or timezone.now()
        consent.withdrawn_by_name = withdrawn_by.strip()
        consent.withdrawal_recorded_by = actor
        consent.save()
        _audit(actor, report, AuditEventType.CONSENT_WITHDRAWN, consent=consent.reference)
    return consent


def feedback_message_give(
    *, permit: Permit[ConcernReport], actor: User, text: str
) -> FeedbackMessage:
    """Add the message in own words to the feedback. Refused without a feedback consent in
    force, before the fixed feedback is given, and when a message was given already (a double
    submit gets that message back unchanged when the text is the same)."""
    report = permit.require(HANDLE)
    text = text.strip()
    with transaction.atomic():
        locked = ConcernReport.objects.select_for_update().get(pk=report.pk)
        earlier = FeedbackMessage.objects.filter(report=locked).first()
        if earlier is not None:
            if earlier.text == text:
                return earlier
            raise ValidationError(_("A message in own words has already been given."))
        consent = feedback_consent_in_force(locked)
        if consent is None:
            raise ValidationError(
                _(
                    "No consent to feedback in own words is in force: only the fixed feedback "
                    "can be given."
                )
            )
        if not locked.feedback:
            raise ValidationError(_("Give the feedback first; the message is added to it."))
        if not text:
            raise ValidationError({"text": _("Write the message.")})
        if len(text) > MAX_MESSAGE_LENGTH:
            raise ValidationError(
                {"text": _("Write at most %(count)d characters.") % {"count": MAX_MESSAGE_LENGTH}}
            )
        message = FeedbackMessage.objects.create(
            report=locked, consent=consent, text=text, written_by=actor
        )
        _audit(
            actor,
            locked,
            AuditEventType.REPORT_FEEDBACK_MESSAGE_GIVEN,
            consent=consent.reference,
        )
    return message


@dataclass(frozen=True)
class ShownMessage:
    """What the reporter and the principal see of the message: its text while the consent
    holds; else only that there was one (``ended``)."""

    text: str = ""
    ended: bool = False


def feedback_message_shown(report: ConcernReport) -> ShownMessage | None:
    """None when no message was given. Two queries at most: the message, and whether a
    feedback consent for the report is in force today."""
    message = FeedbackMessage.objects.filter(report=report).first()
    if message is None:
        return None
    if feedback_consent_in_force(report) is not None:
        return ShownMessage(text=message.text)
    return ShownMessage(ended=True)
