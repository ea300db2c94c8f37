"""Pages of governance documents: the list, a document with its versions, goals, roles and
measures, the forms that change them, the diff between versions, the read confirmation and the
read shares.

Every document is loaded through ``document_policy``: READ for anyone with a role in its
municipality, MANAGE for its coordinators and managers, and the same 404 for everyone else
(another municipality's document, or a page the user may not use).
"""

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.loaders import get_or_404
from core.downloads import protected_file_response
from core.forms import add_service_errors
from core.sanitize import html_to_user_text
from core.uploads import content_type_for
from followup.catalogue import CATALOGUE, Indicator
from followup.policies import VIEW_DASHBOARD, followup_policy
from followup.selectors import GoalMeasurement, goal_measurements
from governance import services
from governance.diff import diff_texts
from governance.forms import (
    DiffForm,
    DocumentForm,
    GoalForm,
    MeasureForm,
    MeasureStatusForm,
    ReadConfirmForm,
    ResponsibilityForm,
    VersionForm,
)
from governance.models import (
    DocumentKind,
    DocumentVersion,
    Goal,
    GovernanceDocument,
    Measure,
    Responsibility,
)
from governance.policies import (
    MANAGE,
    MANAGER_ROLES,
    READ,
    DocumentAction,
    document_policy,
)
from governance.selectors import (
    OPEN_MEASURE_STATUSES,
    alerts_for,
    confirmation_of,
    document_statuses,
    next_revision_date,
)
from governance.shares import read_shares as compute_read_shares
from organisations.models import Membership, Municipality, Unit, User, active_on


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _document(request: HttpRequest, pk: int, action: DocumentAction) -> GovernanceDocument:
    return get_or_404(request, document_policy, action, pk=pk)


def _detail_url(document: GovernanceDocument, anchor: str = "") -> str:
    url = reverse("governance:document_detail", args=[document.pk])
    return f"{url}#{anchor}" if anchor else url


def _units(municipality_ids: set[int]) -> QuerySet[Unit]:
    return (
        Unit.objects.filter(municipality_id__in=municipality_ids, is_active=True)
        .select_related("municipality")
        .order_by("municipality__name", "name")
    )


