"""Forms of the board report's pages (thin: the services check everything again)."""

import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from core.widgets import LeanSelect
from followup.models import BoardReportSection
from followup.periods import (
    Period,
    PeriodKind,
    add_months,
    month_start,
    months_between,
    term_period,
    year_period,
)
from organisations.models import Municipality
from wheel.models import ActivityType, Occurrence

if TYPE_CHECKING:  # a type of the stubs only
    from django.utils.functional import _StrPromise as StrPromise

FIRST_YEAR = 2020


class OccurrenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Occurrence) -> str:
        return f"{obj.series.title}, {date_format(localtime(obj.starts_at), 'DATE_FORMAT')}"


# The longest run of months a report may cover: two years, so the previous period of the
# same length still lies within the summary tables' history.
MAX_REPORT_MONTHS = 24

PERIOD_CHOICES = [
    (PeriodKind.YEAR.value, _("A calendar year")),
    (PeriodKind.TERM.value, _("A school term")),
    (PeriodKind.CUSTOM.value, _("A run of months")),
]


def term_choices(today: datetime.date) -> list[tuple[str, str]]:
    """Terms that have begun, newest first, named as Swedish names them ("Vårterminen 2026")."""
    found = []
    for year in range(today.year, FIRST_YEAR - 1, -1):
        for season in ("autumn", "spring"):
            term = term_period(season, year)
            if term.start <= today:
                found.append((f"{season}-{year}", term.label))
    return found


def month_choices(today: datetime.date) -> list[tuple[str, str]]:
    """Months up to this one, newest first ("maj 2026"); none in the future."""
    month = month_start(today)
    found = []
    while month.year >= FIRST_YEAR:
        found.append((f"{month:%Y-%m}", date_format(month, "F Y")))
        month = add_months(month, -1)
    return found


def last_ended_term(today: datetime.date) -> str:
    if today.month >= 7:
        return f"spring-{today.year}"
    return f"autumn-{today.year - 1}"


class DraftForm(forms.Form):
    """Which period to report on — a calendar year (the last year by default), a school term
    or a run of whole months up to this month — and optionally the annual wheel's
    board-report occurrence it belongs to. ``cleaned_data["period"]`` is the chosen
    :class:`Period`."""

    # The selects are written without the template engine (``LeanSelect``): with an include per
    # option the months since 2020, twice, made this form ~30 ms of the list page's render.
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.none(),
        empty_label=None,
        widget=LeanSelect,
    )
    period_kind = forms.ChoiceField(
        label=_("Period"), choices=PERIOD_CHOICES, widget=forms.RadioSelect, required=False
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, widget=LeanSelect)
    term = forms.ChoiceField(label=_("School term"), required=False, widget=LeanSelect)
    from_month = forms.ChoiceField(
        label=_("From month"),
        required=False,
        widget=LeanSelect,
        error_messages={"invalid_choice": _("Choose a month up to this month.")},
    )
    to_month = forms.ChoiceField(
        label=_("To month"),
        required=False,
        widget=LeanSelect,
        error_messages={"invalid_choice": _("Choose a month up to this month.")},
    )
    occurrence = OccurrenceChoiceField(
        label=_("Board report in the annual wheel"),
        help_text=_("Optional: the board meeting in the annual wheel that this report is for."),
        queryset=Occurrence.objects.none(),
        required=False,
        widget=LeanSelect,
    )

    def __init__(
        self,
        *args: object,
        municipalities: list[Municipality],
        today: datetime.date,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        municipality_field: forms.ModelChoiceField = self.fields["municipality"]  # type: ignore[assignment]
        municipality_field.queryset = Municipality.objects.filter(
            pk__in=[municipality.pk for municipality in municipalities]
        ).order_by("name")
        if municipalities:
            self.initial.setdefault("municipality", municipalities[0].pk)
        self._set_period_choices(today)
        occurrence_field: forms.ModelChoiceField = self.fields["occurrence"]  # type: ignore[assignment]
        occurrence_field.queryset = board_occurrences(municipalities)

    def _set_period_choices(self, today: datetime.date) -> None:
        year_field: forms.TypedChoiceField = self.fields["year"]  # type: ignore[assignment]
        year_field.choices = [(year, str(year)) for year in range(today.year, FIRST_YEAR - 1, -1)]
        term_field: forms.ChoiceField = self.fields["term"]  # type: ignore[assignment]
        term_field.choices = term_choices(today)
        months = month_choices(today)
        for name in ("from_month", "to_month"):
            month_field: forms.ChoiceField = self.fields[name]  # type: ignore[assignment]
            month_field.choices = months
        # The last six whole months, so the default run is a sensible one, not an error.
        last_month = add_months(month_start(today), -1)
        self.initial.setdefault("period_kind", PeriodKind.YEAR.value)
        self.initial.setdefault("year", today.year - 1)
        self.initial.setdefault("term", last_ended_term(today))
        self.initial.setdefault("from_month", f"{add_months(last_month, -5):%Y-%m}")
        self.initial.setdefault("to_month", f"{last_month:%Y-%m}")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Without a choice (an older form) the year, as the form offered before.
        kind = cleaned.get("period_kind") or (
            PeriodKind.YEAR if "period_kind" not in self.errors else None
        )
        if kind == PeriodKind.YEAR:
            self._require(cleaned, "year", _("Choose the year."))
            if cleaned.get("year"):
                cleaned["period"] = year_period(cleaned["year"])
        elif kind == PeriodKind.TERM:
            self._require(cleaned, "term", _("Choose the school term."))
            if cleaned.get("term"):
                season, _sep, year = cleaned["term"].partition("-")
                cleaned["period"] = term_period(season, int(year))
        elif kind == PeriodKind.CUSTOM:
            self._clean_months(cleaned)
        return cleaned

    def _require(self, cleaned: dict[str, Any], name: str, message: "str | StrPromise") -> None:
        if not cleaned.get(name) and name not in self.errors:
            self.add_error(name, message)

    def _clean_months(self, cleaned: dict[str, Any]) -> None:
        self._require(cleaned, "from_month", _("Choose the first month."))
        self._require(cleaned, "to_month", _("Choose the last month."))
        if not cleaned.get("from_month") or not cleaned.get("to_month"):
            return
        first = datetime.date.fromisoformat(f"{cleaned['from_month']}-01")
        last = datetime.date.fromisoformat(f"{cleaned['to_month']}-01")
        if last < first:
            self.add_error("to_month", _("The last month comes before the first."))
        elif months_between(first, last) >= MAX_REPORT_MONTHS:
            self.add_error(
                "to_month",
                _("Choose at most %(count)s months.") % {"count": MAX_REPORT_MONTHS},
            )
        else:
            cleaned["period"] = Period(PeriodKind.CUSTOM, first, add_months(last, 1))


def board_occurrences(municipalities: list[Municipality]) -> QuerySet[Occurrence]:
    return (
        Occurrence.objects.filter(
            municipality__in=municipalities, series__activity_type=ActivityType.BOARD_REPORT
        )
        .select_related("series")
        .order_by("-starts_at")
    )


class CommentForm(forms.Form):
    section = forms.TypedChoiceField(choices=BoardReportSection.choices, coerce=int)
    text = forms.CharField(label=_("Comment"), max_length=5000)
