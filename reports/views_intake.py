"""The social services' intake: the inbox, the report page with its statutory steps, the print
view, and the municipality's deadline settings (for its municipal admin).

Every report is loaded through ``report_policy`` (action HANDLE): another municipality's
report, a draft, or a user without an intake membership all get the same 404. Every read of a
report writes the access log: the page and the print view one row each, the inbox one row per
listed report in a single insert per page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.loaders import log_read
from access.models import AccessAction
from core.forms import add_service_errors, offer_rows
from organisations.models import Municipality, Role, User
from organisations.policies import CONFIGURE, municipality_policy
from organisations.selectors import municipality_asked_for
from reports import services_common, services_intake, services_registration
from reports.forms_intake import (
    AssignForm,
    CloseForm,
    DeadlineSettingsForm,
    DecideForm,
    ExtendForm,
    FeedbackForm,
    FeedbackRequestForm,
    InboxFilterForm,
    PreliminaryForm,
    ProtectionForm,
    ReceiveForm,
)
from reports.forms_registration import ConfirmInWritingForm
from reports.fragments_intake import inbox_rows_html, today_groups_html
from reports.models import ConcernReport, DeadlineSettings, Feedback
from reports.policies import HANDLE, report_policy
from reports.rules import installation_rules, rules_for
from reports.selectors_intake import (
    INTAKE_PLACES,
    InboxFilters,
    InboxPage,
    inbox_overdue_count,
    inbox_page,
    intake_report_content,
    intake_report_load,
    intake_report_people,
    intake_schools,
    is_intake,
    report_deadline_rows,
    report_history,
)
from reports.selectors_worklist import (
    IntakePeople,
    Today,
    TodayRow,
    assignment_history,
    intake_case_workers,
    intake_decision_makers,
    intake_people,
    other_reports_about_child,
    today_list,
)

NOT_POSSIBLE = gettext_lazy("That step has already been taken or is not possible now.")


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- the inbox ------------------------------------------------------------------------------------


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Open reports of the user's intakes: urgent first, then the nearest deadline."""
    user = _user(request)
    if not is_intake(user):
        raise Http404
    now = timezone.now()
    form = InboxFilterForm(request.GET or None, schools=intake_schools(user))
    page: InboxPage | None = None
    filters: InboxFilters | None = None
    after = None
    if not form.is_bound:
        filters = InboxFilters()
    elif form.is_valid():
        filters = form.filters()
        after = form.cleaned_data["after"]
    if filters is not None:
        # A logged list: the rows shown are written to the access log as they are read.
        page = inbox_page(user, filters, now=now, after=after)
    # On the inbox as it opens only: a filtered list or a later page is a search for
    # something else, and each row of "today" shown is one more read of a child's data.
    today = today_list(user, now=now) if not form.is_bound else None
    next_query = first_query = ""
    show_first = after is not None
    if page is not None and page.next_cursor is not None:
        query = request.GET.copy()
        query["after"] = page.next_cursor.encode()
        next_query = query.urlencode()
    if after is not None:
        query = request.GET.copy()
        query.pop("after", None)
        first_query = query.urlencode()
    return render(
        request,
        "reports/intake/inbox.html",
        {
            "form": form,
            "page": page,
            "closed": filters is not None and filters.closed,
            "overdue_count": inbox_overdue_count(user, now=now),
            "today": today,
            "today_html": today_groups_html(_today_groups(today)),
            "rows_html": inbox_rows_html(page.rows, closed=filters.closed)
            if page and filters
            else "",
            "next_query": next_query,
            "first_query": first_query,
            "show_first": show_first,
        },
    )


def _today_groups(today: Today | None) -> list[tuple[str, str | Promise, list[TodayRow]]]:
    """The "today" list's three parts, in the order they are worked."""
    if today is None:
        return []
    return [
        ("urgent", gettext_lazy("Urgent, protection not yet assessed"), today.urgent),
        ("due_today", gettext_lazy("Due today"), today.due_today),
        ("overdue", gettext_lazy("Overdue steps"), today.overdue),
    ]


# --- the report page and its steps ----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A statutory step: its form, how it calls the service, and what the page says."""

    form_class: type[forms.Form]
    run: Callable[[ConcernReport, User, dict[str, Any]], ConcernReport]
    title: str | Promise
    button: str | Promise
    done: str | Promise
    # What the form needs besides the data (e.g. the people to choose from), for the report.
    form_kwargs: Callable[[ConcernReport], dict[str, Any]] | None = None

    def form(self, report: ConcernReport, *args: Any, **kwargs: Any) -> forms.Form:
        if self.form_kwargs is not None:
            kwargs.update(self.form_kwargs(report))
        return self.form_class(*args, **kwargs)


