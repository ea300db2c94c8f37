"""Forms of governance documents. They check the shape of what was typed; the rules (same
municipality, indicator keys, dates, files) live in ``governance.services``, whose messages
the views put beside the fields."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.uploads import accepted_extensions
from followup.catalogue import indicator_choices
from governance.models import DocumentKind, GoalDirection, MeasureStatus
from governance.rules import DEFAULT_REVISION_INTERVAL_MONTHS, MAX_REVISION_INTERVAL_MONTHS
from organisations.models import Municipality, Unit, User


class DateInput(forms.DateInput):
    """The browser's date picker; the value is always sent as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date_field(label: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=DateInput(),
        help_text=help_text,
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2026-03-10.")},
    )


class UnitChoiceField(forms.ModelChoiceField):
    """Unit names, with the municipality when the user manages more than one."""

    def __init__(self, *args: Any, show_municipality: bool = False, **kwargs: Any) -> None:
        self.show_municipality = show_municipality
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Unit) -> str:
        if self.show_municipality:
            return f"{obj.name} ({obj.municipality.name})"
        return obj.name


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args: Any, show_municipality: bool = False, **kwargs: Any) -> None:
        self.show_municipality = show_municipality
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Unit) -> str:
        if self.show_municipality:
            return f"{obj.name} ({obj.municipality.name})"
        return obj.name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.title})" if obj.title else obj.display_name


class DocumentForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.none(),
        error_messages={
            "required": _("Choose the municipality the document belongs to."),
            "invalid_choice": _("Choose one of the listed municipalities."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Kind of document"),
        choices=DocumentKind.choices,
        error_messages={"required": _("Choose the kind of document.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Write the document's title.")},
    )
    owner_unit = UnitChoiceField(
        label=_("Owner unit"),
        queryset=Unit.objects.none(),
        help_text=_("The unit that owns the document and keeps it up to date."),
        error_messages={
            "required": _("Choose the unit that owns the document."),
            "invalid_choice": _("Choose one of the listed units."),
        },
    )
    owner_person = PersonChoiceField(
        label=_("Responsible person"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("A coordinator or manager of the municipality (optional)."),
        error_messages={"invalid_choice": _("Choose one of the listed people.")},
    )
    parties = UnitMultipleChoiceField(
        label=_("Parties"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The units that have agreed to the document, e.g. the health region."),
        error_messages={"invalid_choice": _("Choose only listed units.")},
    )
    is_sip_routine = forms.BooleanField(
        label=_("This is the municipality's SIP routine"),
        required=False,
        help_text=_(
            "The routine for coordinated individual plans. The SIP pages link to its current "
            "version. Only a collaboration routine, and one per municipality."
        ),
    )

    def __init__(
        self,
        *args: Any,
        municipalities: QuerySet[Municipality],
        units: QuerySet[Unit],
        people: QuerySet[User],
        fixed_municipality: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        several = municipalities.count() > 1
        if fixed_municipality or not several:
            del self.fields["municipality"]
        else:
            self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]
        for name in ("owner_unit", "parties"):
            field = self.fields[name]
            field.queryset = units  # type: ignore[attr-defined]
            field.show_municipality = several  # type: ignore[attr-defined]
        self.fields["owner_person"].queryset = people  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Plain text: an empty line starts a new paragraph. Formatting may be written as "
            "HTML: paragraphs, headings (h2–h4), bold, italics, lists, links, quotations and "
            "simple tables. Anything else is removed when the version is saved."
        ),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("The signed or printed document, if there is one. Accepted: %(kinds)s.")
        % {"kinds": accepted_extensions()},
    )
    approving_body = forms.CharField(
        label=_("Approved by"),
        max_length=200,
        required=False,
        help_text=_("e.g. Kommunstyrelsen, or the central management group"),
    )
    approval_reference = forms.CharField(
        label=_("Decision reference"),
        max_length=100,
        required=False,
        help_text=_('e.g. "KS 2022-03-10 § 45"'),
    )
    approved_on = _date_field(
        _("Approval date"),
        _("Leave empty for a draft. The newest approved version is the current one."),
    )
    valid_from = _date_field(_("Valid from"))
    valid_to = _date_field(_("Valid to"), _("The last day of validity; empty if open-ended."))
    revision_interval_months = forms.IntegerField(
        label=_("Revision interval (months)"),
        min_value=1,
        max_value=MAX_REVISION_INTERVAL_MONTHS,
        initial=DEFAULT_REVISION_INTERVAL_MONTHS,
        help_text=_("How often the document is to be revised, counted from the approval date."),
        error_messages={
            "required": _("Write how many months there are between revisions, e.g. 12."),
            "invalid": _("Write a whole number of months, e.g. 12."),
            "min_value": _("The revision interval is at least 1 month."),
            "max_value": _("The revision interval is at most %(limit_value)s months."),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error(
                "valid_to", _("The last day of validity can not be before the first day.")
            )
        return data


class GoalForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicator_key"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("No indicator")), *indicator_choices()]

    text = forms.CharField(
        label=_("Goal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the goal.")},
    )
    indicator_key = forms.TypedChoiceField(
        label=_("Indicator"),
        required=False,
        choices=(),
        help_text=_(
            "The indicator of the follow-up that measures the goal; its value is shown against "
            "the target."
        ),
        error_messages={"invalid_choice": _("Choose an indicator from the list, or none.")},
    )
    target_value = forms.DecimalField(
        label=_("Target value"),
        required=False,
        max_digits=10,
        decimal_places=2,
        help_text=_("e.g. 85 for 85 %"),
        error_messages={"invalid": _("Write the target as a number, e.g. 85.")},
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=GoalDirection.choices, initial=GoalDirection.AT_LEAST
    )
    target_description = forms.CharField(
        label=_("How it is measured"), max_length=300, required=False
    )


class ResponsibilityForm(forms.Form):
    role_name = forms.CharField(
        label=_("Role or function"),
        max_length=200,
        error_messages={"required": _("Write the role or function.")},
    )
    unit = UnitChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the listed units.")},
    )
    responsibility = forms.CharField(
        label=_("Responsibility and mandate"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what the role is responsible for.")},
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class MeasureForm(forms.Form):
    what = forms.CharField(
        label=_("Measure"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what the measure is.")},
    )
    owner = forms.CharField(
        label=_("Owner"),
        max_length=200,
        help_text=_("The role or function that carries the measure out."),
        error_messages={"required": _("Write who owns the measure.")},
    )
    owner_unit = UnitChoiceField(
        label=_("Owner unit"),
        queryset=Unit.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the listed units.")},
    )
    due_on = _date_field(_("Due"))
    status = forms.ChoiceField(
        label=_("Status"), choices=MeasureStatus.choices, initial=MeasureStatus.PLANNED
    )
    follow_up = forms.CharField(
        label=_("How and how often it is followed up"),
        max_length=300,
        required=False,
        help_text=_("e.g. Reported to the collaboration group every term"),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = units  # type: ignore[attr-defined]


class MeasureStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=MeasureStatus.choices,
        error_messages={"invalid_choice": _("Choose one of the listed statuses.")},
    )


class ReadConfirmForm(forms.Form):
    """The number of the version the reader saw: if a newer one has come since, the
    confirmation is refused rather than given for a text the reader has not seen."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DiffForm(forms.Form):
    old = forms.IntegerField(label=_("Compare version"), min_value=1)
    new = forms.IntegerField(label=_("with version"), min_value=1)
