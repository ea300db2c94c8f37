"""Services of the board report: draft, regenerate, comment, publish, and the generation that
runs in the background.

Every service is keyword-only, runs in one transaction, asks ``board_report_policy`` first
(an outsider's call is ``NotPermitted`` and changes nothing) and writes its audit event. A
published report is never changed: the policy gives no MANAGE or PUBLISH permit for it, and
each service checks the state again under a row lock (a publish in another request between
the check and the change).
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from access.models import AuditEventType
from access.policies import NotPermitted
from access.services import audit_event_record
from core.pdf import render_pdf
from followup.board_content import build_content
from followup.board_policies import MANAGE, PUBLISH, REMAKE_PDF, board_report_policy
from followup.board_selectors import report_view, sections
from followup.models import (
    BoardReport,
    BoardReportComment,
    BoardReportSection,
    BoardReportState,
    GenerationState,
    GenerationStep,
)
from followup.periods import Period
from organisations.models import Municipality, User
from wheel.models import ActivityType, Occurrence

logger = logging.getLogger(__name__)

MAX_COMMENT_LENGTH = 5000
PDF_TEMPLATE = "followup/board/report_pdf.html"


class BoardReportPublishedError(ValidationError):
    """The report is published: it is kept as it is, nothing may change it."""


def board_report_title(period: Period) -> str:
    with translation.override("sv"):
        return _(
            "Report to the municipal board on the collaboration between school and social "
            "services %(period)s"
        ) % {"period": period.label_in_sentence}


def _locked(report: BoardReport) -> BoardReport:
    """The report's row, locked, refused when it was published meanwhile."""
    locked = BoardReport.objects.select_for_update().get(pk=report.pk)
    if locked.is_published:
        raise BoardReportPublishedError(_("The report is published and can not be changed."))
    return locked


def _enqueue(report_id: int, *, refresh_content: bool) -> None:
    from followup.board_tasks import generate_board_report

    transaction.on_commit(
        lambda: generate_board_report.enqueue(report_id, refresh_content=refresh_content)
    )


def _check_occurrence(occurrence: Occurrence | None, municipality: Municipality) -> None:
    if occurrence is None:
        return
    if (
        occurrence.municipality_id != municipality.pk
        or occurrence.series.activity_type != ActivityType.BOARD_REPORT
    ):
        raise ValidationError(
            {"occurrence": _("Choose a board-report occurrence of the municipality's wheel.")}
        )


def board_report_create_draft(
    *,
    actor: User,
    municipality: Municipality,
    period: Period,
    occurrence: Occurrence | None = None,
) -> BoardReport:
    """A draft for the period, queued to be made in the background. When a draft for the
    same period exists (a double submit, or a second coordinator), that draft is returned and
    nothing new is made: at most one draft per municipality and period (a constraint)."""
    if municipality.pk not in board_report_policy.municipality_ids(actor, MANAGE):
        raise NotPermitted
    _check_occurrence(occurrence, municipality)
    existing = _draft_for(municipality, period)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            report = BoardReport.objects.create(
                municipality=municipality,
                period_kind=period.kind.value,
                period_start=period.start,
                period_end=period.end,
                title=board_report_title(period),
                occurrence=occurrence,
                created_by=actor,
            )
            audit_event_record(
                actor=actor,
                municipality=municipality,
                event_type=AuditEventType.BOARD_REPORT_CREATED,
                obj=report,
                new={"title": report.title, "period_start": period.start.isoformat()},
            )
            _enqueue(report.pk, refresh_content=True)
    except IntegrityError:
        # Two submits at the same moment: the other one made the draft.
        found = _draft_for(municipality, period)
        if found is None:
            raise
        return found
    return report


def _draft_for(municipality: Municipality, period: Period) -> BoardReport | None:
    return BoardReport.objects.filter(
        municipality=municipality,
        period_kind=period.kind.value,
        period_start=period.start,
        period_end=period.end,
        state=BoardReportState.DRAFT,
    ).first()


def _queue(report: BoardReport) -> None:
    report.generation_state = GenerationState.QUEUED
    report.generation_step = GenerationStep.WAITING
    report.generation_error = ""
    report.save(update_fields=["generation_state", "generation_step", "generation_error"])


@transaction.atomic
def board_report_regenerate(*, actor: User, report: BoardReport) -> BoardReport:
    """The draft's snapshot is made again from today's data, in the background. Refused for a
    published report."""
    board_report_policy.require(actor, MANAGE, report)
    report = _locked(report)
    _queue(report)
    audit_event_record(
        actor=actor,
        municipality=report.municipality,
        event_type=AuditEventType.BOARD_REPORT_REGENERATED,
        obj=report,
    )
    _enqueue(report.pk, refresh_content=True)
    return report


@transaction.atomic
def board_report_comment_add(
    *, actor: User, report: BoardReport, section: int, text: str
) -> BoardReportComment:
    """A comment under one section of a draft; the PDF is made again with it in the
    background (the numbers stay as they are). Refused for a published report."""
    board_report_policy.require(actor, MANAGE, report)
    text = text.strip()
    if section not in BoardReportSection.values:
        raise ValidationError({"section": _("Choose one of the report's three sections.")})
    if not text:
        raise ValidationError({"text": _("Write the comment.")})
    if len(text) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            {"text": _("At most %(count)s characters.") % {"count": MAX_COMMENT_LENGTH}}
        )
    report = _locked(report)
    comment = BoardReportComment.objects.create(
        report=report, section=section, text=text, author=actor
    )
    _queue(report)
    audit_event_record(
        actor=actor,
        municipality=report.municipality,
        event_type=AuditEventType.BOARD_REPORT_COMMENTED,
        obj=report,
        new={"section": section, "text": text},
    )
    _enqueue(report.pk, refresh_content=False)
    return comment