def _receive(report: ConcernReport, actor: User, _data: dict[str, Any]) -> ConcernReport:
    return services_intake.report_receive(report=report, actor=actor)


def _assess_protection(report: ConcernReport, actor: User, data: dict[str, Any]) -> ConcernReport:
    return services_intake.report_assess_protection(
        report=report,
        actor=actor,
        immediate_protection_needed=data["immediate_protection_needed"],
        justification=data["justification"],
    )


def _start_preliminary(report: ConcernReport, actor: User, data: dict[str, Any]) -> ConcernReport:
    return services_intake.report_start_preliminary(report=report, actor=actor, notes=data["notes"])


def _extend(report: ConcernReport, actor: User, data: dict[str, Any]) -> ConcernReport:
    return services_intake.report_extend_decision(
        report=report,
        actor=actor,
        until=data["until"],
        reason=data["reason"],
        description=data["description"],
        decided_by=data["decided_by"],
    )


def _decide(report: ConcernReport, actor: User, data: dict[str, Any]) -> ConcernReport:
    return services_intake.report_decide(
        report=report,
        actor=actor,
        decision=data["decision"],
        reasons=data["reasons"],
        decision_maker=data["decision_maker"],
        delegation_point=data["delegation_point"],
        case_number=data["case_number"],
        forwarded_to=data["forwarded_to"],
    )


def _decide_form_kwargs(report: ConcernReport) -> dict[str, Any]:
    return {"decision_makers": intake_decision_makers(report.municipality_id)}


def _record_feedback_request(
    report: ConcernReport, actor: User, _data: dict[str, Any]
) -> ConcernReport:
    return services_intake.report_record_feedback_request(report=report, actor=actor)


def _give_feedback(report: ConcernReport, actor: User, data: dict[str, Any]) -> ConcernReport:
    return services_intake.report_give_feedback(
        report=report, actor=actor, feedback=data["feedback"]
    )


def _confirm_in_writing(report: ConcernReport, actor: User, data: dict[str, Any]) -> ConcernReport:
    return services_registration.report_confirm_in_writing(
        report=report, actor=actor, confirmed_on=data["confirmed_on"]
    )


def _close(report: ConcernReport, actor: User, _data: dict[str, Any]) -> ConcernReport:
    return services_intake.report_close(report=report, actor=actor)


# In the order the page shows them; the names are those of ``services_common.allowed_steps``.
STEPS: dict[str, Step] = {
    "receive": Step(
        ReceiveForm,
        _receive,
        gettext_lazy("Receive the report"),
        gettext_lazy("Mark as received"),
        gettext_lazy("The report has been received."),
    ),
    "assess_protection": Step(
        ProtectionForm,
        _assess_protection,
        gettext_lazy("Protection assessment"),
        gettext_lazy("Record the protection assessment"),
        gettext_lazy("The protection assessment has been recorded."),
    ),
    "start_preliminary": Step(
        PreliminaryForm,
        _start_preliminary,
        gettext_lazy("Start the preliminary assessment"),
        gettext_lazy("Start the preliminary assessment"),
        gettext_lazy("The preliminary assessment has been started."),
    ),
    "decide": Step(
        DecideForm,
        _decide,
        gettext_lazy("Decision on an investigation"),
        gettext_lazy("Record the decision"),
        gettext_lazy("The decision has been recorded."),
        _decide_form_kwargs,
    ),
    "extend": Step(
        ExtendForm,
        _extend,
        gettext_lazy("Extend the decision deadline"),
        gettext_lazy("Record the extension"),
        gettext_lazy("The extension of the decision deadline has been recorded."),
    ),
    "record_feedback_request": Step(
        FeedbackRequestForm,
        _record_feedback_request,
        gettext_lazy("The reporter asks for feedback"),
        gettext_lazy("Record the request for feedback"),
        gettext_lazy("The reporter's request for feedback has been recorded."),
    ),
    "give_feedback": Step(
        FeedbackForm,
        _give_feedback,
        gettext_lazy("Feedback to the reporter"),
        gettext_lazy("Give this feedback"),
        gettext_lazy("The feedback has been given to the reporter."),
    ),
    "confirm_in_writing": Step(
        ConfirmInWritingForm,
        _confirm_in_writing,
        gettext_lazy("Written confirmation of the phone report"),
        gettext_lazy("Record the written confirmation"),
        gettext_lazy("The written confirmation has been recorded."),
    ),
    "close": Step(
        CloseForm,
        _close,
        gettext_lazy("Close the report"),
        gettext_lazy("Close the report"),
        gettext_lazy("The report has been closed."),
    ),
}


