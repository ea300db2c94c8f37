"""Pages of the audit module: the audits of the user's municipality, one audit with its
questions, recommendations, responses, measures and evidence, the forms that change them, the
follow-up rounds and the follow-up report (page and PDF).

Every page loads its audit through ``audit_policy`` (READ, EDIT or RESPOND) and every other
row through that audit, so a row of another municipality, or a page the user's role may not
use, is the same 404 as a row that does not exist.
"""

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.loaders import get_or_404
from audits import services
from audits.forms import (
    AssessmentForm,
    AuditForm,
    EvidenceForm,
    MeasureForm,
    QuestionFollowUpForm,
    QuestionForm,
    RecommendationForm,
    ResponseForm,
    RoundForm,
)
from audits.models import (
    Audit,
    AuditMeasure,
    AuditQuestion,
    Evidence,
    FollowUpRound,
    PdfState,
    QuestionFollowUp,
    Recommendation,
    RecommendationAssessment,
)
from audits.policies import EDIT, READ, RESPOND, AuditAction, audit_policy
from audits.report import report_context
from audits.selectors import audits_with_counts, recommendation_rows
from core.downloads import protected_file_response
from core.forms import add_service_errors
from core.uploads import content_type_for
from followup.models import BoardReport, BoardReportState
from governance.models import DocumentVersion
from organisations.models import Municipality, Unit, User
from wheel.models import Occurrence, OccurrenceStatus

FORM_TEMPLATE = "audits/form.html"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _today() -> datetime.date:
    return timezone.localdate()


def _audit(request: HttpRequest, pk: int, action: AuditAction) -> Audit:
    return get_or_404(request, audit_policy, action, pk=pk)


def _detail_url(audit: Audit, anchor: str = "") -> str:
    url = reverse("audits:audit_detail", args=[audit.pk])
    return f"{url}#{anchor}" if anchor else url


def _saved(
    request: HttpRequest, form: forms.Form, save: Callable[[dict[str, Any]], Any], message: str
) -> Any:
    """Run ``save`` with the form's data on a valid POST: what it returns, or None when the
    page is to be shown again (a GET, or errors beside the fields, what was typed kept)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, message)
    return result


def _form_page(
    request: HttpRequest, audit: Audit, form: forms.Form, title: str, anchor: str, **extra: Any
) -> HttpResponse:
    context = {"audit": audit, "form": form, "title": title, "cancel": _detail_url(audit, anchor)}
    about = extra.pop("about", None)
    if about is not None:
        # What the form is about, in its own words: a question's or recommendation's text,
        # or a measure's "what".
        context["about_text"] = getattr(about, "text", None) or getattr(about, "what", "")
    return render(request, FORM_TEMPLATE, context | extra)


# --- audits -----------------------------------------------------------------------------------


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audits of the user's municipalities with open and overdue counts, in one query
    for the list whatever its length."""
    user = _user(request)
    if not audit_policy.allows_any(user, READ):
        raise Http404
    audits = audits_with_counts(
        audit_policy.visible(user, READ).order_by("-year", "title", "pk"), _today()
    )
    return render(
        request,
        "audits/audit_list.html",
        {"audits": audits, "can_edit": audit_policy.allows_any(user, EDIT)},
    )


def _earlier(user: User, exclude: Audit | None = None) -> QuerySet[Audit]:
    audits = audit_policy.visible(user, EDIT).order_by("-year", "title")
    return audits.exclude(pk=exclude.pk) if exclude else audits


def _audit_values(data: dict[str, Any]) -> dict[str, Any]:
    fields = ("title", "kind", "year", "auditors", "committees", "scope", "report_date")
    return {name: data[name] for name in fields} | {"follows_up": data["follows_up"]}


@require_http_methods(["GET", "POST"])
def audit_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    municipalities = audit_policy.municipalities(user, EDIT)
    if not municipalities:
        raise Http404
    municipality: Municipality = municipalities[0]
    form = AuditForm(request.POST or None, earlier=_earlier(user))
    audit = _saved(
        request,
        form,
        lambda data: services.audit_create(
            actor=user,
            municipality=municipality,
            submission_key=data["submission_key"],
            **_audit_values(data),
        ),
        _("The audit has been recorded. Add its audit questions and recommendations."),
    )
    if audit is not None:
        return redirect(_detail_url(audit))
    return render(
        request,
        FORM_TEMPLATE,
        {
            "audit": None,
            "form": form,
            "title": _("New audit"),
            "cancel": reverse("audits:audit_list"),
        },
    )