@transaction.atomic
def board_report_publish(*, actor: User, report: BoardReport) -> BoardReport:
    """The draft becomes the published report the board reads, and its snapshot and comments
    never change again; its final PDF (saying when it was published) is made in the
    background from them. Only a report whose PDF is ready can be published."""
    board_report_policy.require(actor, PUBLISH, report)
    report = _locked(report)
    if not report.is_ready or not report.pdf:
        raise ValidationError(_("Wait until the report is ready before publishing it."))
    report.state = BoardReportState.PUBLISHED
    report.published_at = timezone.now()
    report.published_by = actor
    report.save(update_fields=["state", "published_at", "published_by"])
    # The final PDF says "published on"; the snapshot and comments stay as they are.
    _queue(report)
    _enqueue(report.pk, refresh_content=False)
    audit_event_record(
        actor=actor,
        municipality=report.municipality,
        event_type=AuditEventType.BOARD_REPORT_PUBLISHED,
        obj=report,
        old={"state": BoardReportState.DRAFT},
        new={"state": BoardReportState.PUBLISHED},
    )
    return report


@transaction.atomic
def board_report_pdf_remake(*, actor: User, report: BoardReport) -> BoardReport:
    """The PDF alone is made again in the background, from the frozen content and comments,
    when making it failed or stopped (a worker killed mid-way leaves it "being made" for
    ever). Allowed on a published report too: its content never changes, only its file.
    Refused when the PDF is ready (nothing to repair)."""
    board_report_policy.require(actor, REMAKE_PDF, report)
    report = BoardReport.objects.select_for_update().get(pk=report.pk)
    if report.is_ready:
        raise ValidationError(_("The PDF is ready: there is nothing to make again."))
    old = {"generation_state": report.generation_state, "generation_error": report.generation_error}
    _queue(report)
    audit_event_record(
        actor=actor,
        municipality=report.municipality,
        event_type=AuditEventType.BOARD_REPORT_PDF_REMADE,
        obj=report,
        old=old,
        new={"generation_state": GenerationState.QUEUED},
    )
    _enqueue(report.pk, refresh_content=False)
    return report


# --- the generation (background) --------------------------------------------------------------


def _claim(report_id: int, *, refresh_content: bool) -> bool:
    """Mark the report as being made, when it may be: a draft; or, for its PDF only, a report
    just published whose final PDF (with "published on") is queued. A published report's
    snapshot is never made again."""
    rows = BoardReport.objects.filter(pk=report_id)
    if refresh_content:
        rows = rows.filter(state=BoardReportState.DRAFT)
    else:
        rows = rows.filter(
            Q(state=BoardReportState.DRAFT)
            | Q(generation_state__in=[GenerationState.QUEUED, GenerationState.RUNNING])
        )
    updated = rows.update(
        generation_state=GenerationState.RUNNING, generation_step=GenerationStep.COMPUTING
    )
    return bool(updated)


def _step(report_id: int, step: str) -> None:
    """Show the progress: each step is its own write, seen by the page that polls."""
    BoardReport.objects.filter(pk=report_id).update(generation_step=step)


def pdf_context(report: BoardReport) -> dict[str, object]:
    comments = list(report.comments.all())
    return {"report": report, "view": report_view(report.content), "sections": sections(comments)}


def _make(report_id: int, *, refresh_content: bool, today: datetime.date) -> None:
    report = BoardReport.objects.select_related("municipality").get(pk=report_id)
    if not report.is_published and (refresh_content or not report.content):
        report.content = build_content(report.municipality, report.period, today=today)
        report.save(update_fields=["content"])
    _step(report_id, GenerationStep.RENDERING)
    with translation.override("sv"):  # the words the context computes, as the PDF's
        context = pdf_context(report)
    pdf = render_pdf(PDF_TEMPLATE, context)
    with transaction.atomic():
        locked = BoardReport.objects.select_for_update().get(pk=report_id)
        old_name = locked.pdf.name if locked.pdf else ""
        locked.pdf.save(f"aterrapportering-{report.pk}.pdf", ContentFile(pdf), save=False)
        locked.generation_state = GenerationState.DONE
        locked.generation_step = GenerationStep.FINISHED
        locked.generated_at = timezone.now()
        locked.save(update_fields=["pdf", "generation_state", "generation_step", "generated_at"])
        # The old file goes only once the new one is recorded: a worker killed before the
        # commit leaves the report with its old, whole PDF, and the task runs again.
        if old_name and old_name != locked.pdf.name:
            storage = locked.pdf.storage
            transaction.on_commit(lambda: storage.delete(old_name))


def board_report_generate(
    *, report_id: int, refresh_content: bool = True, today: datetime.date | None = None
) -> str:
    """Make a draft's snapshot (unless only its PDF is to be made again) and its PDF,
    writing the step it is at so the page can show the progress. Run by the background task
    (and directly by the demo). A published report's snapshot is never made again; only its
    final PDF, once, right after publishing. A failure is kept with its message on the
    report, never half a report: the PDF and the state change together. Returns the
    generation state."""
    if not _claim(report_id, refresh_content=refresh_content):
        return "skipped"
    try:
        _make(report_id, refresh_content=refresh_content, today=today or timezone.localdate())
    except Exception as error:
        logger.exception("Board report %s could not be made", report_id)
        BoardReport.objects.filter(pk=report_id).update(
            generation_state=GenerationState.FAILED,
            generation_error=str(error)[:500] or error.__class__.__name__,
        )
        return GenerationState.FAILED
    return GenerationState.DONE
