"""The demo's notifications to reporters, dated as if they had come when the social services
acted: the demo loader works months of reports through the services at once, so every
notification would otherwise look new. Older ones are marked read, as a teacher would have
read them; the last two weeks' stay unread, to be seen in the header."""

import datetime

from django.utils import timezone

from access.models import AuditEventType
from core.models import Notification
from reports.models import ConcernReport

UNREAD_DAYS = 14


def _moment(report: ConcernReport, event_type: str) -> datetime.datetime | None:
    if event_type == AuditEventType.REPORT_FEEDBACK_GIVEN:
        return report.feedback_given_at
    return report.decided_at


def date_reporter_notifications(reports: list[ConcernReport]) -> None:
    """Give each report's notifications (``reports.notices``) the time of the step they
    announce; those older than ``UNREAD_DAYS`` are read an hour later."""
    recent = timezone.now() - datetime.timedelta(days=UNREAD_DAYS)
    for report in reports:
        for event_type in (AuditEventType.REPORT_FEEDBACK_GIVEN, AuditEventType.REPORT_DECIDED):
            moment = _moment(report, event_type)
            if moment is None:
                continue
            read_at = moment + datetime.timedelta(hours=1) if moment < recent else None
            Notification.objects.filter(dedupe_key=f"report:{report.pk}:{event_type}").update(
                created_at=moment, read_at=read_at
            )