@dataclass
class StepForm:
    name: str
    step: Step
    form: forms.Form
    feedback_label: str | Promise = ""


def _unbound_form(name: str, report: ConcernReport, user: User, people: IntakePeople) -> forms.Form:
    initial: dict[str, Any] = {}
    if name == "decide":
        initial.update(_decide_initial(report, user))
    if name == "give_feedback":
        initial["feedback"] = services_common.FEEDBACK_FOR_DECISION.get(report.decision, "")
    form = STEPS[name].form(report, prefix=name, initial=initial)
    if name == "decide":
        offer_rows(form.fields["decision_maker"], people.decision_makers)
    return form


def _decide_initial(report: ConcernReport, user: User) -> dict[str, Any]:
    """The user decides, under the municipality's usual delegation point, unless they say
    otherwise; a report for a municipality outside Samverkan is forwarded there."""
    own = _own_settings_loaded(report)
    initial: dict[str, Any] = {
        "decision_maker": user.pk,
        "delegation_point": own.delegation_point if own else "",
    }
    if report.forward_to_name:
        initial["forwarded_to"] = report.forward_to_name
    return initial


def _own_settings_loaded(report: ConcernReport) -> DeadlineSettings | None:
    # Loaded with the report (``intake_report_load``): no query.
    try:
        return report.municipality.deadline_settings
    except DeadlineSettings.DoesNotExist:
        return None


def _step_forms(
    report: ConcernReport, bound: StepForm | None, user: User, people: IntakePeople
) -> list[StepForm]:
    allowed = services_common.allowed_steps(report)
    result = []
    for name, step in STEPS.items():
        if name not in allowed:
            continue
        if bound is not None and bound.name == name:
            step_form = bound
        else:
            step_form = StepForm(name, step, _unbound_form(name, report, user, people))
        if name == "give_feedback":
            expected = services_common.FEEDBACK_FOR_DECISION.get(report.decision, "")
            step_form.feedback_label = Feedback(expected).label if expected else ""
        result.append(step_form)
    return result


def _load(request: HttpRequest, public_id: UUID, log_action: str) -> ConcernReport:
    """``get_or_404`` for the intake's pages: the policy's check with the report's places and
    rules (one query), its people (one more), and the access-log row."""
    found = report_policy.find(
        _user(request), HANDLE, with_related=INTAKE_PLACES, public_id=public_id
    )
    if found is None:
        raise Http404
    full = intake_report_people(found.obj)
    log_read(request, found, log_action, obj=full)
    return full


def _detail_context(request: HttpRequest, full: ConcernReport) -> dict[str, Any]:
    content = intake_report_content(_user(request), full)
    now = timezone.now()
    rules = rules_for(full.municipality)
    return {
        "content": content,
        "report": full,
        "rules": rules,
        "author_role": _role_label(full.author_role),
        "history": report_history(full),
        "deadlines": report_deadline_rows(full, rules, now=now),
    }


def _role_label(role: str) -> str | Promise:
    try:
        return Role(role).label
    except ValueError:
        return role


def _render_detail(
    request: HttpRequest,
    report: ConcernReport,
    bound: StepForm | None = None,
    assign_form: AssignForm | None = None,
) -> HttpResponse:
    context = _detail_context(request, report)
    # The people to choose from in the decision's step and the case owner's form: one query.
    people = intake_people(report.municipality_id)
    context["step_forms"] = _step_forms(context["report"], bound, _user(request), people)
    # The page only (not the print view): other reports of the child are logged reads.
    siblings = context["content"].siblings
    context["other_reports"] = other_reports_about_child(
        _user(request), report, sibling_refs=[row.report.child_ref for row in siblings]
    )
    context["assignments"] = assignment_history(report)
    if assign_form is None:
        assign_form = AssignForm(
            initial={"owner": report.owner_id, "expected_owner": report.owner_id},
            workers=intake_case_workers(report.municipality_id),
        )
        offer_rows(assign_form.fields["owner"], people.case_workers)
    context["assign_form"] = assign_form
    return render(request, "reports/intake/detail.html", context)


@require_GET
def intake_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _render_detail(request, _load(request, public_id, AccessAction.VIEW))


