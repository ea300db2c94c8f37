"""The pages where whoever edits the school terms (municipal admin, coordinator) adds,
changes and deletes the municipality's school breaks. They are listed on the terms page.

Another municipality's break is a 404, the same as a missing one; so is every page for a user
without the role.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from access.loaders import get_or_404
from core.forms import add_service_errors
from organisations import services_breaks
from organisations.forms import SchoolBreakForm
from organisations.models import Municipality, User
from organisations.policies import MANAGE, school_break_policy


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _managed(request: HttpRequest) -> list[Municipality]:
    municipalities = school_break_policy.municipalities(_user(request), MANAGE)
    if not municipalities:
        raise Http404
    return municipalities


@require_http_methods(["GET", "POST"])
def school_break_create(request: HttpRequest) -> HttpResponse:
    form = SchoolBreakForm(request.POST or None, municipalities=_managed(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            school_break = services_breaks.school_break_create(
                actor=_user(request),
                municipality=data["municipality"],
                kind=data["kind"],
                name=data.get("name") or "",
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": school_break})
            return redirect("organisations:term_list")
    return render(
        request, "organisations/school_break_form.html", {"form": form, "school_break": None}
    )


@require_http_methods(["GET", "POST"])
def school_break_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school_break = get_or_404(request, school_break_policy, MANAGE, pk=pk)
    heading = str(school_break)
    form = SchoolBreakForm(
        request.POST or None,
        municipalities=[school_break.municipality],
        school_break=school_break,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services_breaks.school_break_update(
                actor=_user(request),
                school_break=school_break,
                kind=data["kind"],
                name=data.get("name") or "",
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": school_break})
            return redirect("organisations:term_list")
    return render(
        request,
        "organisations/school_break_form.html",
        {"form": form, "school_break": school_break, "heading": heading},
    )


@require_http_methods(["GET", "POST"])
def school_break_delete(request: HttpRequest, pk: int) -> HttpResponse:
    school_break = get_or_404(request, school_break_policy, MANAGE, pk=pk)
    if request.method == "POST":
        name = str(school_break)
        services_breaks.school_break_delete(actor=_user(request), school_break=school_break)
        messages.success(request, _("%(name)s was deleted.") % {"name": name})
        return redirect("organisations:term_list")
    return render(request, "organisations/school_break_delete.html", {"school_break": school_break})
