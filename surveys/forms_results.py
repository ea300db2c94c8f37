"""Forms of the analysis: the analysis text (with the version it started from), a prioritised
resource, and the link from a priority to the resource council's decision."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import Unit
from surveys.models import Round
from surveys.services_analysis import PriorityData
from wheel.forms import UnitChoiceField
from wheel.models import MeetingDecision

ANALYSIS_MAX_LENGTH = 20000


class AnalysisForm(forms.Form):
    analysis = forms.CharField(
        label=_("Analysis"),
        required=False,
        max_length=ANALYSIS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "What the answers show, what has changed since the earlier rounds and what the "
            "group concludes. Write about groups and places, never about one person."
        ),
        error_messages={"max_length": _("Keep the analysis under %(limit_value)d characters.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, round_: Round, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"analysis": round_.analysis, "version": round_.lock_version})
        super().__init__(*args, **kwargs)


class PriorityForm(forms.Form):
    what = forms.CharField(
        label=_("What resource"),
        max_length=300,
        help_text=_("For example: field workers in the evenings at the travel centre."),
        error_messages={"required": _("Write which resource is prioritised.")},
    )
    why = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("What in the answers shows the need."),
        error_messages={"required": _("Write why it is prioritised.")},
    )
    responsible_unit = UnitChoiceField(
        label=_("Responsible unit"),
        queryset=Unit.objects.none(),
        error_messages={
            "required": _("Choose the unit responsible for it."),
            "invalid_choice": _("Choose a unit of the municipality."),
        },
    )

    def __init__(self, *args: Any, round_: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            municipality_id=round_.municipality_id, is_active=True
        ).order_by("name")

    def data_object(self) -> PriorityData:
        return PriorityData(
            what=self.cleaned_data["what"],
            why=self.cleaned_data["why"],
            responsible_unit=self.cleaned_data["responsible_unit"],
        )


class DecisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: MeetingDecision) -> str:
        return obj.text[:120]


class DecisionLinkForm(forms.Form):
    decision = DecisionChoiceField(
        label=_("Decision taken"),
        queryset=MeetingDecision.objects.none(),
        error_messages={
            "required": _("Choose the decision."),
            "invalid_choice": _("Choose one of the meeting's decisions."),
        },
    )

    def __init__(self, *args: Any, occurrence_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = MeetingDecision.objects.filter(  # type: ignore[attr-defined]
            occurrence_id=occurrence_id
        )
