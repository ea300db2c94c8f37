"""Proposing a plan (student health, principal) and answering a proposal (the unit asked)."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.loaders import permit_or_404
from core.forms import add_service_errors
from reports.selectors_common import identity_number_masked
from sip import selectors, services
from sip.forms import DeclineForm, ProposeForm
from sip.models import PlanStatus
from sip.policies import SipAction, plan_policy, proposing_memberships
from sip.views_common import is_pending, once_claim, once_done, once_release, user_of


@require_http_methods(["GET", "POST"])
def plan_propose(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    from_units = sorted({m.unit for m in proposing_memberships(user)}, key=lambda u: u.name)
    if not from_units:
        raise Http404
    to_units = selectors.convener_units(from_units[0].municipality_id)
    if request.method == "GET":
        form = ProposeForm(
            initial={"once_key": uuid.uuid4()}, from_units=from_units, to_units=to_units
        )
    else:
        form = ProposeForm(request.POST, from_units=from_units, to_units=to_units)
        if form.is_valid():
            key = form.cleaned_data["once_key"]
            earlier = once_claim(user, "propose", key)
            if earlier is not None:
                if is_pending(earlier):
                    return redirect("sip:plan_list")
                return redirect("sip:proposal_detail", public_id=earlier)
            try:
                plan = services.plan_propose(
                    actor=user,
                    from_unit=form.cleaned_data["from_unit"],
                    to_unit=form.cleaned_data["to_unit"],
                    child=form.child(),
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                once_release(user, "propose", key)
                add_service_errors(form, error)
            else:
                once_done(user, "propose", key, str(plan.public_id))
                messages.success(request, _("The proposal was sent."))
                return redirect("sip:proposal_detail", public_id=plan.public_id)
    return render(request, "sip/plan_propose.html", {"form": form})


@require_GET
def proposal_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The proposal: its proposer sees its status (and the note when declined); the unit
    asked to convene sees it with the answer forms while it waits."""
    user = user_of(request)
    if plan_policy.find(user, SipAction.PROPOSAL, public_id=public_id) is None:
        # Taken up since: the convener goes on to the plan.
        if plan_policy.find(user, SipAction.VIEW, public_id=public_id) is not None:
            return redirect("sip:plan_detail", public_id=public_id)
        raise Http404
    permit = permit_or_404(request, plan_policy, SipAction.PROPOSAL, public_id=public_id)
    plan = permit.obj
    return render(
        request,
        "sip/proposal_detail.html",
        _context(user, plan) | {"decline_form": DeclineForm()},
    )


def _context(user: object, plan: object) -> dict[str, object]:
    from sip.models import Plan

    assert isinstance(plan, Plan)
    full = Plan.objects.select_related(
        "proposed_to_unit", "proposed_from_unit", "proposed_by", "convening_unit"
    ).get(pk=plan.pk)
    return {
        "plan": full,
        "identity_masked": identity_number_masked(full.child_identity_number),
        "status_text": selectors.proposal_state(full),
        "may_answer": full.status == PlanStatus.PROPOSED
        and plan_policy.find(user, SipAction.ACCEPT, pk=full.pk) is not None,  # type: ignore[arg-type]
    }


@require_POST
def proposal_accept(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    permit = plan_policy.find(user, SipAction.ACCEPT, public_id=public_id)
    if permit is None:
        if plan_policy.find(user, SipAction.VIEW, public_id=public_id) is not None:
            return redirect("sip:plan_detail", public_id=public_id)
        raise Http404
    try:
        plan = services.proposal_accept(permit=permit, actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sip:plan_list")
    messages.success(
        request, _("The proposal was taken up: the plan is a draft held by your unit.")
    )
    return redirect("sip:plan_detail", public_id=plan.public_id)


@require_POST
def proposal_decline(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    permit = plan_policy.find(user, SipAction.ACCEPT, public_id=public_id)
    if permit is None:
        raise Http404
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_decline(permit=permit, actor=user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The proposal was declined; the proposer sees why."))
            return redirect("sip:plan_list")
    permit = permit_or_404(request, plan_policy, SipAction.ACCEPT, public_id=public_id)
    return render(
        request,
        "sip/proposal_detail.html",
        _context(user, permit.obj) | {"decline_form": form},
    )
