"""Pages of the board report: the list (with the coordinator's "create draft"), the report
(HTML from the frozen snapshot, the same template parts as the PDF), its progress while it
is being made (an htmx fragment polled every two seconds), comments, making it again,
making only its PDF again when that failed, publishing with a confirmation step, and the PDF.

Every report is loaded through ``board_report_policy``: drafts for the municipality's
coordinators only, published reports for board members, auditors and managers too; the same
404 for everyone else.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.loaders import get_or_404
from core.downloads import protected_file_response
from core.forms import add_service_errors
from followup import board_services as services
from followup.board_forms import CommentForm, DraftForm
from followup.board_policies import MANAGE, PUBLISH, REMAKE_PDF, VIEW, board_report_policy
from followup.board_selectors import report_view, sections, visible_reports
from followup.models import BoardReport, GenerationState
from organisations.models import User


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _draft_form(request: HttpRequest, data: Any = None) -> DraftForm | None:
    municipalities = board_report_policy.municipalities(_user(request), MANAGE)
    if not municipalities:
        return None
    return DraftForm(
        data,
        municipalities=municipalities,
        today=timezone.localdate(),
        initial=_draft_initial(request),
    )


def _draft_initial(request: HttpRequest) -> dict[str, str]:
    """``?municipality=`` and ``?occurrence=`` preselect the form (the coordinator's start
    page links here for its next board report). Only a preselection: the form's choices are
    limited to what the user may use, and the service checks everything again."""
    return {
        key: request.GET[key]
        for key in ("municipality", "occurrence")
        if request.GET.get(key, "").isdigit()
    }


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not board_report_policy.allows_any(user, VIEW):
        raise Http404
    reports = list(visible_reports(user))
    return _list_page(request, reports, _draft_form(request))


def _list_page(
    request: HttpRequest, reports: list[BoardReport], form: DraftForm | None
) -> HttpResponse:
    municipalities = board_report_policy.municipalities(_user(request), VIEW)
    return render(
        request,
        "followup/board/report_list.html",
        {"reports": reports, "form": form, "several_municipalities": len(municipalities) > 1},
    )


@require_POST
def report_create(request: HttpRequest) -> HttpResponseBase:
    form = _draft_form(request, request.POST)
    if form is None:
        raise Http404
    if form.is_valid():
        try:
            report = services.board_report_create_draft(
                actor=_user(request),
                municipality=form.cleaned_data["municipality"],
                period=form.cleaned_data["period"],
                occurrence=form.cleaned_data["occurrence"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("followup_board:detail", report.pk)
    return _list_page(request, list(visible_reports(_user(request))), form)


def _detail_context(request: HttpRequest, report: BoardReport) -> dict[str, Any]:
    actions = board_report_policy.actions_for(_user(request), report)
    comments = list(report.comments.all())
    parts = sections(comments)
    if MANAGE in actions:
        for section in parts:
            section.form = CommentForm(initial={"section": section.number})
    return {
        "report": report,
        "view": report_view(report.content),
        "sections": parts,
        "can_manage": MANAGE in actions,
        "can_publish": PUBLISH in actions,
        "can_remake_pdf": REMAKE_PDF in actions and not report.is_ready,
    }


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_or_404(request, board_report_policy, VIEW, pk=pk)
    return render(request, "followup/board/report_detail.html", _detail_context(request, report))


@require_GET
def report_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment; when the report is ready the page is loaded again (htmx's
    ``HX-Refresh``) so the coordinator sees it with its forms."""
    report = get_or_404(request, board_report_policy, VIEW, pk=pk)
    finished = report.generation_state in (GenerationState.DONE, GenerationState.FAILED)
    response = render(
        request,
        "followup/board/_progress.html",
        {"report": report, "polling": not finished, "polling_done": finished},
    )
    if finished:
        response["HX-Refresh"] = "true"
    return response


@require_POST
def report_comment(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_or_404(request, board_report_policy, MANAGE, pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.board_report_comment_add(
                actor=_user(request),
                report=report,
                section=form.cleaned_data["section"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The comment was added. The PDF is made again with it."))
            return redirect("followup_board:detail", report.pk)
    context = _detail_context(request, report)
    chosen = str(request.POST.get("section", ""))
    for section in context["sections"]:
        if str(section.number) == chosen:
            section.form = form  # keep what was typed, beside its message
    return render(request, "followup/board/report_detail.html", context, status=400)


@require_POST
def report_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_or_404(request, board_report_policy, MANAGE, pk=pk)
    services.board_report_regenerate(actor=_user(request), report=report)
    messages.success(request, _("The report is being made again with today's numbers."))
    return redirect("followup_board:detail", report.pk)


@require_POST
def report_remake_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_or_404(request, board_report_policy, REMAKE_PDF, pk=pk)
    try:
        services.board_report_pdf_remake(actor=_user(request), report=report)
    except ValidationError as problem:
        messages.info(request, " ".join(problem.messages))
    else:
        messages.success(request, _("The PDF is being made again. The numbers stay as they are."))
    return redirect("followup_board:detail", report.pk)


@require_http_methods(["GET", "POST"])
def report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_or_404(request, board_report_policy, PUBLISH, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            services.board_report_publish(actor=_user(request), report=report)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, _("The report is published. The board can read it now."))
            return redirect("followup_board:detail", report.pk)
    return render(
        request,
        "followup/board/publish_confirm.html",
        {"report": report, "comment_count": report.comments.count(), "error": error},
        status=400 if error else 200,
    )


@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    report = get_or_404(request, board_report_policy, VIEW, pk=pk)
    if not report.is_ready:
        raise Http404
    return protected_file_response(
        report.pdf,
        filename=f"{report.title}.pdf",
        content_type="application/pdf",
        fallback_name="aterrapportering.pdf",
    )
