"""The plan list, starting a plan (also from a report), the plan page, its history, the
editing of its text, activation and closing."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from access.loaders import log_read
from access.models import AccessAction
from access.policies import Permit
from core.forms import add_service_errors
from reports.models import ConcernReport
from reports.policies import HANDLE, VIEW_OWN, report_policy
from reports.selectors_common import identity_number_masked
from sip import selectors, services
from sip.forms import CloseForm, PlanStartForm, PlanTextForm
from sip.models import PlanStatus
from sip.policies import CONVENER_RULE, SipAction, can_convene, can_propose, plan_policy
from sip.views_common import (
    is_pending,
    load_plan,
    once_claim,
    once_done,
    once_release,
    plan_route,
    user_of,
)

CHANGED_MEANWHILE = gettext_lazy(
    "Someone else saved the plan since you opened the form. Nothing was saved from this page: "
    "what you typed is still in the form, and what was saved is shown beside it. Press “Save” "
    "again to replace it with what you typed, or open the plan again to start from the saved "
    "version."
)


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    page = selectors.plan_list_page(user, request.GET.get("after", "")[:60])
    return render(
        request,
        "sip/plan_list.html",
        {
            "page": page,
            "may_convene": can_convene(user),
            "may_propose": can_propose(user),
            "proposal_state": {plan.pk: selectors.proposal_state(plan) for plan in page.mine},
        },
    )


# --- starting -------------------------------------------------------------------------------


def _report_permit(request: HttpRequest, public_id: str) -> Permit[ConcernReport]:
    """The report a plan starts from: the intake handling it, or its author (a nurse who may
    convene). The child's name and number are read from it, so the read is logged."""
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        raise Http404 from None
    user = user_of(request)
    permit = report_policy.find(user, HANDLE, public_id=key) or report_policy.find(
        user, VIEW_OWN, public_id=key
    )
    if permit is None:
        raise Http404
    log_read(request, permit, AccessAction.VIEW)
    return permit


@require_http_methods(["GET", "POST"])
def plan_start(request: HttpRequest) -> HttpResponse:
    """Start a draft plan: the convening unit, the child (optionally from a report)."""
    user = user_of(request)
    units = services.convening_units(user)
    if not units:
        raise Http404
    report_id = request.POST.get("report") or request.GET.get("report") or ""
    report_permit = _report_permit(request, report_id) if report_id else None
    if request.method == "GET":
        initial: dict[str, object] = {"once_key": uuid.uuid4()}
        if report_permit is not None:
            report = report_permit.obj
            initial |= {
                "child_name": report.child_name,
                "child_identity_number": report.child_identity_number,
            }
        form = PlanStartForm(initial=initial, units=units)
    else:
        form = PlanStartForm(request.POST, units=units)
        if form.is_valid():
            key = form.cleaned_data["once_key"]
            earlier = once_claim(user, "start", key)
            if earlier is not None:
                return _already_started(request, earlier)
            try:
                plan = services.plan_start(
                    actor=user,
                    unit=form.cleaned_data["unit"],
                    child=form.child(),
                    report_permit=report_permit,
                )
            except ValidationError as error:
                once_release(user, "start", key)
                add_service_errors(form, error)
            else:
                once_done(user, "start", key, str(plan.public_id))
                messages.success(request, _("The plan was started as a draft."))
                return redirect("sip:plan_detail", public_id=plan.public_id)
    return render(
        request,
        "sip/plan_start.html",
        {"form": form, "report": report_permit.obj if report_permit else None},
    )


def _already_started(request: HttpRequest, earlier: str) -> HttpResponse:
    if is_pending(earlier):
        messages.info(request, _("The plan is being started: find it in the list in a moment."))
        return redirect("sip:plan_list")
    return redirect("sip:plan_detail", public_id=earlier)


# --- the plan page ----------------------------------------------------------------------------


def _report_link(request: HttpRequest, report_id: int | None) -> str:
    """The report's page for a user who may open it (the intake's page or the author's)."""
    if report_id is None:
        return ""
    from django.urls import reverse

    user = user_of(request)
    handled = report_policy.find(user, HANDLE, pk=report_id)
    if handled is not None:
        return reverse("reports:intake_detail", args=[handled.obj.public_id])
    own = report_policy.find(user, VIEW_OWN, pk=report_id)
    if own is not None:
        return reverse("reports:status", args=[own.obj.public_id])
    return ""


