"""Rounds: the list, a round's page, creating, inviting, sending, reminding and closing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from access.loaders import permit_or_404
from access.policies import Permit
from core.forms import add_service_errors
from organisations.models import Role, User
from organisations.selectors import has_role
from surveys import services, services_rounds
from surveys.forms import AddressesForm, AnalysisGroupForm, MembersForm, RoundForm
from surveys.models import AnalysisMember, Invitation, Round
from surveys.policies import (
    MANAGE,
    READER_ROLES,
    VIEW,
    SurveyAction,
    round_policy,
    template_policy,
)
from surveys.services_rounds import RoundStatus, round_status


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _round(request: HttpRequest, pk: int, action: SurveyAction = MANAGE) -> Permit[Round]:
    return permit_or_404(request, round_policy, action, pk=pk)


def _counted(rounds: QuerySet[Round]) -> QuerySet[Round]:
    return rounds.annotate(
        invited=Count("invitations", distinct=True),
        answered=Count("invitations", filter=Q(invitations__answered=True), distinct=True),
    )


@require_http_methods(["GET"])
def round_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rounds = list(_counted(round_policy.visible(user, VIEW)))
    if not rounds and not has_role(user, *READER_ROLES):
        raise Http404
    today = timezone.localdate()
    rows = [{"round": round_, "status": round_status(round_, today)} for round_ in rounds]
    return render(
        request,
        "surveys/round_list.html",
        {
            "rows": rows,
            "can_manage": template_policy.allows_any(user, MANAGE),
            "several": len({round_.municipality_id for round_ in rounds}) > 1,
        },
    )


@require_http_methods(["GET"])
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    permit = _round(request, pk, VIEW)
    round_ = permit.obj
    user = _user(request)
    can_manage = MANAGE in round_policy.actions_for(user, round_)
    counts = Invitation.objects.filter(round=round_).aggregate(
        n_invited=Count("pk"),
        n_answered=Count("pk", filter=Q(answered=True)),
        n_reminded=Count("pk", filter=Q(reminded_at__isnull=False)),
        n_paused=Count("pk", filter=Q(answered=False) & ~Q(draft={})),
    )
    members = list(
        AnalysisMember.objects.filter(round=round_)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    )
    return render(
        request,
        "surveys/round_detail.html",
        {
            "round": round_,
            "status": round_status(round_),
            "counts": counts,
            "members": members,
            "can_manage": can_manage,
            "template": round_.template_version.template,
            "reminder_days": services_rounds.REMINDER_DAYS_BEFORE_CLOSING,
        },
    )


@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    municipalities = template_policy.municipalities(user, MANAGE)
    if not municipalities:
        raise Http404
    municipality = municipalities[0]
    initial = {}
    if "mall" in request.GET and request.GET["mall"].isdigit():
        initial["template"] = int(request.GET["mall"])
    form = RoundForm(request.POST or None, municipality=municipality, initial=initial)
    if request.method == "POST" and form.is_valid():
        template = form.cleaned_data["template"]
        try:
            round_ = services_rounds.round_create(
                actor=user,
                version=services.latest_version(template),
                data=form.data_object(),
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("surveys:round", round_.pk)
    return render(request, "surveys/round_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    permit = _round(request, pk)
    round_ = permit.obj
    initial = {
        "title": round_.title,
        "opens_on": round_.opens_on,
        "closes_on": round_.closes_on,
        "occurrence": round_.occurrence_id,
    }
    form = RoundForm(
        request.POST or None, municipality=round_.municipality, editing=True, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_rounds.round_update(
                permit=permit, actor=_user(request), data=form.data_object()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("surveys:round", round_.pk)
    return render(request, "surveys/round_form.html", {"form": form, "round": round_})


@require_http_methods(["GET", "POST"])
def analysis_group(request: HttpRequest, pk: int) -> HttpResponse:
    permit = _round(request, pk)
    round_ = permit.obj
    candidates = services_rounds.analysis_group_candidates(round_.municipality)
    chosen = [
        str(user_id)
        for user_id in AnalysisMember.objects.filter(round=round_).values_list("user_id", flat=True)
    ]
    form = AnalysisGroupForm(
        request.POST or None, candidates=candidates, initial={"members": chosen}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_rounds.analysis_group_set(
                permit=permit, actor=_user(request), user_ids=form.user_ids()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The analysis group is saved."))
            return redirect("surveys:round", round_.pk)
    return render(request, "surveys/analysis_group.html", {"form": form, "round": round_})


@require_http_methods(["GET", "POST"])
def recipients(request: HttpRequest, pk: int) -> HttpResponse:
    """Whom the round goes to: pasted addresses and/or every member with some roles at some
    units. Only before the round is sent."""
    permit = _round(request, pk)
    round_ = permit.obj
    if round_.sent_at is not None:
        messages.error(request, _("The round has been sent: its recipients can not change."))
        return redirect("surveys:round", round_.pk)
    which = request.POST.get("form") if request.method == "POST" else None
    addresses = AddressesForm(request.POST if which == "addresses" else None, prefix="addresses")
    members = MembersForm(
        request.POST if which == "members" else None,
        municipality=round_.municipality,
        prefix="members",
    )
    user = _user(request)
    if which == "clear":
        services_rounds.invitations_clear(permit=permit, actor=user)
        messages.success(request, _("The list of recipients is empty."))
        return redirect("surveys:recipients", round_.pk)
    if which == "addresses" and addresses.is_valid():
        parsed = addresses.parsed
        added = services_rounds.invitations_add_addresses(
            permit=permit,
            actor=user,
            addresses=parsed.valid,
            sector=addresses.cleaned_data["sector"],
        )
        messages.success(
            request,
            ngettext("%(count)d recipient added.", "%(count)d recipients added.", added)
            % {"count": added},
        )
        if parsed.invalid:
            messages.warning(
                request,
                _("These are not e-mail addresses and were left out: %(bad)s")
                % {"bad": ", ".join(parsed.invalid[:50])},
            )
        return redirect("surveys:recipients", round_.pk)
    if which == "members" and members.is_valid():
        added = services_rounds.invitations_add_members(
            permit=permit,
            actor=user,
            units=list(members.cleaned_data["units"]),
            roles=members.cleaned_data["roles"],
        )
        messages.success(
            request,
            ngettext("%(count)d recipient added.", "%(count)d recipients added.", added)
            % {"count": added},
        )
        return redirect("surveys:recipients", round_.pk)
    invited = list(
        Invitation.objects.filter(round=round_)
        .select_related("unit")
        .order_by("email")
        .only("email", "unit__name", "role", "sector")
    )
    return render(
        request,
        "surveys/recipients.html",
        {
            "round": round_,
            "addresses": addresses,
            "members": members,
            "invited": invited,
            "roles": dict(Role.choices),
        },
    )


@require_http_methods(["GET", "POST"])
def round_send(request: HttpRequest, pk: int) -> HttpResponse:
    permit = _round(request, pk)
    round_ = permit.obj
    if round_.sent_at is not None:
        messages.info(request, _("The round has already been sent."))
        return redirect("surveys:round", round_.pk)
    count = Invitation.objects.filter(round=round_).count()
    error = ""
    if request.method == "POST":
        try:
            sent = services_rounds.round_send(permit=permit, actor=_user(request))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                ngettext(
                    "The survey was sent to %(count)d recipient.",
                    "The survey was sent to %(count)d recipients.",
                    sent,
                )
                % {"count": sent},
            )
            return redirect("surveys:round", round_.pk)
    return render(
        request,
        "surveys/round_send.html",
        {"round": round_, "count": count, "error": error},
    )


@require_http_methods(["GET", "POST"])
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    permit = _round(request, pk)
    round_ = permit.obj
    if round_status(round_) not in (RoundStatus.OPEN, RoundStatus.SCHEDULED):
        return redirect("surveys:round", round_.pk)
    if request.method == "POST":
        services_rounds.round_close_early(permit=permit, actor=_user(request))
        messages.success(request, _("The round is closed. Its links no longer work."))
        return redirect("surveys:round", round_.pk)
    return render(request, "surveys/round_close.html", {"round": round_})


@require_POST
def round_remind(request: HttpRequest, pk: int) -> HttpResponse:
    permit = _round(request, pk)
    sent = services_rounds.reminders_send_now(permit=permit, actor=_user(request))
    if sent:
        messages.success(
            request,
            ngettext(
                "A reminder was sent to %(count)d person who has not answered.",
                "A reminder was sent to %(count)d people who have not answered.",
                sent,
            )
            % {"count": sent},
        )
    else:
        messages.info(
            request,
            _("No reminder was sent: everybody has answered or was already reminded today."),
        )
    return redirect("surveys:round", permit.obj.pk)
