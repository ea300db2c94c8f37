"""The analysis of a round and its prioritised resources: read by everyone who reads the
results, written by the round's analysis group; a priority goes to the resource council's
next meeting, where those who record the meeting link the decision taken."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.loaders import permit_or_404
from access.policies import Permit
from core.forms import add_service_errors
from surveys.forms_results import AnalysisForm, DecisionLinkForm, PriorityForm
from surveys.models import Priority, Round
from surveys.policies_results import ANALYSE, READ, results_policy
from surveys.services_analysis import (
    AnalysisChangedMeanwhile,
    analysis_save,
    next_council_occurrence,
    priority_add,
    priority_decision_link,
    priority_move,
    priority_remove,
    priority_send_to_council,
    priority_update,
)
from surveys.views_results import round_context, user_of
from wheel.models import Occurrence
from wheel.policies import RECORD, decision_policy, occurrence_policy


def priorities_of(round_: Round) -> list[Priority]:
    return list(
        Priority.objects.filter(round_id=round_.pk).select_related(
            "responsible_unit", "council_occurrence", "council_occurrence__series", "decision"
        )
    )


@require_GET
def analysis(request: HttpRequest, pk: int) -> HttpResponse:
    permit = permit_or_404(request, results_policy, READ, pk=pk)
    round_ = permit.obj
    return render(
        request,
        "surveys/results/analysis.html",
        round_context(request, permit)
        | {
            "priorities": priorities_of(round_),
            "updated_by": round_.analysis_updated_by,
        },
    )


def _analysis_url(round_: Round) -> str:
    return reverse("survey_results:analysis", args=[round_.pk])


@require_http_methods(["GET", "POST"])
def analysis_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the analysis; a save over someone else's newer one is refused, and the page then
    shows what is saved now beside what the user typed (nothing typed is lost)."""
    permit = permit_or_404(request, results_policy, ANALYSE, pk=pk)
    round_ = permit.obj
    form = AnalysisForm(request.POST or None, round_=round_)
    saved: Round | None = None
    if request.method == "POST" and form.is_valid():
        try:
            analysis_save(
                permit=permit,
                actor=user_of(request),
                text=form.cleaned_data["analysis"],
                expected_version=form.cleaned_data["version"],
            )
        except AnalysisChangedMeanwhile:
            saved = Round.objects.select_related("analysis_updated_by").get(pk=round_.pk)
            data = request.POST.copy()
            data["version"] = str(saved.lock_version)
            form = AnalysisForm(data, round_=saved)
            form.is_valid()
        except ValidationError as error:
            add_service_errors(form, error, aliases={"text": "analysis"})
        else:
            messages.success(request, _("The analysis was saved."))
            return redirect(_analysis_url(round_))
    return render(
        request,
        "surveys/results/analysis_edit.html",
        round_context(request, permit) | {"form": form, "saved": saved},
    )


def _priority_permit(request: HttpRequest, pk: int) -> tuple[Permit[Round], Priority]:
    priority = Priority.objects.filter(pk=pk).select_related("responsible_unit").first()
    if priority is None:
        raise Http404
    permit = permit_or_404(request, results_policy, ANALYSE, pk=priority.round_id)
    return permit, priority


@require_http_methods(["GET", "POST"])
def priority_create(request: HttpRequest, pk: int) -> HttpResponse:
    permit = permit_or_404(request, results_policy, ANALYSE, pk=pk)
    round_ = permit.obj
    form = PriorityForm(request.POST or None, round_=round_)
    if request.method == "POST" and form.is_valid():
        try:
            priority_add(permit=permit, actor=user_of(request), data=form.data_object())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The prioritised resource was added."))
            return redirect(_analysis_url(round_))
    return render(
        request,
        "surveys/results/priority_form.html",
        round_context(request, permit) | {"form": form, "priority": None},
    )


