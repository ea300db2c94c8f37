"""Forms of the template builder and of rounds (the coordinator's pages)."""

import datetime
import uuid
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organisations.forms import DateInput
from organisations.models import Municipality, Role, Sector, Unit, User
from surveys.models import Question, QuestionKind, SurveyKind, Template
from surveys.services import QuestionData, SectionData
from surveys.services_rounds import RoundData, parse_addresses
from wheel.models import Occurrence


class TemplateForm(forms.Form):
    title = forms.CharField(label=_("Name of the survey"), max_length=200)
    kind = forms.ChoiceField(label=_("What it is for"), choices=SurveyKind.choices)
    description = forms.CharField(
        label=_("Introduction for the respondents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown at the top of the survey: what it is for and how long it takes."),
    )


class LockedForm(forms.Form):
    """A builder form: it names the version's lock it was opened with."""

    lock = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SectionForm(LockedForm):
    title = forms.CharField(label=_("Heading"), max_length=200)
    help_text = forms.CharField(
        label=_("Text under the heading"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def data_object(self) -> SectionData:
        return SectionData(
            title=self.cleaned_data["title"], help_text=self.cleaned_data["help_text"]
        )


class QuestionForm(LockedForm):
    kind = forms.ChoiceField(
        label=_("Type of question"), choices=QuestionKind.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(label=_("Question"), max_length=500)
    help_text = forms.CharField(
        label=_("Help text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown under the question, e.g. how to answer it."),
    )
    required = forms.BooleanField(label=_("The question must be answered"), required=False)
    labels = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One per line. A choice question needs at least two; a scale exactly five, from "
            "the lowest (1) to the highest (5)."
        ),
    )
    min_value = forms.IntegerField(
        label=_("Lowest number"), required=False, help_text=_("For a number question.")
    )
    max_value = forms.IntegerField(
        label=_("Highest number"), required=False, help_text=_("For a number question.")
    )
    max_length = forms.IntegerField(
        label=_("Longest answer (characters)"),
        required=False,
        min_value=1,
        max_value=10000,
        help_text=_("For a free-text question."),
    )

    @staticmethod
    def initial_for(question: Question | None, lock: int) -> dict[str, Any]:
        if question is None:
            return {"lock": lock, "kind": QuestionKind.LIKERT}
        return {
            "lock": lock,
            "kind": question.kind,
            "text": question.text,
            "help_text": question.help_text,
            "required": question.required,
            "labels": "\n".join(row["label"] for row in question.options),
            "min_value": question.min_value,
            "max_value": question.max_value,
            "max_length": question.max_length,
        }

    def data_object(self) -> QuestionData:
        data = self.cleaned_data
        return QuestionData(
            kind=data["kind"],
            text=data["text"],
            help_text=data["help_text"],
            required=data["required"],
            labels=tuple(line.strip() for line in data["labels"].splitlines() if line.strip()),
            min_value=data["min_value"],
            max_value=data["max_value"],
            max_length=data["max_length"],
        )


class RoundForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Survey"), queryset=Template.objects.none(), empty_label=None
    )
    title = forms.CharField(
        label=_("Name of the round"),
        max_length=200,
        help_text=_("For example “Lägesbild hösten 2026”. Shown to the respondents."),
    )
    opens_on = forms.DateField(label=_("Opens"), widget=DateInput())
    closes_on = forms.DateField(label=_("Closes"), widget=DateInput())
    occurrence = forms.ModelChoiceField(
        label=_("Activity in the annual wheel"),
        queryset=Occurrence.objects.none(),
        required=False,
        empty_label=pgettext_lazy("activity of a round", "None"),
        help_text=_("The round can belong to an activity of the annual wheel."),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, municipality: Municipality, editing: bool = False, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("submission_key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["template"].queryset = Template.objects.filter(  # type: ignore[attr-defined]
            municipality=municipality, versions__sections__questions__isnull=False
        ).distinct()
        self.fields["occurrence"].queryset = (  # type: ignore[attr-defined]
            Occurrence.objects.filter(
                municipality=municipality,
                starts_at__date__gte=today - datetime.timedelta(days=60),
                starts_at__date__lte=today + datetime.timedelta(days=400),
            )
            .select_related("series")
            .order_by("starts_at")
        )
        self.fields["occurrence"].label_from_instance = _occurrence_label  # type: ignore[attr-defined]
        if editing:
            del self.fields["template"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The round can not close before it opens."))
        return cleaned

    def data_object(self) -> RoundData:
        occurrence = self.cleaned_data.get("occurrence")
        return RoundData(
            title=self.cleaned_data["title"],
            opens_on=self.cleaned_data["opens_on"],
            closes_on=self.cleaned_data["closes_on"],
            occurrence_id=occurrence.pk if occurrence else None,
        )


def _occurrence_label(occurrence: Occurrence) -> str:
    day = formats.date_format(timezone.localtime(occurrence.starts_at).date())
    return f"{occurrence.series.title}, {day}"


class AnalysisGroupForm(forms.Form):
    members = forms.MultipleChoiceField(
        label=_("Members of the analysis group"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "They read the free-text answers and write the analysis. Choose people from "
            "school, social services, the police and the municipal leadership."
        ),
    )

    def __init__(self, *args: Any, candidates: list[tuple[User, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Sector.choices)
        self.fields["members"].choices = [  # type: ignore[attr-defined]
            (str(user.pk), f"{user.display_name} ({labels.get(sector, sector)})")
            for user, sector in candidates
        ]

    def user_ids(self) -> list[int]:
        return [int(value) for value in self.cleaned_data["members"]]


class AddressesForm(forms.Form):
    addresses = forms.CharField(
        label=_("E-mail addresses"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Paste the addresses, one per line or separated by commas or semicolons. "
            "Duplicates are removed."
        ),
    )
    sector = forms.ChoiceField(
        label=_("Their sector"),
        required=False,
        choices=[("", _("Not stated")), *Sector.choices],
        help_text=_("Used only to break the results down by sector (groups of five or more)."),
    )

    def clean_addresses(self) -> str:
        text = self.cleaned_data["addresses"]
        parsed = parse_addresses(text)
        if not parsed.valid:
            raise forms.ValidationError(_("No e-mail address found in the text."))
        self.parsed = parsed
        return text


class MembersForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("Units"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            municipality=municipality, is_active=True
        ).order_by("name")
