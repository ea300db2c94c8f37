"""Feedback in own words on the report pages: the intake's consent section, and what the
reporter and the principal see of the message."""

from typing import Any

from django import template
from django.utils import timezone

from reports.models import ConcernReport
from sip.models import ConsentPurpose, FeedbackMessage
from sip.services_feedback import feedback_message_shown

register = template.Library()


@register.inclusion_tag("sip/_report_feedback_consent.html")
def report_feedback_consent(report: ConcernReport) -> dict[str, Any]:
    """For the intake's report page (the caller loaded the report with HANDLE). One query
    when no consent was recorded (a message needs one); three otherwise."""
    today = timezone.localdate()
    consents = list(
        report.consents.filter(purpose=ConsentPurpose.REPORT_FEEDBACK).prefetch_related("givers")
    )
    in_force = any(consent.in_force(today) for consent in consents)
    message = FeedbackMessage.objects.filter(report=report).first() if consents else None
    return {
        "report": report,
        "consents": consents,
        "in_force": in_force,
        "message": message,
        "may_write": in_force and bool(report.feedback) and message is None,
        "may_record": report.school_unit_id is not None,
    }


@register.inclusion_tag("sip/_report_feedback_message.html")
def report_feedback_message(report: ConcernReport) -> dict[str, Any]:
    """For the reporter's and the principal's status page."""
    return {"shown": feedback_message_shown(report)}
