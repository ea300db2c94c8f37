"""The parts of a plan: participants, actions and consents (record and withdraw)."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from access.policies import Permit
from core.forms import add_service_errors
from organisations.models import Unit
from sip import selectors, services
from sip.forms import ActionForm, ConsentForm, ParticipantForm, WithdrawForm
from sip.models import Consent, ConsentPurpose, Plan, PlanAction
from sip.policies import CONVENER_RULE, SipAction
from sip.views_common import (
    load_plan,
    once_claim,
    once_done,
    once_release,
    plan_route,
    user_of,
)
from sip.views_plans import CHANGED_MEANWHILE, plan_context


def _back(plan: Plan, anchor: str) -> HttpResponse:
    response = redirect("sip:plan_detail", public_id=plan.public_id)
    response["Location"] += f"#{anchor}"
    return response


# --- participants -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@plan_route
def participant_add(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    permit = load_plan(request, public_id, SipAction.MANAGE)
    plan = permit.obj
    user = user_of(request)
    kwargs = {
        "units": selectors.municipality_units(plan.municipality_id),
        "staff": selectors.municipality_staff(plan.municipality_id),
    }
    if request.method == "GET":
        form = ParticipantForm(initial={"once_key": uuid.uuid4()}, **kwargs)  # type: ignore[arg-type]
    else:
        form = ParticipantForm(request.POST, **kwargs)  # type: ignore[arg-type]
        if form.is_valid():
            key = form.cleaned_data["once_key"]
            if once_claim(user, "participant", key) is not None:
                return _back(plan, "participants")
            try:
                services.participant_add(permit=permit, actor=user, data=form.participant())
            except ValidationError as error:
                once_release(user, "participant", key)
                add_service_errors(form, error)
            else:
                once_done(user, "participant", key, "done")
                messages.success(request, _("The participant was added."))
                return _back(plan, "participants")
    return render(
        request, "sip/participant_form.html", plan_context(request, permit) | {"form": form}
    )


@require_http_methods(["GET", "POST"])
@plan_route
def participant_remove(
    request: HttpRequest, public_id: uuid.UUID, participant_id: int
) -> HttpResponse:
    permit = load_plan(request, public_id, SipAction.MANAGE)
    plan = permit.obj
    participant = plan.participants.select_related("unit").filter(pk=participant_id).first()
    if participant is None:
        raise Http404
    error_text = ""
    if request.method == "POST":
        try:
            services.participant_remove(
                permit=permit, actor=user_of(request), participant_id=participant.pk
            )
        except ValidationError as error:
            error_text = " ".join(error.messages)
        else:
            messages.success(request, _("The participant was removed from the plan."))
            return _back(plan, "participants")
    return render(
        request,
        "sip/participant_remove.html",
        plan_context(request, permit) | {"participant": participant, "error_text": error_text},
    )


# --- actions --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@plan_route
def action_form(
    request: HttpRequest, public_id: uuid.UUID, action_id: int | None = None
) -> HttpResponse:
    """Add an action, or change one (refused when the plan changed meanwhile)."""
    permit = load_plan(request, public_id, SipAction.EDIT)
    plan = permit.obj
    action = None
    if action_id is not None:
        action = plan.actions.filter(pk=action_id).first()
        if action is None:
            raise Http404
    units = selectors.municipality_units(plan.municipality_id)
    notice = ""
    if request.method == "GET":
        initial = ActionForm.initial_for(plan, action)
        if action is None:
            initial["once_key"] = uuid.uuid4()
        form = ActionForm(initial=initial, units=units)
    else:
        form = ActionForm(request.POST, units=units)
        if form.is_valid():
            done, form, notice = _action_save(request, permit, action, form, units)
            if done:
                return _back(plan, "actions")
    return render(
        request,
        "sip/action_form.html",
        plan_context(request, permit) | {"form": form, "action": action, "notice": notice},
    )


def _action_save(
    request: HttpRequest,
    permit: Permit[Plan],
    action: PlanAction | None,
    form: ActionForm,
    units: list[Unit],
) -> tuple[bool, ActionForm, str]:
    """Save a valid form: (saved, the form to show again, the notice)."""
    plan, user = permit.obj, user_of(request)
    key = form.cleaned_data.get("once_key") if action is None else None
    if key is not None and once_claim(user, "action", key) is not None:
        return True, form, ""
    try:
        if action is None:
            services.action_add(permit=permit, actor=user, data=form.action())
        else:
            services.action_update(
                permit=permit,
                actor=user,
                action_id=action.pk,
                expected_version=form.cleaned_data["version"],
                data=form.action(),
            )
    except services.ConcurrentEditError:
        plan.refresh_from_db()
        if action is not None:
            action.refresh_from_db()
        data = request.POST.copy()
        data["version"] = str(plan.version)
        form = ActionForm(data, units=units)
        form.is_valid()
        return False, form, str(CHANGED_MEANWHILE)
    except ValidationError as error:
        if key is not None:
            once_release(user, "action", key)
        add_service_errors(form, error)
        return False, form, ""
    if key is not None:
        once_done(user, "action", key, "done")
    messages.success(request, _("The action was saved."))
    return True, form, ""


# --- consent ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@plan_route
def consent_record(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    permit = load_plan(request, public_id, SipAction.MANAGE)
    plan = permit.obj
    user = user_of(request)
    units = selectors.participating_units(plan)
    age_limit = services.child_consent_age()
    if request.method == "GET":
        form = ConsentForm(
            initial={"once_key": uuid.uuid4()},
            units=units,
        )
        start = timezone.localdate()
    else:
        form = ConsentForm(request.POST, units=units)
        start = form.posted_start() or timezone.localdate()
        if form.is_valid():
            key = form.cleaned_data["once_key"]
            if once_claim(user, "consent", key) is not None:
                return _back(plan, "consents")
            try:
                services.consent_record(permit=permit, actor=user, data=form.consent())
            except ValidationError as error:
                once_release(user, "consent", key)
                add_service_errors(form, error, aliases={"guardians": "guardian_1"})
            else:
                once_done(user, "consent", key, "done")
                messages.success(request, _("The consent was recorded."))
                return _back(plan, "consents")
    age = services.child_age(plan, start)
    return render(
        request,
        "sip/consent_form.html",
        plan_context(request, permit)
        | {
            "form": form,
            "units": units,
            "ask_child": age is not None and age >= age_limit,
            "age_limit": age_limit,
        },
    )


@require_http_methods(["GET", "POST"])
@plan_route
def consent_withdraw(
    request: HttpRequest, public_id: uuid.UUID, consent_id: uuid.UUID
) -> HttpResponse:
    """Record a withdrawal; the page says which parties lose access at once."""
    permit = load_plan(request, public_id, SipAction.VIEW)
    if permit.grant.rule != CONVENER_RULE:
        raise Http404
    plan = permit.obj
    consent = (
        Consent.objects.filter(plan=plan, purpose=ConsentPurpose.SIP, public_id=consent_id)
        .prefetch_related("givers", "parties")
        .first()
    )
    if consent is None:
        raise Http404
    if consent.withdrawn_at is not None:
        messages.info(request, _("The consent has already been withdrawn."))
        return _back(plan, "consents")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                permit=permit,
                actor=user_of(request),
                consent_id=consent.pk,
                withdrawn_by=form.cleaned_data["withdrawn_by"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The withdrawal was recorded."))
            return _back(plan, "consents")
    return render(
        request,
        "sip/consent_withdraw.html",
        plan_context(request, permit)
        | {
            "form": form,
            "consent": selectors.consent_row(consent, timezone.localdate()),
            "losing": selectors.units_losing_access(plan, consent),
        },
    )