@require_http_methods(["GET", "POST"])
def audit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    audit = _audit(request, pk, EDIT)
    initial = {name: getattr(audit, name) for name in ("title", "kind", "year", "auditors")}
    initial |= {
        "committees": audit.committees,
        "scope": audit.scope,
        "report_date": audit.report_date,
        "follows_up": audit.follows_up_id,
    }
    form = AuditForm(request.POST or None, initial=initial, earlier=_earlier(user, audit))
    if _saved(
        request,
        form,
        lambda data: services.audit_update(actor=user, audit=audit, **_audit_values(data)),
        _("The audit has been saved."),
    ):
        return redirect(_detail_url(audit))
    return _form_page(request, audit, form, _("Change the audit"), "")


@require_GET
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One audit: a fixed number of queries whatever the number of recommendations."""
    user = _user(request)
    audit = _audit(request, pk, READ)
    allowed = audit_policy.actions_for(user, audit)
    return render(
        request,
        "audits/audit_detail.html",
        {
            "audit": audit,
            "questions": list(audit.questions.order_by("number", "pk")),
            "rows": recommendation_rows(audit, _today()),
            "general_responses": list(audit.responses.filter(recommendation__isnull=True)),
            "rounds": list(audit.rounds.order_by("-held_on", "-pk")),
            "can_edit": EDIT in allowed,
            "can_respond": RESPOND in allowed,
        },
    )


# --- questions and recommendations ----------------------------------------------------------


def _next_number(rows: Any) -> int:
    """The next number for a question or recommendation: one more than there are."""
    return int(rows.count()) + 1


@require_http_methods(["GET", "POST"])
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    audit = _audit(request, pk, EDIT)
    form = QuestionForm(request.POST or None, initial={"number": _next_number(audit.questions)})
    if _saved(
        request,
        form,
        lambda data: services.question_add(actor=user, audit=audit, **data),
        _("The audit question has been added."),
    ):
        return redirect(_detail_url(audit, "questions"))
    return _form_page(request, audit, form, _("New audit question"), "questions")


@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    user = _user(request)
    audit = _audit(request, pk, EDIT)
    question = get_object_or_404(AuditQuestion, audit=audit, pk=item_id)
    initial = {
        name: getattr(question, name)
        for name in ("number", "text", "assessment", "assessment_text")
    }
    form = QuestionForm(request.POST or None, initial=initial)
    form.fields.pop("submission_key")
    if _saved(
        request,
        form,
        lambda data: services.question_update(actor=user, question=question, **data),
        _("The audit question has been saved."),
    ):
        return redirect(_detail_url(audit, "questions"))
    return _form_page(request, audit, form, _("Change the audit question"), "questions")


@require_http_methods(["GET", "POST"])
def recommendation_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    audit = _audit(request, pk, EDIT)
    form = RecommendationForm(
        request.POST or None,
        initial={"number": _next_number(audit.recommendations)},
        questions=audit.questions.order_by("number"),
    )
    if _saved(
        request,
        form,
        lambda data: services.recommendation_add(actor=user, audit=audit, **data),
        _("The recommendation has been added."),
    ):
        return redirect(_detail_url(audit, "recommendations"))
    return _form_page(request, audit, form, _("New recommendation"), "recommendations")


@require_http_methods(["GET", "POST"])
def recommendation_edit(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    user = _user(request)
    audit = _audit(request, pk, EDIT)
    recommendation = get_object_or_404(Recommendation, audit=audit, pk=item_id)
    initial = {
        "number": recommendation.number,
        "text": recommendation.text,
        "question": recommendation.question_id,
        "response_due": recommendation.response_due,
    }
    form = RecommendationForm(
        request.POST or None, initial=initial, questions=audit.questions.order_by("number")
    )
    form.fields.pop("submission_key")
    if _saved(
        request,
        form,
        lambda data: services.recommendation_update(
            actor=user, recommendation=recommendation, **data
        ),
        _("The recommendation has been saved."),
    ):
        return redirect(_detail_url(audit, f"recommendation-{recommendation.pk}"))
    return _form_page(request, audit, form, _("Change the recommendation"), "recommendations")


# --- responses, measures and evidence -------------------------------------------------------


@require_http_methods(["GET", "POST"])
def response_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    audit = _audit(request, pk, RESPOND)
    chosen = request.GET.get("recommendation", "")
    form = ResponseForm(
        request.POST or None,
        initial={"recommendation": chosen if chosen.isdigit() else None},
        recommendations=audit.recommendations.order_by("number"),
    )
    if _saved(
        request,
        form,
        lambda data: services.response_record(actor=user, audit=audit, **data),
        _("The response has been recorded."),
    ):
        return redirect(_detail_url(audit, "recommendations"))
    return _form_page(request, audit, form, _("Record a response"), "recommendations")


def _units(audit: Audit) -> QuerySet[Unit]:
    return Unit.objects.filter(municipality_id=audit.municipality_id, is_active=True).order_by(
        "name"
    )


@require_http_methods(["GET", "POST"])
def measure_add(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    user = _user(request)
    audit = _audit(request, pk, RESPOND)
    recommendation = get_object_or_404(Recommendation, audit=audit, pk=item_id)
    form = MeasureForm(request.POST or None, units=_units(audit))
    if _saved(
        request,
        form,
        lambda data: services.measure_add(actor=user, recommendation=recommendation, **data),
        _("The measure has been added."),
    ):
        return redirect(_detail_url(audit, f"recommendation-{recommendation.pk}"))
    return _form_page(
        request, audit, form, _("New measure"), "recommendations", about=recommendation
    )


@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    user = _user(request)
    audit = _audit(request, pk, RESPOND)
    measure = get_object_or_404(
        AuditMeasure.objects.select_related("recommendation"),
        recommendation__audit=audit,
        pk=item_id,
    )
    initial = {name: getattr(measure, name) for name in ("what", "owner", "due_on", "status")}
    initial["owner_unit"] = measure.owner_unit_id
    form = MeasureForm(request.POST or None, initial=initial, units=_units(audit))
    form.fields.pop("submission_key")
    if _saved(
        request,
        form,
        lambda data: services.measure_update(actor=user, measure=measure, **data),
        _("The measure has been saved."),
    ):
        return redirect(_detail_url(audit, f"recommendation-{measure.recommendation_id}"))
    return _form_page(
        request, audit, form, _("Change the measure"), "recommendations", about=measure
    )


def _evidence_page(
    request: HttpRequest,
    audit: Audit,
    about: Recommendation | AuditMeasure,
    target: dict[str, Any],
    anchor: str,
) -> HttpResponse:
    user = _user(request)
    versions = DocumentVersion.objects.filter(
        document__municipality_id=audit.municipality_id
    ).select_related("document")
    occurrences = Occurrence.objects.filter(
        municipality_id=audit.municipality_id, status=OccurrenceStatus.HELD
    ).select_related("series")
    form = EvidenceForm(
        request.POST or None,
        request.FILES or None,
        versions=versions.order_by("document__title", "-number"),
        occurrences=occurrences.order_by("-starts_at"),
        board_reports=BoardReport.objects.filter(
            municipality_id=audit.municipality_id, state=BoardReportState.PUBLISHED
        ).order_by("-period_start"),
    )
    if _saved(
        request,
        form,
        lambda data: services.evidence_add(
            actor=user,
            audit=audit,
            kind=data["kind"],
            description=data["description"],
            document_version=data["document_version"],
            occurrence=data["occurrence"],
            board_report=data["board_report"],
            indicator_key=data["indicator_key"],
            upload=data["file"] or None,
            reference=data["reference"],
            submission_key=data["submission_key"],
            **target,
        ),
        _("The evidence has been added."),
    ):
        return redirect(_detail_url(audit, anchor))
    return _form_page(request, audit, form, _("Add evidence"), anchor, about=about, multipart=True)


@require_http_methods(["GET", "POST"])
def recommendation_evidence_add(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    audit = _audit(request, pk, RESPOND)
    recommendation = get_object_or_404(Recommendation, audit=audit, pk=item_id)
    return _evidence_page(
        request,
        audit,
        recommendation,
        {"recommendation": recommendation},
        f"recommendation-{recommendation.pk}",
    )


@require_http_methods(["GET", "POST"])
def measure_evidence_add(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    audit = _audit(request, pk, RESPOND)
    measure = get_object_or_404(AuditMeasure, recommendation__audit=audit, pk=item_id)
    return _evidence_page(
        request, audit, measure, {"measure": measure}, f"recommendation-{measure.recommendation_id}"
    )


@require_GET
def evidence_file(request: HttpRequest, pk: int, item_id: int) -> FileResponse:
    audit = _audit(request, pk, READ)
    evidence = get_object_or_404(Evidence, audit=audit, pk=item_id)
    return protected_file_response(
        evidence.file,
        filename=evidence.file_name,
        content_type=content_type_for(evidence.file_name),
    )


# --- follow-up rounds -------------------------------------------------------------------------


def _round(request: HttpRequest, pk: int, round_id: int, action: AuditAction) -> FollowUpRound:
    audit = _audit(request, pk, action)
    round_ = get_object_or_404(FollowUpRound, audit=audit, pk=round_id)
    round_.audit = audit  # the policy's copy, with its municipality
    return round_


def _round_url(round_: FollowUpRound, anchor: str = "") -> str:
    url = reverse("audits:round_detail", args=[round_.audit_id, round_.pk])
    return f"{url}#{anchor}" if anchor else url


@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    audit = _audit(request, pk, EDIT)
    form = RoundForm(
        request.POST or None,
        initial={"title": _("Follow-up of %(title)s") % {"title": audit.title}},
    )
    round_ = _saved(
        request,
        form,
        lambda data: services.round_create(actor=user, audit=audit, **data),
        _("The follow-up round has been started. Assess each recommendation."),
    )
    if round_ is not None:
        return redirect(_round_url(round_))
    return _form_page(request, audit, form, _("New follow-up round"), "rounds")


@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, pk: int, round_id: int) -> HttpResponse:
    user = _user(request)
    round_ = _round(request, pk, round_id, EDIT)
    if round_.is_finished:
        raise Http404
    initial = {"title": round_.title, "held_on": round_.held_on, "summary": round_.summary}
    form = RoundForm(request.POST or None, initial=initial)
    form.fields.pop("submission_key")
    if _saved(
        request,
        form,
        lambda data: services.round_update(actor=user, round_=round_, **data),
        _("The follow-up round has been saved."),
    ):
        return redirect(_round_url(round_))
    return _form_page(
        request, round_.audit, form, _("Change the follow-up round"), "rounds", round=round_
    )


@require_GET
def round_detail(request: HttpRequest, pk: int, round_id: int) -> HttpResponse:
    user = _user(request)
    round_ = _round(request, pk, round_id, READ)
    audit = round_.audit
    assessments = {row.recommendation_id: row for row in round_.assessments.all()}
    follow_ups = {row.question_id: row for row in round_.questions.all()}
    questions = [
        (question, follow_ups.get(question.pk)) for question in audit.questions.order_by("number")
    ]
    recommendations = [
        (recommendation, assessments.get(recommendation.pk))
        for recommendation in audit.recommendations.order_by("number", "pk")
    ]
    return render(
        request,
        "audits/round_detail.html",
        {
            "audit": audit,
            "round": round_,
            "questions": questions,
            "recommendations": recommendations,
            "missing": sum(1 for _r, row in recommendations if row is None),
            "can_edit": audit_policy.can(user, EDIT, audit) and not round_.is_finished,
        },
    )


def _open_round(request: HttpRequest, pk: int, round_id: int) -> FollowUpRound:
    """A round the auditor may still change; a finished one has no forms (404)."""
    round_ = _round(request, pk, round_id, EDIT)
    if round_.is_finished:
        raise Http404
    return round_


@require_http_methods(["GET", "POST"])
def round_assess(request: HttpRequest, pk: int, round_id: int, item_id: int) -> HttpResponse:
    user = _user(request)
    round_ = _open_round(request, pk, round_id)
    recommendation = get_object_or_404(Recommendation, audit=round_.audit, pk=item_id)
    earlier = RecommendationAssessment.objects.filter(
        round=round_, recommendation=recommendation
    ).first()
    initial = (
        {"implementation": earlier.implementation, "current_state": earlier.current_state}
        if earlier
        else {}
    )
    form = AssessmentForm(request.POST or None, initial=initial)
    if _saved(
        request,
        form,
        lambda data: services.round_assess(
            actor=user, round_=round_, recommendation=recommendation, **data
        ),
        _("The assessment has been saved."),
    ):
        return redirect(_round_url(round_, "recommendations"))
    return _form_page(
        request,
        round_.audit,
        form,
        _("Assess the recommendation"),
        "rounds",
        about=recommendation,
        round=round_,
        cancel=_round_url(round_, "recommendations"),
    )


@require_http_methods(["GET", "POST"])
def round_question(request: HttpRequest, pk: int, round_id: int, item_id: int) -> HttpResponse:
    user = _user(request)
    round_ = _open_round(request, pk, round_id)
    question = get_object_or_404(AuditQuestion, audit=round_.audit, pk=item_id)
    earlier = QuestionFollowUp.objects.filter(round=round_, question=question).first()
    initial = (
        {"current_state": earlier.current_state, "assessment": earlier.assessment}
        if earlier
        else {}
    )
    form = QuestionFollowUpForm(request.POST or None, initial=initial)
    if _saved(
        request,
        form,
        lambda data: services.round_question_assess(
            actor=user, round_=round_, question=question, **data
        ),
        _("The current state has been saved."),
    ):
        return redirect(_round_url(round_, "questions"))
    return _form_page(
        request,
        round_.audit,
        form,
        _("Follow up the audit question"),
        "rounds",
        about=question,
        round=round_,
        cancel=_round_url(round_, "questions"),
    )


@require_http_methods(["GET", "POST"])
def round_finish(request: HttpRequest, pk: int, round_id: int) -> HttpResponse:
    """Ask first, then finish: a finished round can not be changed again."""
    user = _user(request)
    round_ = _open_round(request, pk, round_id)
    if request.method == "POST":
        services.round_finish(actor=user, round_=round_)
        messages.success(request, _("The follow-up round is finished."))
        return redirect(_round_url(round_))
    missing = round_.audit.recommendations.exclude(assessments__round=round_).count()
    return render(
        request,
        "audits/round_finish.html",
        {"audit": round_.audit, "round": round_, "missing": missing},
    )


# --- the follow-up report ---------------------------------------------------------------------


@require_GET
def report(request: HttpRequest, pk: int, round_id: int) -> HttpResponse:
    user = _user(request)
    round_ = _round(request, pk, round_id, READ)
    context = report_context(round_)
    context["can_edit"] = audit_policy.can(user, EDIT, round_.audit)
    return render(request, "audits/report.html", context)


@require_POST
def report_pdf_request(request: HttpRequest, pk: int, round_id: int) -> HttpResponse:
    user = _user(request)
    round_ = _round(request, pk, round_id, EDIT)
    try:
        services.report_pdf_request(actor=user, round_=round_)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The PDF is being prepared. It takes a little while."))
    return redirect(reverse("audits:report", args=[pk, round_id]) + "#pdf")


@require_GET
def report_pdf_status(request: HttpRequest, pk: int, round_id: int) -> HttpResponse:
    """The PDF's state as a fragment: htmx asks again every few seconds while it is being
    prepared, and the answer stops asking once it is ready or failed."""
    user = _user(request)
    round_ = _round(request, pk, round_id, READ)
    return render(
        request,
        "audits/_pdf_status.html",
        {"round": round_, "can_edit": audit_policy.can(user, EDIT, round_.audit)},
    )


@require_GET
def report_pdf(request: HttpRequest, pk: int, round_id: int) -> FileResponse:
    round_ = _round(request, pk, round_id, READ)
    if round_.pdf_state != PdfState.READY:
        raise Http404
    return protected_file_response(
        round_.pdf,
        filename=f"Uppföljning {round_.audit.title} {round_.held_on:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )
