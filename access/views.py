"""The log review (loggkontroll) for the municipal admin: the access log with filters, and the
monthly random samples that are reviewed and signed off with a comment."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from access import services
from access.forms import AccessLogFilterForm, LogSampleCreateForm, LogSampleReviewForm
from access.loaders import get_or_404
from access.selectors import (
    AccessLogFilters,
    LogReviewAction,
    access_log_page,
    administered_municipalities,
    log_sample_entries,
    log_sample_policy,
    log_sample_size,
    log_samples_visible,
    month_label,
)
from organisations.models import Municipality, User
from organisations.selectors import events_to_check


def _administered(request: HttpRequest) -> list[Municipality]:
    """The municipalities the user administers; anyone else gets the same 404 as a missing page."""
    municipalities = administered_municipalities(request.user)  # type: ignore[arg-type]
    if not municipalities:
        raise Http404
    return municipalities


@require_GET
def log_review(request: HttpRequest) -> HttpResponse:
    """The access log of the admin's municipalities, newest first, 50 rows a page."""
    municipalities = _administered(request)
    form = AccessLogFilterForm(request.GET or None, municipalities=municipalities)
    page = None
    older_query = newest_query = ""
    show_newest = False
    if not form.is_bound:
        page = access_log_page(request.user, AccessLogFilters())  # type: ignore[arg-type]
    elif form.is_valid():
        before = form.cleaned_data.get("before")
        page = access_log_page(request.user, form.filters(), before=before)  # type: ignore[arg-type]
        if before is not None:
            query = request.GET.copy()
            query.pop("before", None)
            newest_query = query.urlencode()
            show_newest = True
    if page is not None and page.next_cursor is not None:
        query = request.GET.copy()
        query["before"] = page.next_cursor.encode()
        older_query = query.urlencode()
    return render(
        request,
        "access/log_review.html",
        {
            "form": form,
            "page": page,
            "older_query": older_query,
            "newest_query": newest_query,
            "show_newest": show_newest,
            "show_municipality": len(municipalities) > 1,
            # Changes to accounts that could open children's data to someone: looked at in
            # every log review, whatever the filters say about the access log.
            "events_to_check": events_to_check(request.user),  # type: ignore[arg-type]
        },
    )


@require_GET
def log_sample_list(request: HttpRequest) -> HttpResponse:
    municipalities = _administered(request)
    samples = log_samples_visible(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "access/log_sample_list.html",
        {"samples": samples, "show_municipality": len(municipalities) > 1},
    )


@require_http_methods(["GET", "POST"])
def log_sample_create(request: HttpRequest) -> HttpResponse:
    """Draw the monthly sample. The page itself is the confirmation step: it says that the
    draw is final and that there is one sample per month."""
    municipalities = _administered(request)
    form = LogSampleCreateForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        try:
            sample = services.log_sample_create(
                actor=request.user,  # type: ignore[arg-type]
                municipality=form.chosen_municipality(),
                month=form.chosen_month(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            text = _("The sample for %(month)s has been drawn.")
            messages.success(request, text % {"month": month_label(sample.month)})
            return redirect("access:log_sample_detail", pk=sample.pk)
    return render(
        request,
        "access/log_sample_create.html",
        {"form": form, "sample_size": log_sample_size()},
    )


@require_GET
def log_sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    municipalities = _administered(request)
    sample = get_or_404(request, log_sample_policy, LogReviewAction.VIEW, pk=pk)
    return render(
        request,
        "access/log_sample_detail.html",
        {
            "sample": sample,
            "rows": log_sample_entries(sample),
            "show_municipality": len(municipalities) > 1,
        },
    )


@require_http_methods(["GET", "POST"])
def log_sample_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a sample as reviewed with the outcome. Final: a review can not be changed."""
    _administered(request)
    sample = get_or_404(request, log_sample_policy, LogReviewAction.REVIEW, pk=pk)
    if sample.reviewed_at is not None:
        messages.info(request, _("This sample has already been reviewed."))
        return redirect("access:log_sample_detail", pk=sample.pk)
    form = LogSampleReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor: User = request.user  # type: ignore[assignment]
        try:
            services.log_sample_review(
                actor=actor, sample=sample, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The sample has been marked as reviewed."))
            return redirect("access:log_sample_detail", pk=sample.pk)
    return render(request, "access/log_sample_review.html", {"sample": sample, "form": form})
