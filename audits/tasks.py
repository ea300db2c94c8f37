"""Background tasks of the audit module (``django.tasks``)."""

import logging

from django.core.files.base import ContentFile
from django.tasks import task
from django.utils import timezone

from audits.models import FollowUpRound, PdfState
from audits.report import report_context
from core.pdf import render_pdf

logger = logging.getLogger(__name__)


@task()
def render_followup_report(round_id: int) -> str:
    """Render the follow-up report of one round to PDF and store it on the round with its
    state (ready, or failed when WeasyPrint fails). Running twice stores the newer PDF."""
    round_ = FollowUpRound.objects.select_related("audit__municipality").get(pk=round_id)
    try:
        content = render_pdf("audits/report_pdf.html", report_context(round_))
    except Exception:
        # The page says it failed and offers to try again; the reason goes to the log.
        logger.exception("The follow-up report of round %s could not be made", round_id)
        FollowUpRound.objects.filter(pk=round_id).update(
            pdf_state=PdfState.FAILED, pdf_state_at=timezone.now()
        )
        return PdfState.FAILED
    old_name = round_.pdf.name if round_.pdf else ""
    round_.pdf.save(f"uppfoljning-{round_.pk}.pdf", ContentFile(content), save=False)
    round_.pdf_state, round_.pdf_state_at = PdfState.READY, timezone.now()
    round_.save(update_fields=["pdf", "pdf_state", "pdf_state_at"])
    if old_name and old_name != round_.pdf.name:
        round_.pdf.storage.delete(old_name)
    return PdfState.READY
