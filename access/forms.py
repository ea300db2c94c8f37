"""Forms of the log review: the access-log filters, drawing a monthly sample, reviewing it."""

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from access.models import AccessAction
from access.selectors import AccessLogFilters, Cursor, log_review_users, previous_month
from organisations.models import Municipality, User

MONTH_FORMAT = "%Y-%m"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.username})" if full_name else obj.username


class AccessLogFilterForm(forms.Form):
    """Filters of the access-log list. A municipality choice appears only for an admin of
    several municipalities."""

    # A choice of ids, not a typed username: the filters travel in the URL.
    user = UserChoiceField(
        label=_("User"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Any user"),
        error_messages={"invalid_choice": _("Choose one of the listed users.")},
    )
    child_ref = forms.CharField(
        label=_("Child reference"),
        required=False,
        max_length=64,
        help_text=_("The exact reference, as shown in the log."),
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
        error_messages={"invalid_choice": _("Choose one of the listed actions.")},
    )
    municipality = forms.TypedChoiceField(
        label=_("Municipality"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose one of the listed municipalities.")},
    )
    before = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, municipalities: list[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = log_review_users(  # type: ignore[attr-defined]
            [municipality.pk for municipality in municipalities]
        )
        if len(municipalities) > 1:
            self.fields["municipality"].choices = [  # type: ignore[attr-defined]
                ("", _("All my municipalities")),
                *((municipality.pk, municipality.name) for municipality in municipalities),
            ]
        else:
            del self.fields["municipality"]

    def clean_before(self) -> Cursor | None:
        text = self.cleaned_data["before"]
        if not text:
            return None
        cursor = Cursor.decode(text)
        if cursor is None:
            raise forms.ValidationError(
                _("The link to older rows is not valid. Search again to start from the newest."),
                code="invalid_cursor",
            )
        return cursor

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

    def filters(self) -> AccessLogFilters:
        data = self.cleaned_data
        return AccessLogFilters(
            user_id=data["user"].pk if data.get("user") else None,
            child_ref=data.get("child_ref", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            action=data.get("action", ""),
            municipality_id=data.get("municipality"),
        )


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
