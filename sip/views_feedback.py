"""The intake's side of feedback in own words: record and withdraw the guardians' consent on
the report, and write the message. Each page loads the report through ``report_policy``
(HANDLE) and writes the access log; outsiders get the same 404 as for a missing report."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from access.loaders import permit_or_404
from core.forms import add_service_errors
from organisations.models import User
from reports.models import ConcernReport
from reports.policies import HANDLE, report_policy
from sip import services_feedback as services
from sip.forms_meetings import FeedbackMessageForm, ReportConsentForm, WithdrawForm
from sip.models import ConsentPurpose


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _detail_url(report: ConcernReport) -> str:
    return reverse("reports:intake_detail", args=[report.public_id]) + "#feedback-consent"


@require_http_methods(["GET", "POST"])
def report_consent_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    permit = permit_or_404(request, report_policy, HANDLE, public_id=public_id)
    report = permit.obj
    if request.method == "POST":
        form = ReportConsentForm(request.POST)
        if form.is_valid():
            try:
                services.consent_record_for_report(
                    permit=permit, actor=_user(request), data=form.consent_data()
                )
            except ValidationError as error:
                add_service_errors(form, error, aliases={"guardians": "guardian_1"})
            else:
                messages.success(request, _("The consent was recorded."))
                return redirect(_detail_url(report))
    else:
        form = ReportConsentForm(initial={"valid_from": timezone.localdate()})
    return render(request, "sip/report_consent_form.html", {"report": report, "form": form})


@require_http_methods(["GET", "POST"])
def report_consent_withdraw(
    request: HttpRequest, public_id: uuid.UUID, consent_id: int
) -> HttpResponse:
    """Withdrawing is asked for again on its own page before it is done."""
    permit = permit_or_404(request, report_policy, HANDLE, public_id=public_id)
    report = permit.obj
    consent = report.consents.filter(
        pk=consent_id, purpose=ConsentPurpose.REPORT_FEEDBACK, withdrawn_at__isnull=True
    ).first()
    if consent is None:
        raise Http404
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw_for_report(
                permit=permit,
                actor=_user(request),
                consent_id=consent.pk,
                withdrawn_by=form.cleaned_data["withdrawn_by"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The withdrawal was recorded."))
            return redirect(_detail_url(report))
    return render(
        request,
        "sip/report_consent_withdraw.html",
        {"report": report, "consent": consent, "form": form},
    )


@require_http_methods(["GET", "POST"])
def report_feedback_message(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The message in own words: offered only while a feedback consent is in force and after
    the fixed feedback is given."""
    permit = permit_or_404(request, report_policy, HANDLE, public_id=public_id)
    report = permit.obj
    if services.feedback_consent_in_force(report) is None or not report.feedback:
        raise Http404
    form = FeedbackMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_message_give(
                permit=permit, actor=_user(request), text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The message was added to the feedback."))
            return redirect(_detail_url(report))
    return render(request, "sip/report_feedback_message.html", {"report": report, "form": form})
