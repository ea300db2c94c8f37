"""The school side of reports of concern: a new report, the draft (with autosave), the receipt,
the author's list and status page, supplements, the principal's list, and attachment downloads.

Every report is loaded through ``report_policy`` (404 alike for "missing" and "not yours"), and
every page that shows a report writes the access log. The school side is shown the status and
the feedback only: its templates get ``selectors_school.AuthorView`` / ``PrincipalView``, never the
intake's fields.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.loaders import get_or_404, log_read
from access.models import AccessAction
from access.policies import Permit
from core.downloads import protected_file_response
from core.forms import add_service_errors
from core.uploads import FileNotStoredError, accepted_extensions
from organisations.models import Municipality, User
from organisations.selectors_contacts import CallBox, call_boxes
from reports import selectors_school, services_common, services_school
from reports.forms_school import (
    GUARDIANS_ASK,
    GUARDIANS_NEVER_TELL,
    DraftForm,
    NewReportForm,
    SupplementForm,
    guardians_mode,
)
from reports.fragments_school import school_rows_html
from reports.models import ConcernReport, ReportStatus
from reports.policies import (
    EDIT,
    FOLLOW,
    HANDLE,
    SUPPLEMENT,
    VIEW_OWN,
    filed_in_medical_domain,
    medical_confidentiality_reference,
    report_policy,
)
from reports.rules import rules_for


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _cursor(request: HttpRequest, name: str) -> selectors_school.SchoolCursor | None:
    return selectors_school.SchoolCursor.decode(request.GET.get(name, ""))


def _call_box(request: HttpRequest, report: ConcernReport) -> CallBox:
    """The numbers to call (emergency line, intake) where the report's school is: the local
    social services act on an acute danger whichever municipality handles the report."""
    where = report.school_unit.municipality if report.school_unit else report.municipality
    return call_boxes(_user(request), [where])[0]


def _medical(report: ConcernReport) -> dict[str, Any]:
    """The nurse's and doctor's notice: their reports are closed to the principal and to the
    rest of student health."""
    return {
        "medical": filed_in_medical_domain(report),
        "medical_reference": medical_confidentiality_reference(),
    }


# --- a new report --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """Start a draft. Whoever may file reports gets here; everyone else a 404."""
    user = _user(request)
    memberships = selectors_school.reporting_memberships(user)
    if not memberships:
        raise Http404
    schools = list(selectors_school.reporting_schools(user))
    form = NewReportForm(request.POST or None, memberships=memberships, schools=schools)
    if request.method == "POST" and form.is_valid():
        membership = form.cleaned_data.get("membership") or memberships[0]
        report = services_school.report_draft_create(
            author=user, membership=membership, school_unit=form.cleaned_data["school"]
        )
        return redirect("reports:draft_edit", public_id=report.public_id)
    municipalities = {m.unit.municipality_id: m.unit.municipality for m in memberships}
    return render(
        request,
        "reports/school/new.html",
        {
            "form": form,
            "choices_needed": len(schools) != 1 or len(memberships) > 1,
            "boxes": call_boxes(user, municipalities.values()),
        },
    )


# --- the draft -----------------------------------------------------------------------------------


@dataclass
class SummaryError:
    anchor: str
    label: str
    message: str


def _sibling_search(request: HttpRequest) -> str:
    """What the author searched for among their reports ("Find" in the siblings' box); the
    search is posted with the form, never put in the address (it may be a personnummer)."""
    if request.method != "POST" or "find_siblings" not in request.POST:
        return ""
    return request.POST.get("sibling_query", "").strip()[:100]


def _ticked_siblings(request: HttpRequest) -> list[int]:
    """The sibling reports ticked on the posted form (checked against the author's own by
    the selector)."""
    return [pk for pk in map(_int, request.POST.getlist("siblings")) if pk is not None][:50]


def _draft_form(
    request: HttpRequest, report: ConcernReport, *, bound: bool, with_files: bool = True
) -> DraftForm:
    user = _user(request)
    kwargs: dict[str, Any] = {
        "report": report,
        "municipalities": list(Municipality.objects.order_by("name")),
        "schools": list(selectors_school.reporting_schools(user)),
        "sibling_candidates": selectors_school.sibling_candidates(
            user,
            report,
            query=_sibling_search(request),
            chosen=_ticked_siblings(request) if bound else (),
        ),
    }
    if not bound:
        return DraftForm(**kwargs)
    return DraftForm(request.POST, request.FILES if with_files else None, **kwargs)


def _shown_categories(form: DraftForm, report: ConcernReport) -> set[str]:
    if form.is_bound:
        categories = form.draft_categories()
        if categories is not None:
            return set(categories)
    return set(report.categories.values_list("category", flat=True))


def _shown_acute(form: DraftForm, report: ConcernReport) -> bool:
    if form.is_bound and form.cleaned_data.get("acute_danger") is not None:
        return bool(form.cleaned_data["acute_danger"])
    return bool(report.acute_danger)  # None: not answered yet


def _add_problems(form: DraftForm, problems: dict[str, list[str]]) -> None:
    """Show what stops the submission at the fields it concerns."""
    for name, texts in problems.items():
        for text in texts:
            if name == "home_municipality":
                if form.chose_other_municipality():
                    form.add_error(
                        "forward_to_name", _("Write the name of the child's home municipality.")
                    )
                else:
                    form.add_error("home", text)
            elif name in form.fields:
                form.add_error(name, text)
            else:
                form.add_error(None, text)


def _summary(form: DraftForm, mode: str) -> list[SummaryError]:
    rows = [SummaryError("draft-form", "", str(error)) for error in form.non_field_errors()]
    for field in form:
        if not field.errors:
            continue
        if field.name == "guardians_informed" and mode == GUARDIANS_NEVER_TELL:
            anchor = "guardians-notice"
        elif field.name in ("categories", "guardians_informed", "acute_danger", "siblings"):
            anchor = f"{field.auto_id}_0"
        else:
            anchor = field.id_for_label or str(field.auto_id)
        rows.extend(SummaryError(anchor, str(field.label), str(error)) for error in field.errors)
    return rows


def _render_draft(
    request: HttpRequest,
    report: ConcernReport,
    form: DraftForm,
    *,
    version: int,
    submission_key: uuid.UUID,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    mode = guardians_mode(_shown_categories(form, report))
    acute = _shown_acute(form, report)
    return render(
        request,
        "reports/school/draft_edit.html",
        {
            "report": report,
            "form": form,
            "version": version,
            "submission_key": submission_key,
            "guardians_mode": mode,
            "never_tell": mode == GUARDIANS_NEVER_TELL,
            "acute": acute,
            "call_box": _call_box(request, report) if acute else None,
            **_medical(report),
            "attachments": list(report.attachments.filter(supplement__isnull=True)),
            "summary": _summary(form, mode),
            "notice": notice,
            "accepted_extensions": accepted_extensions(),
        },
        status=status,
    )


def _find_draft(request: HttpRequest, public_id: uuid.UUID) -> Permit[ConcernReport] | None:
    return report_policy.find(_user(request), EDIT, public_id=public_id)


def _no_longer_a_draft(
    request: HttpRequest, public_id: uuid.UUID, key: uuid.UUID | None
) -> HttpResponse:
    """The answer when the draft is not (or no longer) one the user may edit: the receipt for
    the form that submitted it, the status page for its author, a 404 for everyone else."""
    user = _user(request)
    if request.method == "POST" and selectors_school.submitted_with_key(user, public_id, key):
        return redirect("reports:receipt", public_id=public_id)
    if report_policy.find(user, VIEW_OWN, public_id=public_id) is not None:
        messages.info(
            request,
            _(
                "This report has been submitted and can no longer be changed. To add "
                "something, add a supplement."
            ),
        )
        return redirect("reports:status", public_id=public_id)
    raise Http404


def _draft_not_saved(
    request: HttpRequest,
    report: ConcernReport,
    form: DraftForm,
    key: uuid.UUID,
    error: Exception,
) -> HttpResponse:
    """Nothing of this press was saved (the draft was saved elsewhere meanwhile, or the storage
    could not take a file): the draft as stored, with what was typed and the reason."""
    report.refresh_from_db()
    notice = ""
    if isinstance(error, FileNotStoredError):
        add_service_errors(form, error)
    else:
        notice = _(
            "This draft was changed in another window since you opened it. Nothing was saved "
            "from this page: what you typed is still below. Press “Save draft” again to "
            "replace the other changes with what you see here, or open the draft again to "
            "see them."
        )
    return _render_draft(
        request, report, form, version=report.version, submission_key=key, notice=notice
    )


@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The report form. Save keeps everything typed (fields that do not validate are shown
    again as typed, the rest saved); submit saves and then submits, once per form."""
    user = _user(request)
    found = _find_draft(request, public_id)
    if found is None:
        return _no_longer_a_draft(request, public_id, _uuid(request.POST.get("submission_key")))
    log_read(request, found, AccessAction.VIEW)
    report = found.obj
    if request.method == "GET":
        return _render_draft(
            request,
            report,
            _draft_form(request, report, bound=False),
            version=report.version,
            submission_key=uuid.uuid4(),
        )

    form = _draft_form(request, report, bound=True)
    form.is_valid()
    shown_mode = _shown_guardians_mode(request)
    key = _uuid(request.POST.get("submission_key")) or uuid.uuid4()
    submitting = "submit" in request.POST
    remove_id = _int(request.POST.get("remove_attachment"))
    try:
        outcome = services_school.report_draft_save(
            report=report,
            actor=user,
            expected_version=_int(request.POST.get("version")) or 0,
            values=form.draft_values(shown_guardians_mode=shown_mode),
            categories=form.draft_categories(),
            sibling_ids=form.draft_sibling_ids(),
            uploads=form.accepted_uploads,
            remove_attachment_ids=[remove_id] if remove_id else [],
            submission_key=key if submitting and not form.errors else None,
        )
    except (services_common.ConcurrentEditError, FileNotStoredError) as error:
        return _draft_not_saved(request, report, form, key, error)
    except services_common.TransitionError:
        # Submitted by a parallel request (a double click, another tab) while this one waited
        # for the draft's lock: the same answer as when the draft was gone before it started.
        return _no_longer_a_draft(request, public_id, key)
    if outcome.submitted:
        return redirect("reports:receipt", public_id=public_id)
    report = outcome.report
    saved_at = time_format(timezone.localtime(), "H:i")
    if submitting:
        problems = outcome.problems or services_school.submission_problems(
            report, report.categories.values_list("category", flat=True)
        )
        _add_problems(form, problems)
    if not form.errors and _sibling_search(request):
        # The page again (not a redirect: the search stays out of the address), with what
        # the search found to tick beside the siblings already linked.
        found_form = _draft_form(request, report, bound=False)
        shown = len(found_form.fields["siblings"].choices)  # type: ignore[attr-defined]
        notice = _sibling_search_notice(shown - report.siblings.count(), saved_at)
        return _render_draft(
            request, report, found_form, version=report.version, submission_key=key, notice=notice
        )
    if not form.errors:
        if remove_id:
            messages.success(request, _("The file was removed and the draft saved."))
        else:
            messages.success(request, _("The draft was saved at %(time)s.") % {"time": saved_at})
        return redirect("reports:draft_edit", public_id=public_id)
    notice = _not_all_saved_notice(submitting=submitting, saved_at=saved_at)
    return _render_draft(
        request, report, form, version=report.version, submission_key=key, notice=notice
    )


def _shown_guardians_mode(request: HttpRequest) -> str:
    """Which guardians question the page showed (posted back by the form; the usual one if
    the value is anything else)."""
    shown_mode = request.POST.get("guardians_mode", GUARDIANS_ASK)
    if shown_mode not in (GUARDIANS_ASK, GUARDIANS_NEVER_TELL):
        return GUARDIANS_ASK
    return shown_mode


def _not_all_saved_notice(*, submitting: bool, saved_at: str) -> str:
    if submitting:
        return _(
            "The report has not been sent yet. The draft was saved at %(time)s; complete or "
            "correct what is marked below and press “Submit the report” again."
        ) % {"time": saved_at}
    return _(
        "The draft was saved at %(time)s, except the fields marked below: what you typed "
        "there is still on this page but is saved only when it is corrected."
    ) % {"time": saved_at}


def _sibling_search_notice(found: int, saved_at: str) -> str:
    if not found:
        return _(
            "The draft was saved at %(time)s. None of your other reports matches the search: "
            "check the spelling, or search by the personnummer."
        ) % {"time": saved_at}
    return ngettext(
        "The draft was saved at %(time)s. %(count)d of your reports matches the search: tick "
        "it under “Siblings” if it is about a brother or sister, and save.",
        "The draft was saved at %(time)s. %(count)d of your reports match the search: tick "
        "those about brothers and sisters under “Siblings”, and save.",
        found,
    ) % {"time": saved_at, "count": found}


@login_not_required
@require_POST
def draft_autosave(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Saves the draft while the author types (htmx). Never submits; answers with a small
    status, the new version for the form, and the notices that depend on what was chosen.

    When the session has ended it answers 401 (the same for every draft, so it tells nothing
    about them), not the login redirect: followed by htmx, that put the login page into the
    status line. The page's script keeps what was typed and offers to log in again.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"error": "logged_out"}, status=401)
    found = _find_draft(request, public_id)
    if found is None:
        raise Http404
    report = found.obj
    form = _draft_form(request, report, bound=True, with_files=False)
    form.is_valid()
    shown_mode = request.POST.get("guardians_mode", GUARDIANS_ASK)
    context: dict[str, Any] = {"report": report}
    try:
        outcome = services_school.report_draft_save(
            report=report,
            actor=_user(request),
            expected_version=_int(request.POST.get("version")) or 0,
            values=form.draft_values(shown_guardians_mode=shown_mode),
            categories=form.draft_categories(),
            sibling_ids=form.draft_sibling_ids(),
        )
    except services_common.ConcurrentEditError:
        context["conflict"] = True
        return render(request, "reports/school/draft_edit.html#autosave", context)
    except services_common.TransitionError:
        raise Http404 from None
    saved = outcome.report
    categories = set(saved.categories.values_list("category", flat=True))
    mode = guardians_mode(categories)
    fresh = _draft_form(request, saved, bound=False)
    context.update(
        {
            "saved_at": timezone.localtime(),
            "version": saved.version,
            "not_saved": [str(form[name].label) for name in form.errors if name in form.fields],
            "form": fresh,
            "guardians_mode": mode,
            "never_tell": mode == GUARDIANS_NEVER_TELL,
            "acute": saved.acute_danger,
            "swap_guardians": mode != shown_mode,
            "oob": True,
            "swap_acute": ("1" if saved.acute_danger else "0") != request.POST.get("acute_shown"),
        }
    )
    if context["swap_acute"] and saved.acute_danger:
        context["call_box"] = _call_box(request, saved)
    return render(request, "reports/school/draft_edit.html#autosave", context)


@require_http_methods(["GET", "POST"])
def draft_delete(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    report = get_or_404(request, report_policy, EDIT, public_id=public_id)
    if request.method == "POST":
        services_school.report_draft_delete(report=report, actor=_user(request))
        messages.success(request, _("The draft was deleted."))
        return redirect("reports:my_reports")
    return render(
        request,
        "reports/school/draft_delete.html",
        {
            "report": report,
            "child_label": selectors_school.child_label_masked(report),
            "attachment_count": report.attachments.count(),
        },
    )


# --- after submitting ----------------------------------------------------------------------------


def _author_report(request: HttpRequest, public_id: uuid.UUID) -> ConcernReport:
    """A submitted report of the user's own, with the read logged; a 404 for everyone else
    (the principal included)."""
    return get_or_404(request, report_policy, VIEW_OWN, public_id=public_id)


@require_GET
def receipt(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    report = _author_report(request, public_id)
    rules = rules_for(report.municipality)
    return render(
        request,
        "reports/school/receipt.html",
        {
            "report": report,
            "call_box": _call_box(request, report) if report.acute_danger else None,
            **_medical(report),
            "intake_municipality": report.municipality.name,
            "decision_days": rules.decision_days,
            "decision_reference": rules.decision_reference,
            "protection_reference": rules.protection_reference,
            "feedback_reference": rules.feedback_reference,
            "duty_reference": rules.reporting_duty_reference,
        },
    )


@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    """The author's drafts and submitted reports, each list newest first, 25 a page."""
    user = _user(request)
    if not (selectors_school.reporting_memberships(user) or selectors_school.has_own_reports(user)):
        raise Http404
    drafts_before = _cursor(request, "drafts_before")
    before = _cursor(request, "before")
    drafts = selectors_school.my_drafts_page(user, before=drafts_before)
    reports = selectors_school.my_reports_page(user, before=before)
    base = reverse("reports:my_reports")
    return render(
        request,
        "reports/school/my_reports.html",
        {
            "drafts": drafts,
            "reports": reports,
            "rows_html": school_rows_html(reports.rows, with_class=False),
            "may_file": bool(selectors_school.reporting_memberships(user)),
            "drafts_older_url": (
                f"{base}?drafts_before={drafts.next_cursor.encode()}" if drafts.next_cursor else ""
            ),
            "reports_older_url": (
                f"{base}?before={reports.next_cursor.encode()}" if reports.next_cursor else ""
            ),
            "newest_url": base if drafts_before or before else "",
        },
    )


@require_GET
def status(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The report's status and feedback. The author also sees everything they wrote and their
    supplements; a principal sees the child, the date, the status and the feedback only."""
    user = _user(request)
    own = report_policy.find(user, VIEW_OWN, public_id=public_id)
    if own is not None:
        log_read(request, own, AccessAction.VIEW)
        return render(
            request,
            "reports/school/status_author.html",
            {
                "view": selectors_school.author_view(user, own.obj),
                "report": own.obj,
                "may_supplement": own.obj.status != ReportStatus.CLOSED,
                "medical_reference": medical_confidentiality_reference(),
            },
        )
    report = get_or_404(request, report_policy, FOLLOW, public_id=public_id)
    return render(
        request,
        "reports/school/status_principal.html",
        {"view": selectors_school.principal_view(report), "report": report},
    )


@require_http_methods(["GET", "POST"])
def supplement(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Add information to a submitted report (the report itself never changes)."""
    report = get_or_404(request, report_policy, SUPPLEMENT, public_id=public_id)
    form = SupplementForm(request.POST or None, request.FILES or None)
    key = _uuid(request.POST.get("submission_key")) or uuid.uuid4()
    if request.method == "POST" and form.is_valid():
        status_url = reverse("reports:status", kwargs={"public_id": public_id})
        try:
            added = services_school.report_supplement_submit(
                report=report,
                actor=_user(request),
                text=form.cleaned_data["text"],
                files=form.cleaned_data["attachments"],
                submission_key=key,
            )
        except services_common.TransitionError:
            messages.error(
                request, _("The report has been closed: a supplement can no longer be added.")
            )
            return redirect(status_url)
        except FileNotStoredError as error:
            # Nothing was added, the submission key included: the same form may be sent again.
            add_service_errors(form, error)
            return _render_supplement(request, report, form, key)
        if added is None:
            messages.info(request, _("This supplement had already been added."))
            return redirect(status_url + "#supplements")
        files = len(form.cleaned_data["attachments"])
        messages.success(
            request,
            _(
                "Your supplement was added to report %(reference)s at %(time)s, with "
                "%(files)s attached file(s). It is shown under “Supplements” below."
            )
            % {
                "reference": report.reference,
                "time": time_format(timezone.localtime(added.created_at), "H:i"),
                "files": files,
            },
        )
        return redirect(f"{status_url}#supplement-{added.pk}")
    return _render_supplement(request, report, form, key)


def _render_supplement(
    request: HttpRequest, report: ConcernReport, form: SupplementForm, key: uuid.UUID
) -> HttpResponse:
    return render(
        request,
        "reports/school/supplement.html",
        {
            "report": report,
            "form": form,
            "submission_key": key,
            "accepted_extensions": accepted_extensions(),
        },
    )


# --- the principal -------------------------------------------------------------------------------


@require_GET
def school_reports(request: HttpRequest) -> HttpResponse:
    """Reports filed from the principal's schools: who, when, status and feedback; never the
    text, and never medical student health's reports."""
    user = _user(request)
    if not selectors_school.is_principal(user):
        raise Http404
    before = _cursor(request, "before")
    page = selectors_school.school_reports_page(user, before=before)
    base = reverse("reports:school_reports")
    return render(
        request,
        "reports/school/school_reports.html",
        {
            "page": page,
            "rows_html": school_rows_html(page.rows, with_class=True),
            "older_url": f"{base}?before={page.next_cursor.encode()}" if page.next_cursor else "",
            "newest_url": base if before else "",
        },
    )


# --- attachments ---------------------------------------------------------------------------------


@require_GET
def attachment(request: HttpRequest, public_id: uuid.UUID, attachment_id: int) -> FileResponse:
    """Download an attachment: the intake handling the report, or the author (their own
    files). Never the principal. Every download is logged."""
    user = _user(request)
    found = report_policy.find(user, HANDLE, public_id=public_id)
    if found is not None:
        files = found.obj.attachments.all()
    else:
        found = report_policy.find(user, VIEW_OWN, public_id=public_id)
        if found is None:
            found = report_policy.find(user, EDIT, public_id=public_id)
        if found is None:
            raise Http404
        files = selectors_school.author_attachments(found.obj)
    file = files.filter(pk=attachment_id).first()
    if file is None:
        raise Http404
    # Opened before the log is written: a file the storage has lost is a 404, not a read.
    response = protected_file_response(
        file.file,
        filename=file.original_name,
        content_type=file.content_type or "application/octet-stream",
    )
    log_read(request, found, AccessAction.DOWNLOAD)
    return response
