"""The retention pages: the rules, the deletion proposal with its two-step decision, and the
decisions. Only the municipality's own admins see any of them (retention.policies)."""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from organisations.models import Municipality, User
from organisations.selectors import municipality_asked_for
from retention import services
from retention.forms import DecisionForm, RuleForm
from retention.models import RecordType, RetentionRule
from retention.policies import DECIDE, decided_municipalities, decision_policy
from retention.rules import DEFAULTS, rules_for
from retention.selectors import decision_items, decisions_visible, proposal_page

RECENT_DECISIONS = 20


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _municipality(request: HttpRequest) -> tuple[Municipality, list[Municipality]]:
    """The municipality chosen (``?municipality=``) among those the user decides for; else a
    404, the same as for a page that does not exist."""
    municipalities = decided_municipalities(_user(request))
    chosen = municipality_asked_for(municipalities, request.GET.get("municipality"))
    if chosen is None:
        raise Http404
    return chosen, municipalities


def _rule(request: HttpRequest, record_type: str) -> tuple[RetentionRule, list[Municipality]]:
    if record_type not in RecordType.values:
        raise Http404
    municipality, municipalities = _municipality(request)
    return rules_for(municipality)[record_type], municipalities


def _with_municipality(url: str, municipality: Municipality, many: bool) -> str:
    return f"{url}?municipality={municipality.pk}" if many else url


@require_http_methods(["GET"])
def overview(request: HttpRequest) -> HttpResponse:
    municipality, municipalities = _municipality(request)
    rules = rules_for(municipality)
    decisions = list(
        decisions_visible(_user(request)).filter(municipality=municipality)[:RECENT_DECISIONS]
    )
    return render(
        request,
        "retention/overview.html",
        {
            "municipality": municipality,
            "municipalities": municipalities,
            "rules": [rules[record_type] for record_type in RecordType.values],
            "decisions": decisions,
            "query": f"?municipality={municipality.pk}" if len(municipalities) > 1 else "",
        },
    )


@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, record_type: str) -> HttpResponse:
    rule, municipalities = _rule(request, record_type)
    initial = {
        "years": rule.years,
        "clock_start": rule.clock_start,
        "research_exception": rule.research_exception,
        "plan_reference": rule.plan_reference,
    }
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_rule_update(actor=_user(request), rule=rule, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The retention rule has been saved."))
            url = reverse("retention:overview")
            return redirect(_with_municipality(url, rule.municipality, len(municipalities) > 1))
    return render(
        request,
        "retention/rule_edit.html",
        {
            "rule": rule,
            "form": form,
            "minimum": DEFAULTS[rule.record_type].minimum_years,
            "query": _query(rule.municipality, municipalities),
        },
    )


def _query(municipality: Municipality, municipalities: list[Municipality]) -> str:
    return f"?municipality={municipality.pk}" if len(municipalities) > 1 else ""


@require_http_methods(["GET", "POST"])
def proposal(request: HttpRequest, record_type: str) -> HttpResponse:
    """What is due, and the decision in two steps: the reference, then "Erase N records? It
    can not be undone." The decision names exactly the rows to erase on the page shown."""
    rule, municipalities = _rule(request, record_type)
    page = proposal_page(rule, cursor=request.GET.get("efter", ""))
    context: dict[str, Any] = {
        "rule": rule,
        "page": page,
        "query": _query(rule.municipality, municipalities),
        "confirm": None,
    }
    if request.method != "POST":
        ids = [row.object_id for row in page.to_erase]
        context["form"] = DecisionForm(item_ids=ids, initial={"items": ids})
        return render(request, "retention/proposal.html", context)
    # The items are those posted (the page the admin saw); the service refuses any that are
    # no longer due.
    posted = sorted({int(v) for v in request.POST.getlist("items") if v.isdigit()})
    form = DecisionForm(request.POST, item_ids=posted)
    context["form"] = form
    if form.is_valid() and not form.cleaned_data["items"]:
        form.add_error(None, _("There is nothing to erase on this page."))
    if not form.is_valid():
        return render(request, "retention/proposal.html", context, status=400)
    if not form.cleaned_data["confirmed"]:
        context["confirm"] = {
            "count": len(form.cleaned_data["items"]),
            "items": form.cleaned_data["items"],
            "reference": form.cleaned_data["decision_reference"],
            "submission_key": uuid.uuid4(),
        }
        return render(request, "retention/proposal.html", context)
    return _decide(request, rule, form, context)


def _decide(
    request: HttpRequest, rule: RetentionRule, form: DecisionForm, context: dict[str, Any]
) -> HttpResponse:
    """The confirmed second step: decide, then carry the decision out."""
    data = form.cleaned_data
    try:
        decision = services.deletion_decide(
            actor=_user(request),
            rule=rule,
            object_ids=data["items"],
            decision_reference=data["decision_reference"],
            submission_key=data["submission_key"] or uuid.uuid4(),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return render(request, "retention/proposal.html", context, status=400)
    try:
        services.deletion_carry_out(actor=_user(request), decision=decision)
    except OSError:
        messages.error(
            request,
            _(
                "The decision is recorded, but the e-archive package could not be written, so "
                "nothing was erased. Ask the system administrator, then carry it out again."
            ),
        )
    else:
        messages.success(request, _("The decision has been carried out."))
    return redirect("retention:decision", public_id=decision.public_id)


@require_http_methods(["GET", "POST"])
def decision(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    permit = decision_policy.find(_user(request), DECIDE, public_id=public_id)
    if permit is None:
        raise Http404
    found = permit.obj
    if request.method == "POST":
        try:
            services.deletion_carry_out(actor=_user(request), decision=found)
        except OSError:
            messages.error(request, _("The e-archive package could not be written again."))
        else:
            messages.success(request, _("The decision has been carried out."))
        return redirect("retention:decision", public_id=found.public_id)
    return render(
        request,
        "retention/decision.html",
        {"decision": found, "items": list(decision_items(found))},
    )