@require_POST
def intake_step(request: HttpRequest, public_id: UUID, step: str) -> HttpResponse:
    """Take one step. The service locks the report and checks its state, so a second post of
    the same step (a double click, or a colleague who was quicker) changes nothing and gets a
    message instead."""
    user = _user(request)
    spec = STEPS.get(step)
    found = report_policy.find(user, HANDLE, public_id=public_id)
    if spec is None or found is None:
        raise Http404
    report = found.obj
    detail_url = reverse("reports:intake_detail", args=[report.public_id])
    if step not in services_common.allowed_steps(report):
        messages.error(request, NOT_POSSIBLE)
        return redirect(detail_url)
    form = spec.form(report, request.POST, prefix=step)
    if form.is_valid():
        try:
            spec.run(report, user, form.cleaned_data)
        except services_common.TransitionError:
            messages.error(request, NOT_POSSIBLE)
            return redirect(detail_url)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, str(spec.done))
            return redirect(detail_url)
    # The page is shown again with what was typed: that is a read of the report.
    full = intake_report_load(report.pk)
    log_read(request, found, AccessAction.VIEW, obj=full)
    return _render_detail(request, full, StepForm(step, spec, form))


@require_GET
def intake_print(request: HttpRequest, public_id: UUID) -> HttpResponse:
    context = _detail_context(request, _load(request, public_id, AccessAction.PRINT))
    context["printed_at"] = timezone.now()
    return render(request, "reports/intake/print.html", context)


# --- deadline settings ----------------------------------------------------------------------------


def _administered(request: HttpRequest) -> list[Municipality]:
    """The municipalities whose settings the user configures (no query); else a 404."""
    municipalities = municipality_policy.municipalities(_user(request), CONFIGURE)
    if not municipalities:
        raise Http404
    return municipalities


@dataclass
class RuleRow:
    name: str
    label: str | Promise
    default: str
    own: str  # "" when the municipality follows the default
    reference: str


def _late_hour_text(hour: int | None) -> str:
    if hour is None:
        return ""
    return _("from %(hour)02d:00 (the assessment is then due the next day)") % {"hour": hour}


def _days_text(days: int | None, after_decision: bool) -> str:
    if days is None:
        return ""
    if after_decision:
        text = ngettext(
            "%(count)d day after the decision", "%(count)d days after the decision", days
        )
    else:
        text = ngettext("%(count)d day after arrival", "%(count)d days after arrival", days)
    return text % {"count": days}


@require_http_methods(["GET", "POST"])
def deadline_settings(request: HttpRequest) -> HttpResponse:
    """The municipality's own deadline rules over the installation's defaults."""
    municipalities = _administered(request)
    chosen = municipality_asked_for(municipalities, request.GET.get("municipality"))
    if chosen is None:
        raise Http404
    own = DeadlineSettings.objects.filter(municipality=chosen).first()
    names = ("protection_late_hour", "decision_days", "feedback_days")
    current: dict[str, Any] = {name: getattr(own, name) if own else None for name in names}
    current["delegation_point"] = own.delegation_point if own else ""
    defaults = installation_rules()
    form = DeadlineSettingsForm(request.POST or None, initial=current, defaults=defaults)
    if request.method == "POST" and form.is_valid():
        try:
            services_intake.deadline_settings_update(
                actor=_user(request),
                municipality=chosen,
                protection_late_hour=form.cleaned_data["protection_late_hour"],
                decision_days=form.cleaned_data["decision_days"],
                feedback_days=form.cleaned_data["feedback_days"],
                delegation_point=form.cleaned_data["delegation_point"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The deadline settings of %(municipality)s have been saved.")
                % {"municipality": chosen.name},
            )
            url = reverse("reports:deadline_settings")
            if len(municipalities) > 1:
                url += f"?municipality={chosen.pk}"
            return redirect(url)
    rows = [
        RuleRow(
            "protection_late_hour",
            gettext_lazy("Protection assessment: reports arriving late in the day"),
            _late_hour_text(defaults.protection_late_hour),
            _late_hour_text(current["protection_late_hour"]),
            defaults.protection_reference,
        ),
        RuleRow(
            "decision_days",
            gettext_lazy("Decision on an investigation"),
            _days_text(defaults.decision_days, after_decision=False),
            _days_text(current["decision_days"], after_decision=False),
            defaults.decision_reference,
        ),
        RuleRow(
            "feedback_days",
            gettext_lazy("Feedback to a reporter who asked for it"),
            _days_text(defaults.feedback_days, after_decision=True),
            _days_text(current["feedback_days"], after_decision=True),
            defaults.feedback_reference,
        ),
    ]
    return render(
        request,
        "reports/intake/deadline_settings.html",
        {
            "form": form,
            "municipality": chosen,
            "municipalities": municipalities,
            "rows": rows,
            "defaults": defaults,
        },
    )
