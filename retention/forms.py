from django import forms
from django.utils.translation import gettext_lazy as _

from retention.models import ClockStart


class RuleForm(forms.Form):
    years = forms.IntegerField(
        label=_("Years kept"),
        min_value=1,
        max_value=200,
        error_messages={
            "required": _("Enter the number of years."),
            "invalid": _("Enter a whole number of years, for example 5."),
            "min_value": _("Enter at least %(limit_value)s year."),
            "max_value": _("Enter at most %(limit_value)s years."),
        },
    )
    clock_start = forms.ChoiceField(label=_("Counted from"), choices=ClockStart.choices)
    research_exception = forms.BooleanField(
        label=_("Keep records about children born on the 5th, 15th or 25th (research)"),
        required=False,
    )
    plan_reference = forms.CharField(
        label=_("Reference in the records plan"),
        max_length=300,
        required=False,
        # The records plan's wording is often a sentence or two: room to read it whole.
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    decision_reference = forms.CharField(
        label=_("Decision reference (diarienummer or paragraph)"),
        max_length=100,
        help_text=_("For example KS 2031/45 or SN 2031-03-10 § 12."),
        error_messages={"required": _("Enter the decision's reference.")},
    )
    items = forms.TypedMultipleChoiceField(
        coerce=int, widget=forms.MultipleHiddenInput, required=False
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, item_ids: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["items"].choices = [(pk, pk) for pk in item_ids]  # type: ignore[attr-defined]