def plan_context(request: HttpRequest, permit: Permit) -> dict[str, object]:
    """What the plan page and the forms beside it show of the plan."""
    user = user_of(request)
    plan = selectors.plan_with_units(permit.obj)
    allowed = plan_policy.actions_for(user, plan)
    return {
        "plan": plan,
        "state": plan.state(),
        "identity_masked": identity_number_masked(plan.child_identity_number),
        "may_edit": SipAction.EDIT in allowed,
        "may_manage": SipAction.MANAGE in allowed,
        "is_convener": permit.grant.rule == CONVENER_RULE,
    }


@require_GET
@plan_route
def plan_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    permit = load_plan(request, public_id, SipAction.VIEW)
    context = plan_context(request, permit)
    plan = context["plan"]
    page = selectors.plan_page(plan)  # type: ignore[arg-type]
    return render(
        request,
        "sip/plan_detail.html",
        context
        | {
            "page": page,
            "report_url": _report_link(request, plan.report_id),  # type: ignore[attr-defined]
            "history": selectors.plan_history(plan, limit=5),  # type: ignore[arg-type]
        },
    )


@require_GET
@plan_route
def plan_history(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    permit = load_plan(request, public_id, SipAction.VIEW)
    context = plan_context(request, permit)
    return render(
        request,
        "sip/plan_history.html",
        context | {"history": selectors.plan_history(permit.obj)},
    )


@require_http_methods(["GET", "POST"])
@plan_route
def plan_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Edit the plan's text. A save over someone else's newer save is refused: the saved
    version is shown beside what was typed, which stays in the form."""
    permit = load_plan(request, public_id, SipAction.EDIT)
    plan = permit.obj
    professionals = selectors.professionals(plan)
    notice = ""
    saved = None
    if request.method == "GET":
        form = PlanTextForm(initial=PlanTextForm.initial_for(plan), professionals=professionals)
    else:
        form = PlanTextForm(request.POST, professionals=professionals)
        if form.is_valid():
            try:
                services.plan_update(
                    permit=permit,
                    actor=user_of(request),
                    expected_version=form.cleaned_data["version"],
                    text=form.text(),
                )
            except services.ConcurrentEditError:
                plan.refresh_from_db()
                saved = selectors.plan_with_units(plan)
                notice = str(CHANGED_MEANWHILE)
                data = request.POST.copy()
                data["version"] = str(plan.version)
                form = PlanTextForm(data, professionals=professionals)
                form.is_valid()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The plan was saved."))
                return redirect("sip:plan_detail", public_id=plan.public_id)
    return render(
        request,
        "sip/plan_edit.html",
        plan_context(request, permit) | {"form": form, "notice": notice, "saved": saved},
    )


@require_http_methods(["GET", "POST"])
@plan_route
def plan_activate(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    permit = load_plan(request, public_id, SipAction.MANAGE)
    plan = permit.obj
    if plan.status != PlanStatus.DRAFT:
        messages.info(request, _("The plan is already active."))
        return redirect("sip:plan_detail", public_id=plan.public_id)
    gaps = services.activation_gaps(plan)
    if request.method == "POST" and not gaps:
        try:
            services.plan_activate(permit=permit, actor=user_of(request))
        except ValidationError as error:
            gaps = list(error.messages)
        else:
            messages.success(request, _("The plan is active."))
            return redirect("sip:plan_detail", public_id=plan.public_id)
    return render(request, "sip/plan_activate.html", plan_context(request, permit) | {"gaps": gaps})


@require_http_methods(["GET", "POST"])
@plan_route
def plan_close(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    permit = load_plan(request, public_id, SipAction.MANAGE)
    plan = permit.obj
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_close(
                permit=permit,
                actor=user_of(request),
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The plan was closed."))
            return redirect("sip:plan_detail", public_id=plan.public_id)
    return render(request, "sip/plan_close.html", plan_context(request, permit) | {"form": form})
