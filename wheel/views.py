"""Pages of the annual wheel's series and occurrences: the list of series, creating and
changing a series, a series with its occurrences, an occurrence with everything recorded,
the recording form, decisions and follow-up actions.

Every object is loaded through a policy (``get_or_404``): another municipality's series is a
404, the same as a missing one; so is a page the user's role does not allow (MANAGE for the
coordinator, RECORD for the coordinator and the organiser unit's members).
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.loaders import get_or_404
from core.downloads import protected_file_response
from core.forms import add_service_errors
from organisations.models import Municipality, User
from organisations.selectors import municipalities_of
from wheel import selectors, services
from wheel.forms import (
    ActionForm,
    DecisionForm,
    OccurrenceRecordForm,
    SeriesForm,
)
from wheel.models import ActionStatus, ActivityType, Occurrence
from wheel.policies import (
    MANAGE,
    READ,
    RECORD,
    action_policy,
    decision_policy,
    occurrence_policy,
    series_policy,
)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _coordinator_municipalities(request: HttpRequest) -> list[Municipality]:
    """Where the user may create series; a 404 for everyone else."""
    ids = series_policy.municipality_ids(_user(request), MANAGE)
    if not ids:
        raise Http404
    return [m for m in municipalities_of(_user(request)) if m.pk in ids]


# --- series ------------------------------------------------------------------------------------


@require_GET
def series_list(request: HttpRequest) -> HttpResponse:
    """The series of the user's municipalities with their schedule and counts."""
    user = _user(request)
    if not series_policy.municipality_ids(user, READ):
        raise Http404
    activity_type = request.GET.get("type", "")
    if activity_type not in ActivityType.values:
        activity_type = ""
    rows = selectors.series_rows(user, activity_type=activity_type)
    return render(
        request,
        "wheel/series_list.html",
        {
            "rows": rows,
            "can_create": bool(series_policy.municipality_ids(user, MANAGE)),
            "several": len(series_policy.municipality_ids(user, READ)) > 1,
            "types": ActivityType.choices,
            "chosen_type": activity_type,
        },
    )


