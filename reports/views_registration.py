"""The intake registers a report received by phone, letter or e-mail from another source than
school (issue 9). One address, two stages: without an answer to "who, and how?" the page asks
that (a GET form: neither answer is personal data); with it, the form fitted to the answer,
posted to the same address. The registered report opens on its own page.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from access.context import mark_child_data_shown
from core.forms import add_service_errors
from organisations.models import User
from reports import services_registration
from reports.forms_registration import KINDS, RegisterForm, RegisterStartForm
from reports.policies import HANDLE, report_policy


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require_http_methods(["GET", "POST"])
def intake_register(request: HttpRequest) -> HttpResponse:
    """Register a report from the police, health care, another agency, the public or the
    child or a guardian, for one of the user's intakes."""
    user = _user(request)
    municipalities = report_policy.municipalities(user, HANDLE)
    if not municipalities:
        raise Http404
    start = RegisterStartForm(request.GET or None)
    if not start.is_bound or not start.is_valid():
        return render(request, "reports/intake/register_start.html", {"form": start})
    kind = KINDS[start.cleaned_data["kind"]]
    via = start.cleaned_data["via"]
    form = RegisterForm(
        request.POST if request.method == "POST" else None,
        kind=kind,
        via=via,
        municipalities=municipalities,
    )
    if form.is_bound:
        # What was typed about a child is on the page again: no cache may keep it.
        mark_child_data_shown()
        if form.is_valid():
            response = _register(request, form)
            if response is not None:
                return response
    return render(
        request,
        "reports/intake/register.html",
        {"form": form, "kind": kind, "via": via, "start": start.cleaned_data},
    )


def _register(request: HttpRequest, form: RegisterForm) -> HttpResponse | None:
    """The registration, and the report's page; None (the form shows why) when refused."""
    arrived_at = form.arrived_at()
    assert arrived_at is not None  # both parts are required fields
    try:
        report = services_registration.report_register(
            actor=_user(request),
            municipality=form.chosen_municipality(),
            reporter=form.reporter(),
            concern=form.concern(),
            received_via=form.via,
            arrived_at=arrived_at,
            submission_key=form.cleaned_data["submission_key"],
        )
    except ValidationError as error:
        add_service_errors(form, error, aliases={"source": "reporter_name"})
        return None
    messages.success(
        request,
        _("The report has been registered. Its reference is %(reference)s.")
        % {"reference": report.reference},
    )
    return redirect("reports:intake_detail", public_id=report.public_id)