def _people(municipality_ids: set[int]) -> QuerySet[User]:
    """Who may be responsible for a document: today's coordinators and managers."""
    holders = Membership.objects.filter(
        active_on(timezone.localdate()),
        role__in=MANAGER_ROLES,
        unit__municipality_id__in=municipality_ids,
    ).values("user_id")
    return User.objects.filter(pk__in=holders, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


# --- the list -----------------------------------------------------------------------------------


@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    """The documents of the user's municipalities with their current version, next revision
    and alerts: a fixed number of queries whatever the number of documents."""
    user = _user(request)
    if not document_policy.municipality_ids(user, READ):
        raise Http404
    kind = request.GET.get("kind", "")
    documents = document_policy.visible(user, READ).select_related("municipality", "owner_unit")
    if kind in DocumentKind.values:
        documents = documents.filter(kind=kind)
    else:
        kind = ""
    statuses = document_statuses(documents.order_by("kind", "title", "pk"), today=_today())
    return render(
        request,
        "governance/document_list.html",
        {
            "statuses": statuses,
            "kinds": DocumentKind.choices,
            "kind": kind,
            "several_municipalities": len(document_policy.municipality_ids(user, READ)) > 1,
            "can_manage": bool(document_policy.municipality_ids(user, MANAGE)),
        },
    )


def _today() -> datetime.date:
    return timezone.localdate()


# --- creating and changing a document ---------------------------------------------------------


def _document_form(
    request: HttpRequest,
    municipality_ids: set[int],
    *,
    fixed: bool,
    current_person_id: int | None = None,
    **kwargs: Any,
) -> DocumentForm:
    people = _people(municipality_ids)
    if current_person_id is not None:
        # The person named so far stays on the list, so that saving does not drop them.
        people = (people | User.objects.filter(pk=current_person_id)).order_by(
            "first_name", "last_name", "username"
        )
    return DocumentForm(
        request.POST or None,
        municipalities=Municipality.objects.filter(pk__in=municipality_ids).order_by("name"),
        units=_units(municipality_ids),
        people=people,
        fixed_municipality=fixed,
        **kwargs,
    )


@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    managed = document_policy.municipality_ids(user, MANAGE)
    if not managed:
        raise Http404
    form = _document_form(request, managed, fixed=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        municipality = data.get("municipality") or Municipality.objects.get(pk=min(managed))
        try:
            document = services.document_create(
                actor=user,
                municipality=municipality,
                kind=data["kind"],
                title=data["title"],
                owner_unit=data["owner_unit"],
                owner_person=data["owner_person"],
                parties=data["parties"],
                is_sip_routine=data["is_sip_routine"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The document has been created. Add its first version: the text or the file."),
            )
            return redirect("governance:version_add", pk=document.pk)
    return render(request, "governance/document_form.html", {"form": form, "document": None})


@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    document = _document(request, pk, MANAGE)
    initial = {
        "kind": document.kind,
        "title": document.title,
        "owner_unit": document.owner_unit_id,
        "owner_person": document.owner_person_id,
        "parties": list(document.parties.values_list("pk", flat=True)),
        "is_sip_routine": document.is_sip_routine,
    }
    form = _document_form(
        request,
        {document.municipality_id},
        fixed=True,
        current_person_id=document.owner_person_id,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_update(
                actor=user,
                document=document,
                kind=data["kind"],
                title=data["title"],
                owner_unit=data["owner_unit"],
                owner_person=data["owner_person"],
                parties=data["parties"],
                is_sip_routine=data["is_sip_routine"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The document has been saved."))
            return redirect(_detail_url(document))
    return render(request, "governance/document_form.html", {"form": form, "document": document})


# --- a document -------------------------------------------------------------------------------


def _goals_with_measurements(
    user: User, document: GovernanceDocument, today: datetime.date
) -> list[tuple[Goal, Indicator | None, GoalMeasurement | None]]:
    """Each goal with its indicator, and its value against the target for the roles that see
    the municipality's follow-up (everyone else reads the goal and the indicator's name)."""
    goals = list(document.goals.all())
    measurements = {}
    if document.municipality_id in followup_policy.municipality_ids(user, VIEW_DASHBOARD):
        measurements = goal_measurements(document.municipality, goals, today=today)
    return [(goal, CATALOGUE.get(goal.indicator_key), measurements.get(goal.pk)) for goal in goals]


@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    document = _document(request, pk, READ)
    today = _today()
    versions = list(document.versions.order_by("-number"))
    current = next((version for version in versions if version.is_approved), None)
    measures = list(document.measures.select_related("owner_unit"))
    overdue_ids = {
        measure.pk
        for measure in measures
        if measure.status in OPEN_MEASURE_STATUSES and measure.due_on and measure.due_on < today
    }
    can_manage = document.municipality_id in document_policy.municipality_ids(user, MANAGE)
    confirmation = confirmation_of(user, current)
    return render(
        request,
        "governance/document_detail.html",
        {
            "document": document,
            "owner_person": document.owner_person,
            "parties": list(document.parties.order_by("name")),
            "versions": versions,
            "current": current,
            "next_revision": next_revision_date(current),
            "alerts": alerts_for(current, overdue_measures=len(overdue_ids), today=today),
            "goals": _goals_with_measurements(user, document, today),
            "responsibilities": list(document.responsibilities.select_related("unit")),
            "measures": [
                {
                    "measure": measure,
                    "overdue": measure.pk in overdue_ids,
                    "status_form": MeasureStatusForm(
                        prefix=f"measure-{measure.pk}", initial={"status": measure.status}
                    )
                    if can_manage
                    else None,
                }
                for measure in measures
            ],
            "can_manage": can_manage,
            "confirmation": confirmation,
            "confirm_form": ReadConfirmForm(initial={"version": current.number})
            if current and confirmation is None
            else None,
            "drafts_after_current": [
                version
                for version in versions
                if not version.is_approved and (current is None or version.number > current.number)
            ],
        },
    )


# --- versions ---------------------------------------------------------------------------------


def _version(document: GovernanceDocument, number: int) -> DocumentVersion:
    version = document.versions.filter(number=number).first()
    if version is None:
        raise Http404
    version.document = document
    return version


@require_http_methods(["GET", "POST"])
def version_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version. Nothing is overwritten (a wrong version is corrected by another), so
    there is no confirmation step."""
    user = _user(request)
    document = _document(request, pk, MANAGE)
    latest = document.versions.order_by("-number").first()
    initial: dict[str, Any] = {}
    if latest is not None:
        initial = {
            "text": html_to_user_text(latest.text),
            "approving_body": latest.approving_body,
            "revision_interval_months": latest.revision_interval_months,
        }
    form = VersionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.version_add(
                actor=user,
                document=document,
                text=data["text"],
                upload=data["file"],
                approving_body=data["approving_body"],
                approval_reference=data["approval_reference"],
                approved_on=data["approved_on"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                revision_interval_months=data["revision_interval_months"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Version %(number)s has been added.") % {"number": version.number},
            )
            return redirect(_detail_url(document))
    return render(
        request,
        "governance/version_form.html",
        {"form": form, "document": document, "latest": latest},
    )


@require_GET
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    document = _document(request, pk, READ)
    version = _version(document, number)
    current = document.versions.filter(approved_on__isnull=False).order_by("-number").first()
    previous = document.versions.filter(number__lt=number).order_by("-number").first()
    return render(
        request,
        "governance/version_detail.html",
        {
            "document": document,
            "version": version,
            "current": current,
            "previous": previous,
            "is_current": current is not None and current.pk == version.pk,
        },
    )


@require_GET
def version_file(request: HttpRequest, pk: int, number: int) -> FileResponse:
    document = _document(request, pk, READ)
    version = _version(document, number)
    extension = (version.file.name or "").rsplit(".", 1)[-1].lower()
    return protected_file_response(
        version.file,
        filename=version.file_name or f"{document.title}-{version.number}.{extension}",
        content_type=content_type_for(version.file.name or ""),
    )


@require_GET
def version_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """Two versions side by side as one list of removed and added lines."""
    document = _document(request, pk, READ)
    numbers = list(document.versions.order_by("number").values_list("number", flat=True))
    context: dict[str, Any] = {"document": document, "numbers": numbers, "diff": None}
    if len(numbers) < 2:
        return render(request, "governance/version_diff.html", context)
    if "old" in request.GET or "new" in request.GET:
        form = DiffForm(request.GET)
    else:
        current = document.versions.filter(approved_on__isnull=False).order_by("-number").first()
        newest = current.number if current and current.number > 1 else numbers[-1]
        form = DiffForm({"old": max(n for n in numbers if n < newest), "new": newest})
    if form.is_valid():
        old_number, new_number = form.cleaned_data["old"], form.cleaned_data["new"]
        for name, number in (("old", old_number), ("new", new_number)):
            if number not in numbers:
                form.add_error(
                    name, _("There is no version %(number)s of this document.") % {"number": number}
                )
        if old_number == new_number:
            form.add_error("new", _("Choose two different versions."))
    if form.is_valid():
        versions = {
            version.number: version
            for version in document.versions.filter(
                number__in=[form.cleaned_data["old"], form.cleaned_data["new"]]
            )
        }
        old, new = versions[form.cleaned_data["old"]], versions[form.cleaned_data["new"]]
        context.update({"old": old, "new": new, "diff": diff_texts(old.text, new.text)})
    context["form"] = form
    return render(request, "governance/version_diff.html", context)


# --- read confirmation ------------------------------------------------------------------------


@require_POST
def read_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    document = _document(request, pk, READ)
    form = ReadConfirmForm(request.POST)
    version = None
    if form.is_valid():
        version = document.versions.filter(number=form.cleaned_data["version"]).first()
    if version is None:
        messages.error(request, _("The version could not be found. Read the document again."))
        return redirect(_detail_url(document, "read-confirmation"))
    version.document = document
    try:
        _confirmation, created = services.read_confirm(user=user, version=version)
    except ValidationError:
        messages.error(
            request,
            _(
                "A newer version has been approved since you opened the page. Read the current "
                "version and confirm again."
            ),
        )
    else:
        if created:
            messages.success(
                request,
                _("Thank you. You have confirmed that you have read version %(number)s.")
                % {"number": version.number},
            )
        else:
            messages.info(request, _("You had already confirmed this version."))
    return redirect(_detail_url(document, "read-confirmation"))


@require_GET
def read_shares(request: HttpRequest) -> HttpResponse:
    """Per unit and sector, the share of staff who have confirmed the current version of a
    document (by default the municipality's routine), for coordinators and managers."""
    user = _user(request)
    if not document_policy.municipality_ids(user, MANAGE):
        raise Http404
    statuses = [
        status
        for status in document_statuses(
            document_policy.visible(user, MANAGE)
            .select_related("municipality", "owner_unit")
            .order_by("municipality__name", "kind", "title", "pk"),
            today=_today(),
        )
        if status.current is not None
    ]
    chosen = None
    wanted = request.GET.get("document", "")
    if wanted:
        chosen = next((s for s in statuses if str(s.document.pk) == wanted), None)
        if chosen is None:
            raise Http404
    else:
        routines = [s for s in statuses if s.document.kind == DocumentKind.ROUTINE]
        candidates = routines or statuses
        chosen = candidates[0] if candidates else None
    shares = None
    if chosen is not None and chosen.current is not None:
        shares = compute_read_shares(chosen.document, chosen.current, today=_today())
    return render(
        request,
        "governance/read_shares.html",
        {"statuses": statuses, "chosen": chosen, "shares": shares},
    )


# --- goals, responsibilities and measures -----------------------------------------------------


def _item(document: GovernanceDocument, model: type[Model], item_id: int) -> Any:
    item = model._default_manager.filter(document=document, pk=item_id).first()
    if item is None:
        raise Http404
    item.document = document  # type: ignore[attr-defined]
    return item


def _item_form_page(
    request: HttpRequest,
    document: GovernanceDocument,
    form: forms.Form,
    *,
    title: str,
    anchor: str,
) -> HttpResponse:
    return render(
        request,
        "governance/item_form.html",
        {"form": form, "document": document, "title": title, "anchor": anchor},
    )


def _saved(
    request: HttpRequest,
    form: forms.Form,
    document: GovernanceDocument,
    anchor: str,
    run: Any,
    message: str,
) -> HttpResponse | None:
    """Run the service with the form's data; None when the form must be shown again."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        run(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, message)
    return redirect(_detail_url(document, anchor))


@require_http_methods(["GET", "POST"])
def goal_add(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk, MANAGE)
    form = GoalForm(request.POST or None)
    done = _saved(
        request,
        form,
        document,
        "goals",
        lambda data: services.goal_add(actor=_user(request), document=document, **data),
        _("The goal has been added."),
    )
    return done or _item_form_page(request, document, form, title=_("Add a goal"), anchor="goals")


@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    document = _document(request, pk, MANAGE)
    goal = _item(document, Goal, item_id)
    initial = {
        "text": goal.text,
        "indicator_key": goal.indicator_key,
        "target_value": goal.target_value,
        "direction": goal.direction,
        "target_description": goal.target_description,
    }
    form = GoalForm(request.POST or None, initial=initial)
    done = _saved(
        request,
        form,
        document,
        "goals",
        lambda data: services.goal_update(actor=_user(request), goal=goal, **data),
        _("The goal has been saved."),
    )
    return done or _item_form_page(
        request, document, form, title=_("Change the goal"), anchor="goals"
    )


def _delete_page(
    request: HttpRequest,
    document: GovernanceDocument,
    *,
    title: str,
    what: str,
    anchor: str,
    run: Any,
    message: str,
) -> HttpResponse:
    """Deleting can not be undone: a page that says what goes, and a button to confirm."""
    if request.method == "POST":
        run()
        messages.success(request, message)
        return redirect(_detail_url(document, anchor))
    return render(
        request,
        "governance/item_delete.html",
        {"document": document, "title": title, "what": what, "anchor": anchor},
    )


@require_http_methods(["GET", "POST"])
def goal_delete(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    document = _document(request, pk, MANAGE)
    goal = _item(document, Goal, item_id)
    return _delete_page(
        request,
        document,
        title=_("Delete the goal"),
        what=goal.text,
        anchor="goals",
        run=lambda: services.goal_delete(actor=_user(request), goal=goal),
        message=_("The goal has been deleted."),
    )


@require_http_methods(["GET", "POST"])
def responsibility_add(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk, MANAGE)
    form = ResponsibilityForm(request.POST or None, units=_units({document.municipality_id}))
    done = _saved(
        request,
        form,
        document,
        "responsibilities",
        lambda data: services.responsibility_add(actor=_user(request), document=document, **data),
        _("The role and its responsibility have been added."),
    )
    return done or _item_form_page(
        request,
        document,
        form,
        title=_("Add a role and its responsibility"),
        anchor="responsibilities",
    )


@require_http_methods(["GET", "POST"])
def responsibility_edit(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    document = _document(request, pk, MANAGE)
    row = _item(document, Responsibility, item_id)
    initial = {
        "role_name": row.role_name,
        "unit": row.unit_id,
        "responsibility": row.responsibility,
    }
    form = ResponsibilityForm(
        request.POST or None, units=_units({document.municipality_id}), initial=initial
    )
    done = _saved(
        request,
        form,
        document,
        "responsibilities",
        lambda data: services.responsibility_update(
            actor=_user(request), responsibility_row=row, **data
        ),
        _("The role and its responsibility have been saved."),
    )
    return done or _item_form_page(
        request,
        document,
        form,
        title=_("Change the role and its responsibility"),
        anchor="responsibilities",
    )


@require_http_methods(["GET", "POST"])
def responsibility_delete(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    document = _document(request, pk, MANAGE)
    row = _item(document, Responsibility, item_id)
    return _delete_page(
        request,
        document,
        title=_("Delete the role and its responsibility"),
        what=f"{row.role_name}: {row.responsibility}",
        anchor="responsibilities",
        run=lambda: services.responsibility_delete(actor=_user(request), responsibility_row=row),
        message=_("The role and its responsibility have been deleted."),
    )


@require_http_methods(["GET", "POST"])
def measure_add(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk, MANAGE)
    form = MeasureForm(request.POST or None, units=_units({document.municipality_id}))
    done = _saved(
        request,
        form,
        document,
        "measures",
        lambda data: services.measure_add(actor=_user(request), document=document, **data),
        _("The measure has been added."),
    )
    return done or _item_form_page(
        request, document, form, title=_("Add a measure"), anchor="measures"
    )


@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    document = _document(request, pk, MANAGE)
    measure = _item(document, Measure, item_id)
    initial = {
        "what": measure.what,
        "owner": measure.owner,
        "owner_unit": measure.owner_unit_id,
        "due_on": measure.due_on,
        "status": measure.status,
        "follow_up": measure.follow_up,
    }
    form = MeasureForm(
        request.POST or None, units=_units({document.municipality_id}), initial=initial
    )
    done = _saved(
        request,
        form,
        document,
        "measures",
        lambda data: services.measure_update(actor=_user(request), measure=measure, **data),
        _("The measure has been saved."),
    )
    return done or _item_form_page(
        request, document, form, title=_("Change the measure"), anchor="measures"
    )


@require_POST
def measure_status(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """The status select beside each measure on the document page."""
    document = _document(request, pk, MANAGE)
    measure = _item(document, Measure, item_id)
    form = MeasureStatusForm(request.POST, prefix=f"measure-{measure.pk}")
    if form.is_valid():
        services.measure_status_change(
            actor=_user(request), measure=measure, status=form.cleaned_data["status"]
        )
        messages.success(request, _("The status of the measure has been changed."))
    else:
        messages.error(request, _("Choose one of the listed statuses."))
    return redirect(_detail_url(document, f"measure-{measure.pk}"))