@require_http_methods(["GET", "POST"])
def priority_edit(request: HttpRequest, pk: int) -> HttpResponse:
    permit, priority = _priority_permit(request, pk)
    round_ = permit.obj
    initial = {
        "what": priority.what,
        "why": priority.why,
        "responsible_unit": priority.responsible_unit_id,
    }
    form = PriorityForm(request.POST or None, round_=round_, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            priority_update(
                permit=permit,
                actor=user_of(request),
                priority_id=priority.pk,
                data=form.data_object(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The prioritised resource was saved."))
            return redirect(_analysis_url(round_))
    return render(
        request,
        "surveys/results/priority_form.html",
        round_context(request, permit) | {"form": form, "priority": priority},
    )


@require_http_methods(["GET", "POST"])
def priority_delete(request: HttpRequest, pk: int) -> HttpResponse:
    permit, priority = _priority_permit(request, pk)
    round_ = permit.obj
    error = ""
    if priority.sent_to_council_at is not None:
        error = _("It is on the resource council's agenda and can no longer be removed.")
    elif request.method == "POST":
        try:
            priority_remove(permit=permit, actor=user_of(request), priority_id=priority.pk)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, _("The prioritised resource was removed."))
            return redirect(_analysis_url(round_))
    return render(
        request,
        "surveys/results/priority_delete.html",
        round_context(request, permit) | {"priority": priority, "error": error},
    )


@require_POST
def priority_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    permit, priority = _priority_permit(request, pk)
    priority_move(
        permit=permit,
        actor=user_of(request),
        priority_id=priority.pk,
        up=request.POST.get("direction") != "down",
    )
    messages.success(request, _("The order was changed."))
    return redirect(_analysis_url(permit.obj))


def meeting_words(occurrence: Occurrence) -> str:
    """The meeting as a sentence names it: "Resurssamråd 14 jan. 2027"."""
    return _("%(title)s on %(date)s") % {
        "title": occurrence.series.title,
        "date": date_format(timezone.localtime(occurrence.starts_at), "DATE_FORMAT"),
    }


@require_http_methods(["GET", "POST"])
def priority_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Show which meeting of the resource council comes next, then put the priority on its
    agenda; say so plainly when none is planned."""
    permit, priority = _priority_permit(request, pk)
    round_ = permit.obj
    if priority.council_occurrence_id is not None:
        return redirect(_analysis_url(round_))
    if request.method == "POST":
        occurrence = priority_send_to_council(
            permit=permit, actor=user_of(request), priority_id=priority.pk
        )
        if occurrence is not None:
            messages.success(
                request,
                _("Put on the agenda of the resource council: %(meeting)s.")
                % {"meeting": meeting_words(occurrence)},
            )
            return redirect(_analysis_url(round_))
    occurrence = next_council_occurrence(round_.municipality_id)
    return render(
        request,
        "surveys/results/priority_send.html",
        round_context(request, permit)
        | {
            "priority": priority,
            "occurrence": occurrence,
            "meeting": meeting_words(occurrence) if occurrence else "",
        },
    )


@require_POST
def priority_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """From the resource council's meeting page: link the decision taken on a priority on its
    agenda (for those who record the meeting)."""
    priority = Priority.objects.filter(pk=pk, council_occurrence__isnull=False).first()
    if priority is None or priority.council_occurrence_id is None:
        raise Http404
    occurrence = permit_or_404(
        request, occurrence_policy, RECORD, pk=priority.council_occurrence_id
    ).obj
    form = DecisionLinkForm(request.POST, occurrence_id=occurrence.pk)
    if form.is_valid():
        decision_permit = permit_or_404(
            request, decision_policy, RECORD, pk=form.cleaned_data["decision"].pk
        )
        priority_decision_link(
            permit=decision_permit, actor=user_of(request), priority_id=priority.pk
        )
        messages.success(request, _("The decision was linked to the prioritised resource."))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("decision", [])))
    return redirect("wheel:occurrence_detail", pk=occurrence.pk)
