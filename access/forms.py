"""Forms of the log review: the access-log filters, drawing a monthly sample, reviewing it."""

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from access.models import AccessAction
from access.selectors import AccessLogFilters, Cursor, previous_month
from core.personnummer import IdentityNumberField
from core.widgets import LeanSelect
from organisations.models import Municipality

MONTH_FORMAT = "%Y-%m"


class AccessLogFilterForm(forms.Form):
    """Filters of the access-log list. Posted and kept in the session, not in the address: a
    person's name must not end up in URLs (and so in proxy logs and browser histories). A
    municipality choice appears only for an admin of several municipalities."""

    # Typed, not chosen from a list: a municipality has hundreds of staff accounts.
    user = forms.CharField(
        label=_("User"),
        required=False,
        max_length=100,
        help_text=_("Part of the name or the username."),
    )
    date_from = forms.DateField(
        label=_("From date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the from date as YYYY-MM-DD, e.g. 2025-03-01.")},
    )
    date_to = forms.DateField(
        label=_("To date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the to date as YYYY-MM-DD, e.g. 2025-03-31.")},
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any action")), *AccessAction.choices],
        widget=LeanSelect,  # an include per option cost more than the rest of the field
        error_messages={"invalid_choice": _("Choose one of the listed actions.")},
    )
    municipality = forms.TypedChoiceField(
        label=_("Municipality"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=LeanSelect,
        error_messages={"invalid_choice": _("Choose one of the listed municipalities.")},
    )

    def __init__(self, *args: Any, municipalities: list[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if len(municipalities) > 1:
            self.fields["municipality"].choices = [  # type: ignore[attr-defined]
                ("", _("All my municipalities")),
                *((municipality.pk, municipality.name) for municipality in municipalities),
            ]
        else:
            del self.fields["municipality"]

    def clean_user(self) -> str:
        return " ".join(self.cleaned_data["user"].split())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error(
                "date_to",
                forms.ValidationError(
                    _("The to date (%(to)s) is before the from date (%(from)s)."),
                    code="period_reversed",
                    params={"to": date_to.isoformat(), "from": date_from.isoformat()},
                ),
            )
        return cleaned

    def stored(self) -> dict[str, str]:
        """The valid filters as text for the session, to bind the form again from there."""
        return {
            name: str(value) if value is not None else ""
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }

    def filters(self, *, child_ref: str = "") -> AccessLogFilters:
        data = self.cleaned_data if self.is_bound else {}
        return AccessLogFilters(
            user_text=data.get("user", ""),
            child_ref=child_ref,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            action=data.get("action", ""),
            municipality_id=data.get("municipality"),
        )


# The dashes that word processors and web pages put where a hyphen was typed.
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))


class LookupIdentityNumberField(IdentityNumberField):
    """A number as people copy it: with spaces, or a word processor's dash for the hyphen."""

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value))
        text = "".join(text.split())
        return text.translate(_DASHES)


class ChildLookupForm(forms.Form):
    """The identity number of the child whose accesses the admin wants to see. Posted, never
    in the address; the number is not kept, only the reference computed from it."""

    identity_number = LookupIdentityNumberField(
        label=_("The child's personal identity number or coordination number"),
        max_length=20,
        help_text=_(
            "Written as YYYYMMDD-NNNN or YYMMDD-NNNN, with or without the hyphen. "
            "The lookup is recorded in the access log."
        ),
    )


class PageForm(forms.Form):
    """Where an older page of the access log starts (``?before=``, no personal data)."""

    before = forms.CharField(required=False, max_length=50)

    def clean(self) -> dict[str, Any]:
        # A form error, not a field's: the field is in the link, not on the page.
        cleaned = super().clean() or {}
        text = cleaned.get("before") or ""
        cursor = Cursor.decode(text) if text else None
        if text and cursor is None:
            raise forms.ValidationError(
                _("The link to older rows is not valid. Search again to start from the newest."),
                code="invalid_cursor",
            )
        cleaned["cursor"] = cursor
        return cleaned

    def cursor(self) -> Cursor | None:
        return self.cleaned_data.get("cursor") if self.is_valid() else None


class LogSampleCreateForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=[MONTH_FORMAT],
        widget=forms.DateInput(attrs={"type": "month"}, format=MONTH_FORMAT),
        help_text=_("Year and month as YYYY-MM, e.g. 2025-03."),
        error_messages={
            "required": _("Enter the month to sample."),
            "invalid": _("Enter the month as YYYY-MM, e.g. 2025-03."),
        },
    )
    municipality = forms.TypedChoiceField(
        label=_("Municipality"),
        coerce=int,
        error_messages={
            "required": _("Choose the municipality whose log to sample."),
            "invalid_choice": _("Choose one of the listed municipalities."),
        },
    )

    def __init__(self, *args: Any, municipalities: list[Municipality], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"month": previous_month()})
        super().__init__(*args, **kwargs)
        self.municipalities = {municipality.pk: municipality for municipality in municipalities}
        if len(municipalities) > 1:
            self.fields["municipality"].choices = [  # type: ignore[attr-defined]
                ("", _("Choose…")),
                *((municipality.pk, municipality.name) for municipality in municipalities),
            ]
        else:
            del self.fields["municipality"]

    def chosen_municipality(self) -> Municipality:
        if "municipality" in self.fields:
            return self.municipalities[self.cleaned_data["municipality"]]
        return next(iter(self.municipalities.values()))

    def chosen_month(self) -> datetime.date:
        return self.cleaned_data["month"]


class LogSampleReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Outcome of the review"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you checked and what you found, e.g. whether every access had a reason."),
        error_messages={
            "required": _("Write what the review found before marking the sample as reviewed."),
            "max_length": _("Keep the outcome to at most %(limit_value)d characters."),
        },
    )
