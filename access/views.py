"""The log review (loggkontroll) for the municipal admin: the access log with filters and a
lookup of the accesses to one child, and the monthly random samples that are reviewed and
signed off with a comment."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import review_state, services
from access.forms import (
    AccessLogFilterForm,
    ChildLookupForm,
    LogSampleCreateForm,
    LogSampleReviewForm,
    PageForm,
)
from access.loaders import get_or_404
from access.selectors import (
    AccessLogFilters,
    AccessLogPage,
    LogReviewAction,
    access_log_page,
    access_log_policy,
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
    """The access log of the admin's municipalities, newest first, 50 groups of identical
    reads a page, narrowed by the filters and the child kept in the session."""
    municipalities = _administered(request)
    saved = review_state.saved_filters(request.session)
    filter_form = AccessLogFilterForm(saved or None, municipalities=municipalities)
    return _review_page(request, municipalities, filter_form=filter_form)


@require_POST
def log_review_filter(request: HttpRequest) -> HttpResponse:
    """Set the filters (or clear them, ``clear``), then show the newest rows that match."""
    municipalities = _administered(request)
    if "clear" in request.POST:
        review_state.save_filters(request.session, {})
        return redirect("access:log_review")
    filter_form = AccessLogFilterForm(request.POST, municipalities=municipalities)
    if filter_form.is_valid():
        review_state.save_filters(request.session, filter_form.stored())
        return redirect("access:log_review")
    return _review_page(request, municipalities, filter_form=filter_form, show_rows=False)


@require_POST
def log_review_child(request: HttpRequest) -> HttpResponse:
    """Look up the accesses to a child by its identity number (or stop, ``clear``). The
    lookup is written to the access log; the number is neither kept nor put in an address."""
    municipalities = _administered(request)
    if "clear" in request.POST:
        review_state.save_child(request.session, None)
        return redirect("access:log_review")
    lookup_form = ChildLookupForm(request.POST)
    filter_form = _saved_filter_form(request, municipalities)
    if lookup_form.is_valid():
        filters = filter_form.filters() if filter_form.is_valid() else AccessLogFilters()
        child_ref = services.log_review_child_lookup(
            actor=_user(request),
            identity_number=lookup_form.cleaned_data["identity_number"],
            municipality_id=filters.municipality_id,
        )
        child = review_state.ChildFilter(ref=child_ref, source=review_state.ChildSource.LOOKUP)
        review_state.save_child(request.session, child)
        return redirect("access:log_review")
    response = _review_page(
        request, municipalities, filter_form=filter_form, lookup_form=lookup_form, show_rows=False
    )
    # What was typed is in the page: no browser or proxy may keep it.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def log_review_follow(request: HttpRequest) -> HttpResponse:
    """Show every access to the child of one row of the log (a row the admin may see, else
    404), without showing the child's reference."""
    _administered(request)
    row = get_or_404(
        request,
        access_log_policy,
        LogReviewAction.VIEW,
        pk=_int_or_none(request.POST.get("row", "")),
    )
    child = review_state.ChildFilter(ref=row.child_ref, source=review_state.ChildSource.ROW)
    review_state.save_child(request.session, child)
    return redirect("access:log_review")


def _int_or_none(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 19 else None


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _saved_filter_form(
    request: HttpRequest, municipalities: list[Municipality]
) -> AccessLogFilterForm:
    saved = review_state.saved_filters(request.session)
    return AccessLogFilterForm(saved or None, municipalities=municipalities)


def _review_page(
    request: HttpRequest,
    municipalities: list[Municipality],
    *,
    filter_form: AccessLogFilterForm,
    lookup_form: ChildLookupForm | None = None,
    show_rows: bool = True,
) -> HttpResponse:
    """The log review page. Rows are shown when every form on it is valid: a page of rows
    under a message about a mistyped filter would look like the answer to it."""
    child = review_state.saved_child(request.session)
    page_form = PageForm(request.GET)
    page = None
    if show_rows and page_form.is_valid() and (not filter_form.is_bound or filter_form.is_valid()):
        filters = filter_form.filters(child_ref=child.ref if child else "")
        page = access_log_page(_user(request), filters, before=page_form.cursor())
    return render(
        request,
        "access/log_review.html",
        {
            "filter_form": filter_form,
            "lookup_form": lookup_form or ChildLookupForm(),
            "page_form": page_form,
            "page": page,
            "child": child,
            "filtered": filter_form.is_bound,
            "older_query": _older_query(page),
            "show_newest": page_form.cursor() is not None,
            "show_municipality": len(municipalities) > 1,
            # Changes to accounts that could open children's data to someone: looked at in
            # every log review, whatever the filters say about the access log.
            "events_to_check": events_to_check(_user(request)),
        },
    )


def _older_query(page: AccessLogPage | None) -> str:
    if page is None or page.next_cursor is None:
        return ""
    return urlencode({"before": page.next_cursor.encode()})


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