def _preview(form: SeriesForm) -> list[Any] | None:
    """The dates the schedule gives, or None with the errors on the form."""
    try:
        return services.series_schedule(
            municipality=form.chosen_municipality(), data=form.series_data()
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return None


@require_http_methods(["GET", "POST"])
def series_create(request: HttpRequest) -> HttpResponse:
    """A new series: its occurrences are planned at once. "Show the dates" previews them."""
    municipalities = _coordinator_municipalities(request)
    form = SeriesForm(request.POST or None, municipalities=municipalities)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = _preview(form)
        else:
            try:
                series = services.series_create(
                    actor=_user(request),
                    municipality=form.chosen_municipality(),
                    data=form.series_data(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                count = series.occurrences.count()
                messages.success(
                    request,
                    ngettext(
                        "The series was created with %(count)s occurrence.",
                        "The series was created with %(count)s occurrences.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("wheel:series_detail", pk=series.pk)
    return render(
        request,
        "wheel/series_form.html",
        {"form": form, "series": None, "preview": preview},
    )


@require_GET
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A series and all its occurrences, with status and "minutes missing" marks."""
    user = _user(request)
    series = get_or_404(request, series_policy, READ, pk=pk)
    rows = selectors.occurrence_rows(series)
    return render(
        request,
        "wheel/series_detail.html",
        {
            "series": series,
            "invited_units": list(series.invited_units.order_by("name")),
            "rows": rows,
            "schedule": selectors.schedule_summary(series),
            "sectors": selectors.sector_labels(series.invited_sectors),
            "can_manage": series.municipality_id in series_policy.municipality_ids(user, MANAGE),
            "can_record": series_policy.can(user, RECORD, series),
            "missing": sum(1 for row in rows if row.minutes_missing),
        },
    )


@require_http_methods(["GET", "POST"])
def series_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a series; a changed schedule re-plans the untouched planned occurrences to come."""
    series = get_or_404(request, series_policy, MANAGE, pk=pk)
    municipalities = [series.municipality]
    if request.method == "POST":
        form = SeriesForm(request.POST, municipalities=municipalities, series=series)
    else:
        initial = SeriesForm.initial_for(series, services.series_school(series))
        form = SeriesForm(initial=initial, municipalities=municipalities, series=series)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = _preview(form)
        else:
            try:
                outcome = services.series_update(
                    series=series, actor=_user(request), data=form.series_data()
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                if outcome.replanned:
                    messages.success(
                        request,
                        _(
                            "The series was saved. Planned occurrences to come were planned "
                            "again: %(removed)s removed, %(added)s added. Held, cancelled, "
                            "moved and recorded occurrences were kept."
                        )
                        % {"removed": outcome.removed, "added": outcome.added},
                    )
                else:
                    messages.success(request, _("The series was saved."))
                return redirect("wheel:series_detail", pk=series.pk)
    return render(
        request,
        "wheel/series_form.html",
        {"form": form, "series": series, "preview": preview},
    )


# --- occurrences -------------------------------------------------------------------------------


@require_GET
def occurrence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything recorded for an occurrence."""
    user = _user(request)
    occurrence = get_or_404(request, occurrence_policy, READ, pk=pk)
    attendance = selectors.attendance_of(occurrence)
    return render(
        request,
        "wheel/occurrence_detail.html",
        _occurrence_context(occurrence)
        | {
            "attendance": attendance,
            "sector_totals": selectors.sector_totals(attendance),
            "participants": sum(row.participants for row in attendance),
            "decisions": selectors.decisions_of(occurrence),
            "actions": selectors.actions_of(occurrence),
            "can_record": occurrence_policy.can(user, RECORD, occurrence),
            "board_reports": _board_reports_of(user, occurrence),
        },
    )


def _board_reports_of(user: User, occurrence: Occurrence) -> list[Any]:
    """The reports to the board made for a board-report meeting, as far as the user may read
    them (drafts only for coordinators); no query for other meetings."""
    if occurrence.series.activity_type != ActivityType.BOARD_REPORT:
        return []
    from followup.board_policies import VIEW as VIEW_REPORT
    from followup.board_policies import board_report_policy

    return list(
        board_report_policy.visible(user, VIEW_REPORT)
        .filter(occurrence=occurrence)
        .order_by("-period_start")
    )


def _occurrence_context(occurrence: Occurrence) -> dict[str, Any]:
    return {
        "occurrence": occurrence,
        "series": occurrence.series,
        "badge": selectors.STATUS_BADGES.get(occurrence.status, ""),
        "minutes_missing": selectors.minutes_missing(occurrence),
    }


@require_GET
def occurrence_minutes_file(request: HttpRequest, pk: int) -> FileResponse:
    occurrence = get_or_404(request, occurrence_policy, READ, pk=pk)
    return protected_file_response(
        occurrence.minutes_file,
        filename=occurrence.minutes_file_name or "minutes",
        fallback_name="minutes",
    )


def _record_form(
    request: HttpRequest, occurrence: Occurrence, *, bound: bool
) -> OccurrenceRecordForm:
    units = services.attendance_units(occurrence)
    if bound:
        return OccurrenceRecordForm(request.POST, request.FILES, occurrence=occurrence, units=units)
    attendance = {row.unit_id: row.participants for row in occurrence.attendance.all()}
    return OccurrenceRecordForm(occurrence=occurrence, units=units, attendance=attendance)


@require_http_methods(["GET", "POST"])
def occurrence_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the status, time, place, minutes and attendance. A save over someone else's
    newer save is refused, and what was typed is shown again."""
    occurrence = get_or_404(request, occurrence_policy, RECORD, pk=pk)
    notice = ""
    if request.method == "GET":
        form = _record_form(request, occurrence, bound=False)
    else:
        form = _record_form(request, occurrence, bound=True)
        if form.is_valid():
            try:
                services.occurrence_record(
                    occurrence=occurrence,
                    actor=_user(request),
                    expected_version=form.cleaned_data["version"],
                    record=form.record(),
                )
            except services.ConcurrentEditError:
                occurrence.refresh_from_db()
                notice = _(
                    "Someone else saved this meeting since you opened the form. Nothing was "
                    "saved from this page: what you typed is still below, and what was saved "
                    "is shown above it. Press “Save” again to replace it with what you see "
                    "here, or open the meeting again to start from the saved version."
                )
                data = request.POST.copy()
                data["version"] = str(occurrence.version)
                form = OccurrenceRecordForm(
                    data,
                    occurrence=occurrence,
                    units=services.attendance_units(occurrence),
                )
                form.is_valid()
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The meeting was saved."))
                return redirect("wheel:occurrence_detail", pk=occurrence.pk)
    return render(
        request,
        "wheel/occurrence_record.html",
        _occurrence_context(occurrence) | {"form": form, "notice": notice},
    )


@require_POST
def text_check(request: HttpRequest) -> HttpResponse:
    """The warning shown while someone types minutes, a decision or an action: the fragment
    says whether the text holds something like an identity number. Nothing is stored."""
    user = _user(request)
    if (
        not series_policy.municipality_ids(user, MANAGE)
        and not occurrence_policy.visible(user, RECORD).exists()
    ):
        raise Http404
    found = any(
        services.contains_identity_number(value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken"
        for value in values
    )
    return render(
        request,
        "wheel/_identity_check.html",
        {"found": found, "message": services.IDENTITY_NUMBER_MESSAGE},
    )


# --- decisions and actions ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = get_or_404(request, occurrence_policy, RECORD, pk=pk)
    form = DecisionForm(request.POST or None, occurrence=occurrence)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_add(
                occurrence=occurrence, actor=_user(request), data=form.decision_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The decision was added."))
            return redirect("wheel:occurrence_detail", pk=occurrence.pk)
    return render(
        request,
        "wheel/decision_form.html",
        _occurrence_context(occurrence) | {"form": form, "decision": None},
    )


@require_http_methods(["GET", "POST"])
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_or_404(request, decision_policy, RECORD, pk=pk)
    occurrence = decision.occurrence
    form = DecisionForm(request.POST or None, occurrence=occurrence, decision=decision)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_update(
                decision=decision, actor=_user(request), data=form.decision_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The decision was saved."))
            return redirect("wheel:occurrence_detail", pk=occurrence.pk)
    return render(
        request,
        "wheel/decision_form.html",
        _occurrence_context(occurrence) | {"form": form, "decision": decision},
    )


@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = get_or_404(request, occurrence_policy, RECORD, pk=pk)
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_add(
                occurrence=occurrence, actor=_user(request), data=form.action_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The follow-up action was added."))
            return redirect("wheel:occurrence_detail", pk=occurrence.pk)
    return render(
        request,
        "wheel/action_form.html",
        _occurrence_context(occurrence) | {"form": form, "action": None},
    )


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_or_404(request, action_policy, RECORD, pk=pk)
    occurrence = action.occurrence
    form = ActionForm(request.POST or None, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(action=action, actor=_user(request), data=form.action_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The follow-up action was saved."))
            return redirect("wheel:occurrence_detail", pk=occurrence.pk)
    return render(
        request,
        "wheel/action_form.html",
        _occurrence_context(occurrence) | {"form": form, "action": action},
    )


@require_POST
def action_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an open action as done (it can be reopened on its edit page)."""
    action = get_or_404(request, action_policy, RECORD, pk=pk)
    services.action_close(action=action, actor=_user(request), status=ActionStatus.DONE)
    messages.success(request, _("The follow-up action was marked as done."))
    return redirect("wheel:occurrence_detail", pk=action.occurrence_id)
