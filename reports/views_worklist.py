"""The intake's worklist pages (issue 9): the search and the case owner's assignment.

The search is posted, never put in the address: what is searched may be a personnummer, and
addresses end up in browser histories and server logs. Its results are shown in the answer to
the post (no redirect), and the search and every result are written to the access log.
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access.loaders import log_read
from access.models import AccessAction
from core.forms import add_service_errors
from organisations.models import User
from reports import services_common, services_intake
from reports.forms_intake import AssignForm, SearchForm
from reports.policies import HANDLE, report_policy
from reports.selectors_intake import intake_report_load, is_intake
from reports.selectors_worklist import (
    SearchError,
    SearchOutcome,
    intake_case_workers,
    parse_search,
    search_reports,
)
from reports.views_intake import _render_detail


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require_http_methods(["GET", "POST"])
def intake_search(request: HttpRequest) -> HttpResponse:
    """Find reports of the user's intakes by identity number, name or reference."""
    user = _user(request)
    if not is_intake(user):
        raise Http404
    form = SearchForm(request.POST if request.method == "POST" else None)
    outcome: SearchOutcome | None = None
    if form.is_bound and form.is_valid():
        try:
            query = parse_search(form.cleaned_data["query"])
        except SearchError as error:
            form.add_error("query", str(error.message))
        else:
            outcome = search_reports(user, query)
    response = render(request, "reports/intake/search.html", {"form": form, "outcome": outcome})
    # What was typed is in the page: no browser or proxy may keep it.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def intake_assign(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Assign the report to a social worker of the intake, or make it unassigned."""
    user = _user(request)
    found = report_policy.find(user, HANDLE, public_id=public_id)
    if found is None:
        raise Http404
    report = found.obj
    detail_url = reverse("reports:intake_detail", args=[report.public_id]) + "#owner-heading"
    form = AssignForm(request.POST, workers=intake_case_workers(report.municipality_id))
    if form.is_valid():
        try:
            assignment = services_intake.report_assign(
                report=report,
                actor=user,
                assignee=form.cleaned_data["owner"],
                expected_owner_id=form.cleaned_data["expected_owner"],
            )
        except services_common.ConcurrentEditError:
            messages.error(
                request,
                _(
                    "Someone else changed the case owner while you had the page open. "
                    "Nothing was changed: see who owns the case now and choose again."
                ),
            )
            return redirect(detail_url)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if assignment is not None:
                messages.success(request, _("The case owner has been saved."))
            return redirect(detail_url)
    # The page again with the choice and its message: that is a read of the report.
    full = intake_report_load(report.pk)
    log_read(request, found, AccessAction.VIEW, obj=full)
    return _render_detail(request, full, assign_form=form)
