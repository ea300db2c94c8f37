"""Forms of the intake side: the inbox filters, one form per statutory step, and the
municipality's deadline settings. Business rules live in ``reports.services_intake``; these forms
check the shape of what was typed and give clear messages."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.forms import ListedChoiceIterator
from core.widgets import LeanRadioSelect, LeanSelect
from organisations.models import Unit
from reports.deadlines import DeadlineRules
from reports.models import ConcernCategory, Decision, ExtensionReason, Feedback, ReportStatus
from reports.rules import OVERRIDE_LIMITS
from reports.selectors_intake import CLOSED, MINE, UNASSIGNED, InboxCursor, InboxFilters
from reports.services_intake import CASE_NUMBER_MAX, DELEGATION_POINT_MAX, REASONS_MAX

OPEN_STATUSES = [
    (value, label)
    for value, label in ReportStatus.choices
    if value not in (ReportStatus.DRAFT, ReportStatus.CLOSED)
]


class InboxFilterForm(forms.Form):
    """The inbox's filters. Its selects are written without the template engine (``LeanSelect``):
    Django renders each ``<option>`` through an include, which cost the inbox about as much as
    its rows."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Every open report")), *OPEN_STATUSES, (CLOSED, _("Closed reports"))],
        widget=LeanSelect,
        error_messages={"invalid_choice": _("Choose one of the listed statuses.")},
    )
    # The schools' ids and names, read in one query in __init__ (a model choice field reads
    # its queryset through a server-side cursor: three round trips on PostgreSQL).
    school = forms.TypedChoiceField(
        label=_("School"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=LeanSelect,  # every school and preschool of the municipality: hundreds
        error_messages={"invalid_choice": _("Choose one of the listed schools.")},
    )
    category = forms.ChoiceField(
        label=_("Kind of concern"),
        required=False,
        choices=[("", _("Every kind")), *ConcernCategory.choices],
        widget=LeanSelect,
        error_messages={"invalid_choice": _("Choose one of the listed kinds of concern.")},
    )
    owner = forms.ChoiceField(
        label=_("Case owner"),
        required=False,
        choices=[("", _("Everyone's")), (MINE, _("My cases")), (UNASSIGNED, _("Not assigned"))],
        widget=LeanSelect,
        error_messages={"invalid_choice": _("Choose one of the listed case owners.")},
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
    to_forward = forms.BooleanField(label=_("Only reports to be forwarded"), required=False)
    after = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, schools: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        school_field: forms.TypedChoiceField = self.fields["school"]  # type: ignore[assignment]
        school_field.choices = [
            ("", _("Every school")),
            *((str(pk), name) for pk, name in schools.values_list("pk", "name")),
        ]

    def clean_after(self) -> InboxCursor | None:
        text = self.cleaned_data["after"]
        if not text:
            return None
        cursor = InboxCursor.decode(text)
        if cursor is None:
            raise forms.ValidationError(
                _("The link to the next page is not valid. Filter again to start from the top."),
                code="invalid_cursor",
            )
        return cursor

    def filters(self) -> InboxFilters:
        data = self.cleaned_data
        return InboxFilters(
            status=data.get("status", ""),
            school_id=data.get("school"),
            category=data.get("category", ""),
            owner=data.get("owner", ""),
            overdue_only=bool(data.get("overdue")),
            to_forward=bool(data.get("to_forward")),
        )


# --- the steps -----------------------------------------------------------------------------------


class ReceiveForm(forms.Form):
    """Receiving needs no input: the button records who received the report and when."""


def _yes(value: str) -> bool:
    return value == "yes"


class ProtectionForm(forms.Form):
    immediate_protection_needed = forms.TypedChoiceField(
        label=_("Does the child need immediate protection?"),
        choices=[
            ("yes", _("Yes, the child needs immediate protection")),
            ("no", _("No, no immediate protection is needed")),
        ],
        coerce=_yes,
        widget=LeanRadioSelect,
        error_messages={"required": _("Say whether the child needs immediate protection.")},
    )
    justification = forms.CharField(
        label=_("Short justification"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the assessment is based on."),
        error_messages={
            "required": _("Give a short justification of the protection assessment."),
            "max_length": _("Keep the justification to at most %(limit_value)d characters."),
        },
    )


class PreliminaryForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes (optional)"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": _("Keep the notes to at most %(limit_value)d characters."),
        },
    )


class ExtendForm(forms.Form):
    until = forms.DateField(
        label=_("New date for the decision"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Must be later than the current deadline."),
        error_messages={
            "required": _("Enter the new date for the decision."),
            "invalid": _("Enter the date as YYYY-MM-DD, e.g. 2026-04-15."),
        },
    )
    reason = forms.ChoiceField(
        label=_("Exceptional reason"),
        choices=ExtensionReason.choices,
        widget=LeanRadioSelect,
        help_text=_("Only exceptional reasons allow a later decision; workload is not one."),
        error_messages={
            "required": _("Choose the exceptional reason."),
            "invalid_choice": _("Choose one of the listed reasons."),
        },
    )
    description = forms.CharField(
        label=_("Description of the reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the reason is “Other exceptional reason”."),
        error_messages={
            "max_length": _("Keep the description to at most %(limit_value)d characters."),
        },
    )
    decided_by = forms.CharField(
        label=_("Who decided on the extension"),
        max_length=200,
        help_text=_("Name and title, e.g. “Eva Berg, head of unit”."),
        error_messages={
            "required": _("Say who decided on the extension."),
            "max_length": _("Keep the name to at most %(limit_value)d characters."),
        },
    )


class _PeopleSelect(LeanSelect):
    """A list of people with no empty first option. Django would read the first option to see
    whether a ``required`` attribute fits, which costs a query of its own: there is always a
    choice made here, so the question does not arise."""

    def use_required_attribute(self, initial: Any) -> bool:  # noqa: ARG002 - the signature
        return False


class DecisionMakerField(forms.ModelChoiceField):
    widget = _PeopleSelect
    iterator = ListedChoiceIterator

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class DecideForm(forms.Form):
    """The decision with what it records: reasons, decision maker, delegation point, case
    number. The service checks the rules again (``services_intake.report_decide``)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.choices,
        widget=LeanRadioSelect,
        error_messages={
            "required": _("Choose a decision."),
            "invalid_choice": _("Choose one of the listed decisions."),
        },
    )
    reasons = forms.CharField(
        label=_("Reasons for the decision"),
        required=False,
        max_length=REASONS_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Required when no investigation is opened. Only social services see the reasons: "
            "the reporter is told only which decision was made."
        ),
        error_messages={
            "max_length": _("Keep the reasons to at most %(limit_value)d characters."),
        },
    )
    # Not required: left out, the user is the decision maker (the service's default).
    decision_maker = DecisionMakerField(
        label=_("Decision maker"),
        queryset=None,
        required=False,
        empty_label=None,
        help_text=_("The person who made the decision under the delegation order."),
        error_messages={
            "invalid_choice": _("Choose a person of the intake who may make this decision."),
        },
    )
    delegation_point = forms.CharField(
        label=_("Delegation point"),
        max_length=DELEGATION_POINT_MAX,
        help_text=_("The point of the delegation order, e.g. “Delegationsordning IFO 3.1”."),
        error_messages={
            "required": _("Give the point of the delegation order the decision was made under."),
            "max_length": _("Keep the delegation point to at most %(limit_value)d characters."),
        },
    )
    case_number = forms.CharField(
        label=_("Case number in the record system (optional)"),
        required=False,
        max_length=CASE_NUMBER_MAX,
        help_text=_("As it is written in the social services' record system."),
        error_messages={
            "max_length": _("Keep the case number to at most %(limit_value)d characters."),
        },
    )
    forwarded_to = forms.CharField(
        label=_("Forwarded to (municipality)"),
        required=False,
        max_length=100,
        help_text=_("Only when the report was forwarded to another municipality."),
        error_messages={
            "max_length": _("Keep the municipality's name to at most %(limit_value)d characters."),
        },
    )

    def __init__(self, *args: Any, decision_makers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision_maker"].queryset = decision_makers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decision = cleaned.get("decision")
        if decision == Decision.FORWARDED and not cleaned.get("forwarded_to", "").strip():
            self.add_error(
                "forwarded_to",
                forms.ValidationError(
                    _("Say which municipality the report was forwarded to."),
                    code="forwarded_to_required",
                ),
            )
        if decision == Decision.NOT_OPENED and not cleaned.get("reasons", "").strip():
            self.add_error(
                "reasons",
                forms.ValidationError(
                    _("Give the reasons why no investigation is opened."),
                    code="reasons_required",
                ),
            )
        return cleaned


class FeedbackForm(forms.Form):
    """The one answer that follows from the decision, shown for confirmation: no free text."""

    feedback = forms.ChoiceField(
        choices=Feedback.choices,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The feedback is missing. Reload the page and try again."),
            "invalid_choice": _("The feedback must be one of the three fixed answers."),
        },
    )


class FeedbackRequestForm(forms.Form):
    """Recording a later request needs no input: the button records who and when."""


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, close the report. A closed report can not be reopened."),
        error_messages={"required": _("Tick the box to confirm that the report is to be closed.")},
    )


# --- deadline settings ---------------------------------------------------------------------------


def _override_field(name: str, label: Any, message: Any) -> forms.IntegerField:
    low, high = OVERRIDE_LIMITS[name]
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        widget=forms.NumberInput(attrs={"min": low, "max": high, "step": 1}),
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


class DeadlineSettingsForm(forms.Form):
    protection_late_hour = _override_field(
        "protection_late_hour",
        _("Late hour for the protection assessment"),
        _("Enter a whole hour from 0 to 23, or leave the field blank to use the default."),
    )
    decision_days = _override_field(
        "decision_days",
        _("Days to the decision"),
        _("Enter a whole number of days from 1 to 60, or leave the field blank."),
    )
    feedback_days = _override_field(
        "feedback_days",
        _("Days from the decision to feedback"),
        _("Enter a whole number of days from 1 to 60, or leave the field blank."),
    )

    delegation_point = forms.CharField(
        label=_("Usual delegation point for decisions on investigations"),
        required=False,
        max_length=DELEGATION_POINT_MAX,
        help_text=_(
            "The point of the municipality's delegation order, e.g. “Delegationsordning IFO "
            "3.1”. It is filled in on every decision, where it can be changed. Leave it blank "
            "to have it typed each time."
        ),
        error_messages={
            "max_length": _("Keep the delegation point to at most %(limit_value)d characters."),
        },
    )

    def __init__(self, *args: Any, defaults: DeadlineRules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        help_texts = {
            "protection_late_hour": _(
                "An hour from 0 to 23. Reports arriving at or after it get the protection "
                "assessment the next day. Default: %(default)s."
            ),
            "decision_days": _(
                "From 1 to 60 days after arrival. The law says 14 days: change this only when "
                "the law changes. Default: %(default)s."
            ),
            "feedback_days": _("From 1 to 60 days after the decision. Default: %(default)s."),
        }
        for name, text in help_texts.items():
            self.fields[name].help_text = text % {"default": getattr(defaults, name)}


# --- the worklist: search and case owner ---------------------------------------------------------


class SearchForm(forms.Form):
    query = forms.CharField(
        label=_("Personal identity number, name or reference"),
        help_text=_(
            "For example 20120315-9801, 120315-9801, a coordination number, the child's name "
            "or the report's reference, such as K7R-X4M (small letters and no dash are fine)."
        ),
        max_length=100,
        error_messages={
            "required": _("Type a personal identity number, a name or a reference."),
            "max_length": _("Type at most %(limit_value)d characters."),
        },
    )


class UserChoiceField(forms.ModelChoiceField):
    widget = LeanSelect
    iterator = ListedChoiceIterator

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class AssignForm(forms.Form):
    owner = UserChoiceField(
        label=_("Case owner"),
        queryset=None,
        required=False,
        empty_label=_("Not assigned"),
        error_messages={"invalid_choice": _("Choose a social worker of this intake.")},
    )
    # The owner the page showed: a change by someone else since is not overwritten.
    expected_owner = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, workers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = workers  # type: ignore[attr-defined]
