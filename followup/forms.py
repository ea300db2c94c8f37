"""The targets form: one field per indicator that has a direction, labelled by its name (never
a key to type); empty means the catalogue's default."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from followup.catalogue import CATALOGUE, Direction, Indicator, ValueUnit
from followup.values import format_value

# The range a target may take, per unit (days to a document's revision may be negative
# only in the data, never as a goal).
LIMITS: dict[ValueUnit, tuple[Decimal, Decimal]] = {
    ValueUnit.PERCENT: (Decimal(0), Decimal(100)),
    ValueUnit.DAYS: (Decimal(0), Decimal(3650)),
    ValueUnit.PER_100_PUPILS: (Decimal(0), Decimal(100)),
    ValueUnit.COUNT: (Decimal(0), Decimal(100000)),
    ValueUnit.SCORE: (Decimal(1), Decimal(5)),
}


def target_indicators() -> list[Indicator]:
    """The indicators a target means something for (higher or lower is better), by name."""
    return sorted(
        (i for i in CATALOGUE.values() if i.direction != Direction.NONE),
        key=lambda indicator: str(indicator.name),
    )


def _help(indicator: Indicator) -> str:
    default = (
        format_value(indicator.default_target, indicator.unit)
        if indicator.default_target is not None
        else _("none")
    )
    return _("In %(unit)s, %(direction)s. Leave empty for the default target (%(default)s).") % {
        "unit": indicator.unit_label,
        "direction": indicator.direction_label,
        "default": default,
    }


class TargetsForm(forms.Form):
    """``own``: the municipality's own targets so far, by indicator key."""

    def __init__(self, *args: Any, own: dict[str, Decimal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = target_indicators()
        for indicator in self.indicators:
            low, high = LIMITS[indicator.unit]
            self.fields[indicator.key] = forms.DecimalField(
                label=str(indicator.name),
                required=False,
                min_value=low,
                max_value=high,
                max_digits=10,
                decimal_places=2,
                localize=True,
                help_text=_help(indicator),
                initial=own.get(indicator.key),
                error_messages={
                    "invalid": gettext_lazy("Give the target as a number, e.g. 90."),
                },
            )

    def targets(self) -> dict[str, Decimal | None]:
        return {
            indicator.key: self.cleaned_data.get(indicator.key) for indicator in self.indicators
        }


class ComparisonConsentForm(forms.Form):
    """The municipal admin's yes or no: may other municipalities see this one by name?"""

    named = forms.TypedChoiceField(
        label=gettext_lazy("May other municipalities see your municipality by name?"),
        choices=[
            ("yes", gettext_lazy("Yes, show our name in their comparisons")),
            ("no", gettext_lazy("No, show us unnamed (“Municipality A”, “B”, …)")),
        ],
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose yes or no."),
            "invalid_choice": gettext_lazy("Choose yes or no."),
        },
    )
