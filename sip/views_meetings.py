"""Network meetings of a plan and the plan printed for the family. Every page loads the plan
through ``plan_policy`` (``permit_or_404`` writes the access log); "not there" and "not yours"
are the same 404."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.loaders import permit_or_404
from access.models import AccessAction
from core.downloads import protected_file_response
from core.forms import add_service_errors
from organisations.models import User
from sip import family
from sip.forms_meetings import MeetingForm
from sip.models import OPEN_ACTION_STATUSES, FamilyPrint, Plan, PrintState
from sip.policies import SipAction, plan_policy
from sip.services import ConcurrentEditError
from sip.services_meetings import meeting_record


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _form(plan: Plan, data: object = None) -> MeetingForm:
    args = () if data is None else (data,)
    return MeetingForm(
        *args,
        plan=plan,
        participants=list(plan.participants.all()),
        actions=list(plan.actions.filter(status__in=OPEN_ACTION_STATUSES).select_related("party")),
    )


@require_GET
def meeting_list(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    permit = permit_or_404(request, plan_policy, SipAction.VIEW, public_id=public_id)
    plan = permit.obj
    may_edit = plan_policy.can(_user(request), SipAction.EDIT, plan)
    return render(request, "sip/meeting_list.html", {"plan": plan, "may_edit": may_edit})


@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Record a held meeting. A save over someone else's newer save is refused with both
    versions shown and what was typed kept; a double click makes one meeting."""
    permit = permit_or_404(request, plan_policy, SipAction.EDIT, public_id=public_id)
    plan = permit.obj
    notice = ""
    if request.method == "GET":
        form = _form(plan)
    else:
        form = _form(plan, request.POST)
        if form.is_valid():
            try:
                meeting = meeting_record(
                    permit=permit,
                    actor=_user(request),
                    expected_version=form.cleaned_data["version"],
                    data=form.meeting_data(),
                    submission_key=form.cleaned_data["submission_key"],
                )
            except ConcurrentEditError:
                plan.refresh_from_db()
                notice = _(
                    "Someone else saved the plan since you opened the form. Nothing was saved "
                    "from this page: what you typed is still below, and the plan as it is saved "
                    "now is shown above it. Press “Save” again to record the meeting as you see "
                    "it here."
                )
                data = request.POST.copy()
                data["version"] = str(plan.version)
                form = _form(plan, data)
                form.is_valid()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The network meeting was recorded."))
                return redirect("sip:meeting", public_id=plan.public_id, meeting_id=meeting.pk)
    return render(
        request,
        "sip/meeting_form.html",
        {
            "plan": plan,
            "form": form,
            "notice": notice,
            "saved_actions": list(plan.actions.select_related("party")) if notice else [],
        },
    )


@require_GET
def meeting_detail(request: HttpRequest, public_id: uuid.UUID, meeting_id: int) -> HttpResponse:
    permit = permit_or_404(request, plan_policy, SipAction.VIEW, public_id=public_id)
    plan = permit.obj
    meeting = plan.meetings.filter(pk=meeting_id).prefetch_related("present").first()
    if meeting is None:
        raise Http404
    return render(request, "sip/meeting_detail.html", {"plan": plan, "meeting": meeting})


@require_GET
def family_plan(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The plan for the family as a page to print (the browser's print, ``@media print``),
    and the PDF made in the background for the one who asks."""
    permit = permit_or_404(
        request, plan_policy, SipAction.VIEW, public_id=public_id, log_action=AccessAction.PRINT
    )
    context = family.family_context(permit.obj)
    context["pdf"] = FamilyPrint.objects.filter(
        plan=permit.obj, requested_by=_user(request)
    ).first()
    return render(request, "sip/family_plan_page.html", context)


@require_POST
def family_pdf_request(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    permit = permit_or_404(request, plan_policy, SipAction.VIEW, public_id=public_id)
    family.family_pdf_request(permit=permit, actor=_user(request))
    messages.success(request, _("The PDF is being prepared. It takes a little while."))
    return redirect(reverse("sip:family_plan", args=[public_id]) + "#pdf")


@require_GET
def family_pdf(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    """The PDF the user asked for, when it is ready (the download is in the access log)."""
    permit = permit_or_404(
        request,
        plan_policy,
        SipAction.VIEW,
        public_id=public_id,
        log_action=AccessAction.DOWNLOAD,
    )
    found = FamilyPrint.objects.filter(
        plan=permit.obj, requested_by=_user(request), state=PrintState.READY
    ).first()
    if found is None:
        raise Http404
    return protected_file_response(
        found.pdf, filename="Samordnad plan.pdf", content_type="application/pdf"
    )
