"""Forms of the board report's pages (thin: the services check everything again)."""

import datetime

from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from followup.models import BoardReportSection
from organisations.models import Municipality
from wheel.models import ActivityType, Occurrence

FIRST_YEAR = 2020


class OccurrenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Occurrence) -> str:
        return f"{obj.series.title}, {date_format(localtime(obj.starts_at), 'j F Y')}"


class DraftForm(forms.Form):
    """Which calendar year to report on (the last year by default), and optionally the annual
    wheel's board-report occurrence it belongs to."""

    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), empty_label=None
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    occurrence = OccurrenceChoiceField(
        label=_("Board report in the annual wheel"),
        help_text=_("Optional: the board meeting in the annual wheel that this report is for."),
        queryset=Occurrence.objects.none(),
        required=False,
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
        year_field: forms.TypedChoiceField = self.fields["year"]  # type: ignore[assignment]
        year_field.choices = [(year, str(year)) for year in range(today.year, FIRST_YEAR - 1, -1)]
        self.initial.setdefault("year", today.year - 1)
        occurrence_field: forms.ModelChoiceField = self.fields["occurrence"]  # type: ignore[assignment]
        occurrence_field.queryset = board_occurrences(municipalities)


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
