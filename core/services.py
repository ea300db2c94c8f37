"""Services of the web shell."""

from django.conf import settings
from django.core.mail import mail_admins
from django.db import transaction

from core.models import AccessibilityReport


def accessibility_report_create(
    *, page: str, description: str, contact: str
) -> AccessibilityReport:
    """Store a reported accessibility problem and tell the installation's admins (no copy of
    the text in the e-mail: it may hold personal data)."""
    with transaction.atomic():
        report = AccessibilityReport.objects.create(
            page=page, description=description, contact=contact
        )
        if settings.ADMINS:
            transaction.on_commit(
                lambda: mail_admins(
                    "Samverkan: accessibility problem reported",
                    f"A new accessibility report (number {report.pk}) waits in the admin.",
                    fail_silently=True,
                )
            )
    return report
