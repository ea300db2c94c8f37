"""Pages of training: the case library, the training sessions and the follow-up of training
and surveys. Everything is loaded through ``training.policies``: "not there" and "not yours"
are the same 404. Views stay thin; the services write."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from access.loaders import permit_or_404
from followup.policies import VIEW_DASHBOARD, municipality_for
from followup.selectors import targets_for
from organisations.models import Municipality, User
from surveys.indicators import MAPPING_KEYS, SITUATION_KEY, survey_trends
from training import selectors, services
from training.forms import SessionForm, VignetteForm
from training.indicators import evaluations, session_mixes, staff_shares, training_figures
from training.models import TrainingSession, Vignette
from training.policies import MANAGE, READ, RECORD, session_policy, vignette_policy

SESSIONS_SHOWN = 100  # a municipality records a few sessions a term


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _chosen(request: HttpRequest, municipalities: list[Municipality]) -> Municipality:
    """The municipality asked for in the address, or the user's first; 404 when none."""
    wanted = request.GET.get("municipality", "").strip()
    if not municipalities:
        raise Http404
    if not wanted:
        return municipalities[0]
    found = next((m for m in municipalities if str(m.pk) == wanted), None)
    if found is None:
        raise Http404
    return found


# --- the case library --------------------------------------------------------------------------


@require_GET
def vignette_list(request: HttpRequest) -> HttpResponse:
    """The case library: every member of staff reads it (the cases are fictional)."""
    user = _user(request)
    if not vignette_policy.allows_any(user, READ):
        raise Http404
    return render(
        request,
        "training/vignette_list.html",
        {
            "vignettes": list(selectors.library(user)),
            "can_manage": vignette_policy.allows_any(user, MANAGE),
            "follows": bool(session_policy.follows_in(user)),
        },
    )


@require_GET
def vignette_detail(request: HttpRequest, pk: int) -> HttpResponse:
    permit = permit_or_404(request, vignette_policy, READ, pk=pk)
    vignette = permit.obj
    return render(
        request,
        "training/vignette_detail.html",
        {
            "vignette": vignette,
            "can_edit": vignette.municipality_id is not None
            and vignette_policy.can(_user(request), MANAGE, vignette),
        },
    )


