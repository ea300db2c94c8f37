"""What the author of a report hears when the social services act on it: a notification in
the app (and an e-mail with the link) when feedback is given, and when the report is forwarded
to another municipality (the feedback then comes from there). The link opens that report's
status page, by its random id; neither text nor link holds anything about the child.

Called by ``services_common._audit`` for every change of a report's state, inside the step's
transaction: the notification exists exactly when the step does, and the e-mail leaves after
the commit (``core.notifications.notify``).
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from access.models import AuditEventType
from core.notifications import notify
from reports.models import ConcernReport, Decision
from reports.policies import REPORTER_ROLES


def _message(report: ConcernReport, event_type: str) -> tuple[str, str] | None:
    """The notification's text and the e-mail's subject, or None when the author is not told
    of this change."""
    values = {"reference": report.reference}
    if event_type == AuditEventType.REPORT_FEEDBACK_GIVEN:
        return (
            _("You have feedback on your report of concern %(reference)s.") % values,
            _("Samverkan: feedback on your report of concern"),
        )
    if event_type == AuditEventType.REPORT_DECIDED and report.decision == Decision.FORWARDED:
        return (
            _(
                "Your report of concern %(reference)s has been forwarded to another "
                "municipality: the feedback comes from there."
            )
            % values,
            _("Samverkan: your report of concern was forwarded"),
        )
    return None


def reporter_notify(*, report: ConcernReport, event_type: str) -> None:
    """Tell the author of ``report`` about the change ``event_type`` when it concerns them
    (once per report and kind: a repeated call creates nothing). Only an author who filed
    from the school side follows the report here: a report the intake registered for someone
    else has no reporter in Samverkan to tell."""
    if report.author_role not in REPORTER_ROLES:
        return
    # In the installation's language: the author reads it later, not the intake who acted.
    with translation.override(settings.LANGUAGE_CODE):
        message = _message(report, event_type)
    if message is None:
        return
    text, subject = message
    notify(
        users=[report.author],
        text=text,
        url=reverse("reports:status", kwargs={"public_id": report.public_id}),
        dedupe_key=f"report:{report.pk}:{event_type}",
        email_subject=subject,
    )