@require_http_methods(["GET", "POST"])
def vignette_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    municipality = _chosen(request, vignette_policy.municipalities(user, MANAGE))
    form = VignetteForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            vignette = services.vignette_create(
                actor=user,
                municipality=municipality,
                data=form.vignette_data(),
                submission_key=form.cleaned_data.get("submission_key"),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The case was added to the library."))
            return redirect("training:vignette_detail", pk=vignette.pk)
    return render(request, "training/vignette_form.html", {"form": form, "vignette": None})


@require_http_methods(["GET", "POST"])
def vignette_edit(request: HttpRequest, pk: int) -> HttpResponse:
    permit = permit_or_404(request, vignette_policy, MANAGE, pk=pk)
    vignette = permit.obj
    assert vignette.municipality is not None  # MANAGE grants need a municipality
    form = VignetteForm(request.POST or None, municipality=vignette.municipality, vignette=vignette)
    conflict: Vignette | None = None
    if request.method == "POST" and form.is_valid():
        try:
            vignette = services.vignette_update(
                permit=permit,
                actor=_user(request),
                expected_version=form.cleaned_data.get("version") or 0,
                data=form.vignette_data(),
            )
        except services.ConcurrentEditError as stale:
            conflict = stale.current
            form = _with_version(
                VignetteForm,
                request,
                stale.current.version,
                municipality=vignette.municipality,
                vignette=vignette,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The case was saved."))
            return redirect("training:vignette_detail", pk=vignette.pk)
    return render(
        request,
        "training/vignette_form.html",
        {"form": form, "vignette": vignette, "conflict": conflict},
    )


def _with_version(form_class: Any, request: HttpRequest, version: int, **kwargs: Any) -> Any:
    """The form again with what was typed and the version now saved: saving once more
    replaces the other person's version knowingly."""
    data = request.POST.copy()
    data["version"] = str(version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


# --- training sessions -------------------------------------------------------------------------


@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    """The sessions of the municipality, with the mix of sectors at each and the share of the
    staff trained per sector (a fixed number of queries whatever the number of sessions)."""
    user = _user(request)
    municipality = _chosen(request, session_policy.follows_in(user))
    rows = list(
        selectors.sessions(user)
        .filter(municipality=municipality)
        .select_related("occurrence", "occurrence__series")[:SESSIONS_SHOWN]
    )
    today = timezone.localdate()
    return render(
        request,
        "training/session_list.html",
        {
            "municipality": municipality,
            "mixes": session_mixes(rows),
            "shares": staff_shares(municipality, today=today),
            "can_record": municipality in session_policy.creates_in(user),
            "several": len(session_policy.follows_in(user)) > 1,
            "municipalities": session_policy.follows_in(user),
        },
    )


@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    permit = permit_or_404(request, session_policy, READ, pk=pk)
    session = permit.obj
    participation, groups, vignettes, people = selectors.session_parts(session)
    mix = session_mixes([session])[0]
    evaluation = None
    if session.evaluation_round_id is not None:
        evaluation = evaluations([session.evaluation_round_id]).get(session.evaluation_round_id)
    occurrence = session.occurrence
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "participation": participation,
            "groups": groups,
            "vignettes": vignettes,
            "people": people,
            "mix": mix,
            "evaluation": evaluation,
            "occurrence": occurrence,
            "can_edit": session_policy.can(_user(request), RECORD, session),
        },
    )


def _session_form(
    municipality: Municipality, session: TrainingSession | None, data: Any
) -> SessionForm:
    if session is None:
        return SessionForm(data, municipality=municipality)
    participation, groups, _vignettes, _people = selectors.session_parts(session)
    return SessionForm(
        data,
        municipality=municipality,
        session=session,
        groups=groups,
        participation={row.unit_id: row.participants for row in participation},
    )


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    municipality = _chosen(request, session_policy.creates_in(user))
    form = _session_form(municipality, None, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                actor=user,
                municipality=municipality,
                data=form.session_data(),
                submission_key=form.cleaned_data.get("submission_key"),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The training session was recorded."))
            return redirect("training:session_detail", pk=session.pk)
    return render(request, "training/session_form.html", {"form": form, "session": None})


@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    permit = permit_or_404(request, session_policy, RECORD, pk=pk)
    session = permit.obj
    form = _session_form(session.municipality, session, request.POST or None)
    conflict: TrainingSession | None = None
    conflict_parts: Any = None
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_update(
                permit=permit,
                actor=_user(request),
                expected_version=form.cleaned_data.get("version") or 0,
                data=form.session_data(),
            )
        except services.ConcurrentEditError as stale:
            conflict = stale.current
            conflict_parts = selectors.session_parts(stale.current)
            data = request.POST.copy()
            data["version"] = str(stale.current.version)
            form = _session_form(session.municipality, stale.current, data)
            form.is_valid()
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The training session was saved."))
            return redirect("training:session_detail", pk=session.pk)
    return render(
        request,
        "training/session_form.html",
        {
            "form": form,
            "session": session,
            "conflict": conflict,
            "conflict_parts": conflict_parts,
        },
    )


# --- the follow-up of training and surveys -----------------------------------------------------


@require_GET
def followup_page(request: HttpRequest) -> HttpResponse:
    """The indicators of training and of the surveys for one municipality: who reads the
    follow-up dashboard reads these (a fixed number of queries)."""
    user = _user(request)
    municipality = municipality_for(
        user, VIEW_DASHBOARD, request.GET.get("municipality", "").strip()
    )
    if municipality is None:
        raise Http404
    today = timezone.localdate()
    targets = targets_for(municipality)
    figures = training_figures(municipality, today=today, targets=targets)
    return render(
        request,
        "training/followup.html",
        {
            "municipality": municipality,
            "figures": figures,
            "training_values": [figures.shares.total, figures.mixed_groups, figures.evaluation],
            "mix_rows": [
                {"mix": mix, "evaluation": figures.evaluation_of(mix)} for mix in figures.mixes
            ],
            "mapping": survey_trends(municipality, MAPPING_KEYS, until=today, targets=targets),
            "situation": survey_trends(
                municipality, (SITUATION_KEY,), until=today, targets=targets
            ),
        },
    )
